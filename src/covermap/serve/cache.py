"""Results kept in the store: the ``serve_cache`` schema, one set of tables per key.

A key is a hash of what the results depend on: every canonical table's row count, the
store's import log (each import adds a row, so a re-import that changes values without
changing counts still changes the key), the plan's text and the value maps' text. A page
reads the small tables of the current key; nothing is measured while it answers.

Saving results is a write like an import: it builds the store's next version
(``covermap.store.versions``) under the store's write lock, and only when the store is still
the version the results were computed from (otherwise an import has changed it meanwhile,
the saved tables would belong to no current key, and the next page computes the new ones).
Readers never wait on it; an import waits at most for one copy of the file and the saving.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from covermap.errors import StoreError
from covermap.store import schema, versions

SCHEMA = "serve_cache"
#: bumped whenever the set or the shape of the cached tables changes: old keys go stale
FORMAT = 2
#: keys kept in the store; older results are dropped when new ones are saved
KEEP = 2


def connect(path: str, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A plain DuckDB connection to the store (StoreError, naming the path, when it is locked
    by another process or missing)."""
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.Error as e:
        raise StoreError(f"{path}: cannot open the store: {e}") from e


def store_key(con: duckdb.DuckDBPyConnection, inputs: str) -> str:
    """The key of the store's current contents with ``inputs`` (plan and value-map text)."""
    return combined_key(contents(con), inputs)


def combined_key(contents_text: str, inputs: str) -> str:
    return hashlib.sha256(f"{contents_text}\n{inputs}".encode()).hexdigest()[:20]


def contents(con: duckdb.DuckDBPyConnection) -> str:
    """What the key takes from the store: row counts and the import log, as text."""
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
        .fetchall()}
    counts = {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
              for t in schema.TABLES if t.name in have}
    log = con.execute(
        f"SELECT import_id, file, table_name, rows_loaded, CAST(imported_at AS VARCHAR) "
        f"FROM {schema.IMPORTS} ORDER BY ALL").fetchall() if schema.IMPORTS in have else []
    return json.dumps([FORMAT, counts, log], default=str)


def table_name(key: str, name: str) -> str:
    return f'{SCHEMA}."k{key}_{name}"'


