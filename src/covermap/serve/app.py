"""The app factory: :func:`create_app` wires the service, sessions, errors and pages."""

from __future__ import annotations

import logging
import secrets
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from covermap.serve import errors, security
from covermap.serve.service import Service
from covermap.serve.users import User

log = logging.getLogger("covermap.serve")


def plotly_js() -> Path:
    """plotly.min.js as the plotly package ships it (served locally: never a CDN)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def create_app(service: Service, *, users: dict[str, User] | None = None,
               secret: str | None = None, https_only: bool = False,
               hosts: tuple[str, ...] | None = None, max_body: int = security.MAX_BODY,
               max_upload: int = security.MAX_UPLOAD,
               login_limiter: security.LoginLimiter | None = None) -> FastAPI:
    """The dashboard over ``service``'s store and plan.

    ``users``: who may sign in (None: no sign-in, everyone is the local admin; only for the
    loopback address). ``secret`` signs the session cookies (default: a random one, so
    sessions end when the server stops). ``hosts``: the Host names answered (None: any;
    the loopback dashboard passes its own, so a DNS-rebound page gets nothing).
    ``max_body`` / ``max_upload``: request body limits in bytes (forms and JSON / the
    import's uploads); ``login_limiter``: failed sign-ins allowed
    (:mod:`covermap.serve.security`).

    Example::

        app = create_app(Service("covermap.duckdb", Path("plan.yaml")))
    """
    from covermap.serve.pages import ROUTERS

    # no /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN, and the
    # dashboard loads nothing from the internet; the schema itself is /openapi.json
    app = FastAPI(title="covermap", version="1", docs_url=None, redoc_url=None,
                  description="Customer coverage: every page's data as JSON. Errors are "
                              "{\"error\": message, \"parameter\": name}.")
    app.state.service = service
    app.state.users = users
    app.state.row_level = lambda: service.inputs()[1].dashboard.row_level_by
    app.add_middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                       session_cookie="covermap_session", same_site="lax",
                       https_only=https_only, max_age=12 * 3600)
    app.add_middleware(security.SecurityMiddleware, max_body=max_body, max_upload=max_upload,
                       hosts=hosts)
    app.state.login_limiter = login_limiter or security.LoginLimiter()
    errors.install(app)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return errors.respond(request, 500, f"unexpected error: {type(exc).__name__}", None,
                              security.error_headers(request.url.scheme == "https"))

    static = resources.files("covermap.serve") / "static"
    js = plotly_js()

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def _plotly() -> FileResponse:
        return FileResponse(js, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
