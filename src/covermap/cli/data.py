"""``covermap import`` and ``covermap status``: data into the store, and what it holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from covermap.cli.import_preview import print_same_records
from covermap.cli.options import (
    DEFAULT_STORE_PATH,
    PlanOption,
    StoreOption,
    console,
    literal,
    resolve_plan,
)

if TYPE_CHECKING:  # the importer and the store are imported where a command runs
    from covermap.importing import ImportReport
    from covermap.store.health import DataWarning


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("status")(status)


def _inspect_hint(store: str) -> str:
    return f"covermap status --quarantined --store {literal(store)}"


def _summary(report: ImportReport, store: str) -> None:
    table = Table(title=f"Import {report.import_id}", title_justify="left")
    for col in ("file", "table", "encoding", "read", "loaded", "quarantined", "notes"):
        table.add_column(col, justify="right" if col in ("read", "loaded", "quarantined")
                         else "left")
    for f in report.files:
        notes = []
        if f.unresolved:
            notes.append("unresolved: " + ", ".join(
                f"{c} {n:,}" + (f" (e.g. {', '.join(f.unresolved_examples[c][:2])})"
                                if f.unresolved_examples.get(c) else "")
                for c, n in f.unresolved.items()))
        if f.extra_columns:
            notes.append(f"{len(f.extra_columns)} extra columns kept")
        if f.ignored_columns:
            cols = f.ignored_columns
            notes.append("ignored: " + (", ".join(cols) if len(cols) <= 3
                                        else f"{len(cols)} columns"))
        table.add_row(literal(Path(f.file).name), literal(f.table), literal(f.encoding),
                      f"{f.rows_read:,}", f"{f.loaded:,}",
                      f"[red]{f.quarantined:,}[/red]" if f.quarantined else "0",
                      literal("; ".join(notes)))
    table.add_section()
    table.add_row("total", "", "", f"{report.rows_read:,}", f"{report.loaded:,}",
                  f"{report.quarantined:,}", "")
    console.print(table)
    for s in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {literal(s.file)}: {literal(s.reason)}",
                      highlight=False)
    for file, rows in report.associations:
        console.print(f"associations from {literal(file)} "
                      f"({rows:,} row{'s' if rows != 1 else ''})",
                      highlight=False)
    if report.quarantined:
        console.print(f"[red]{report.quarantined:,} rows quarantined[/red]; top reasons:")
        for reason, n in report.reasons():
            console.print(f"  {n:>8,}  {literal(reason)}", highlight=False)
        console.print(f"Inspect them: [bold]{_inspect_hint(store)}[/bold]", highlight=False)


def import_(
    paths: Annotated[list[Path], typer.Argument(
        help="Files or folders (a folder imports all its data files at once).",
        show_default=False)],
    store: StoreOption = DEFAULT_STORE_PATH,
    plan: PlanOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Import nothing if any row would be quarantined.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show per file the format, table, column mapping, ignored columns, "
        "unresolved references and rows that would be quarantined; write nothing.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", min=0, metavar="SECONDS", help="How long to wait while another import "
        "writes the store before giving up (0: fail at once).")] = 600,
) -> None:
    """Import CRM exports into the store, in one transaction.

    Reads CSV/TSV (UTF-8, UTF-8/UTF-16 with BOM, CP932/Shift_JIS), XLSX, Parquet,
    JSON Lines and Salesforce tree JSON. Each file's table and columns are
    recognised from Salesforce, HubSpot, Fivetran, Airbyte and dlt names, or taken
    from the plan's `sources:` mapping. Rows that cannot be used go to the
    quarantine with their file, line, column and reason; importing a file again
    replaces its rows (upsert by id). A record two files hold under different ids
    is kept once (the plan's `duplicates:` picks the file). --dry-run shows what
    would happen, file by file, and writes nothing. Commands reading the store meanwhile
    (coverage, status, covermap serve) answer from what it held before, until the import
    has finished; a second import waits for the first.

    Example: covermap import exports/ --store crm.duckdb --plan plan.yaml
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from covermap.importing import import_paths
    from covermap.store.connect import open_store, store_path
    from covermap.store.health import data_warnings
    from covermap.store.quarantine import same_records

    plan_obj = resolve_plan(plan)
    store_path(store)  # a data file or someone else's database is refused before any work
    if dry_run:
        from covermap.cli.import_preview import print_preview
        from covermap.importing.preview import preview

        print_preview(preview(store, paths, plan=plan_obj), store)
        return
    with _waiting_status(store) as on_wait:
        s = open_store(store, wait=wait, on_wait=on_wait)
    with s, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("reading", total=None)

        def progress(message: str, done: int, total: int) -> None:
            bar.update(task, description=literal(message), completed=done,
                       total=total or None)

        report = import_paths(s, paths, plan=plan_obj, strict=strict, progress=progress)
        warnings = data_warnings(s, plan_obj)
        same = same_records(s) if any(f.same_records for f in report.files) else []
    _summary(report, store)
    print_same_records(same)
    print_data_warnings(warnings)


@contextmanager
def _waiting_status(store: str) -> Iterator[Callable[[str], None]]:
    """A callback telling the user who holds the store, with a spinner while it waits."""
    with ExitStack() as stack:
        def on_wait(who: str) -> None:
            message = (f"Waiting: {literal(who)} is writing {literal(store)}; this import "
                       f"starts when it has finished")
            console.print(f"[yellow]{message}[/yellow]", highlight=False)
            if console.is_terminal:
                stack.enter_context(console.status(message))

        yield on_wait


def print_data_warnings(warnings: list[DataWarning]) -> None:
    """One yellow line per problem of the stored data (``covermap.store.health``)."""
    for w in warnings:
        console.print(f"[yellow]Warning:[/yellow] {literal(w)}", highlight=False)


def status(
    store: StoreOption = DEFAULT_STORE_PATH,
    plan: PlanOption = None,
    quarantined: Annotated[bool, typer.Option(
        "--quarantined", help="List the quarantined rows (file, line, column, value, reason).")
    ] = False,
    table: Annotated[str | None, typer.Option(
        "--table", help="With --quarantined: only this table's rows.")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", help="With --quarantined: how many rows to show.")] = 50,
) -> None:
    """Show what the store holds: rows and date range per table, quarantined rows with
    their top reasons, references that match nothing (kept, counted), and warnings on
    deals without a usable won/closed status or open deals without a created date.

    Example: covermap status --store crm.duckdb
    """
    from covermap.store.connect import open_store
    from covermap.store.health import data_warnings
    from covermap.store.quarantine import same_records, store_status

    with open_store(store, read_only=True) as s:
        if quarantined:
            _quarantine_table(s, table, limit)
            return
        from urllib.parse import urlsplit

        label = str(store)
        if urlsplit(label).password is not None:  # a URL's password is never printed
            from covermap.store.postgres import shown  # (it loads Ibis's PostgreSQL compiler)

            label = shown(label)
        out = Table(title=f"Store {literal(label)}", title_justify="left")
        for col in ("table", "rows", "date range", "quarantined", "top reasons", "unresolved"):
            out.add_column(col, justify="right" if col in ("rows", "quarantined") else "left")
        tables = store_status(s)
        for t in tables:
            span = (f"{t.date_column}: {_day(t.first)} … {_day(t.last)}" if t.first is not None
                    else "")
            reasons = "; ".join(f"{r} ({n:,})" for r, n in t.reasons)
            unresolved = ", ".join(f"{c} {n:,}" for c, n in t.unresolved)
            out.add_row(literal(t.table), f"{t.rows:,}", literal(span),
                        f"[red]{t.quarantined:,}[/red]" if t.quarantined else "0",
                        literal(reasons), literal(unresolved))
        console.print(out)
        if any(t.quarantined for t in tables):
            console.print(f"Inspect them: [bold]{_inspect_hint(store)}[/bold]", highlight=False)
        print_same_records(same_records(s))
        print_data_warnings(data_warnings(s, resolve_plan(plan)))


def _day(value: object) -> str:
    return str(value)[:10]


def _quarantine_table(s, table: str | None, limit: int) -> None:
    from covermap.store.quarantine import quarantined_rows

    rows = quarantined_rows(s, table, limit=limit)
    out = Table(title="Quarantined rows" + (f" of {literal(table)}" if table else ""),
                title_justify="left")
    for col in ("table", "file", "line", "column", "value", "reason"):
        out.add_column(col, justify="right" if col == "line" else "left")
    for r in rows:
        out.add_row(literal(r.table), literal(Path(r.file).name),
                    "" if r.line is None else str(r.line), literal(r.column),
                    literal(r.value), literal(r.reason))
    console.print(out)
