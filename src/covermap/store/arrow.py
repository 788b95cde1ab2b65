"""Run an Ibis expression and get Arrow (or Python values) back, without pandas.

Ibis's DuckDB ``expr.to_pyarrow()`` and ``expr.execute()`` import
``ibis.backends.duckdb.converter``, which imports ``ibis.formats.pandas`` and so pandas:
about half a second of every command's start-up (issue 9). On a DuckDB backend these
functions take the same path as ``to_pyarrow`` (the backend compiles the expression,
registers its memtables and runs it on its DuckDB connection) and map the result onto the
expression's schema with the same converter minus its pandas half, so names, types and
values are those ``expr.to_pyarrow()`` gives. Any other backend (PostgreSQL, Spark) runs
the expression through its own ``to_pyarrow``.

DuckDB's own ``execute(sql, parameters)`` imports pandas too, for any bound parameter:
SQL run on every command spells its values with ``covermap.store.sqlstring.sql_string``.
So do pyarrow's builders from Python values (``pa.array``, ``pa.table``, ``pa.scalar``,
``Schema.empty_table``): ``arrow_table`` builds a memtable's data through pyarrow's JSON
reader instead; and ``ibis.memtable`` (its first call resolves every type it accepts,
pandas.DataFrame included): ``memtable`` makes the same table from Arrow directly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.json as pa_json
from ibis import util
from ibis.formats.pyarrow import PyArrowData, PyArrowTableProxy

from covermap.store import memtables


class _DuckDBArrow(PyArrowData):
    """``ibis.backends.duckdb.converter.DuckDBPyArrowData``, without the module's pandas
    import: a NULL-typed result is all nulls (DuckDB types a bare NULL as int32)."""

    @classmethod
    def convert_scalar(cls, scalar: pa.Scalar, dtype: Any) -> pa.Scalar:
        if dtype.is_null():
            return pa.nulls(1)[0]  # pa.scalar(None), which imports pandas
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
    # memtables alone run on Ibis's default backend, not a store's: it loads them so too
    memtables.load_through_streams(backend)
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



_EPOCH_ORDINAL = 719163  # datetime.date(1970, 1, 1).toordinal()


def _native(t: pa.DataType) -> bool:
    """Whether pyarrow's JSON reader parses a column of ``t`` itself (dates from day
    numbers, timestamps and decimals from text)."""
    if pa.types.is_list(t):
        return _native(t.value_type)
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
            or pa.types.is_string(t) or pa.types.is_date32(t) or pa.types.is_timestamp(t)
            or pa.types.is_decimal(t))


def _json_value(v: Any) -> Any:
    """A value JSON has no type for: a NumPy scalar's Python value, else its text."""
    return v.item() if hasattr(v, "item") else str(v)


def arrow_table(columns: Mapping[str, Sequence[Any]], schema: pa.Schema) -> pa.Table:
    """A table of ``schema`` from Python values, column by column (a missing column is all
    NULL; None is NULL): what ``pa.table(columns, schema=schema)`` gives, without pandas.
    The values go through pyarrow's JSON reader: dates as day numbers, datetimes and
    decimals as their text, NumPy scalars as their Python value; a type the reader cannot
    parse is read as text and cast.

    >>> import datetime as dt
    >>> s = pa.schema([("d", pa.date32()), ("n", pa.int64())])
    >>> arrow_table({"d": [dt.date(2024, 2, 29), None]}, s).to_pylist()
    [{'d': datetime.date(2024, 2, 29), 'n': None}, {'d': None, 'n': None}]
    """
    n = max((len(v) for v in columns.values()), default=0)
    if n == 0:
        return pa.Table.from_arrays([pa.nulls(0, f.type) for f in schema], schema=schema)
    values = {}
    for f in schema:
        column = list(columns.get(f.name, [None] * n))
        if pa.types.is_date32(f.type):
            column = [None if v is None else v.toordinal() - _EPOCH_ORDINAL for v in column]
        values[f.name] = column
    lines = "\n".join(json.dumps({k: v[i] for k, v in values.items()}, default=_json_value)
                      for i in range(n))
    read = pa.schema([f if _native(f.type) else pa.field(f.name, pa.string())
                      for f in schema])
    table = pa_json.read_json(
        pa.BufferReader(lines.encode()),
        parse_options=pa_json.ParseOptions(explicit_schema=read,
                                           unexpected_field_behavior="error"))
    return table if read.equals(schema) else table.cast(schema)  # a cast imports compute


def memtable(data: pa.Table | Mapping[str, Sequence[Any]],
             schema: Mapping[str, str] | ibis.Schema | None = None) -> ir.Table:
    """``ibis.memtable(data)`` of an Arrow table, or of Python columns with ``schema``
    (``arrow_table``), without pandas (a covermap DuckDB store then loads it without
    pandas too: ``store.memtables``).

    >>> con = ibis.duckdb.connect()
    >>> scalar(memtable({"n": [1, 2]}, {"n": "int64"}).n.sum())
    3
    """
    if isinstance(data, pa.Table):
        ibis_schema = ibis.Schema.from_pyarrow(data.schema) if schema is None \
            else ibis.schema(schema)
    else:
        ibis_schema = ibis.schema(schema)
        data = arrow_table(data, ibis_schema.to_pyarrow())
    return ops.InMemoryTable(name=util.gen_name("pyarrow_memtable"), schema=ibis_schema,
                             data=PyArrowTableProxy(data)).to_expr()
