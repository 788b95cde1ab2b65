"""Write result tables to files, streamed by the engine (never through pandas).

Dates come out as ISO ``YYYY-MM-DD``; booleans as ``true``/``false``; empty
values as empty fields. Every target is checked by :mod:`covermap.reports.targets`
before anything is written, and each file is replaced whole (written beside it, then
renamed), so a failed export leaves the earlier file as it was.
"""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir

from covermap.reports.targets import Targets, replace_atomically
from covermap.store.postgres_export import on_duckdb, write_with_duckdb

FORMATS = ("csv", "parquet")


def _write(expr: ir.Table, path: Path) -> Path:
    def write(tmp: Path) -> None:
        if not on_duckdb(expr):  # another store: the same files, by DuckDB's writers
            write_with_duckdb(expr, tmp, parquet=path.suffix == ".parquet")
        elif path.suffix == ".parquet":
            expr.to_parquet(tmp)
        else:
            # DuckDB writes a DATE as YYYY-MM-DD itself; a DATEFORMAT (even that one) formats
            # every date through strftime: a fifth of writing coverage_checks (issue 9)
            expr.to_csv(tmp, header=True)

    return replace_atomically(path, write)


def export_table(expr: ir.Table, path: Path, *, targets: Targets | None = None) -> Path:
    """Write one result table to ``path`` (.parquet, else CSV) straight from the backend,
    after ``targets`` (default: no --force, nothing protected) allows it."""
    (targets or Targets("--export")).file(Path(path), columns=list(expr.columns))
    return _write(expr, Path(path))


def export_tables(tables: dict[str, ir.Table], out_dir: Path, fmt: str = "csv", *,
                  targets: Targets | None = None) -> list[Path]:
    """Write each ``name -> table`` as ``out_dir/name.<fmt>``; returns the paths written.
    Every path is checked by ``targets`` before any file is written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; formats are: {', '.join(FORMATS)}")
    targets = targets or Targets("--export")
    targets.folder(Path(out_dir))
    paths = {Path(out_dir) / f"{name}.{fmt}": t for name, t in tables.items()}
    targets.files({p: list(t.columns) for p, t in paths.items()})
    return [_write(t, p) for p, t in paths.items()]
