"""The plan (read by viewers, edited by editors) and imports (admins)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from covermap.errors import CovermapError, PlanInvalid
from covermap.serve.auth import Admin, Csrf, Editor, Viewer, current_user
from covermap.serve.errors import ServeError
from covermap.serve.security import upload_name
from covermap.serve.templating import page

router = APIRouter()


class PlanText(BaseModel):
    file: str | None
    text: str


class ImportedFile(BaseModel):
    file: str
    table: str
    rows_read: int
    loaded: int
    quarantined: int


class Imported(BaseModel):
    import_id: int
    files: list[ImportedFile]


def _plan(request: Request) -> PlanText:
    service = request.app.state.service
    return PlanText(file=None if service.plan_path is None else str(service.plan_path),
                    text=service.plan_text())


@router.get("/api/plan", response_model=PlanText, tags=["plan"], dependencies=[Viewer])
def api_plan(request: Request):
    """The plan in use: its file (null: the built-in default) and its text."""
    return _plan(request)


@router.get("/plan", include_in_schema=False, dependencies=[Viewer])
def plan_page(request: Request, saved: bool = False):
    user = current_user(request)
    return page(request, "plan.html", p=_plan(request), can_edit=user.can("editor"),
                saved=saved, problems=[])


@router.post("/plan", include_in_schema=False, dependencies=[Editor, Csrf])
def save_plan(request: Request, text: str = Form(...)):
    service = request.app.state.service
    if service.plan_path is None:
        raise ServeError(409, "the dashboard was started without --plan, so there is no plan "
                              "file to save; start it with --plan plan.yaml (write one with "
                              "`covermap init`)", "plan")
    try:
        service.save_plan(text)
    except PlanInvalid as e:
        return page(request, "plan.html", status=422, can_edit=True, saved=False,
                    p=PlanText(file=str(service.plan_path), text=text),
                    problems=e.messages())
    return RedirectResponse("/plan?saved=true", status_code=303)


async def _import(request: Request, files: list[UploadFile]) -> Imported:
    if not files or not any(f.filename for f in files):
        raise ServeError(422, "choose at least one file to import", "files")
    with tempfile.TemporaryDirectory(prefix="covermap-upload-") as tmp:
        paths = []
        for f in files:
            path = Path(tmp) / upload_name(f.filename)
            with path.open("wb") as out:  # spooled by Starlette: copied, never held whole
                await run_in_threadpool(shutil.copyfileobj, f.file, out)
            paths.append(path)
        try:
            report = await run_in_threadpool(request.app.state.service.import_files, paths)
        except CovermapError as e:
            raise ServeError(422, str(e), "files") from None
    return Imported(import_id=report.import_id, files=[
        ImportedFile(file=Path(x.file).name, table=x.table, rows_read=x.rows_read,
                     loaded=x.loaded, quarantined=x.quarantined) for x in report.files])


@router.post("/api/import", response_model=Imported, tags=["import"],
             dependencies=[Admin, Csrf])
async def api_import(request: Request, files: list[UploadFile]):
    """Import CRM files into the store in one transaction (admins); the next page computes
    the results of the new contents."""
    return await _import(request, files)


@router.get("/import", include_in_schema=False, dependencies=[Admin])
def import_page(request: Request):
    return page(request, "import.html", report=None)


@router.post("/import", include_in_schema=False, dependencies=[Admin, Csrf])
async def import_files(request: Request, files: list[UploadFile]):
    return page(request, "import.html", report=await _import(request, files))
