"""Write result tables to files, streamed by the engine (never through pandas).

Dates come out as ISO ``YYYY-MM-DD``; booleans as ``true``/``false``; empty
values as empty fields.
"""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir

FORMATS = ("csv", "parquet")


def export_table(expr: ir.Table, path: Path) -> Path:
    """Write one result table to ``path`` (.csv or .parquet) straight from the backend."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        expr.to_parquet(path)
    else:
        expr.to_csv(path, header=True, dateformat="%Y-%m-%d")
    return path


def export_tables(tables: dict[str, ir.Table], out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Write each ``name -> table`` as ``out_dir/name.<fmt>``; returns the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; formats are: {', '.join(FORMATS)}")
    return [export_table(t, Path(out_dir) / f"{name}.{fmt}") for name, t in tables.items()]
