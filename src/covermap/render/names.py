"""User names for ids shown in result tables (the users table is small: one row a person)."""

from __future__ import annotations

from covermap.engine import owners
from covermap.store.arrow import to_pylist


def user_names(store) -> dict[str, str]:
    """``user_id -> name`` for every user in the store with a name
    (from :func:`covermap.engine.owners.user_names`)."""
    names = owners.user_names(store)
    rows = to_pylist(names.filter(names.user_name.notnull()))
    return {r["user_id"]: r["user_name"] for r in rows}
