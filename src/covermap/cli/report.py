"""`covermap demo` and `covermap report`: every analysis, exported and drawn in one HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from covermap.cli.options import PlanOption, StoreOption, console, resolve_plan
from covermap.engine.states import UNCLASSIFIED
from covermap.plan import Plan
from covermap.store.connect import DEFAULT_STORE, Store, open_store


def _run_analyses(store: Store, plan: Plan, out: Path | None, report_path: Path,
                  progress: Progress) -> tuple:
    """Coverage and coverage map: export their tables to ``out`` (when given) and draw the
    report."""
    from covermap.engine.coverage import coverage_tables, measure_coverage
    from covermap.engine.map import build_map, map_tables
    from covermap.reports.export import export_tables
    from covermap.reports.html_report import ReportInputs, render_report
    from covermap.store.quarantine import store_status

    task = progress.add_task("coverage", total=4)
    coverage = measure_coverage(store, plan)
    if out is not None:
        export_tables(coverage_tables(coverage), out)
    progress.update(task, advance=1, description="coverage map")
    cmap = build_map(store, plan)
    if out is not None:
        export_tables(map_tables(cmap), out)
    progress.update(task, advance=1, description="report")
    render_report(ReportInputs(plan=plan, data_status=store_status(store), coverage=coverage,
                               coverage_map=cmap, warnings=list(coverage.warnings)),
                  report_path)
    progress.update(task, advance=2, description="done")
    return coverage, cmap


def _print_summary(plan: Plan, coverage, cmap, out: Path | None, report_path: Path) -> None:
    summary = coverage.summary.execute()
    labels = {s.id: s.label.en for s in plan.states}
    table = Table(title=f"Coverage as of {coverage.window.as_of} "
                        f"(window {coverage.window.start} – {coverage.window.end})")
    for col in ("state", "accounts", "checks", "compliance", "breadth"):
        table.add_column(col, justify="left" if col == "state" else "right")
    for _, r in summary[summary["group"].isin(["state", "all"])].iterrows():
        name = "all accounts" if r["group"] == "all" else labels.get(r["key"], r["key"])
        comp = f"{r['compliance']:.1%}" if r["checks"] else (
            UNCLASSIFIED if r["key"] == UNCLASSIFIED else "no standard")
        table.add_row(name, f"{int(r['accounts']):,}", f"{int(r['checks']):,}", comp,
                      f"{r['breadth']:.1%}" if r["breadth"] == r["breadth"] else "",
                      style="bold" if r["group"] == "all" else None)
    console.print(table)
    for line in list(cmap.explanations)[:3]:
        console.print(f"• {line}")
    console.print(f"\nReport: [bold]{report_path}[/bold]" + (f"   Results: {out}/" if out else ""))


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
        _print_summary(plan, coverage, cmap, out / "results", out / "report.html")


def report(
    store: StoreOption = DEFAULT_STORE,
    plan_path: PlanOption = None,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    export: Annotated[Path | None, typer.Option(help="Also write the CSV results here.")] = None,
) -> None:
    """Run every analysis on the store and write a self-contained HTML report.

    Example: covermap report --store covermap.duckdb --out report.html
    """
    plan = resolve_plan(plan_path)
    with open_store(store) as s:
        with Progress(console=console) as progress:
            coverage, cmap = _run_analyses(s, plan, export, out, progress)
        _print_summary(plan, coverage, cmap, export, out)


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(report)
