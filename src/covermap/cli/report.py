"""`covermap report`: every analysis, exported and drawn in one HTML file (and the summary
`covermap demo` prints too)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covermap.cli.options import (
    DEFAULT_STORE,
    AsOfOption,
    ForceOption,
    PlanOption,
    StoreOption,
    WindowOption,
    console,
    literal,
    plan_in_use,
    resolve_plan,
)
from covermap.store.lazy_ibis import unfused_selects

if TYPE_CHECKING:  # the engine, the store and the reports are imported where a command runs
    from rich.progress import Progress

    from covermap.plan import Plan
    from covermap.reports.targets import Targets
    from covermap.store.connect import Store


@unfused_selects()
def run_analyses(store: Store, plan: Plan, out: Path | None, report_path: Path,
                 progress: Progress, targets: Targets, as_of: dt.date | None = None,
                 window_months: int | None = None, value_maps=None,
                 fmt: str = "html") -> tuple:
    """Every analysis over one window: export the result tables to ``out`` (when given;
    every file checked by ``targets`` before any is written) and write the report as
    ``fmt`` (html, xlsx or pdf)."""
    from covermap.capacity.render import capacity_tables
    from covermap.capacity.tables import measure_capacity
    from covermap.coverage.measure import coverage_tables, measure_coverage
    from covermap.map.measure import build_map, map_tables
    from covermap.reports.export import export_tables
    from covermap.reports.group_section import report_tables
    from covermap.reports.html_report import ReportInputs
    from covermap.reports.output import write_report
    from covermap.store.quarantine import store_status
    from covermap.team.tables import measure_team, team_tables
    from covermap.value.load import default_value_maps
    from covermap.value.tables import measure_value, value_tables

    task = progress.add_task("coverage", total=4)
    coverage = measure_coverage(store, plan, as_of=as_of, window_months=window_months)
    progress.update(task, advance=1, description="coverage map")
    cmap = build_map(store, plan, as_of=as_of, window_months=window_months)
    team = measure_team(store, plan, as_of=as_of, window_months=window_months)
    value = measure_value(store, plan, value_maps or default_value_maps(), as_of=as_of,
                          window_months=window_months)
    capacity = measure_capacity(store, plan, as_of=as_of, window_months=window_months)
    tables = {**coverage_tables(coverage), **report_tables(coverage), **map_tables(cmap),
              **team_tables(team), **value_tables(value)}
    if out is not None:
        export_tables(tables, out, targets=targets)
    progress.update(task, advance=1, description="report")
    inputs = ReportInputs(plan=plan, data_status=store_status(store), coverage=coverage,
                          coverage_map=cmap, team=team, value=value, capacity=capacity,
                          warnings=list(coverage.warnings))
    write_report(inputs, {**tables, **capacity_tables(capacity)}, report_path, fmt)
    progress.update(task, advance=2, description="done")
    return coverage, cmap


def print_summary(plan: Plan, store: Store, coverage, cmap, out: Path | None,
                  report_path: Path) -> None:
    """Compliance and breadth by state, the won revenue and the map's first priorities."""
    from covermap.render import Column, Formats, Kind, result_table, user_names, won_revenue_line
    from covermap.store.arrow import to_pylist

    rows = to_pylist(coverage.summary.filter(coverage.summary.group.isin(["state", "all"])))
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
    console.print(literal(won_revenue_line(cmap, formats)), highlight=False)
    for line in list(cmap.explanations)[:3]:
        console.print(f"• {literal(line)}", highlight=False)
    console.print(f"\nReport: [bold]{literal(report_path)}[/bold]"
                  + (f"   Results: {literal(out)}/" if out else ""), highlight=False)


def report(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan_path: PlanOption = None,
    out: Annotated[Path | None, typer.Option(
        help="The report file to write. Default: report.html (report.xlsx, report.pdf "
             "with --format).", show_default=False)] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", metavar="html|xlsx|pdf",
        help="html: one self-contained page; xlsx: a workbook, one sheet per result table; "
             "pdf: the HTML printed by headless Chromium. Default: from --out's suffix, "
             "else html.", show_default=False)] = None,
    export: Annotated[Path | None, typer.Option(help="Also write the CSV results here.")] = None,
    value_map: Annotated[list[Path] | None, typer.Option(
        "--map", metavar="FILE", help="Value map YAML files for the key-players section (repeat for "
                      "several). Default: the built-in example.", show_default=False)] = None,
    force: ForceOption = False,
) -> None:
    """Run every analysis on the store over one window and write the report: a
    self-contained HTML page (opens offline), an XLSX workbook or a PDF.

    --out replaces a report covermap wrote, and --export the CSV files an earlier export
    wrote; any other existing file only with --force.

    Example: covermap report --store covermap.duckdb --as-of 2026-06-30 --out q3.xlsx
    """
    from rich.progress import Progress

    from covermap.reports.output import report_target
    from covermap.reports.targets import Targets
    from covermap.store.connect import open_store
    from covermap.value.load import load_value_maps

    fmt, out = report_target(out, fmt)
    if fmt == "pdf":  # what to install is said before any analysis runs
        from covermap.reports.pdf_report import require_chromium

        require_chromium()
    plan = resolve_plan(plan_path)
    maps = load_value_maps(value_map)
    # an existing store is only read (an import meanwhile is not waited for)
    with open_store(store, read_only=Path(store.removeprefix("duckdb://")).exists()) as s:
        targets = Targets.of("--out", force=force, store=s, plan=plan_in_use(plan_path))
        targets.file(out, report=True)
        export_targets = Targets("--export", force, targets.protected)
        if export is not None:
            export_targets.folder(export)
        with Progress(console=console) as progress:
            coverage, cmap = run_analyses(s, plan, export, out, progress, export_targets,
                                          as_of, window_months, maps, fmt)
        print_summary(plan, s, coverage, cmap, export, out)


def register(app: typer.Typer) -> None:
    app.command()(report)
