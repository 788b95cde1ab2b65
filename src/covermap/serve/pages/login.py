"""Sign in and out, and the progress of the results being computed."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from covermap.serve import models
from covermap.serve.auth import Csrf, Viewer
from covermap.serve.errors import ServeError
from covermap.serve.security import client_address, safe_next
from covermap.serve.templating import page
from covermap.serve.users import check_password

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a URL) is followed after signing in."""
    return safe_next(target)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None):
    return page(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login", include_in_schema=False, dependencies=[Csrf])
def login(request: Request, username: str = Form(...), password: str = Form(...),
          next: str | None = Form(None)):
    users = request.app.state.users
    if users is None:
        return RedirectResponse(_safe_next(next), status_code=303)
    limiter, address = request.app.state.login_limiter, client_address(request.client)
    limiter.check(username, address)  # 429 with Retry-After once there were too many
    user = check_password(users, username, password)
    if user is None:
        limiter.failed(username, address)
        return page(request, "login.html", status=401, next=_safe_next(next), failed=True)
    limiter.succeeded(username)
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update(user=user.name, csrf=secrets.token_urlsafe(24))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[Csrf])
def logout(request: Request):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/api/status", response_model=models.Status, tags=["status"],
            dependencies=[Viewer])
def status(request: Request):
    """Whether the results of the current store and plan are ready; the computation's
    progress (step, seconds, error) when they are not."""
    from covermap.serve.service import NotReady

    service = request.app.state.service
    try:
        with service.results():
            return models.Status(ready=True, progress=None)
    except NotReady as e:
        if e.progress.get("error"):
            raise ServeError(500, e.progress["error"], None) from None
        return models.Status(ready=False, progress=e.progress)
