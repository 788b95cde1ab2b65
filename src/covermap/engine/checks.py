"""Checks: one per (account, standard entry of its state in that bucket, bucket in the window).

The plan's standard entries become a tiny table; entries with the same channel,
roles and period share a *counter*. Touches are counted once per (account,
counter, bucket) — a touch counts for a counter when its channel class matches
and, if the counter names roles, its user's role is one of them (a touch with no
user or no role never counts for an entry with ``by``) — and every check is a
join of the per-bucket states with the entries and those counts. A check passes
when ``count >= min``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine import buckets as bk
from covermap.engine.states import states_at
from covermap.engine.touches import touches
from covermap.engine.window import Window
from covermap.plan.model import Plan

#: ``keep(expr, name)`` returns a table to reuse: a temp table, or ``expr`` itself.
Keep = Callable[[ir.Table, str], ir.Table]
ANYONE = "anyone"


def by_text(by: tuple[str, ...]) -> str | None:
    """The ``by`` roles as written in results: joined with ``|``, empty when none."""
    return "|".join(by) if by else None


def counters(plan: Plan) -> dict[tuple[str, tuple[str, ...], str], int]:
    """(channel, sorted distinct roles, per) -> counter id, for every standard entry."""
    out: dict[tuple[str, tuple[str, ...], str], int] = {}
    for state in plan.states:
        for e in state.standard:
            out.setdefault((e.channel, tuple(sorted(set(e.by))), e.per), len(out))
    return out


def entry_table(plan: Plan) -> ir.Table:
    """``state, entry, channel, per, by, min, counter``: every standard entry (entry is 1-based)."""
    ids = counters(plan)
    rows = [(s.id, i + 1, e.channel, e.per, by_text(e.by), e.min,
             ids[(e.channel, tuple(sorted(set(e.by))), e.per)])
            for s in plan.states for i, e in enumerate(s.standard)]
    names = ["state", "entry", "channel", "per", "by", "min", "counter"]
    return bk.small_table({n: [r[i] for r in rows] for i, n in enumerate(names)},
                          {"state": "string", "entry": "int64", "channel": "string",
                           "per": "string", "by": "string", "min": "int64", "counter": "int64"})


def entry_roles(plan: Plan) -> ir.Table:
    """``state, entry, role``: each role an entry names, or ``anyone`` when it names none."""
    rows = [(s.id, i + 1, r) for s in plan.states for i, e in enumerate(s.standard)
            for r in (dict.fromkeys(e.by) or [ANYONE])]
    return bk.small_table({"state": [r[0] for r in rows], "entry": [r[1] for r in rows],
                           "role": [r[2] for r in rows]},
                          {"state": "string", "entry": "int64", "role": "string"})


def plan_pers(plan: Plan) -> list[str]:
    used = {e.per for s in plan.states for e in s.standard}
    return [p for p in bk.PERS if p in used]


def touch_counts(plan: Plan, t: ir.Table, window: Window) -> ir.Table:
    """``account_id, counter, bucket_start, n, n_window``: touches per counter and bucket
    (``n_window``: those dated inside the window)."""
    rows = [(cid, ch, per, role) for (ch, roles, per), cid in counters(plan).items()
            for role in (roles or (None,))]
    cr = bk.small_table({"counter": [r[0] for r in rows], "c_channel": [r[1] for r in rows],
                         "per": [r[2] for r in rows], "c_role": [r[3] for r in rows]},
                        {"counter": "int64", "c_channel": "string", "per": "string",
                         "c_role": "string"})
    anyone, named = cr.filter(cr.c_role.isnull()), cr.filter(cr.c_role.notnull())
    cols = ["account_id", "day", "counter", "per"]
    u = t.join(anyone, t.channel == anyone.c_channel).select(*cols).union(
        t.join(named, (t.channel == named.c_channel) & (t.role == named.c_role)).select(*cols),
        distinct=False)
    start = ibis.cases(*[(u.per == p, bk.bucket_start_of(u.day, p)) for p in bk.PERS])
    inside = u.day.between(ibis.date(window.start), ibis.date(window.end))
    u = u.mutate(bucket_start=start, inside=inside.ifelse(1, 0))
    return u.group_by(["account_id", "counter", "bucket_start"]).aggregate(
        n=u.count(), n_window=u.inside.sum())


@dataclass(frozen=True)
class CheckTables:
    """The reusable intermediates of one measurement window."""

    window: Window
    touches_from: dt.date
    buckets: list[bk.Bucket]
    states: ir.Table      # account_id, eval_date, state, evaluated
    touches: ir.Table     # see touches.touches
    counts: ir.Table      # see touch_counts
    checks: ir.Table      # see measure_checks


def touch_start(plan: Plan, window: Window) -> dt.date:
    """First day whose touches any result needs: the window, and the worklist's buckets."""
    starts = [window.start]
    for per in plan_pers(plan):
        starts += [bk.last_complete(per, window.as_of).start, bk.current(per, window.as_of).start]
    return min(starts)


def state_dates(plan: Plan, window: Window) -> list[dt.date]:
    """Each bucket's evaluation date (plan periods and every window month) and ``as_of``."""
    bs = [b for per in {*plan_pers(plan), "month"} for b in bk.buckets_in(window, per)]
    return sorted({b.eval_date for b in bs} | {window.as_of})


def measure_checks(store, plan: Plan, window: Window, keep: Keep) -> CheckTables:
    """States, touches, counts and checks of ``window`` (``keep`` decides what is stored)."""
    states = keep(states_at(store, plan, state_dates(plan, window)), "states")
    start = touch_start(plan, window)
    t = keep(touches(store, plan, start, window.as_of), "touches")
    counts = keep(touch_counts(plan, t, window), "counts")
    buckets = [b for per in plan_pers(plan) for b in bk.buckets_in(window, per)]
    bt = bk.bucket_table(buckets)
    s = states.filter(states.evaluated)
    sb = s.join(bt, s.eval_date == bt.eval_date)
    e = entry_table(plan)
    c = sb.join(e, (sb.state == e.state) & (sb.per == e.per))
    c = c.left_join(counts, (c.account_id == counts.account_id) & (c.counter == counts.counter)
                    & (c.bucket_start == counts.bucket_start))
    count = c.n.fill_null(0)
    checks = c.select(
        account_id=c.account_id, bucket_start=c.bucket_start, bucket_end=c.bucket_end,
        per=c.per, state=c.state, channel=c.channel, by=c.by, min=c.min, count=count,
        passed=count >= c.min, entry=c.entry,
    )
    return CheckTables(window, start, buckets, states, t, counts, keep(checks, "checks"))
