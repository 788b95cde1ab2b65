"""Export a result computed on a store other than DuckDB with DuckDB's own writers, so
a CSV or Parquet file is the same whichever store computed it: the rows stream from
the store in Arrow batches into an in-memory DuckDB, which writes the file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis.expr.types as ir

BATCH_ROWS = 100_000


def on_duckdb(expr: ir.Table) -> bool:
    """Whether ``expr`` is computed by DuckDB (its own writers then apply directly)."""
    return expr._find_backend(use_default=True).name == "duckdb"


def write_with_duckdb(expr: ir.Table, path: Path, *, parquet: bool) -> None:
    """Write ``expr`` to ``path`` (Parquet, or CSV with a header and ISO dates) as Ibis's
    DuckDB backend would."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("result", expr.to_pyarrow_batches(chunk_size=BATCH_ROWS))
        target = str(path).replace("'", "''")
        options = ("FORMAT parquet" if parquet
                   else "FORMAT csv, HEADER true, DATEFORMAT '%Y-%m-%d'")
        con.execute(f"COPY result TO '{target}' ({options})")
    finally:
        con.close()
