"""`covermap map`: the customer coverage map as a 3x3 grid, its unplaced lines and priorities."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from covermap.cli.options import (
    DEFAULT_STORE,
    AsOfOption,
    ForceOption,
    PlanOption,
    StoreOption,
    WindowOption,
    console,
    plan_in_use,
    resolve_plan,
)

if TYPE_CHECKING:
    from covermap.render import Formats

#: rows shown for a drill-down in the terminal (--export writes them all)
DRILL_ROWS = 50


class By(str, enum.Enum):
    revenue = "revenue"
    accounts = "accounts"
    deals = "deals"
    misaligned = "misaligned"
    group = "group"          # a roll-up per customer group (covermap.map.rollups)
    territory = "territory"


def _cell_text(c: dict[str, Any], by: By, f: Formats) -> str:
    from covermap.render import Kind, format_value
    from covermap.render.terminal import literal

    def v(x: Any, kind: Kind) -> str:
        return literal(format_value(x, kind, f))

    if by is By.revenue:
        head = f"[bold]{v(c['revenue'], Kind.money)}[/bold] ({v(c['revenue_share'], Kind.percent)})"
    elif by is By.accounts:
        plural = "s" if c["accounts"] != 1 else ""
        head = f"[bold]{v(c['accounts'], Kind.count)}[/bold] account{plural}"
    elif by is By.deals:
        plural = "s" if c["deals"] != 1 else ""
        head = (f"[bold]{v(c['deals'], Kind.count)}[/bold] deal{plural}\nwon "
                f"{v(c['won_deals'], Kind.count)} of {v(c['closed_deals'], Kind.count)} closed"
                f" ({v(c['win_rate'], Kind.percent)})")
    else:
        share = c["misaligned_revenue"] / c["revenue"] if c["revenue"] else None
        head = (f"[bold]{v(c['misaligned_revenue'], Kind.money)}[/bold] "
                f"({v(share, Kind.percent)})")
    head = head.replace(" ()", "")
    rank = f"  #{c['priority_rank']}" if c["priority_rank"] is not None else ""
    return f"{head}\n[dim]→[/dim] {literal(c['intended_channel'])}{rank}"


def _print_grid(result, by: By, f: Formats) -> None:
    from rich.table import Table

    from covermap.map.model import COMPLEXITIES, VALUE_TIERS
    from covermap.render import result_table, won_revenue_line
    from covermap.render.terminal import literal
    from covermap.store.arrow import to_arrow, to_pylist

    cells = {(c["complexity"], c["value"]): c for c in to_pylist(result.cells)}
    w = result.window
    title = {By.revenue: "won revenue (share)", By.accounts: "accounts with won revenue",
             By.deals: "deals open in the window", By.misaligned: "misaligned revenue (share)"}
    grid = Table(title=f"Coverage map — {title[by]}, {w.start} – {w.end} (as of {w.as_of})",
                 caption="→ the channel the plan intends; #n the cell's priority rank",
                 show_lines=True)
    grid.add_column("Value", style="bold")
    for cx in COMPLEXITIES:
        grid.add_column(cx.capitalize(), justify="left")
    for tier in reversed(VALUE_TIERS):
        grid.add_row(literal(tier), *(_cell_text(cells[(cx, tier)], by, f)
                                      for cx in COMPLEXITIES))
    console.print(grid)
    console.print(literal(won_revenue_line(result, f)), highlight=False)
    unplaced = to_arrow(result.unplaced)
    if unplaced.num_rows:
        console.print(result_table(unplaced, "map_unplaced", f,
                                   columns=["reason", "lines", "revenue", "deals"],
                                   title="Unplaced won lines (and deals in the window) by reason"))
    else:
        console.print("Unplaced: none — every won line fits a cell.")
    if result.priorities:
        console.print("[bold]Priorities[/bold]")
        for p in result.priorities[:3]:
            console.print(f"{p.rank}. {literal(p.explanation)}", highlight=False, soft_wrap=True)


def _print_drill(window, table, cell: str, f: Formats) -> None:
    from covermap.render import result_table
    from covermap.render.terminal import literal
    from covermap.store.arrow import to_pylist

    rows = to_pylist(table.limit(DRILL_ROWS + 1))
    console.print(result_table(
        rows[:DRILL_ROWS], "map_cell_deals", f,
        columns=["account_id", "deal_id", "products", "revenue", "channel", "intended_channel",
                 "close_date"],
        title=f"Won deals in {literal(cell)}, {window.start} – {window.end}"))
    if len(rows) > DRILL_ROWS:
        console.print(f"Showing the first {DRILL_ROWS}; pass --export DIR for every row.")


def map_command(
    by: Annotated[By, typer.Option("--by", help=(
        "What each cell shows; group or territory: a roll-up per customer group (an "
        "account's top-most parent) or per territory of the plan instead of the grid."))
    ] = By.revenue,
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write map_cells.csv, map_channels.csv and map_unplaced.csv here "
                         "(with --cell: map_cell_COMPLEXITY_VALUE.csv; with --by group or "
                         "territory, also map_groups.csv or map_territories.csv).",
        show_default=False)] = None,
    cell: Annotated[str | None, typer.Option(
        "--cell", help="Drill down into one cell, e.g. customised/high: its won deals.",
        show_default=False)] = None,
    store: StoreOption = DEFAULT_STORE,
    plan_path: PlanOption = None,
    force: ForceOption = False,
) -> None:
    """The customer coverage map: which customers buy which products through which channel.

    Every won revenue line (deals won with a close date in the window) falls into a
    cell of product complexity (simple / bundled / customised) x customer value
    (low / medium / high by the plan's thresholds; a value exactly on a threshold
    belongs to the higher tier). Rows are value high to low; each cell names the
    channel the plan intends for it and its priority rank. Lines that fit no cell
    are listed as unplaced with the reason. Amounts are in the plan's currency.
    --export replaces the CSV files an earlier export wrote; other files only with --force.

    Example: covermap map --store covermap.duckdb --by misaligned --export results
    """
    from covermap.cli.data import print_data_warnings
    from covermap.map.measure import build_map, cell_deals, map_tables, parse_cell
    from covermap.render import Formats
    from covermap.render.terminal import literal
    from covermap.reports.export import export_tables
    from covermap.reports.targets import Targets
    from covermap.store.connect import open_store
    from covermap.store.health import data_warnings
    from covermap.store.lazy_ibis import unfused_selects

    plan = resolve_plan(plan_path)
    f = Formats.for_plan(plan)
    with unfused_selects(), open_store(store, read_only=True) as s:
        targets = Targets.of("--export", force=force, store=s,
                             plan=plan_in_use(plan_path))
        if export is not None:
            targets.folder(export)
        print_data_warnings(data_warnings(s, plan))
        if cell is not None:
            complexity, value = parse_cell(cell)
            window, table = cell_deals(s, plan, (complexity, value), as_of=as_of,
                                       window_months=window_months)
            _print_drill(window, table, f"{complexity}/{value}", f)
            if export is not None:
                paths = export_tables({f"map_cell_{complexity}_{value}": table}, export,
                                      targets=targets)
                console.print(f"Wrote {literal(', '.join(str(p) for p in paths))}",
                              highlight=False)
            return
        result = build_map(s, plan, as_of=as_of, window_months=window_months)
        tables = map_tables(result)
        if by in (By.group, By.territory):
            from covermap.engine.rollups import kept, table_name
            from covermap.map.rollups import rollup
            from covermap.render.rollups import rollup_view

            name = table_name("map", by.value)
            tables[name] = kept(s, rollup(s, plan, result.window, by.value), name)
            console.print(rollup_view(tables[name], name, by.value, f, [
                "key", "accounts", "customers", "won_revenue", "won_deals",
                "misaligned_revenue"]))
        else:
            _print_grid(result, by, f)
        if export is not None:
            paths = export_tables(tables, export, targets=targets)
            console.print(f"Wrote {literal(', '.join(str(p) for p in paths))}",
                          highlight=False)


def register(app: typer.Typer) -> None:
    app.command("map")(map_command)
