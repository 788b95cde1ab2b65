"""Move whole tables between a DuckDB connection and PostgreSQL, streamed as CSV.

Each direction is one COPY on each side: DuckDB writes (or reads) a CSV file with its
own writer (or reader), PostgreSQL reads (or writes) it with ``COPY ... FROM STDIN`` (or
``TO STDOUT``) in blocks of a megabyte, so no table passes through Python as rows and
memory stays flat however long the activity table is. NULL is an unquoted empty field
and an empty string a quoted one, in both databases; arrays travel as JSON text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis.expr.schema as sch

BLOCK = 1 << 20


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duck_select(name: str, schema: sch.Schema) -> str:
    cols = ", ".join(f"to_json({_q(c)}) AS {_q(c)}" if t.is_array() else _q(c)
                     for c, t in schema.items())
    return f"SELECT {cols} FROM {_q(name)}"


def _pg_columns(schema: sch.Schema, *, reading: bool) -> str:
    """Column list of a COPY on PostgreSQL's side: arrays as JSON text when reading."""
    if not reading:
        return ", ".join(_q(c) for c in schema)
    return ", ".join(f"array_to_json({_q(c)})::text" if t.is_array() else _q(c)
                     for c, t in schema.items())


def duckdb_to_postgres(duck: duckdb.DuckDBPyConnection, cursor, name: str,
                       schema: sch.Schema, folder: Path) -> None:
    """Append every row of DuckDB table ``name`` to the PostgreSQL table of that name
    (``cursor`` is inside the caller's transaction)."""
    path = folder / f"{name}.csv"
    duck.execute(f"COPY ({_duck_select(name, schema)}) TO '{path}' "
                 f"(FORMAT csv, HEADER false, QUOTE '\"', ESCAPE '\"')")
    arrays = [c for c, t in schema.items() if t.is_array()]
    target = _q(name)
    if arrays:  # JSON text lands in a text twin of the table, then is cast
        target = _q(f"__copy_{name}")
        cursor.execute(f"CREATE TEMP TABLE {target} ("
                       + ", ".join(f"{_q(c)} text" for c in schema) + ") ON COMMIT DROP")
    with path.open("rb") as f, cursor.copy(
            f"COPY {target} ({_pg_columns(schema, reading=False)}) FROM STDIN "
            f"WITH (FORMAT csv)") as copy:
        while block := f.read(BLOCK):
            copy.write(block)
    if arrays:
        casts = ", ".join(
            f"ARRAY(SELECT json_array_elements_text({_q(c)}::json))" if c in arrays
            else f"{_q(c)}::{_pg_type(schema[c])}" for c in schema)
        cursor.execute(f"INSERT INTO {_q(name)} SELECT {casts} FROM {target}")
    path.unlink()


def _pg_type(dtype) -> str:
    from ibis.backends.sql.datatypes import PostgresType

    return PostgresType.to_string(dtype)


def postgres_to_duckdb(cursor, duck: duckdb.DuckDBPyConnection, name: str,
                       schema: sch.Schema, folder: Path) -> int:
    """Append every row of PostgreSQL table ``name`` to the DuckDB table of that name;
    the number of bytes moved."""
    path = folder / f"{name}.csv"
    size = 0
    with path.open("wb") as f, cursor.copy(
            f"COPY (SELECT {_pg_columns(schema, reading=True)} FROM {_q(name)}) TO STDOUT "
            f"WITH (FORMAT csv)") as copy:
        for block in copy:
            f.write(block)
            size += len(block)
    if size:
        from ibis.backends.sql.datatypes import DuckDBType

        types = {c: "VARCHAR" if t.is_array() else DuckDBType.to_string(t)
                 for c, t in schema.items()}
        spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types.items()) + "}"
        picked = ", ".join(f"CAST({_q(c)} AS JSON)::VARCHAR[]" if schema[c].is_array()
                           else _q(c) for c in schema)
        duck.execute(f"INSERT INTO {_q(name)} SELECT {picked} FROM read_csv('{path}', "
                     f"columns = {spec}, header = false, quote = '\"', escape = '\"', "
                     f"nullstr = '', allow_quoted_nulls = false, auto_detect = false)")
    path.unlink()
    return size
