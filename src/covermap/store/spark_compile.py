"""Where Ibis 12's Spark SQL differs from what DuckDB runs for the same expression, fixed
once here rather than in every analysis (as ``store.postgres_compile`` does for
PostgreSQL).

- An array's element by a computed position: Spark's ``element_at`` takes an ``int``
  position and refuses a ``bigint`` one (what arithmetic on a count gives), so the
  position is cast to ``int``.
"""

from __future__ import annotations

import ibis.expr.datatypes as dt
from ibis.backends.sql.compilers.pyspark import PySparkCompiler


def _visit_array_index(self, op, *, arg, index):
    return self.f.element_at(arg, self.cast(index + 1, dt.int32))


if getattr(PySparkCompiler.visit_ArrayIndex, "__name__", "") != "_visit_array_index":
    PySparkCompiler.visit_ArrayIndex = _visit_array_index
