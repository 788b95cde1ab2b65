"""Effort outside the model (DESIGN.md): the human-touch minutes each role spends on
accounts at each stage over the window, with the role's letter there, so that time spent
where the RACI gives a role no R or A shows (``outside_model``).

A touch's stage is the stage of the account's state on the touch's day; its minutes are
the activity's ``duration_minutes``, else the plan's ``minutes`` of its kind (as the
coverage map's cost to serve). Touches by users without a role, or on days the account is
in no stage, are not counted.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.touches import is_touch, local_range
from covermap.engine.window import Window, date_flag, local_date
from covermap.plan.model import Plan
from covermap.team.model import RESPONSIBLE
from covermap.team.plan_tables import letter_table

EFFORT_COLUMNS = ("role", "stage", "letter", "outside_model", "accounts", "human_touches",
                  "minutes")


def human_touches(store, plan: Plan, window: Window) -> ir.Table:
    """``account_id, user_id, day, minutes``: the human touches with a user, from the
    window's first day to ``as_of`` (:func:`user_roles` says which users have a role)."""
    a = store.table("activities")
    a = a.filter(*local_range(a, "occurred_at", plan.timezone, window.start, window.as_of))
    a = a.filter(is_touch(plan, a, ("human",)), a.user_id.notnull())
    human = {k: v for k, v in plan.activity_kinds.items() if v.channel == "human"}
    default = ibis.cases(*((a.kind == k, float(v.minutes)) for k, v in human.items()),
                         else_=0.0) if human else ibis.literal(0.0)
    return a.select("account_id", "user_id",
                    day=local_date(a.occurred_at, plan.timezone, date_flag(a, "occurred_at")),
                    minutes=a.duration_minutes.cast("float64").fill_null(default))


def user_roles(store) -> ir.Table:
    """``user_id, role`` of the users with a role (``users.role``)."""
    u = store.table("users")
    roles = u.filter(u.user_id.notnull()).group_by("user_id").aggregate(role=u.role.min())
    return roles.filter(roles.role.notnull())


def touch_rollup(store, plan: Plan, window: Window, spans: ir.Table,
                 spanless: ir.Table | None = None) -> ir.Table:
    """The human touches (:func:`human_touches`) by users with a role, per account, state
    span and user, from one scan of the activities, shared by the silent members, the
    hand-offs' first touches and the effort table: ``account_id, span_start, stage, user_id, role``, ``in_window`` (the
    touches dated up to the window's last day), ``touches`` and ``minutes`` (those of them
    dated in the span) and ``first_day`` (the span's first touch, up to ``as_of``).

    A touch dated before an account's first span (before it was created) counts in
    ``in_window`` of that span's row only; ``spanless`` (``account_id``: accounts with no
    span at all) get one row per user with ``span_start`` and ``stage`` empty. Touches on
    accounts not in the store are left out."""
    t = human_touches(store, plan, window)
    lo = ibis.date(window.start)
    s = spans.select("account_id", "stage", "span_start", "span_end",
                     lo=spans.prev_state.isnull().ifelse(lo, spans.span_start))
    if spanless is not None:
        s = ibis.union(s, spanless.select(
            "account_id", stage=ibis.null("string"), span_start=ibis.null("date"),
            span_end=ibis.date(window.as_of), lo=lo), distinct=False)
    # an inner join, so that the spans (fewer rows than the touches) are the build side
    j = t.join(s, (t.account_id == s.account_id) & (t.day >= s.lo) & (t.day <= s.span_end))
    early = t.day <= ibis.date(window.end)
    spanned = s.span_start.notnull() & (t.day >= s.span_start)
    g = j.group_by([t.account_id, s.span_start, t.user_id]).aggregate(
        stage=s.stage.arbitrary(), in_window=early.cast("int64").sum(),
        touches=(early & spanned).cast("int64").sum(),
        minutes=t.minutes.sum(where=early & spanned), first_day=t.day.min(where=spanned))
    # users without a role make no counted touch; joined after grouping (fewer rows)
    return g.join(user_roles(store), "user_id")


def effort_table(touched: ir.Table, plan: Plan, acc: ir.Table) -> ir.Table:
    """``role, stage, letter, outside_model, accounts, human_touches, minutes`` (module doc),
    with ``_r`` and ``_s``, the role's and the stage's plan order (order by ``_r, role, _s,
    stage, letter``); ``touched`` is :func:`touch_rollup`."""
    t = touched.filter(touched.stage.notnull() & (touched.touches > 0))
    t = t.join(acc.select("account_id", "seg_key"), "account_id")
    # per (role, stage, segment key) first: an account has one segment key, so the
    # distinct accounts of the keys sharing a letter add up (a group per account, role and
    # stage was one per row: the rows are nearly distinct there already)
    per = t.group_by(["role", "stage", "seg_key"]).aggregate(
        accounts=t.account_id.nunique(), n=t.touches.sum(), minutes=t.minutes.sum())
    letters = letter_table(plan).select("seg_key", "stage", "role", "letter")
    j = per.left_join(letters, ["seg_key", "stage", "role"])
    g = j.group_by(["role", "stage", "letter"]).aggregate(
        accounts=j.accounts.sum(), human_touches=j.n.sum(), minutes=j.minutes.sum())
    stages = [s.id for s in plan.journey.stages]
    roles_order = [r.id for r in plan.roles]

    def rank(v: ir.StringValue, order: list[str]) -> ir.IntegerValue:
        return ibis.cases(*((v == k, i) for i, k in enumerate(order)), else_=len(order)) \
            if order else ibis.literal(0)

    out = g.select("role", "stage", "letter",
                   outside_model=~g.letter.isin(list(RESPONSIBLE)).fill_null(False),
                   accounts=g.accounts, human_touches=g.human_touches, minutes=g.minutes,
                   _r=rank(g.role, roles_order), _s=rank(g.stage, stages))
    return out
