"""`covermap map`: the customer coverage map as a 3x3 grid, its unplaced lines and priorities."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from covermap.cli.options import PlanOption, StoreOption, console, resolve_plan
from covermap.plan.model import COMPLEXITIES, VALUE_TIERS
from covermap.store.connect import DEFAULT_STORE, open_store

#: rows shown for a drill-down in the terminal (--export writes them all)
DRILL_ROWS = 50


class By(str, enum.Enum):
    revenue = "revenue"
    accounts = "accounts"
    deals = "deals"
    misaligned = "misaligned"


def _money(x: Any, currency: str) -> str:
    return "—" if x is None else f"{currency} {x:,.0f}"


def _pct(x: Any) -> str:
    return "—" if x is None else f"{x:.0%}"


def _cell_text(c: dict[str, Any], by: By, currency: str) -> str:
    if by is By.revenue:
        head = f"[bold]{_money(c['revenue'], currency)}[/bold] ({_pct(c['revenue_share'])})"
    elif by is By.accounts:
        head = f"[bold]{c['accounts']:,}[/bold] account{'s' if c['accounts'] != 1 else ''}"
    elif by is By.deals:
        plural = "s" if c["deals"] != 1 else ""
        head = (f"[bold]{c['deals']:,}[/bold] deal{plural}\nwon {c['won_deals']:,} of "
                f"{c['closed_deals']:,} closed ({_pct(c['win_rate'])})")
    else:
        share = c["misaligned_revenue"] / c["revenue"] if c["revenue"] else None
        head = f"[bold]{_money(c['misaligned_revenue'], currency)}[/bold] ({_pct(share)})"
    rank = f"  #{c['priority_rank']}" if c["priority_rank"] is not None else ""
    return f"{head}\n[dim]→[/dim] {c['intended_channel']}{rank}"


def _print_grid(result, by: By) -> None:
    cells = {(c["complexity"], c["value"]): c for c in result.cells.to_pyarrow().to_pylist()}
    w = result.window
    title = {By.revenue: "won revenue (share)", By.accounts: "accounts with won revenue",
             By.deals: "deals open in the window", By.misaligned: "misaligned revenue (share)"}
    grid = Table(title=f"Coverage map — {title[by]}, {w.start} – {w.end} (as of {w.as_of})",
                 caption="→ the channel the plan intends; #n the cell's priority rank",
                 show_lines=True)
    grid.add_column("value", style="bold")
    for cx in COMPLEXITIES:
        grid.add_column(cx, justify="left")
    for tier in reversed(VALUE_TIERS):
        grid.add_row(tier, *(_cell_text(cells[(cx, tier)], by, result.currency)
                             for cx in COMPLEXITIES))
    console.print(grid)
    unplaced = result.unplaced.to_pyarrow().to_pylist()
    if unplaced:
        table = Table(title="Unplaced won lines (and deals in the window) by reason")
        for col in ("reason", "lines", "revenue", "deals"):
            table.add_column(col, justify="left" if col == "reason" else "right")
        for r in unplaced:
            table.add_row(r["reason"], f"{r['lines']:,}", _money(r["revenue"], result.currency),
                          f"{r['deals']:,}")
        console.print(table)
    else:
        console.print("Unplaced: none — every won line fits a cell.")
    if result.priorities:
        console.print("[bold]Priorities[/bold]")
        for p in result.priorities[:3]:
            console.print(f"{p.rank}. {p.explanation}", highlight=False, soft_wrap=True)


def _print_drill(window, table, cell: str, currency: str) -> None:
    rows = table.limit(DRILL_ROWS + 1).to_pyarrow().to_pylist()
    out = Table(title=f"Won deals in {cell}, {window.start} – {window.end}")
    for col in ("account", "deal", "product(s)", "revenue", "channel", "intended", "close date"):
        out.add_column(col, justify="right" if col == "revenue" else "left")
    for r in rows[:DRILL_ROWS]:
        out.add_row(r["account"] or r["account_id"], r["deal"] or r["deal_id"], r["products"],
                    _money(r["revenue"], currency), r["channel"] or "—",
                    r["intended_channel"], str(r["close_date"]))
    console.print(out)
    if len(rows) > DRILL_ROWS:
        console.print(f"Showing the first {DRILL_ROWS}; pass --export DIR for every row.")


def map_command(
    by: Annotated[By, typer.Option("--by", help="What each cell shows.")] = By.revenue,
    as_of: Annotated[dt.datetime | None, typer.Option(
        "--as-of", formats=["%Y-%m-%d"],
        help="Measure as of this date. Default: the plan's as_of, else the latest activity.",
        show_default=False)] = None,
    window_months: Annotated[int | None, typer.Option(
        "--window-months", min=1, max=120,
        help="Complete calendar months in the window. Default: the plan's window_months.",
        show_default=False)] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write map_cells.csv, map_channels.csv and map_unplaced.csv here "
                         "(with --cell: map_cell_COMPLEXITY_VALUE.csv).",
        show_default=False)] = None,
    cell: Annotated[str | None, typer.Option(
        "--cell", help="Drill down into one cell, e.g. customised/high: its won deals.",
        show_default=False)] = None,
    store: StoreOption = DEFAULT_STORE,
    plan_path: PlanOption = None,
) -> None:
    """The customer coverage map: which customers buy which products through which channel.

    Every won revenue line (deals won with a close date in the window) falls into a
    cell of product complexity (simple / bundled / customised) x customer value
    (low / medium / high by the plan's thresholds; a value exactly on a threshold
    belongs to the higher tier). Rows are value high to low; each cell names the
    channel the plan intends for it and its priority rank. Lines that fit no cell
    are listed as unplaced with the reason. Amounts are in the plan's currency.

    Example: covermap map --store covermap.duckdb --by misaligned --export results
    """
    from covermap.engine.map import build_map, cell_deals, map_tables, parse_cell
    from covermap.reports.export import export_tables

    plan = resolve_plan(plan_path)
    day = as_of.date() if as_of else None
    with open_store(store, read_only=True) as s:
        if cell is not None:
            complexity, value = parse_cell(cell)
            window, table = cell_deals(s, plan, (complexity, value), as_of=day,
                                       window_months=window_months)
            currency = plan.coverage_map.currency if plan.coverage_map else ""
            _print_drill(window, table, f"{complexity}/{value}", currency)
            if export is not None:
                paths = export_tables({f"map_cell_{complexity}_{value}": table}, export)
                console.print(f"Wrote {', '.join(str(p) for p in paths)}")
            return
        result = build_map(s, plan, as_of=day, window_months=window_months)
        _print_grid(result, by)
        if export is not None:
            paths = export_tables(map_tables(result), export)
            console.print(f"Wrote {', '.join(str(p) for p in paths)}")


def register(app: typer.Typer) -> None:
    app.command("map")(map_command)
