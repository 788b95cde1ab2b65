"""``covermap sample``: write the sample company, one file per canonical table."""

from __future__ import annotations

import datetime as dt
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.options import ForceOption, console, literal, parse_date

#: covermap.sample.company.DEFAULT_AS_OF, kept here so that declaring the option does not
#: load DuckDB (a test keeps the two equal)
DEFAULT_AS_OF = dt.date(2026, 11, 15)


class SampleFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the files to (created if "
                                      "missing; a sample's files there are replaced, other "
                                      "files of the same name only with --force).")
                   ] = Path("sample"),
    accounts: Annotated[int, typer.Option("--accounts", min=1, help="Number of accounts "
                                          "(about 50 activities each).")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed and size give "
                                      "byte-identical files.")] = 42,
    fmt: Annotated[SampleFormat, typer.Option("--format", help="File format.")] = SampleFormat.csv,
    as_of: Annotated[dt.date, typer.Option(
        "--as-of", parser=parse_date, metavar="YYYY-MM-DD",
        show_default=DEFAULT_AS_OF.isoformat(),
        help="The day the company is seen on: no activity is dated after it.")] = DEFAULT_AS_OF,
    force: ForceOption = False,
) -> None:
    """Write a realistic sample B2B company in the canonical tables.

    One file per table (accounts, users, contacts, products, deals, deal_lines,
    account_team, activities, deal_contacts), as CSV with a header or as Parquet.
    The company has customers of every tenure, churned customers, open deals,
    leads of every score, targets and accounts no state matches, so every state
    of the default plan occurs as of --as-of. Load it with `covermap import`.

    Example: covermap sample --accounts 5000 --seed 42 --out sample
    """
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from covermap.reports.targets import Targets
    from covermap.sample import generate_company
    from covermap.store import schema

    targets = Targets("--out", force)
    targets.folder(out)
    targets.files({out / f"{t.name}.{fmt.value}": [c.name for c in t.columns]
                   for t in schema.TABLES})
    started = time.perf_counter()
    columns = (SpinnerColumn(finished_text="[green]✓[/green]"),
               TextColumn("{task.description:<14}"), BarColumn(),
               TextColumn("{task.fields[rows]:>12}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, TaskID] = {
            t.name: bar.add_task(t.name, total=1, start=False, rows="") for t in schema.TABLES
        }
        pending = list(tasks)

        def begin_next() -> None:
            if pending:
                bar.start_task(tasks[pending[0]])
                bar.update(tasks[pending[0]], total=None, rows="writing")

        def written(table: str, rows: int) -> None:
            pending.remove(table)
            bar.update(tasks[table], total=1, completed=1, rows=f"{rows:,}")
            bar.stop_task(tasks[table])
            begin_next()

        begin_next()
        counts = generate_company(out, accounts=accounts, seed=seed, fmt=fmt.value,
                                  as_of=as_of, progress=written)

    summary = Table(title=f"Sample company in {literal(out)}", title_justify="left")
    summary.add_column("table")
    summary.add_column("rows", justify="right")
    summary.add_column("file")
    for name, rows in counts.items():
        summary.add_row(name, f"{rows:,}", f"{name}.{fmt.value}")
    summary.add_row("[bold]total[/bold]", f"[bold]{sum(counts.values()):,}[/bold]", "")
    console.print(summary)
    console.print(f"Done in {time.perf_counter() - started:.1f} s.")


def register(app: typer.Typer) -> None:
    """Add ``covermap sample`` to ``app``."""
    app.command("sample")(sample)