def saved_meta(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any] | None:
    """The saved run's meta (window, sentences, names), or None when ``key`` has none."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_schema = ? AND table_name = 'runs'", [SCHEMA]).fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"SELECT meta FROM {SCHEMA}.runs WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


def save(con: duckdb.DuckDBPyConnection, key: str, parquet: dict[str, str],
         meta: dict[str, Any]) -> None:
    """Store the tables (name -> parquet file) and meta of ``key`` in one transaction, and
    drop all but the newest ``KEEP`` keys."""
    con.execute("BEGIN")
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.runs (key VARCHAR, "
                    f"saved_at TIMESTAMP DEFAULT current_timestamp, tables VARCHAR[], "
                    f"meta VARCHAR)")
        con.execute(f"DELETE FROM {SCHEMA}.runs WHERE key = ?", [key])
        for name, path in parquet.items():
            con.execute(f"CREATE OR REPLACE TABLE {table_name(key, name)} AS "
                        f"SELECT * FROM read_parquet(?)", [path])
        con.execute(f"INSERT INTO {SCHEMA}.runs (key, tables, meta) VALUES (?, ?, ?)",
                    [key, sorted(parquet), json.dumps(meta, default=str)])
        old = con.execute(f"SELECT key, tables FROM {SCHEMA}.runs ORDER BY saved_at DESC "
                          f"OFFSET {KEEP}").fetchall()
        for k, names in old:
            for n in names:
                con.execute(f"DROP TABLE IF EXISTS {table_name(k, n)}")
            con.execute(f"DELETE FROM {SCHEMA}.runs WHERE key = ?", [k])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")


def snapshot_contents(path: str | Path) -> str:
    """The contents text of a store file (a snapshot), read through its own connection."""
    con = connect(str(path))
    try:
        return contents(con)
    finally:
        con.close()


def save_version(store: str, based_on: versions.Version, key: str, parquet: dict[str, str],
                 meta: dict[str, Any]) -> bool:
    """:func:`save` as the store's next version, if the store is still version ``based_on``
    (the one the results were computed from); returns whether they were saved."""
    with versions.next_version(store) as nxt:
        if nxt.base != based_on:
            return False
        con = connect(str(nxt.path), read_only=False)
        try:
            save(con, key, parquet, meta)
        finally:
            con.close()
        nxt.publish()
    return True


@dataclass
class Results:
    """One key's saved results, read through an open read-only connection."""

    con: duckdb.DuckDBPyConnection
    key: str
    meta: dict[str, Any]

    def rows(self, name: str, where: dict[str, Any] | None = None, *,
             book: str | None = None, order: str | None = None,
             limit: int | None = None, offset: int = 0,
             within: tuple[str, dict[str, Any]] | None = None,
             clause: tuple[str, list[Any]] | None = None) -> list[dict[str, Any]]:
        """Rows of saved table ``name`` whose columns equal ``where`` (None values are
        ignored); ``book``: only accounts in this CRM user's book (row-level visibility);
        ``within``: only accounts of the rows of another saved table matching its filter;
        ``clause``: one more SQL condition with its parameters."""
        sql, params = self._select(name, where, book, within, clause)
        if order:
            sql += f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cur = self.con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def count(self, name: str, where: dict[str, Any] | None = None, *,
              book: str | None = None, clause: tuple[str, list[Any]] | None = None) -> int:
        sql, params = self._select(name, where, book, None, clause)
        return self.con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]

    def to_csv(self, name: str, path: str, columns: list[str], where: dict[str, Any] | None,
               *, book: str | None = None, clause: tuple[str, list[Any]] | None = None,
               order: str | None = None) -> None:
        """Write the selected rows' ``columns`` to a CSV file with a header (DuckDB COPY)."""
        sql, params = self._select(name, where, book, None, clause)
        cols = ", ".join(f'"{c}"' for c in columns)
        sql = f"SELECT {cols} FROM ({sql})" + (f" ORDER BY {order}" if order else "")
        self.con.execute(f"COPY ({sql}) TO '{path.replace(chr(39), chr(39) * 2)}' "
                         f"(HEADER, DELIMITER ',')", params)

    def query(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        """Rows of a query over the store's own tables (an account's deals and team)."""
        cur = self.con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def distinct(self, name: str, column: str) -> list[str]:
        """The distinct non-empty values of one column, sorted."""
        t = table_name(self.key, name)
        return [r[0] for r in self.con.execute(
            f'SELECT DISTINCT CAST("{column}" AS VARCHAR) AS v FROM {t} '
            f"WHERE v IS NOT NULL AND v <> '' ORDER BY v").fetchall()]

    def _select(self, name: str, where: dict[str, Any] | None,
                book: str | None, within: tuple[str, dict[str, Any]] | None = None,
                clause: tuple[str, list[Any]] | None = None) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if clause is not None:
            clauses.append(clause[0])
            params += clause[1]
        for col, value in (where or {}).items():
            if value is not None:
                clauses.append(f'"{col}" = ?')
                params.append(value)
        if within is not None:
            sub, sub_params = self._select(within[0], within[1], None)
            clauses.append(f"account_id IN (SELECT account_id FROM ({sub}))")
            params += sub_params
        if book is not None and not isinstance(book, str):  # by territory (serve/visibility)
            cond, cond_params = book.condition(lambda n: table_name(self.key, n))
            clauses.append(cond)
            params += cond_params
        elif book is not None:
            clauses.append(f"account_id IN (SELECT account_id FROM {table_name(self.key, 'book')}"
                           f" WHERE user_id = ?)")
            params.append(book)
        sql = f"SELECT * FROM {table_name(self.key, name)}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return sql, params
