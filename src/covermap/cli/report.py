"""`covermap demo` and `covermap report`: every analysis, exported and drawn in one HTML file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from covermap.cli.options import (
    AsOfOption,
    PlanOption,
    StoreOption,
    WindowOption,
    console,
    resolve_plan,
)
from covermap.plan import Plan
from covermap.render import Column, Formats, Kind, result_table, user_names, won_revenue_line
from covermap.store.connect import DEFAULT_STORE, Store, open_store


def _run_analyses(store: Store, plan: Plan, out: Path | None, report_path: Path,
                  progress: Progress, as_of: dt.date | None = None,
                  window_months: int | None = None) -> tuple:
    """Coverage and coverage map over one window: export their tables to ``out`` (when
    given) and draw the report."""
    from covermap.engine.coverage import coverage_tables, measure_coverage
    from covermap.engine.map import build_map, map_tables
    from covermap.reports.export import export_tables
    from covermap.reports.html_report import ReportInputs, render_report
    from covermap.store.quarantine import store_status

    task = progress.add_task("coverage", total=4)
    coverage = measure_coverage(store, plan, as_of=as_of, window_months=window_months)
    if out is not None:
        export_tables(coverage_tables(coverage), out)
    progress.update(task, advance=1, description="coverage map")
    cmap = build_map(store, plan, as_of=as_of, window_months=window_months)
    if out is not None:
        export_tables(map_tables(cmap), out)
    progress.update(task, advance=1, description="report")
    render_report(ReportInputs(plan=plan, data_status=store_status(store), coverage=coverage,
                               coverage_map=cmap, warnings=list(coverage.warnings)),
                  report_path)
    progress.update(task, advance=2, description="done")
    return coverage, cmap


def _print_summary(plan: Plan, store: Store, coverage, cmap, out: Path | None,
                   report_path: Path) -> None:
    summary = coverage.summary.execute()
    rows = summary[summary["group"].isin(["state", "all"])].to_dict("records")
    for r in rows:
        if r["group"] == "all":
            r["key"] = "all accounts"
        elif not r["has_standard"]:
            r["compliance"] = "no standard"
    formats = Formats.for_plan(plan, user_names(store))
    console.print(result_table(
        rows, "coverage_summary", formats,
        columns=["key", "accounts", "checks", "compliance", "breadth"],
        overrides={"key": Column(Kind.state, "State")},
        row_style=lambda r: "bold" if r["group"] == "all" else None,
        title=f"Coverage as of {coverage.window.as_of} "
              f"(window {coverage.window.start} – {coverage.window.end})"))
    console.print(escape(won_revenue_line(cmap, formats)), highlight=False)
    for line in list(cmap.explanations)[:3]:
        console.print(f"• {escape(line)}", highlight=False)
    console.print(f"\nReport: [bold]{escape(str(report_path))}[/bold]"
                  + (f"   Results: {escape(str(out))}/" if out else ""))


def demo(
    out: Annotated[Path, typer.Option(help="Folder for everything the demo writes.")] = Path("."),
    accounts: Annotated[int, typer.Option(help="Accounts in the sample company.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed of the sample company.")] = 42,
    plan_path: PlanOption = None,
) -> None:
    """Generate a realistic sample company, import it into a DuckDB store, run every
    analysis, write CSV results and a self-contained HTML report, and print a summary.

    Writes OUT/sample/ (the CRM files), OUT/covermap.duckdb, OUT/results/*.csv and
    OUT/report.html (opens offline).

    Example: covermap demo --out covermap-demo
    """
    from covermap.importing import import_paths
    from covermap.sample import generate_company

    plan = resolve_plan(plan_path)
    out.mkdir(parents=True, exist_ok=True)
    store_path = out / "covermap.duckdb"
    store_path.unlink(missing_ok=True)
    with open_store(store_path) as store:
        with Progress(console=console) as progress:
            task = progress.add_task("sample company", total=None)
            sizes = generate_company(out / "sample", accounts=accounts, seed=seed)
            progress.update(task, total=1, completed=1,
                            description=f"sample company: {sum(sizes.values()):,} rows")
            import_paths(store, [out / "sample"], plan=plan)
            coverage, cmap = _run_analyses(store, plan, out / "results", out / "report.html",
                                           progress)
        _print_summary(plan, store, coverage, cmap, out / "results", out / "report.html")


def report(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan_path: PlanOption = None,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    export: Annotated[Path | None, typer.Option(help="Also write the CSV results here.")] = None,
) -> None:
    """Run every analysis on the store over one window and write a self-contained HTML
    report.

    Example: covermap report --store covermap.duckdb --as-of 2026-06-30 --out report.html
    """
    plan = resolve_plan(plan_path)
    with open_store(store) as s:
        with Progress(console=console) as progress:
            coverage, cmap = _run_analyses(s, plan, export, out, progress, as_of, window_months)
        _print_summary(plan, s, coverage, cmap, export, out)


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(report)
