"""``measure_capacity``: capacity's result tables, for every front end.

- ``segments`` (``capacity_summary``): per segment, accounts, customers, ARR, share of ARR,
  human-touch minutes in the window and their share (does CS time follow revenue?);
- ``rows`` (``capacity_segments``): per (segment, role), the bottom-up, top-down and
  by-standard headcounts beside the people in place (columns: :data:`SEGMENT_COLUMNS`);
- ``reality`` (``capacity_reality``): per (segment, role), planned hours per customer a
  year beside the measured ones (the window's human-touch hours on customers ÷ customers,
  scaled to 12 months);
- ``tradeoffs``: a sentence per row where bottom-up and top-down differ by more than
  ``capacity.tolerance`` (relative to top-down).

``gap`` = needed_bottom_up − in_place (positive: people short). Per-account work is Ibis;
only the (segment, role) aggregates, a few dozen rows, are combined in Python.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

import ibis.expr.types as ir

from covermap.capacity.checks import (
    JourneyFinding,
    capacity_problems,
    capacity_roles,
    engagement_hours,
    journey_findings,
)
from covermap.capacity.queries import (
    human_time,
    in_place,
    minutes_per_touch,
    standard_rows,
    standard_touches,
)
from covermap.engine.segments import segment_accounts
from covermap.engine.window import Window, resolve_window
from covermap.errors import PlanInvalid
from covermap.plan.model import Plan
from covermap.store.arrow import to_pylist

SEGMENT_COLUMNS = ("segment", "role", "customers", "arr", "hours_per_customer",
                   "engagement_hours", "customers_per_person", "needed_bottom_up",
                   "needed_top_down", "needed_by_standard", "in_place", "gap")
SUMMARY_COLUMNS = ("segment", "accounts", "customers", "arr", "arr_share", "touch_minutes",
                   "time_share")
REALITY_COLUMNS = ("segment", "role", "customers", "planned_hours_per_customer",
                   "measured_hours_per_customer", "delivered_share")


@dataclass(frozen=True)
class CapacityResult:
    """Everything ``covermap capacity`` shows (small tables, as Python rows)."""

    plan: Plan
    window: Window
    summary: list[dict]
    rows: list[dict]
    reality: list[dict]
    tradeoffs: list[str]
    findings: list[JourneyFinding]
    #: role -> active people of the role with no accounts on ``as_of``
    idle: dict[str, float]
    #: role -> active people of the role (each counted once, whatever their accounts)
    people: dict[str, float]


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x + 0.0, digits)


def _rows(t: ir.Table) -> list[dict]:
    return to_pylist(t)


def _segment_order(plan: Plan, seen: list[str | None]) -> list[str]:
    if plan.segments:
        return [s.id for s in plan.segments]
    return sorted(s for s in seen if s is not None)


def measure_capacity(store, plan: Plan, *, as_of: dt.date | None = None,
                     window_months: int | None = None,
                     growth: dict[str, float] | None = None) -> CapacityResult:
    """Measure capacity on ``store`` (module doc); plan errors are raised together as a
    ``PlanInvalid`` naming file, line and key. ``growth``: segment -> factor on its
    customers (rounded), ARR and standard demand (a scenario's ``customers``)."""
    from covermap.engine.plan_checks import plan_problems

    problems = plan_problems(store, plan)
    if problems:
        raise PlanInvalid(problems)
    window = resolve_window(store, plan, as_of, window_months)
    token = uuid.uuid4().hex[:10]

    def keep(expr: ir.Table, name: str) -> ir.Table:
        return store.ibis.create_table(f"_covermap_capacity_{name}_{token}", expr, temp=True)

    seg_acc = keep(segment_accounts(store, plan, window.as_of), "accounts")
    seen = [r["segment"] for r in _rows(seg_acc.select("segment").distinct())]
    problems = capacity_problems(plan, store.columns("accounts"),
                                 sorted(s for s in seen if s is not None))
    if problems:
        raise PlanInvalid(problems)
    touches = keep(human_time(store, plan, window), "touches")
    order = _segment_order(plan, seen)

    t = touches.join(seg_acc.select("account_id", "segment", "is_customer"), "account_id")
    g = seg_acc.group_by("segment").aggregate(
        accounts=seg_acc.count(), customers=seg_acc.is_customer.sum().cast("int64"),
        arr=seg_acc.arr.sum())
    tm = t.group_by("segment").aggregate(touch_minutes=t.minutes.sum())
    summary = {r["segment"]: r for r in _rows(g)}
    minutes = {r["segment"]: r["touch_minutes"] for r in _rows(tm)}
    total_arr = sum(r["arr"] or 0.0 for r in summary.values())
    total_min = sum(v or 0.0 for v in minutes.values())
    summary_rows = []
    for seg in [*order, *([None] if None in summary else [])]:
        r = summary.get(seg, {"accounts": 0, "customers": 0, "arr": 0.0})
        m = minutes.get(seg) or 0.0
        summary_rows.append({
            "segment": seg, "accounts": int(r["accounts"]), "customers": int(r["customers"]),
            "arr": _r(r["arr"] or 0.0, 2),
            "arr_share": _r((r["arr"] or 0.0) / total_arr) if total_arr else None,
            "touch_minutes": _r(m, 2), "time_share": _r(m / total_min) if total_min else None})

    roles = capacity_roles(plan)
    std_roles = {r["role"] for r in _rows(standard_rows(plan).select("role").distinct())}
    roles += [r.id for r in plan.roles if r.id in std_roles and r.id not in roles]
    places = _rows(in_place(store, plan, seg_acc, window.as_of, roles))
    place = {(r["segment"], r["role"]): r["in_place"] for r in places if not r["idle"]}
    idle = {r["role"]: r["in_place"] for r in places if r["idle"]}
    people = {role: _r(sum(r["in_place"] for r in places if r["role"] == role))
              for role in roles}
    demand = {(r["segment"], r["role"]): r["touches"]
              for r in _rows(standard_touches(store, plan, seg_acc, window.as_of))}
    mpt = minutes_per_touch(plan, touches, roles)
    cust = t.filter(t.is_customer)
    measured = {(r["segment"], r["role"]): r["m"] for r in _rows(
        cust.group_by(["segment", "role"]).aggregate(m=cust.minutes.sum()))}

    rows, reality, tradeoffs = [], [], []
    bench = plan.capacity.benchmark
    for seg in order:
        s = next(r for r in summary_rows if r["segment"] == seg)
        tps = plan.capacity.journeys.get(seg, ())
        for role in roles:
            mine = [tp for tp in tps if tp.role == role]
            if not (mine or (seg, role) in place or (seg, role) in demand
                    or role in bench.arr_per_person or role in bench.customers_per_person):
                continue
            eh = engagement_hours(plan, role) or None
            hpc = sum(tp.hours_per_year for tp in mine)
            f = (growth or {}).get(seg, 1.0)
            customers, arr = round(s["customers"] * f), _r(s["arr"] * f, 2)
            bu = customers * hpc / eh if eh else None
            if role in bench.arr_per_person:
                td = arr / bench.arr_per_person[role]
            elif role in bench.customers_per_person:
                td = customers / bench.customers_per_person[role]
            else:
                td = None
            std = demand.get((seg, role), 0.0) * f * mpt[role] / 60 / eh if eh else None
            have = place.get((seg, role), 0.0)
            rows.append({
                "segment": seg, "role": role, "customers": customers, "arr": arr,
                "hours_per_customer": _r(hpc), "engagement_hours": _r(eh),
                "customers_per_person": _r(eh / hpc) if eh and hpc else None,
                "needed_bottom_up": _r(bu), "needed_top_down": _r(td),
                "needed_by_standard": _r(std), "in_place": _r(have),
                "gap": _r(bu - have) if bu is not None else None})
            if mine and customers:
                m = (measured.get((seg, role)) or 0.0) / 60 / customers * 12 / window.months
                reality.append({"segment": seg, "role": role, "customers": customers,
                                "planned_hours_per_customer": _r(hpc),
                                "measured_hours_per_customer": _r(m),
                                "delivered_share": _r(m / hpc) if hpc else None})
            if bu is not None and td is not None and abs(bu - td) > plan.capacity.tolerance * td:
                tradeoffs.append(tradeoff(seg, role, customers, arr, hpc, eh, bu, td, mine))
    return CapacityResult(plan=plan, window=window, summary=summary_rows, rows=rows,
                          reality=reality, tradeoffs=tradeoffs,
                          findings=journey_findings(plan), idle=idle, people=people)


def _n(x: float) -> str:
    return f"{x:,.1f}"


def tradeoff(seg: str, role: str, customers: int, arr: float, hpc: float, eh: float,
             bu: float, td: float, tps) -> str:
    """The trade-off in words: what the top-down headcount affords, which touchpoints
    (largest first) would go to get there, or the ARR per person the journey implies."""
    head = (f"{seg} / {role}: the journey needs {_n(bu)} people "
            f"({math.ceil(bu - 1e-9)} rounded up), the benchmark {_n(td)}")
    if bu > td and customers:
        afford = td * eh / customers
        cut, left = [], hpc
        for tp in sorted(tps, key=lambda tp: (-tp.hours_per_year, tp.name)):
            if left <= afford + 1e-9:
                break
            cut.append(f"{tp.name} ({_n(tp.hours_per_year)} h)")
            left -= tp.hours_per_year
        text = (f"; at {_n(td)} people each customer gets {_n(afford)} hours a year instead "
                f"of {_n(hpc)}: pare {', '.join(cut)}")
        if bu:
            text += f"; or accept {arr / bu:,.0f} ARR per person"
        return head + text
    return head + (f"; the journey leaves {_n(td - bu)} people of the benchmark spare"
                   + (f" ({arr / bu:,.0f} ARR per person)" if bu else ""))
