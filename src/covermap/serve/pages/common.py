"""What every page module shares: the current results, the window, filters checked against
the results, and the progress answer while results are computed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request

from covermap.serve.cache import Results
from covermap.serve.errors import ServeError, unknown, wants_json
from covermap.serve.service import NotReady


@contextmanager
def results(request: Request) -> Iterator[tuple[Results, Any]]:
    """(the saved results, the plan); while they are computed, a 503 that names the step
    (pages show it with the progress, see :func:`progress_error`)."""
    service = request.app.state.service
    try:
        with service.results() as r:
            yield r, service.inputs()[1]
    except NotReady as e:
        raise progress_error(e.progress) from None


def progress_error(progress: dict[str, Any]) -> ServeError:
    if progress.get("error"):
        return ServeError(500, progress["error"], None)
    return ServeError(503, f"the results for this store and plan are being computed: step "
                           f"{progress['step_number']} of {len(progress['steps'])} "
                           f"({progress['step']}), {progress['seconds']:g} s so far; "
                           f"retry shortly", None, {"Retry-After": "2"})


def window(r: Results) -> dict[str, Any]:
    return r.meta["window"]


def head(r: Results) -> dict[str, Any]:
    """The fields of :class:`covermap.serve.models.Page`."""
    return {"plan": r.meta["plan_name"], "window": window(r)}


def checked(r: Results, table: str, column: str, parameter: str, value: str | None,
            valid: list[str] | None = None) -> str | None:
    """``value`` when the results hold it in ``table.column`` (or in ``valid``); else 404
    naming ``parameter``."""
    if value is None or value == "":
        return None
    known = valid if valid is not None else r.distinct(table, column)
    if value not in known:
        raise unknown(parameter, value, known)
    return value


def keys(r: Results, group: str) -> list[str]:
    """The keys of one group of the coverage summary (segments, owners, roles, months): a
    small table, so checking a filter reads no per-account rows."""
    return sorted(str(x["key"]) for x in r.rows("coverage_summary", {"group": group})
                  if x["key"] is not None)


def owner_id(r: Results, value: str | None) -> str | None:
    """An owner filter: a user id, or a user's exact name (404 naming ``owner`` otherwise)."""
    if value is None or value == "":
        return None
    owners = keys(r, "owner")
    if value in owners:
        return value
    ids = [k for k, v in (r.meta.get("users") or {}).items() if v == value and k in owners]
    if len(ids) == 1:
        return ids[0]
    raise unknown("owner", value, owners)


def is_json(request: Request) -> bool:
    return wants_json(request)
