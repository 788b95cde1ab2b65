"""DuckDB-dialect SQL run on a Spark store: the store's small bookkeeping queries (status,
quarantine listings, data warnings) and the analyses' release of an intermediate.

The same seam as ``store.postgres_sql`` for PostgreSQL: each statement is transpiled by
sqlglot (DuckDB -> Spark), DuckDB's tuning settings do nothing (they change no result),
and a statement Spark cannot run raises ``BackendUnsupported`` (capability
``DUCKDB_SQL``), never a different answer. ``DROP TABLE`` of an intermediate the
analyses kept drops its cached view (``store.spark``).
"""

from __future__ import annotations

import re

import sqlglot

from covermap.store import capabilities
from covermap.store.postgres_sql import _SET, _SETTING, TUNING, Rows

_DROP = re.compile(r'^\s*DROP\s+TABLE\s+IF\s+EXISTS\s+"([^"]+)"\s*$', re.IGNORECASE)


def translate(query: str) -> str:
    """``query`` (DuckDB SQL) in Spark's SQL.

    >>> translate('SELECT count(*) FROM "imports" WHERE table_name = ?')
    'SELECT COUNT(*) FROM `imports` WHERE table_name = ?'
    """
    return sqlglot.transpile(query, read="duckdb", write="spark")[0]


class SparkDialect:
    """``execute(sql, params)`` of DuckDB SQL on a Spark store (read-only)."""

    def __init__(self, store) -> None:
        self._store = store

    def cursor(self) -> SparkDialect:
        return self

    def close(self) -> None:
        """Nothing to close: every statement runs on the store's session."""

    def execute(self, query: str, params: list | tuple | None = None) -> Rows:
        if (m := _SET.match(query)) and m.group(1) in TUNING:
            return Rows([])
        if (m := _SETTING.match(query)) and m.group(1) in TUNING:
            return Rows([("false",)])
        if _SET.match(query) or query.lstrip().upper().startswith("PRAGMA"):
            raise capabilities.unsupported(self._store, capabilities.SPILL_SETTINGS)
        if m := _DROP.match(query):
            con = self._store.ibis
            if m.group(1) in con._cached_dataframes:
                con._drop_cached_table(m.group(1))
            return Rows([])
        try:
            translated = translate(query)
        except sqlglot.errors.SqlglotError as e:
            raise capabilities.unsupported(self._store, capabilities.DUCKDB_SQL) from e
        try:
            rows = self._store.session.sql(translated, args=list(params) if params else None
                                           ).collect()
        except Exception as e:  # Spark's AnalysisException, ParseException, ...
            raise capabilities.unsupported(self._store, capabilities.DUCKDB_SQL) from e
        return Rows([tuple(r) for r in rows])

    def executemany(self, query: str, rows: list) -> None:
        raise capabilities.unsupported(self._store, capabilities.WRITE)

    def register(self, name: str, table) -> None:
        """A temporary view ``name`` holding the Arrow ``table``, for the next queries."""
        self._store.session.createDataFrame(table.to_pandas()).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self._store.session.catalog.dropTempView(name)
