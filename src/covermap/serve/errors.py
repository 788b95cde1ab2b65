"""The dashboard's one error shape: ``{"error": message, "parameter": name or null}``.

JSON routes (``/api/...``) answer errors in that shape; pages answer the same message in an
HTML page with the same status. Unknown values of a filter or path parameter name the
parameter (404 for a thing that does not exist, 422 for a value that cannot be one).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from covermap.errors import CovermapError, PlanInvalid


class ErrorBody(BaseModel):
    """Every error the dashboard answers."""

    error: str
    parameter: str | None = None


class ServeError(Exception):
    """An error with its HTTP status and the parameter it is about."""

    def __init__(self, status: int, message: str, parameter: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter
        self.headers = headers or {}


def unknown(parameter: str, value: str, valid: list[str] | None = None) -> ServeError:
    """404 for a value of ``parameter`` that names nothing in the results."""
    shown = ""
    if valid is not None:
        head = ", ".join(valid[:20]) + (", …" if len(valid) > 20 else "")
        shown = f"; known: {head}" if valid else "; there are none"
    return ServeError(404, f"no {parameter} {value!r}{shown}", parameter)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def respond(request: Request, status: int, message: str, parameter: str | None,
            headers: dict[str, str] | None = None) -> Response:
    body = ErrorBody(error=message, parameter=parameter).model_dump()
    if wants_json(request):
        return JSONResponse(body, status_code=status, headers=headers)
    from covermap.serve.templating import render_error

    return HTMLResponse(render_error(request, status, body), status_code=status,
                        headers=headers)


def _validation(request: Request, exc: RequestValidationError) -> Response:
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
    loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "path", "body", "form")]
    name = loc[-1] if loc else None
    message = first.get("msg", "invalid request")
    return respond(request, 422, f"{name}: {message}" if name else message, name)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape."""

    @app.exception_handler(ServeError)
    async def _serve(request: Request, exc: ServeError) -> Response:
        return respond(request, exc.status, exc.message, exc.parameter, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _validation(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        from covermap.serve.security import too_large

        message = {404: f"no page {request.url.path}", 413: too_large(request.scope),
                   405: f"{request.method} is not allowed on {request.url.path}"}.get(
            exc.status_code, str(exc.detail))
        return respond(request, exc.status_code, message, None)

    @app.exception_handler(PlanInvalid)
    async def _plan(request: Request, exc: PlanInvalid) -> Response:
        return respond(request, 422, "; ".join(exc.messages()), "plan")

    @app.exception_handler(CovermapError)
    async def _covermap(request: Request, exc: CovermapError) -> Response:
        return respond(request, 500, str(exc), None)
