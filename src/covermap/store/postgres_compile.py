"""Where Ibis 12's PostgreSQL SQL differs from what DuckDB runs for the same expression,
fixed once here rather than in every analysis.

- A boolean cast to an integer: PostgreSQL casts ``boolean`` only to ``integer``
  (``CAST(true AS bigint)`` fails), so it goes through ``integer`` first.
- An empty array literal: ``ARRAY[]`` has no type in PostgreSQL, so it is cast to the
  array type Ibis declares.
- Result types: PostgreSQL's ``sum(bigint)`` and ``avg`` are ``numeric`` where Ibis (and
  DuckDB) say int64 / float64, so a temporary table kept midway would hold decimals and
  a result would arrive as ``Decimal``. Every query's int64 and float64 columns are cast
  to the type Ibis declares, once, around the whole query.
"""

from __future__ import annotations

import ibis.expr.datatypes as dt
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.postgres import PostgresCompiler

_cast = PostgresCompiler.visit_Cast
_to_sqlglot = PostgresCompiler.to_sqlglot
_literal = PostgresCompiler.visit_NonNullLiteral


def _visit_cast(self, op, *, arg, to):
    if op.arg.dtype.is_boolean() and to.is_integer() and not to.is_int32():
        arg = self.cast(arg, dt.int32)
    return _cast(self, op, arg=arg, to=to)


def _visit_literal(self, op, *, value, dtype):
    if dtype.is_array() and len(value) == 0:
        return sge.Cast(this=sge.Array(expressions=[]), to=self.type_mapper.from_ibis(dtype))
    return _literal(self, op, value=value, dtype=dtype)


def _typed_sqlglot(self, expr, *, limit=None, params=None):
    sql = _to_sqlglot(self, expr, limit=limit, params=params)
    schema = expr.as_table().schema()
    if not any(t.is_int64() or t.is_float64() for t in schema.types):
        return sql
    cols = [sge.Cast(this=sg.column(c, quoted=True), to=self.type_mapper.from_ibis(t))
            .as_(c, quoted=True) if t.is_int64() or t.is_float64()
            else sg.column(c, quoted=True) for c, t in schema.items()]
    return sg.select(*cols).from_(sql.subquery("covermap_typed"))


if getattr(PostgresCompiler.visit_Cast, "__name__", "") != "_visit_cast":
    PostgresCompiler.visit_Cast = _visit_cast
    PostgresCompiler.visit_TryCast = _visit_cast
    PostgresCompiler.to_sqlglot = _typed_sqlglot
    PostgresCompiler.visit_NonNullLiteral = _visit_literal
