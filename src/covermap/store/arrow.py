"""Run an Ibis expression and get Arrow (or Python values) back, without pandas.

Ibis's DuckDB ``expr.to_pyarrow()`` and ``expr.execute()`` import
``ibis.backends.duckdb.converter``, which imports ``ibis.formats.pandas`` and so pandas:
about half a second of every command's start-up (issue 9). On a DuckDB backend these
functions take the same path as ``to_pyarrow`` (the backend compiles the expression,
registers its memtables and runs it on its DuckDB connection) and map the result onto the
expression's schema with the same converter minus its pandas half, so names, types and
values are those ``expr.to_pyarrow()`` gives. Any other backend (PostgreSQL, Spark) runs
the expression through its own ``to_pyarrow``.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
from ibis.formats.pyarrow import PyArrowData


class _DuckDBArrow(PyArrowData):
    """``ibis.backends.duckdb.converter.DuckDBPyArrowData``, without the module's pandas
    import: a NULL-typed result is all nulls (DuckDB types a bare NULL as int32)."""

    @classmethod
    def convert_scalar(cls, scalar: pa.Scalar, dtype: Any) -> pa.Scalar:
        if dtype.is_null():
            return pa.scalar(None)
        return super().convert_scalar(scalar, dtype)

    @classmethod
    def convert_column(cls, column: pa.Array, dtype: Any) -> pa.Array:
        if dtype.is_null():
            return pa.nulls(len(column))
        return super().convert_column(column, dtype)


def to_arrow(expr: ir.Expr) -> pa.Table | pa.ChunkedArray | pa.Scalar:
    """The result of ``expr`` as ``expr.to_pyarrow()`` gives it: a ``pyarrow.Table`` for a
    table, a ``ChunkedArray`` for a column, a ``Scalar`` for a scalar.

    >>> import ibis
    >>> con = ibis.duckdb.connect()
    >>> t = con.sql("SELECT 1 AS n, 'a' AS s")
    >>> to_arrow(t).to_pylist()
    [{'n': 1, 's': 'a'}]
    """
    backend = expr._find_backend(use_default=True)
    if backend.name != "duckdb":
        return expr.to_pyarrow()
    # the backend's own first half of to_pyarrow: pre-execute hooks, memtables, compile
    table = backend._to_duckdb_relation(expr).to_arrow_table()
    return expr.__pyarrow_result__(table, data_mapper=_DuckDBArrow)


def to_pylist(expr: ir.Expr) -> list[Any]:
    """The rows of a table expression as dicts (a column's values for a column).

    >>> import ibis
    >>> to_pylist(ibis.duckdb.connect().sql("SELECT 2 AS n"))
    [{'n': 2}]
    """
    return to_arrow(expr).to_pylist()


def scalar(expr: ir.Scalar) -> Any:
    """The Python value of a scalar expression (``None`` for NULL).

    >>> import ibis
    >>> scalar(ibis.duckdb.connect().sql("SELECT 3 AS n").count())
    1
    """
    return to_arrow(expr).as_py()
