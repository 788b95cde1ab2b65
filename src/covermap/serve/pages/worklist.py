"""The worklist: accounts below standard now, ranked by value, filtered by owner, role,
segment and state, and exported as CSV (the same rows, all of them)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from covermap.serve import models
from covermap.serve.auth import Viewer, book_of, require
from covermap.serve.pages.common import checked, head, keys, owner_id, results
from covermap.serve.templating import formats, page, table

router = APIRouter()
ROWS = 100
ANYONE = "anyone"
COLUMNS = ["rank", "account_id", "name", "state", "segment", "owner_id", "missing", "reason",
           "due_date", "value", "days_since_human_touch"]
CSV_COLUMNS = ["rank", "account_id", "name", "state", "segment", "owner_id", "owner_name",
               "channel", "per", "by", "min", "count", "missing", "reason", "due_date",
               "value", "days_since_human_touch"]


def filters(r, owner, role, segment, state) -> tuple[dict, tuple | None]:
    roles = sorted({x["key"] for x in r.rows("coverage_summary", {"group": "role"})} | {ANYONE})
    f = {"owner": owner_id(r, owner), "role": checked(r, "", "", "role", role, roles),
         "segment": checked(r, "", "", "segment", segment, keys(r, "segment")),
         "state": checked(r, "", "", "state", state, list(r.meta["states"]))}
    clause = None
    if f["role"] == ANYONE:
        clause = ('"by" IS NULL', [])
    elif f["role"] is not None:
        clause = ("coalesce(contains('|' || \"by\" || '|', ?), false)", [f"|{f['role']}|"])
    return f, clause


def _where(f: dict) -> dict:
    return {"owner_id": f["owner"], "segment": f["segment"], "state": f["state"]}


def worklist_data(r, f, clause, book, offset: int = 0) -> models.Worklist:
    return models.Worklist(
        **head(r), filters=f, total=r.count("worklist", _where(f), book=book, clause=clause),
        rows=r.rows("worklist", _where(f), book=book, clause=clause, order="rank",
                    limit=ROWS, offset=offset))


def Filter():  # a fresh Query per parameter: FastAPI keeps one alias per object
    return Query(None, description="Only this value.")


@router.get("/api/worklist", response_model=models.Worklist, tags=["worklist"])
def api_worklist(request: Request, owner: str | None = Filter(), role: str | None = Filter(),
                 segment: str | None = Filter(), state: str | None = Filter(),
                 offset: int = Query(0, ge=0), user=Viewer):
    """Worklist rows (100 from ``offset``, by rank) and the filtered total."""
    with results(request) as (r, _):
        f, clause = filters(r, owner, role, segment, state)
        return worklist_data(r, f, clause, book_of(request, user), offset)


@router.get("/api/worklist.csv", tags=["worklist"], response_class=FileResponse,
            responses={200: {"content": {"text/csv": {}}}})
def worklist_csv(request: Request, owner: str | None = Filter(), role: str | None = Filter(),
                 segment: str | None = Filter(), state: str | None = Filter(), user=Viewer):
    """Every filtered worklist row as CSV (the columns of `covermap worklist --export`)."""
    folder = Path(tempfile.mkdtemp(prefix="covermap-csv-"))
    path = folder / "worklist.csv"
    with results(request) as (r, _):
        f, clause = filters(r, owner, role, segment, state)
        r.to_csv("worklist", str(path), CSV_COLUMNS, _where(f), book=book_of(request, user),
                 clause=clause, order="rank")

    def clean() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, media_type="text/csv", filename="worklist.csv",
                        background=BackgroundTask(clean))


@router.get("/worklist", include_in_schema=False)
def worklist_page(request: Request, owner: str | None = None, role: str | None = None,
                  segment: str | None = None, state: str | None = None,
                  offset: int = Query(0, ge=0)):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        f, clause = filters(r, owner, role, segment, state)
        d = worklist_data(r, f, clause, book_of(request, user), offset)
        query = urlencode({k: v for k, v in f.items() if v})
        return page(request, "worklist.html", d=d, query=query, offset=offset, step=ROWS,
                    owners=keys(r, "owner"),
                    users=r.meta.get("users") or {},
                    roles=sorted({x["key"] for x in r.rows("coverage_summary",
                                                           {"group": "role"})} | {ANYONE}),
                    segments=keys(r, "segment"),
                    states=r.meta["states"],
                    rows=table([x.model_dump() for x in d.rows], "worklist",
                               formats(r.meta, plan), COLUMNS,
                               {"account_id": "/accounts/{value}"}))
