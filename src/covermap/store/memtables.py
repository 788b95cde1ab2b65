"""Memtables (``ibis.memtable``, ``store.arrow.memtable``) reach a DuckDB store without pandas.

Ibis's DuckDB backend registers each memtable with ``con.register(name, arrow_table)``;
DuckDB's register imports ``pyarrow.dataset`` to recognise the object, and that module's
import builds a scalar with ``pa.scalar``, which imports pandas: half a second of every
command's start-up (issue 9). ``load_through_streams(backend)`` makes the backend load a
memtable of Arrow data into a temporary table of the same name instead, read through the
Arrow C stream interface (which imports neither). The SQL Ibis compiles is unchanged (it
names the memtable), and Ibis's own finalizer drops the table when the memtable is gone.
"""

from __future__ import annotations

from typing import Any


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_through_streams(backend: Any) -> None:
    """Have ``backend`` (Ibis's DuckDB backend) load Arrow memtables as temporary tables
    through Arrow C streams; other memtables (pandas, polars) as Ibis does. Idempotent."""
    if getattr(backend, "_loads_through_streams", False):
        return
    con, register = backend.con, backend._register_in_memory_table

    def load(op: Any) -> None:
        from ibis.formats.pyarrow import PyArrowTableProxy

        if not isinstance(op.data, PyArrowTableProxy):
            return register(op)
        stream = con.from_arrow(op.data.to_pyarrow(op.schema).__arrow_c_stream__())
        columns = ", ".join(f'{_quoted(c)} {t}' for c, t in zip(stream.columns, stream.types))
        con.execute(f"CREATE TEMP TABLE {_quoted(op.name)} ({columns})")
        stream.insert_into(op.name)
        return None

    backend._register_in_memory_table = load
    backend._loads_through_streams = True
