"""The dashboard's defences that sit around every request (issue 15, point 3).

:class:`SecurityMiddleware` (pure ASGI, so it covers pages, JSON, static files, redirects
and error answers alike):

- security headers on every response: a Content-Security-Policy that allows scripts from
  this site only (the charts' data sit in ``<script type="application/json">`` blocks that
  ``static/app.js`` reads, so no script is inline), ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY`` with ``frame-ancestors 'none'``, ``Referrer-Policy:
  same-origin``, and ``Cache-Control: no-store`` on everything but ``/static``;
- the session cookie is marked ``Secure`` whenever the request came over HTTPS. The
  scheme is the ASGI scope's: ``https`` when uvicorn terminates TLS itself, or when a TLS
  proxy whose address ``covermap serve --trusted-proxy`` names sends
  ``X-Forwarded-Proto: https`` (uvicorn's proxy-headers middleware honours the header from
  those addresses only, so no client can claim HTTPS for itself). HTTPS answers also carry
  ``Strict-Transport-Security``;
- a limit on the size of every request body, declared (Content-Length) or streamed
  (chunked): :data:`MAX_BODY` for forms and JSON, a larger one for the import's uploads;
  the 413 is raised where the route reads the body, so it has the dashboard's error shape;
- with ``hosts`` (the loopback dashboard without sign-in), only those Host names are
  answered, so a page whose DNS name was rebound to 127.0.0.1 reads nothing.

:class:`LoginLimiter` counts failed sign-ins per user name and per client address.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from covermap.serve.errors import ServeError

#: scripts, styles, fonts and fetches from this site only; Plotly draws heat-maps into
#: data: images and sets styles through the DOM (style-src keeps 'unsafe-inline' for the
#: style attributes it writes); no page may frame the dashboard
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000"
#: forms and JSON (the plan's text is the largest, tens of kB)
MAX_BODY = 1024 * 1024
#: the import's uploads, all files of one request together
MAX_UPLOAD = 1024 * 1024 * 1024
UPLOAD_PATHS = ("/import", "/api/import")
LIMIT_KEY = "covermap.max_body"


class SecurityMiddleware:
    """Headers, Secure cookies over HTTPS and body limits for every HTTP request."""

    def __init__(self, app: ASGIApp, *, max_body: int = MAX_BODY,
                 max_upload: int = MAX_UPLOAD, hosts: tuple[str, ...] | None = None) -> None:
        self.app, self.max_body, self.max_upload, self.hosts = app, max_body, max_upload, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = scope["path"].startswith("/static/")

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = headers_for(list(message.get("headers", [])), https,
                                                 static)
            await send(message)

        headers = Headers(scope=scope)
        if self.hosts is not None and host_name(headers.get("host", "")) not in self.hosts:
            refused = PlainTextResponse(
                f"this dashboard answers only for {', '.join(sorted(self.hosts))}",
                status_code=400)
            await refused(scope, receive, secured)
            return
        limit = self.max_upload if scope["path"] in UPLOAD_PATHS else self.max_body
        scope[LIMIT_KEY] = limit
        declared = headers.get("content-length", "")
        total = 0

        async def limited() -> Message:
            # raised inside the route, so the app's own handler answers in its one shape
            nonlocal total
            if declared.isdigit() and int(declared) > limit:
                raise HTTPException(413)
            message = await receive()
            total += len(message.get("body", b""))
            if total > limit:
                raise HTTPException(413)
            return message

        await self.app(scope, limited, secured)


def host_name(host: str) -> str:
    """The name of a Host header, without its port.

    >>> host_name("127.0.0.1:8050"), host_name("[::1]:8050"), host_name("localhost")
    ('127.0.0.1', '::1', 'localhost')
    """
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def error_headers(https: bool) -> dict[str, str]:
    """The security headers of the plain 500 page (answered outside the middleware)."""
    return {k.decode(): v.decode() for k, v in headers_for([], https, static=False)}


def headers_for(raw: list[tuple[bytes, bytes]], https: bool,
                static: bool) -> list[tuple[bytes, bytes]]:
    """``raw`` response headers with the security headers added (the app's own win)."""
    have = {k.lower() for k, _ in raw}
    out = []
    for k, v in raw:
        if https and k.lower() == b"set-cookie" and b"secure" not in {
                a.strip().lower() for a in v.split(b";")[1:]}:
            v += b"; Secure"
        out.append((k, v))
    extra = dict(HEADERS)
    if not static:
        extra["cache-control"] = "no-store"
    if https:
        extra["strict-transport-security"] = HSTS
    out += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in have]
    return out


