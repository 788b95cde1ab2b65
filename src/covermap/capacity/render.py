"""Terminal views of capacity (``covermap capacity``) and the export tables."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.table import Table

from covermap.capacity.readings import people
from covermap.capacity.tables import (
    REALITY_COLUMNS,
    SEGMENT_COLUMNS,
    SUMMARY_COLUMNS,
    CapacityResult,
)
from covermap.render.terminal import literal

NO_SEGMENT = "(no segment)"
_TYPES = {"segment": "string", "role": "string", "customers": "int64", "accounts": "int64",
          "scenario": "string"}


def _num(v: object, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.{digits}f}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def segments_view(rows: Sequence[dict]) -> Table:
    """Per segment: accounts, customers, ARR and its share, human-touch time and its share."""
    t = Table(title="Segments: does CS time follow revenue?", title_justify="left")
    for h in ("Segment", "Accounts", "Customers", "ARR", "ARR share", "Touch minutes",
              "Time share"):
        t.add_column(h, justify="left" if h == "Segment" else "right")
    for r in rows:
        t.add_row(literal(r["segment"] if r["segment"] is not None else NO_SEGMENT),
                  _num(r["accounts"]), _num(r["customers"]), _num(r["arr"], 0),
                  _pct(r["arr_share"]), _num(r["touch_minutes"], 0), _pct(r["time_share"]))
    return t


def _up(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f} ({math.ceil(v - 1e-9)})"


def capacity_view(rows: Sequence[dict]) -> Table:
    """Per segment and role: hours per customer, customers per person, people needed
    (bottom-up, rounded up in brackets; top-down; by standard), in place and the gap."""
    t = Table(title="People needed per segment and role", title_justify="left")
    for h in ("Segment", "Role", "Customers", "ARR", "Hours/customer", "Customers/person",
              "Bottom-up", "Top-down", "By standard", "In place", "Gap"):
        t.add_column(h, justify="left" if h in ("Segment", "Role") else "right")
    for r in rows:
        t.add_row(literal(r["segment"]), literal(r["role"]), _num(r["customers"]),
                  _num(r["arr"], 0), _num(r["hours_per_customer"]),
                  _num(r["customers_per_person"], 1), _up(r["needed_bottom_up"]),
                  _up(r["needed_top_down"]), _up(r["needed_by_standard"]),
                  _num(r["in_place"]), _num(r["gap"]))
    return t


def reality_view(rows: Sequence[dict]) -> Table | None:
    """Planned against measured hours per customer a year (None: no journey rows)."""
    if not rows:
        return None
    t = Table(title="Is the journey delivered? (hours per customer a year)",
              title_justify="left")
    for h in ("Segment", "Role", "Customers", "Planned", "Measured", "Delivered"):
        t.add_column(h, justify="left" if h in ("Segment", "Role") else "right")
    for r in rows:
        t.add_row(literal(r["segment"]), literal(r["role"]), _num(r["customers"]),
                  _num(r["planned_hours_per_customer"]),
                  _num(r["measured_hours_per_customer"]), _pct(r["delivered_share"]))
    return t


def _bar(v: float, most: float, width: int = 32) -> str:
    n = v / most * width if most else 0.0
    return "█" * int(n) + ("▌" if n - int(n) >= 0.5 else "") or ("▏" if v > 0 else "")


def scenario_chart(totals: Sequence[dict], reading: str, width: int = 80) -> Table:
    """Bars of the people needed bottom-up beside the people in place, per scenario and
    role (``covermap.capacity.readings.scenario_totals``), with the chart's reading; the
    bars fit a terminal ``width`` wide."""
    t = Table(title="Scenarios: people needed bottom-up vs in place", title_justify="left",
              box=None, show_header=False, padding=(0, 1), caption=literal(reading),
              caption_justify="left")
    for _ in range(4):
        t.add_column()
    t.columns[3].justify = "right"
    most = max((max(x["needed"], x["in_place"]) for x in totals), default=0.0)
    label = min(30, max((len(f"{x['scenario']} · {x['role']}") for x in totals), default=0))
    number = max((len(people(max(x["needed"], x["in_place"]))) for x in totals), default=4)
    bar = max(8, min(32, width - label - number - 16))
    t.columns[0].max_width = 30
    for x in totals:
        t.add_row(f"[bold]{literal(x['scenario'])}[/bold] · {literal(x['role'])}",
                  "needed", f"[cyan]{_bar(x['needed'], most, bar)}[/cyan]",
                  people(x["needed"]))
        t.add_row("", "in place", f"[green]{_bar(x['in_place'], most, bar)}[/green]",
                  people(x["in_place"]))
    return t


def _memtable(rows: Sequence[dict], columns: Sequence[str]):
    from covermap.store.arrow import memtable

    schema = {c: _TYPES.get(c, "float64") for c in columns}
    return memtable({c: [r[c] for r in rows] for c in columns}, schema=schema)


def capacity_tables(result: CapacityResult, scenarios: Sequence[dict] = ()) -> dict:
    """Export name -> table: capacity_segments (the issue's columns), capacity_summary,
    capacity_reality and, with scenarios, capacity_scenarios."""
    out = {"capacity_segments": _memtable(result.rows, SEGMENT_COLUMNS),
           "capacity_summary": _memtable(result.summary, SUMMARY_COLUMNS),
           "capacity_reality": _memtable(result.reality, REALITY_COLUMNS)}
    if scenarios:
        out["capacity_scenarios"] = _memtable(scenarios, ("scenario", *SEGMENT_COLUMNS))
    return out
