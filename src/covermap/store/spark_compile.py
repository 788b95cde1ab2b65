"""Where Ibis 12's Spark SQL differs from what DuckDB runs for the same expression, fixed
once here rather than in every analysis (as ``store.postgres_compile`` does for
PostgreSQL).

- An array's element by a computed position: Spark's ``element_at`` takes an ``int``
  position and refuses a ``bigint`` one (what arithmetic on a count gives), so the
  position is cast to ``int``.
- A median of some rows (``median(where=...)``): Ibis puts the condition around the
  fraction too, and Spark's ``percentile`` takes only a constant fraction.
- A string aggregate in an order (``group_concat(order_by=...)``), which Ibis refuses on
  Spark: the values travel in structs led by their keys (NULL keys last, as DuckDB sorts
  them), are sorted, and joined; NULL values are left out, as DuckDB's ``string_agg`` does.
- Result types: some of Spark's functions return another type than Ibis declares
  (``date_trunc`` of a date is a timestamp), so an intermediate kept midway would hold
  timestamps where the analyses expect dates. Every query's date and numeric columns are
  cast to the type Ibis declares, once, around the whole query.
"""

from __future__ import annotations

import ibis.common.exceptions as com
import ibis.expr.datatypes as dt
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.base import NULL
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

_to_sqlglot = PySparkCompiler.to_sqlglot
_group_concat = PySparkCompiler.visit_GroupConcat


def _visit_array_index(self, op, *, arg, index):
    return self.f.element_at(arg, self.cast(index + 1, dt.int32))


def _visit_median(self, op, *, arg, where):
    if where is not None:
        arg = self.if_(where, arg, NULL)
    return self.f.percentile(arg, 0.5)


def _visit_group_concat(self, op, *, arg, sep, where, order_by):
    if not order_by:
        return _group_concat(self, op, arg=arg, sep=sep, where=where, order_by=order_by)
    if any(k.args.get("desc") or k.args.get("nulls_first") for k in order_by):
        raise com.UnsupportedOperationError("group_concat ordered descending or NULLs first")
    if where is not None:
        arg = self.if_(where, arg, NULL)
    fields = []
    for i, key in enumerate(order_by):
        fields += [sge.convert(f"n{i}"), key.this.is_(NULL), sge.convert(f"k{i}"), key.this]
    item = self.if_(arg.is_(NULL), NULL, self.f.named_struct(*fields, sge.convert("v"), arg))
    collected = self.f.array_sort(self.f.collect_list(item))
    values = sg.parse_one(f"transform({collected.sql('spark')}, x -> x.v)", read="spark")
    return self.if_(self.f.size(collected).eq(0), NULL, self.f.array_join(values, sep))


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
    PySparkCompiler.visit_GroupConcat = _visit_group_concat
