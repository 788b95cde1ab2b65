"""``covermap export-store``: write a store's tables as Parquet files, the folder that
``covermap --engine spark`` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.options import DEFAULT_STORE, StoreOption, console, literal


def export_store(
    out: Annotated[Path, typer.Option("--out", help="Folder to write <table>.parquet files "
                                      "to (created if missing; the store's files there are "
                                      "replaced).")],
    store: StoreOption = DEFAULT_STORE,
) -> None:
    """Write every table of the store as OUT/<table>.parquet, for `covermap --engine spark`.

    Example: covermap export-store --store covermap.duckdb --out spark-store
    """
    from covermap.store.connect import open_store
    from covermap.store.spark import write_parquet_store

    with open_store(store, read_only=True) as s:
        paths = write_parquet_store(s, out)
    console.print(f"Wrote {len(paths)} tables to {literal(out)}; run e.g. `covermap --engine "
                  f"spark coverage --store {literal(out)}`", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``covermap export-store`` to ``app``."""
    app.command("export-store")(export_store)
