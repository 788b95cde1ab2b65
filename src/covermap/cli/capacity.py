"""``covermap capacity`` and ``covermap capacity segments``: how many people the journey
needs per segment and role, against the benchmark, the standard and the people in place.

Both call :func:`covermap.capacity.tables.measure_capacity` and format what it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

capacity_app = typer.Typer(invoke_without_command=True)

EXPORTS = "capacity_segments.csv, capacity_summary.csv, capacity_reality.csv and (with " \
          "--scenario) capacity_scenarios.csv"


@capacity_app.callback()
def capacity(
    ctx: typer.Context,
    scenario: Annotated[list[Path] | None, typer.Option(
        "--scenario", help="A what-if file of overrides; repeat for several.",
        show_default=False)] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help=f"Write {EXPORTS} to this folder.", show_default=False)] = None,
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    force: ForceOption = False,
) -> None:
    """People needed per segment and role: bottom-up from the journey's touchpoints,
    top-down from the benchmark, implied by the coverage standard, against the people in
    place; the trade-off where they differ; what-if scenarios beside the base (a table
    and a chart of the people needed bottom-up vs in place per scenario).

    Example: covermap capacity --scenario growth.yaml --export capacity-out
    """
    if ctx.invoked_subcommand is not None:
        return
    from covermap.capacity.readings import scenario_reading, scenario_totals
    from covermap.capacity.render import (
        capacity_tables,
        capacity_view,
        reality_view,
        scenario_chart,
    )
    from covermap.capacity.scenarios import (
        load_scenario,
        run_scenarios,
        scenario_plans,
        scenario_view,
    )
    from covermap.capacity.tables import measure_capacity
    from covermap.reports.export import export_tables
    from covermap.reports.targets import Targets
    from covermap.store.connect import open_store

    loaded = [load_scenario(f) for f in scenario or ()]
    p = resolve_plan(plan)
    with open_store(store, read_only=True) as s:
        result = measure_capacity(s, p, as_of=as_of, window_months=window_months)
        plans = scenario_plans(p, result, loaded)
        targets = Targets.of("--export", force=force, store=s, plan=plan_in_use(plan))
        if export is not None:
            targets.folder(export)
        w = result.window
        console.print(f"[bold]{literal(p.name)}[/bold] — capacity as of {w.as_of}, window "
                      f"{w.start} to {w.end}", highlight=False)
        console.print(capacity_view(result.rows))
        for role, n in result.idle.items():
            console.print(f"{literal(role)}: {n:g} active people with no accounts on "
                          f"{w.as_of} (counted in the role's total only)", highlight=False)
        for line in result.tradeoffs:
            console.print(f"[bold]Trade-off:[/bold] {literal(line)}", highlight=False,
                          soft_wrap=True)
        for f in result.findings:
            where = f"line {f.line}: " if f.line is not None else ""
            console.print(f"[yellow]Journey gap:[/yellow] {where}{literal(f.key)}: "
                          f"{literal(f.message)}", highlight=False, soft_wrap=True)
        reality = reality_view(result.reality)
        if reality is not None:
            console.print(reality)
        rows = []
        if plans:
            rows = run_scenarios(s, result, plans, as_of=as_of, window_months=window_months)
            console.print(scenario_view(rows))
            totals = scenario_totals(rows, result.people)
            console.print(scenario_chart(totals, scenario_reading(totals), console.width))
        if export is not None:
            paths = export_tables(capacity_tables(result, rows), export, targets=targets)
            console.print(f"Wrote {len(paths)} files to {literal(export)}", highlight=False)


@capacity_app.command("segments")
def segments(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
) -> None:
    """Per segment (the plan's segments[] by rule, else the segment column): accounts,
    customers, ARR and its share, and the share of the window's human-touch time spent on
    it, so you see whether CS cost follows revenue.

    Example: covermap capacity segments --store covermap.duckdb
    """
    from covermap.capacity.render import segments_view
    from covermap.capacity.tables import measure_capacity
    from covermap.store.connect import open_store

    p = resolve_plan(plan)
    with open_store(store, read_only=True) as s:
        result = measure_capacity(s, p, as_of=as_of, window_months=window_months)
        console.print(segments_view(result.summary))


def register(app: typer.Typer) -> None:
    app.add_typer(capacity_app, name="capacity")
