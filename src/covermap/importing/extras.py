"""Storing a file's extra account columns in the store's side tables (``store.extras``)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from covermap.importing import checks, wide
from covermap.importing.readers import ident
from covermap.importing.recognise import Mapping
from covermap.store import extras, schema

BATCH = 1000


def register(con: duckdb.DuckDBPyConnection, m: Mapping) -> dict[str, str]:
    """Type the file's extra columns from their values (in time linear in the columns:
    ``wide``), record new ones and widened types in the catalog; name -> type."""
    if not m.extras:
        return {}
    flags = wide.extra_flags(con, m)
    known = extras.catalog(con)
    next_id = max((cid for cid, _ in known.values()), default=-1) + 1
    types, added, widened = {}, [], []
    for i, name in enumerate(m.extras):
        have = known.get(name)
        types[name] = checks.pick_type(tuple(flags[6 * i: 6 * i + 6]), have and have[1])
        if have is None:
            added.append([next_id, name, types[name]])
            next_id += 1
        elif have[1] != types[name]:  # values are kept as text: only the type changes
            widened.append([types[name], have[0]])
    if added:
        con.executemany(f"INSERT INTO {extras.CATALOG} VALUES (?, ?, ?)", added)
    if widened:
        con.executemany(f"UPDATE {extras.CATALOG} SET type = ? WHERE column_id = ?", widened)
    return types


def insert(con: duckdb.DuckDBPyConnection, m: Mapping,
           rows: Callable[[range], str]) -> None:
    """Store the extra values of ``rows`` (SQL of a relation over ``checks.UnitSQL``'s
    checked columns ``x_account_id`` and ``e_<i>``, given the extra columns' numbers)."""
    if not m.extras:
        return
    known = extras.catalog(con)
    ids = [known[name][0] for name in m.extras]
    # a typed value is kept as its trimmed text, which casts to the type (every value of
    # the column does: ``register``); text as it is, as a text column keeps it
    text = [f"e_{i}" if known[name][1] == schema.STRING else f"nullif(trim(e_{i}), '')"
            for i, name in enumerate(m.extras)]
    # a row per value; a statement unpivoting thousands of columns at once holds a list
    # of them per row in memory, and binds thousands of expressions: so, in batches
    for start in range(0, len(ids), BATCH):
        batch = range(start, min(start + BATCH, len(ids)))
        picked = ", ".join(f"{text[i]} AS {ident(str(ids[i]))}" for i in batch)
        con.execute(f"INSERT INTO {extras.VALUES} SELECT account_id, CAST(k AS INTEGER), v "
                    f"FROM (UNPIVOT (SELECT x_account_id AS account_id, {picked} FROM "
                    f"{rows(batch)} AS r) ON COLUMNS(* EXCLUDE account_id) INTO NAME k "
                    f"VALUE v)")


def prune(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the extra values of accounts no longer in the accounts table."""
    if con.execute(f"SELECT EXISTS (SELECT 1 FROM {extras.VALUES})").fetchone()[0]:
        con.execute(f"DELETE FROM {extras.VALUES} AS e WHERE NOT EXISTS "
                    f"(SELECT 1 FROM accounts AS a WHERE a.account_id = e.account_id)")
