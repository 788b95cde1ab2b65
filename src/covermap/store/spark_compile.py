"""Where Ibis 12's Spark SQL differs from what DuckDB runs for the same expression, fixed
once here rather than in every analysis (as ``store.postgres_compile`` does for
PostgreSQL).

- An array's element by a computed position: Spark's ``element_at`` takes an ``int``
  position and refuses a ``bigint`` one (what arithmetic on a count gives), so the
  position is cast to ``int``.
- A median of some rows (``median(where=...)``): Ibis puts the condition around the
  fraction too, and Spark's ``percentile`` takes only a constant fraction.
- Result types: some of Spark's functions return another type than Ibis declares
  (``date_trunc`` of a date is a timestamp), so an intermediate kept midway would hold
  timestamps where the analyses expect dates. Every query's date and numeric columns are
  cast to the type Ibis declares, once, around the whole query.
"""

from __future__ import annotations

import ibis.expr.datatypes as dt
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.base import NULL
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

_to_sqlglot = PySparkCompiler.to_sqlglot


def _visit_array_index(self, op, *, arg, index):
    return self.f.element_at(arg, self.cast(index + 1, dt.int32))


def _visit_median(self, op, *, arg, where):
    if where is not None:
        arg = self.if_(where, arg, NULL)
    return self.f.percentile(arg, 0.5)


def _typed(t: dt.DataType) -> bool:
    return t.is_date() or t.is_integer() or t.is_floating()


def _typed_sqlglot(self, expr, *, limit=None, params=None):
    sql = _to_sqlglot(self, expr, limit=limit, params=params)
    schema = expr.as_table().schema()
    if not any(_typed(t) for t in schema.types):
        return sql
    cols = [sge.Cast(this=sg.column(c, quoted=True), to=self.type_mapper.from_ibis(t))
            .as_(c, quoted=True) if _typed(t) else sg.column(c, quoted=True)
            for c, t in schema.items()]
    return sg.select(*cols).from_(sql.subquery("covermap_typed"))


if getattr(PySparkCompiler.visit_ArrayIndex, "__name__", "") != "_visit_array_index":
    PySparkCompiler.visit_ArrayIndex = _visit_array_index
    PySparkCompiler.to_sqlglot = _typed_sqlglot
    PySparkCompiler.visit_Median = _visit_median
