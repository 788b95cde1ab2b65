"""Capacity's queries over the store (Ibis), one row per account or per touch, aggregated to
(segment, role) before anything reaches Python.

- :func:`human_time`: the window's human touches with their minutes (the activity's
  duration, else the plan's minutes of its kind) and the user's role;
- :func:`in_place`: per (segment, role), each active user of the role counted as their share
  of accounts in the segment on the team in force on ``as_of``;
- :func:`standard_touches`: per (segment, role), the touches a year the standard entries of
  the accounts' current states require.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from covermap.engine.states import states_at
from covermap.engine.touches import is_touch, local_range
from covermap.engine.window import Window, date_flag, local_date
from covermap.plan.model import Plan
from covermap.store.arrow import memtable, to_pylist
from covermap.team.queries import team_on

PERIODS = {"week": 52, "month": 12, "quarter": 4}


def human_time(store, plan: Plan, window: Window) -> ir.Table:
    """``account_id, user_id, role, kind, duration, minutes`` of the window's human touches
    (``duration``: the activity's own, empty when it has none)."""
    a = store.table("activities")
    a = a.filter(*local_range(a, "occurred_at", plan.timezone, window.start, window.end))
    a = a.filter(is_touch(plan, a, ("human",)))
    human = {k: v for k, v in plan.activity_kinds.items() if v.channel == "human"}
    default = ibis.cases(*((a.kind == k, float(v.minutes)) for k, v in human.items()),
                         else_=0.0) if human else ibis.literal(0.0)
    u = store.table("users")
    roles = u.filter(u.user_id.notnull()).group_by("user_id").aggregate(role=u.role.min())
    j = a.left_join(roles, a.user_id == roles.user_id)
    return j.select(account_id=j.account_id, user_id=j.user_id, role=j.role, kind=j.kind,
                    day=local_date(j.occurred_at, plan.timezone, date_flag(j, "occurred_at")),
                    duration=j.duration_minutes.cast("float64"),
                    minutes=j.duration_minutes.cast("float64").fill_null(default))


def active_users(store, roles: list[str]) -> ir.Table:
    """``user_id, role, region, hours_per_week`` of active users (``active`` not false)."""
    u = store.table("users")
    u = u.filter(u.user_id.notnull(), u.role.isin(roles), u.active.fill_null(True))
    return u.group_by("user_id").aggregate(role=u.role.min(), region=u.region.min(),
                                           hours_per_week=u.hours_per_week.max())


def in_place(store, plan: Plan, seg_acc: ir.Table, as_of: dt.date,
             roles: list[str]) -> ir.Table:
    """``segment, role, in_place, users, idle``: shares of users with accounts on
    ``as_of``; users of the role with no account come as a row with an empty segment and
    ``idle`` true (accounts in no segment: an empty segment, ``idle`` false)."""
    users = active_users(store, roles).select("user_id", "role")
    team = team_on(store, as_of).select("account_id", "user_id").distinct()
    team = team.join(seg_acc.select("account_id", "segment"), "account_id")
    per_user = team.group_by("user_id").aggregate(n=team.account_id.count())
    j = team.join(per_user, "user_id").join(users, "user_id")
    share = j.group_by(["segment", "role"]).aggregate(
        in_place=(1.0 / j.n.cast("float64")).sum(), users=j.user_id.nunique())
    idle = users.anti_join(per_user, "user_id")
    idle = idle.group_by("role").aggregate(in_place=idle.count().cast("float64"),
                                           users=idle.count())
    idle = idle.select(segment=ibis.null("string"), role=idle.role, in_place=idle.in_place,
                       users=idle.users, idle=ibis.literal(True))
    return ibis.union(share.select("segment", "role", "in_place", "users",
                                   idle=ibis.literal(False)), idle)


def standard_rows(plan: Plan) -> ir.Table:
    """``state, role, per_year``: each state's standard entries as touches a year per
    account and role (split equally between the roles an entry names; none: the owners)."""
    rows: list[tuple[str, str, float]] = []
    for s in plan.states:
        for e in s.standard:
            names = e.by or s.owners
            for role in names:
                rows.append((s.id, role, e.min * PERIODS[e.per] / len(names)))
    return memtable({"state": [r[0] for r in rows], "role": [r[1] for r in rows],
                          "per_year": [r[2] for r in rows]},
                         schema={"state": "string", "role": "string", "per_year": "float64"})


def standard_touches(store, plan: Plan, seg_acc: ir.Table, as_of: dt.date) -> ir.Table:
    """``segment, role, touches``: touches a year the accounts' current standards need."""
    cur = states_at(store, plan, [as_of]).select("account_id", "state")
    j = seg_acc.select("account_id", "segment").join(cur, "account_id")
    j = j.join(standard_rows(plan), "state")
    return j.group_by(["segment", "role"]).aggregate(touches=j.per_year.sum())


def minutes_per_touch(plan: Plan, touches: ir.Table, roles: list[str]) -> dict[str, float]:
    """Per role: the median duration of its human touches in the window, else the plan's
    minutes of its most frequent human kind (ties: plan order), else of the plan's first
    human kind."""
    t = touches.filter(touches.role.isin(roles))
    med = t.group_by("role").aggregate(m=t.duration.median())
    kinds = t.group_by(["role", "kind"]).aggregate(n=t.count())
    medians = {r["role"]: r["m"] for r in to_pylist(med) if r["m"] is not None}
    order = list(plan.activity_kinds)
    top: dict[str, tuple] = {}
    for r in to_pylist(kinds):
        rank = (-r["n"], order.index(r["kind"]) if r["kind"] in order else len(order))
        if r["role"] not in top or rank < top[r["role"]][0]:
            top[r["role"]] = (rank, r["kind"])
    human = plan.kinds_of("human")
    first = next((k for k in plan.activity_kinds if k in human), None)
    out = {}
    for role in roles:
        if role in medians:
            out[role] = float(medians[role])
        else:
            kind = top[role][1] if role in top else first
            out[role] = float(plan.activity_kinds[kind].minutes) if kind else 0.0
    return out
