"""DuckDB-dialect SQL run on a Spark store: the store's small bookkeeping queries (data
warnings, the users' file, the imported files) and the analyses' release of an
intermediate.

The same seam as ``store.postgres_sql`` for PostgreSQL: each statement is transpiled by
sqlglot (DuckDB -> Spark), with what sqlglot would translate into a different answer
rewritten first (``_spark``); DuckDB's tuning settings do nothing (they change no
result); and a statement Spark cannot run raises ``BackendUnsupported`` (capability
``DUCKDB_SQL``), never a different answer. ``DROP TABLE`` of an intermediate the analyses
kept drops its temporary view (``store.spark``).
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from covermap.store import capabilities
from covermap.store.postgres_sql import Rows, settings_reply

_DROP = re.compile(r'^\s*DROP\s+TABLE\s+IF\s+EXISTS\s+"([^"]+)"\s*$', re.IGNORECASE)


class _Untranslatable(ValueError):
    """A DuckDB construct with no equal Spark spelling here."""


def _spark_sql(snippet: str, **parts: exp.Expression) -> exp.Expression:
    """``snippet`` (Spark SQL) with each ``{name}`` replaced by ``parts[name]``."""
    return sqlglot.parse_one(snippet.format(**{k: v.sql(dialect="spark")
                                               for k, v in parts.items()}), read="spark")


def _lists(node: exp.Expression) -> exp.Expression:
    """Rewrite what sqlglot would carry over with another meaning (``_lists``, then
    ``_slices``).

    - ``list(v ORDER BY k)``: Spark's ``collect_list`` has no order and drops NULLs, so
      the values travel in structs sorted by their keys (ascending keys only).
    - ``list(v)``: NULL values are kept, as DuckDB keeps them.
    - ``a[i:j]`` (1-based, both ends included) is ``slice(a, i, j - i + 1)``.
    """
    if isinstance(node, exp.ArrayAgg):
        inner = node.this
        if isinstance(inner, exp.Order):
            if any(k.args.get("desc") or k.args.get("nulls_first") for k in inner.expressions):
                raise _Untranslatable("list(... ORDER BY ... DESC)")
            keys = ", ".join(f"{{k{i}}} AS k{i}" for i in range(len(inner.expressions)))
            return _spark_sql(
                f"transform(array_sort(collect_list(struct({keys}, {{v}} AS v))), x -> x.v)",
                v=inner.this, **{f"k{i}": k.this for i, k in enumerate(inner.expressions)})
        return _spark_sql("transform(collect_list(struct({v} AS v)), x -> x.v)", v=inner)
    return node


def _slices(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Bracket) and any(isinstance(e, exp.Slice) for e in node.expressions):
        (piece,) = node.expressions
        lo, hi = piece.this, piece.expression
        if not (isinstance(lo, exp.Literal) and isinstance(hi, exp.Literal)
                and int(lo.name) >= 1 and int(hi.name) >= int(lo.name)):
            raise _Untranslatable("a list slice other than [i:j] with 1 <= i <= j")
        return exp.func("slice", node.this, lo, exp.Literal.number(int(hi.name) - int(lo.name) + 1))
    return node


def translate(query: str) -> str:
    """``query`` (DuckDB SQL) in Spark's SQL.

    >>> translate("SELECT k, list(v ORDER BY n)[1:3] FROM q WHERE k = ? GROUP BY k")
    'SELECT k, SLICE(TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(n AS k0, v AS v))), x -> x.v), 1, 3) FROM q WHERE k = ? GROUP BY k'
    """
    tree = sqlglot.parse_one(query, read="duckdb").transform(_lists).transform(_slices)
    return tree.sql(dialect="spark")


class SparkDialect:
    """``execute(sql, params)`` of DuckDB SQL on a Spark store (read-only)."""

    def __init__(self, store) -> None:
        self._store = store

    def cursor(self) -> SparkDialect:
        return self

    def close(self) -> None:
        """Nothing to close: every statement runs on the store's session."""

    def execute(self, query: str, params: list | tuple | None = None) -> Rows:
        if (settled := settings_reply(self._store, query)) is not None:
            return settled
        if m := _DROP.match(query):
            con = self._store.ibis
            if m.group(1) in con._cached_dataframes:
                con._drop_cached_table(m.group(1))
            return Rows([])
        try:
            translated = translate(query)
        except (sqlglot.errors.SqlglotError, _Untranslatable) as e:
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
        self._store.session.createDataFrame(table).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self._store.session.catalog.dropTempView(name)
