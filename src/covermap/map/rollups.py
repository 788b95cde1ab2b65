"""The coverage map rolled up per customer group and per territory (``map --by group`` and
``--by territory``; keys, customers, ARR and the state mix: ``covermap.engine.rollups``).

Columns: ``key, name, parent, accounts, customers, arr``, then over the map's window, in
the plan's currency: ``won_revenue`` (every won line with an exchange rate, placed in a cell
or not), ``won_deals``, ``deals`` (open at some time in the window), ``misaligned_revenue``
(won revenue of placed lines sold through another channel than the cell's intended one, as
in the map's cells), then ``state_mix`` (the accounts' states on ``as_of``).
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir

from covermap.engine import rollups
from covermap.engine.states import states_at
from covermap.engine.window import Window
from covermap.map.measure import _coverage_map, _deal_cells, exact_sum
from covermap.map.place import placed_lines
from covermap.plan.model import Plan

MEASURES = ("won_revenue", "won_deals", "deals", "misaligned_revenue")
COLUMNS = (*rollups.KEY_COLUMNS, *MEASURES, "state_mix")


def rollup(store, plan: Plan, window: Window, by: str) -> ir.Table:
    """The roll-up table ``by`` group or territory (module doc), ordered by key."""
    cm = _coverage_map(plan)
    lines = placed_lines(store, plan, cm, window)
    won = lines.filter(lines.won_in)
    per_won = won.group_by("account_id").aggregate(
        won_revenue=exact_sum(won.revenue), won_deals=won.deal_id.nunique())
    opened = lines.filter(lines.open_in)
    opened = opened.group_by("account_id").aggregate(deals=opened.deal_id.nunique())
    dc = _deal_cells(cm, lines)
    mis = dc.filter(dc.won_in & dc.channel.notnull() & (dc.channel != dc.intended))
    per_mis = mis.group_by("account_id").aggregate(misaligned_revenue=exact_sum(mis.revenue))
    acc = _states(store, plan, window.as_of)
    for t in (per_won, opened, per_mis):
        acc = acc.left_join(t, "account_id").drop("account_id_right")

    def count(column: str):
        return lambda j: j[column].fill_null(0).sum().cast("int64")

    def money(column: str):  # exact sums, shown in cents as the map's cells are
        return lambda j: j[column].fill_null(0).sum().cast("float64").round(2)

    return rollups.rollup(acc, store, plan, window.as_of, by, {
        "won_revenue": money("won_revenue"), "won_deals": count("won_deals"),
        "deals": count("deals"), "misaligned_revenue": money("misaligned_revenue")})


def _states(store, plan: Plan, as_of: dt.date) -> ir.Table:
    s = states_at(store, plan, [as_of])
    return s.select("account_id", "state")