class LoginLimiter:
    """Failed sign-ins per user name and per client address over a sliding window.

    Once a name (or an address) has ``per_user`` (``per_address``) failures within
    ``window`` seconds, every sign-in for it is refused, without checking the password,
    until the oldest failure is ``window`` seconds old: a 429 that says when to retry, with
    ``Retry-After``. A successful sign-in clears the name's failures.

    >>> limiter = LoginLimiter(per_user=2, per_address=10, window=60, clock=lambda: 0.0)
    >>> limiter.failed("vera", "10.0.0.1"); limiter.failed("vera", "10.0.0.1")
    >>> limiter.check("vera", "10.0.0.1")
    Traceback (most recent call last):
    ...
    covermap.serve.errors.ServeError: too many failed sign-ins for 'vera' (2 within 1 minute); try again in 1 min 0 s
    """

    #: names and addresses remembered at most (the oldest are forgotten first)
    KEYS = 10_000

    def __init__(self, *, per_user: int = 5, per_address: int = 20, window: float = 900,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_user, self.per_address, self.window = per_user, per_address, window
        self.clock = clock
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, user: str, address: str) -> None:
        """Raise ServeError(429) when ``user`` or ``address`` may not try now."""
        now = self.clock()
        with self._lock:
            for kind, key, limit, what in (("user", user, self.per_user, f"for {user!r}"),
                                           ("address", address, self.per_address,
                                            f"from {address}")):
                times = self._recent(kind, key, now)
                if len(times) >= limit:
                    wait = max(1, math.ceil(times[-limit] + self.window - now))
                    raise ServeError(
                        429, f"too many failed sign-ins {what} ({limit} within "
                             f"{_span(self.window)}); try again in {_wait(wait)}",
                        "username", {"Retry-After": str(wait)})

    def failed(self, user: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (("user", user), ("address", address)):
                self._fails.setdefault(key, deque()).append(now)
                self._recent(*key, now)
            while len(self._fails) > self.KEYS:
                del self._fails[next(iter(self._fails))]

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._fails.pop(("user", user), None)

    def _recent(self, kind: str, key: str, now: float) -> deque[float]:
        times = self._fails.get((kind, key), deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times


def _span(seconds: float) -> str:
    """A window in words.

    >>> _span(60), _span(900), _span(90)
    ('1 minute', '15 minutes', '90 s')
    """
    if seconds >= 60 and seconds % 60 == 0:
        n = int(seconds // 60)
        return f"{n} minute" + ("s" if n != 1 else "")
    return f"{math.ceil(seconds)} s"


def _wait(seconds: int) -> str:
    """A wait in words.

    >>> _wait(893), _wait(60), _wait(7)
    ('14 min 53 s', '1 min 0 s', '7 s')
    """
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def client_address(scope_client: tuple[str, int] | None) -> str:
    """The client's address as the server saw it (after a trusted proxy's
    X-Forwarded-For), or ``unknown``."""
    return scope_client[0] if scope_client else "unknown"


def safe_next(target: str | None) -> str:
    """Only a path of this site is followed after signing in: never ``//host``, a URL, a
    backslash (browsers read ``/\\host`` as ``//host``) or a control character (browsers
    drop tabs and newlines, so ``/\\t/host`` would become ``//host``).

    >>> safe_next("/coverage?segment=smb"), safe_next("//evil.example"), safe_next("/\\t/x")
    ('/coverage?segment=smb', '/', '/')
    """
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target)):
        return "/"
    return target


def upload_name(filename: str | None) -> str:
    """The last part of an uploaded file's name, to write inside the upload's own temporary
    folder; 422 for a name that is no data file's (empty, hidden, ``..``, or holding a NUL
    or another control character).

    >>> upload_name("../../etc/accounts.csv"), upload_name("C:\\\\crm\\\\deals.csv")
    ('accounts.csv', 'deals.csv')
    """
    raw = filename or ""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    if not name or name.startswith(".") or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ServeError(422, f"file name {raw!r} is not a data file's (e.g. accounts.csv)",
                         "files")
    return name


def too_large(scope: Scope) -> str:
    """The message of a 413: the limit that applied to this request."""
    limit = scope.get(LIMIT_KEY)
    if limit is None:
        return "the request body is too large"
    return (f"the request body is larger than {limit:,} bytes, the most this dashboard "
            f"accepts here")
