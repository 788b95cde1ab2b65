"""Extra account columns: kept beside the accounts table, one row per value.

CRM exports carry thousands of properties (a HubSpot "all properties" export has 5,000),
and a DuckDB table holds a buffer per column while rows are written: 5,000 columns of
10,000 rows did not fit in 4 GB, and every ``ALTER TABLE ADD COLUMN`` rewrote the table's
catalog (quadratic in the columns). So the accounts table holds only its canonical columns,
and every extra column lives in two narrow tables:

- ``extra_columns``: ``column_id, name, type`` (the type inferred at import: BIGINT, DOUBLE,
  DATE, TIMESTAMP, BOOLEAN or VARCHAR);
- ``account_extras``: ``account_id, column_id, value``, the value as the file's text
  (trimmed for a typed column: every value of it casts to the type); a missing value has
  no row, so a mostly empty property costs almost nothing.

:func:`with_columns` gives the accounts table with the extra columns a query names, typed;
only those are read, however many the store holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import ibis.expr.types as ir

from covermap.store import schema
from covermap.store.sqlstring import sql_string

CATALOG = "extra_columns"
VALUES = "account_extras"

DDL = (
    f"CREATE TABLE IF NOT EXISTS {CATALOG} (column_id INTEGER, name VARCHAR, type VARCHAR)",
    f"CREATE TABLE IF NOT EXISTS {VALUES} (account_id VARCHAR, column_id INTEGER, "
    f"value VARCHAR)",
)

_IBIS_TYPES = {schema.INTEGER: "int64", schema.NUMBER: "float64", schema.DATE: "date",
               schema.TIMESTAMP: "timestamp", schema.BOOLEAN: "boolean",
               schema.STRING: "string"}


def catalog(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Extra column name -> (column_id, type), in the order they were first imported."""
    if not _has(con, CATALOG):
        return {}
    return {name: (cid, type_) for cid, name, type_ in con.execute(
        f"SELECT column_id, name, type FROM {CATALOG} ORDER BY column_id").fetchall()}


def catalog_of(store) -> dict[str, tuple[int, str]]:
    """``catalog`` of any store, read through Ibis (a PostgreSQL store has no DuckDB
    connection)."""
    if getattr(store, "backend", "DuckDB") == "DuckDB":
        return catalog(store.duckdb)
    from covermap.store.arrow import to_pylist

    if not store.has_table(CATALOG):
        return {}
    rows = to_pylist(store.table(CATALOG).order_by("column_id"))
    return {r["name"]: (r["column_id"], r["type"]) for r in rows}


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(  # no bound parameter (store.sqlstring)
        f"SELECT count(*) FROM information_schema.tables WHERE table_name = {sql_string(table)} "
        "AND table_schema = current_schema()").fetchone()[0])


def with_columns(store, names: Iterable[str]) -> ir.Table:
    """The accounts table with the extra columns ``names`` (those the store has) added,
    typed; an account without a value has NULL."""
    a = store.table("accounts")
    known = catalog_of(store)
    wanted = [n for n in dict.fromkeys(names) if n in known and n not in a.columns]
    if not wanted:
        return a
    e = store.table(VALUES)
    e = e.filter(e.column_id.isin([known[n][0] for n in wanted]))
    by_account = e.group_by("account_id").aggregate(**{
        n: e.value.max(where=e.column_id == known[n][0]).cast(
            _IBIS_TYPES.get(known[n][1], "string")) for n in wanted})
    joined = a.left_join(by_account, a.account_id == by_account.account_id)
    return joined.select(*[joined[c] for c in a.columns], *[joined[n] for n in wanted])


def move_into_side_tables(con: duckdb.DuckDBPyConnection, columns: dict[str, str]) -> None:
    """Move the extra ``columns`` (name -> type) a store made before the side tables existed
    holds in its accounts table into them, and leave the accounts table canonical."""
    if not columns:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        _move(con, columns)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _move(con: duckdb.DuckDBPyConnection, columns: dict[str, str]) -> None:
    start = con.execute(f"SELECT coalesce(max(column_id), -1) + 1 FROM {CATALOG}").fetchone()[0]
    con.executemany(f"INSERT INTO {CATALOG} VALUES (?, ?, ?)",
                    [[start + i, name, type_] for i, (name, type_) in enumerate(columns.items())])
    picked = ", ".join(f'CAST("{n}" AS VARCHAR) AS "{start + i}"'
                       for i, n in enumerate(columns))
    con.execute(f"INSERT INTO {VALUES} SELECT account_id, CAST(k AS INTEGER), v FROM (UNPIVOT "
                f"(SELECT account_id, {picked} FROM accounts) ON COLUMNS(* EXCLUDE account_id) "
                f"INTO NAME k VALUE v)")
    keep = ", ".join(f'"{c.name}"' for c in schema.ACCOUNTS.store_columns)
    con.execute(f"CREATE TABLE __accounts AS SELECT {keep} FROM accounts")
    con.execute("DROP TABLE accounts")
    con.execute("ALTER TABLE __accounts RENAME TO accounts")
