"""The report's summary KPIs, each read from one analysis's result tables.

Every value is an aggregate of an engine result (an Ibis query over the small result tables,
or the capacity rows the engine returned); the template only prints the texts.

- compliance, breadth: the coverage summary's ``all`` row;
- accounts below standard: distinct accounts on the worklist;
- misaligned revenue: the map cells' revenue through another channel than the intended one,
  over the cells' won revenue;
- team gaps: accounts with a gap (the team summary's ``all`` row), and the gap findings;
- headcount gap: the capacity rows' gaps (bottom-up need − in place), summed;
- key-player reach: accounts reached over accounts with the player, summed over personas
  (the value summary's ``all`` rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from covermap.render import Formats, Kind, format_value, is_empty
from covermap.store.arrow import scalar, to_pylist


@dataclass(frozen=True)
class Kpi:
    """One summary figure: ``key`` names it, ``value`` is the number (None: not measured),
    ``text`` the number as written, ``detail`` what it is made of."""

    key: str
    label: str
    value: Any
    text: str
    detail: str = ""


def _row(table, **where: str) -> dict | None:
    t = table
    for column, value in where.items():
        t = t.filter(t[column] == value)
    rows = to_pylist(t.limit(1))
    return rows[0] if rows else None


def _scalar(expr) -> Any:
    value = scalar(expr)
    return None if is_empty(value) else value


def coverage_kpis(result, f: Formats) -> list[Kpi]:
    """Compliance, breadth and accounts below standard."""
    total = _row(result.summary, group="all") or {}
    checks, passed = total.get("checks") or 0, total.get("passed") or 0
    accounts, touched = total.get("accounts") or 0, total.get("touched") or 0
    w = result.worklist
    below = int(_scalar(w.account_id.nunique()) or 0)
    items = int(_scalar(w.count()) or 0)

    def n(v: Any) -> str:
        return format_value(v, Kind.count, f)

    return [
        Kpi("compliance", "compliance (passed checks / checks)", total.get("compliance"),
            format_value(total.get("compliance"), Kind.percent, f, empty="no checks"),
            f"{n(passed)} of {n(checks)} checks passed"),
        Kpi("breadth", "breadth (accounts touched in the window)", total.get("breadth"),
            format_value(total.get("breadth"), Kind.percent, f, empty="no accounts"),
            f"{n(touched)} of {n(accounts)} accounts"),
        Kpi("below_standard", "accounts below standard now", below, n(below),
            f"{n(items)} worklist item{'' if items == 1 else 's'}"),
    ]


def map_kpi(result, f: Formats) -> Kpi:
    """Won revenue sold through a channel other than the cell's intended one."""
    c = result.cells
    mis = float(_scalar(c.misaligned_revenue.sum()) or 0)
    revenue = float(_scalar(c.revenue.sum()) or 0)
    share = format_value(mis / revenue, Kind.percent, f) if revenue else "no won revenue"
    return Kpi("misaligned_revenue", "won revenue through another channel", mis,
               format_value(mis, Kind.money, f),
               f"{share} of {format_value(revenue, Kind.money, f)} placed on the map"
               if revenue else "no won revenue placed on the map")


def team_kpi(result, f: Formats) -> Kpi:
    """Accounts with a gap (an R or A role of their stage with nobody on the team)."""
    total = _row(result.summary, group="all") or {}
    findings = result.findings
    gaps = int(_scalar(findings.filter(findings["kind"] == "gap").count()) or 0)
    with_gap = int(total.get("with_gap") or 0)
    return Kpi("team_gaps", "accounts with a team gap", with_gap,
               format_value(with_gap, Kind.count, f),
               f"{format_value(gaps, Kind.count, f)} missing role{'' if gaps == 1 else 's'} "
               f"of {format_value(total.get('accounts') or 0, Kind.count, f)} accounts")


def capacity_kpi(result, f: Formats) -> Kpi:
    """People needed bottom-up minus people in place, over every segment and role."""
    gaps = [r["gap"] for r in result.rows if not is_empty(r["gap"])]
    need = [r["needed_bottom_up"] for r in result.rows if not is_empty(r["needed_bottom_up"])]
    have = [r["in_place"] for r in result.rows if not is_empty(r["in_place"])]
    if not gaps or not any(r["hours_per_customer"] for r in result.rows):
        return Kpi("headcount_gap", "headcount gap (people needed − in place)", None,
                   "not planned", "the plan's capacity journeys give no hours per customer")
    gap = round(sum(gaps), 1) + 0.0
    text = ("+" if gap > 0 else "") + format_value(gap, Kind.number, f)
    return Kpi("headcount_gap", "headcount gap (people needed − in place)", gap, text,
               f"{format_value(sum(need), Kind.number, f)} needed bottom-up, "
               f"{format_value(sum(have), Kind.number, f)} in place")


def value_kpi(result, f: Formats) -> Kpi:
    """Accounts reached over accounts with the key player, summed over personas."""
    s = result.summary
    s = s.filter(s["group"] == "all")
    totals = to_pylist(s.aggregate(reached=s["accounts_reached"].sum(),
                         with_player=s["accounts_with_persona"].sum()))[0]
    reached, having = int(totals["reached"] or 0), int(totals["with_player"] or 0)
    share = reached / having if having else None
    return Kpi("key_player_reach", "key-player reach (all personas)", share,
               format_value(share, Kind.percent, f, empty="no key players"),
               f"{format_value(reached, Kind.count, f)} of "
               f"{format_value(having, Kind.count, f)} accounts with the player")


def report_kpis(inputs, f: Formats) -> list[Kpi]:
    """The summary KPIs of every analysis the report holds, in the report's order."""
    kpis = coverage_kpis(inputs.coverage, f)
    if inputs.coverage_map is not None:
        kpis.append(map_kpi(inputs.coverage_map, f))
    if inputs.team is not None:
        kpis.append(team_kpi(inputs.team, f))
    if inputs.capacity is not None:
        kpis.append(capacity_kpi(inputs.capacity, f))
    if inputs.value is not None:
        kpis.append(value_kpi(inputs.value, f))
    return kpis
