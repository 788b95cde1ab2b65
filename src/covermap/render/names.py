"""User names for ids shown in result tables (the users table is small: one row a person)."""

from __future__ import annotations


def user_names(store) -> dict[str, str]:
    """``user_id -> name`` for every user in the store with a name."""
    users = store.table("users")
    rows = users.filter(users.name.notnull() & (users.name.strip() != "")).select(
        "user_id", "name").to_pyarrow().to_pylist()
    return {r["user_id"]: r["name"] for r in rows}
