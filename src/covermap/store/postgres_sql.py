"""DuckDB-dialect SQL run on a PostgreSQL store, for the store's small bookkeeping
queries (status, quarantine listings, import warnings) that are written for DuckDB.

Each statement is transpiled by sqlglot (DuckDB -> PostgreSQL, ``?`` -> ``%s``), as
Ibis's ``.sql(dialect="duckdb")`` does. DuckDB's own session settings (progress bar,
spill folder, insertion order) tune how DuckDB runs and change no result, so on
PostgreSQL they do nothing; a statement PostgreSQL cannot run raises
``BackendUnsupported`` (capability ``DUCKDB_SQL``), never a different answer.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp, transforms

from covermap.store import capabilities

#: DuckDB settings that only tune DuckDB's execution (no result depends on them)
TUNING = frozenset({"enable_progress_bar", "temp_directory", "preserve_insertion_order",
                    "threads", "TimeZone"})
_SET = re.compile(r"^\s*SET\s+(\w+)\s*=", re.IGNORECASE)
_SETTING = re.compile(r"^\s*SELECT\s+current_setting\('(\w+)'\)\s*$", re.IGNORECASE)


def _portable(node: exp.Expression) -> exp.Expression:
    """Rewrite what sqlglot leaves in DuckDB's spelling into PostgreSQL's."""
    if isinstance(node, exp.Contains):  # contains(a, b): no such function in PostgreSQL
        return exp.GT(this=exp.func("strpos", node.this, node.expression),
                      expression=exp.Literal.number(0))
    if isinstance(node, exp.RegexpExtract):  # '' when nothing matches, as in DuckDB
        group = node.args.get("group") or exp.Literal.number(0)
        match = exp.Bracket(this=exp.Paren(this=exp.func("regexp_match", node.this,
                                                           node.expression)),
                            expressions=[exp.Literal.number(int(group.name) or 1)])
        if int(group.name) == 0:  # the whole match: one group around the pattern
            match.this.this.set("expressions", [exp.DPipe(this=exp.DPipe(
                this=exp.Literal.string("("), expression=node.expression),
                expression=exp.Literal.string(")"))])
        return exp.func("coalesce", match, exp.Literal.string(""))
    if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Func):
        node.set("this", exp.Paren(this=node.this))  # (array_agg(...))[1:2]
    if isinstance(node, exp.Select) and node.args.get("joins"):
        left = node.args["from_"].this.alias_or_name
        for j in node.args["joins"]:
            if j.kind in ("SEMI", "ANTI") and j.args.get("using"):  # USING -> ON, then EXISTS
                right = j.this.alias_or_name
                j.set("on", exp.and_(*(exp.column(c.name, left).eq(exp.column(c.name, right))
                                       for c in j.args["using"])))
                j.set("using", None)
        node = transforms.eliminate_semi_and_anti_joins(node)
    if isinstance(node, exp.Select) and (order := node.args.get("order")):
        # PostgreSQL reads a select alias in ORDER BY only as a whole key, not inside one
        aliases = {e.alias: e.this for e in node.expressions if isinstance(e, exp.Alias)}
        for key in order.expressions:
            if not isinstance(key.this, exp.Column):
                key.set("this", key.this.transform(
                    lambda n: aliases[n.name].copy() if isinstance(n, exp.Column)
                    and not n.table and n.name in aliases else n))
    if isinstance(node, exp.Select) and (g := node.args.get("group")) and g.args.get("all"):
        keys = [exp.Literal.number(i + 1) for i, e in enumerate(node.expressions)
                if not e.find(exp.AggFunc)]
        node.set("group", exp.Group(expressions=keys))
    return node


def translate(query: str) -> str:
    """``query`` (DuckDB SQL) in PostgreSQL's SQL.

    >>> translate("SELECT f, list(v ORDER BY n)[1:2] FROM q WHERE k = ? GROUP BY ALL")
    'SELECT f, (ARRAY_AGG(v ORDER BY n))[1:2] FROM q WHERE k = %s GROUP BY 1'
    """
    tree = sqlglot.parse_one(query, read="duckdb").transform(_portable)
    return tree.sql(dialect="postgres")


def settings_reply(store: Any, query: str) -> Rows | None:
    """What DuckDB's ``SET``/``current_setting``/``PRAGMA`` statements give on a backend
    without them: tuning settings are accepted and do nothing (``current_setting`` reads
    false), any other raises ``BackendUnsupported``; None for every other statement."""
    if (m := _SET.match(query)) and m.group(1) in TUNING:
        return Rows([])
    if (m := _SETTING.match(query)) and m.group(1) in TUNING:
        return Rows([("false",)])
    if _SET.match(query) or query.lstrip().upper().startswith("PRAGMA"):
        raise capabilities.unsupported(store, capabilities.SPILL_SETTINGS)
    return None


class Rows:
    """The fetched rows of one statement (what ``DuckDBPyConnection.execute`` returns
    as far as covermap uses it)."""

    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple]:
        return list(self._rows)


class DuckDBDialect:
    """``execute(sql, params)`` of DuckDB SQL on a PostgreSQL store."""

    def __init__(self, store) -> None:
        self._store = store

    def cursor(self) -> DuckDBDialect:
        return self

    def executemany(self, query: str, rows: list) -> None:
        """``execute`` once per row of parameters (one translation, one round trip)."""
        import psycopg

        con = self._store.ibis.con
        try:
            with con.cursor() as cur, con.transaction():
                cur.executemany(translate(query), [list(r) for r in rows])
        except psycopg.Error as e:
            raise capabilities.unsupported(self._store, capabilities.DUCKDB_SQL) from e

    def close(self) -> None:
        """Nothing to close: every statement runs on the store's own connection."""

    def register(self, name: str, table: pa.Table) -> None:
        """A temporary table ``name`` holding ``table`` (text columns only), as DuckDB's
        ``register`` of an Arrow table, for the next queries."""
        import pyarrow.csv as pcsv

        if not all(pa.types.is_string(t) or pa.types.is_large_string(t)
                   for t in table.schema.types):
            raise capabilities.unsupported(self._store, capabilities.DUCKDB_SQL)
        buf = pa.BufferOutputStream()
        pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False))
        cols = ", ".join(f'"{c}" text' for c in table.column_names)
        con = self._store.ibis.con
        with con.cursor() as cur, con.transaction():
            cur.execute(f'CREATE TEMP TABLE "{name}" ({cols})')
            with cur.copy(f'COPY "{name}" FROM STDIN WITH (FORMAT csv)') as copy:
                copy.write(buf.getvalue().to_pybytes())

    def unregister(self, name: str) -> None:
        self._store.sql(f'DROP TABLE IF EXISTS "{name}"')

    def execute(self, query: str, params: list | tuple | None = None) -> Rows:
        import psycopg

        if (settled := settings_reply(self._store, query)) is not None:
            return settled
        try:
            translated = translate(query)
        except sqlglot.errors.SqlglotError as e:
            raise capabilities.unsupported(self._store, capabilities.DUCKDB_SQL) from e
        con = self._store.ibis.con
        try:
            with con.cursor() as cur, con.transaction():
                cur.execute(translated, list(params) if params else None)
                rows: list[Any] = cur.fetchall() if cur.description else []
        except psycopg.Error as e:
            raise capabilities.unsupported(self._store, capabilities.DUCKDB_SQL) from e
        return Rows([tuple(r) for r in rows])
