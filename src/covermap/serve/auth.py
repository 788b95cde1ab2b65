"""Who is asking, what they may do, and the CSRF token every form carries.

Sessions live in a signed cookie (Starlette's SessionMiddleware over itsdangerous; HttpOnly,
SameSite=Lax). Without a users file on the loopback address everyone is :data:`LOCAL`, an
admin; with one, every route but the login page needs a signed-in user (or a bearer token).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from urllib.parse import quote

from fastapi import Depends, Request

from covermap.serve.errors import ServeError, wants_json
from covermap.serve.users import LOCAL, User, check_token
from covermap.serve.visibility import Territories

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def current_user(request: Request) -> User | None:
    """The signed-in user (LOCAL when the dashboard needs no sign-in), else None."""
    users = request.app.state.users
    if users is None:
        return LOCAL
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return check_token(users, header[7:].strip())
    name = request.session.get("user")
    return users.get(name) if name else None


def _by_token(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def require(role: str) -> Callable[..., User]:
    """A dependency: the user, when they hold ``role`` (401 / redirect to sign in, or 403)."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            if wants_json(request):
                raise ServeError(401, "sign in first (POST /login) or send "
                                      "Authorization: Bearer TOKEN", None,
                                 {"WWW-Authenticate": "Bearer"})
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise ServeError(303, "sign in first", None,
                             {"Location": f"/login?next={quote(target, safe='')}"})
        if not user.can(role):
            raise ServeError(403, f"{user.name} is a {user.role}; this needs the {role} role",
                             None)
        return user

    return dependency


async def check_csrf(request: Request) -> None:
    """A dependency of every POST: the form's csrf_token (or the X-CSRF-Token header) must be
    the session's. Requests with a bearer token carry no cookie and need none."""
    if (_by_token(request) and request.app.state.users is not None
            and current_user(request) is not None):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise ServeError(403, "the form's CSRF token is missing or stale; reload the page and "
                              "try again", CSRF_FIELD)


Viewer = Depends(require("viewer"))
Editor = Depends(require("editor"))
Admin = Depends(require("admin"))
Csrf = Depends(check_csrf)


def book_of(request: Request, user: User) -> str | Territories | None:
    """The CRM user whose book ``user`` sees (row-level visibility), their territories
    (``row_level: territory``, :mod:`covermap.serve.visibility`), or None for every
    account: admins and the local user see every account; anyone else with no user_id (or
    no territories) in the users file sees none."""
    by = request.app.state.row_level()
    if not by or user.role == "admin" or user is LOCAL:
        return None
    if by == "territory":
        return Territories(user.territories)
    return user.user_id or "\x00no book"
