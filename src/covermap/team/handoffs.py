"""Hand-offs (DESIGN.md, "Account coverage model"): every entry into a rule's ``when`` state
or stage from the window's first day to ``as_of`` starts one hand-off.

- first touch: the first human touch on the account on or after the event date, up to
  ``as_of``, by a user whose role (``users.role``) is the rule's ``to`` role; ``days`` =
  first touch date − event date (a touch on the event date: 0);
- status: ``on_time`` (days <= within_days), ``late`` (days > within_days), ``dropped`` (no
  touch and as_of − event date > within_days), ``pending`` (no touch, SLA not passed);
- ``released`` (baton rules; empty for paired): every ``from``-role member in force on the
  event date has an end_date on or before event date + within_days (true when none);
- ``next_state``: what followed, the next state the account reached within 90 days of the
  event (``none`` if it stayed);
- ``stage``: the stage entered (for a state rule, the stage holding the state).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.window import Window
from covermap.plan.model import Plan
from covermap.team.model import FOLLOW_DAYS

HANDOFF_COLUMNS = ("account_id", "rule", "event_date", "from_role", "to_role",
                   "first_touch_date", "days", "status", "released", "stage", "next_state")
STATUSES = ("on_time", "late", "dropped", "pending")


def _rules(plan: Plan) -> ir.Table:
    rows = plan.handoffs
    stage = [h.when.stage or plan.journey.stage_of(h.when.state) for h in rows]
    return small_table(
        {"rule": [h.id for h in rows], "rule_position": list(range(len(rows))),
         "on_state": [h.when.state for h in rows], "on_stage": [h.when.stage for h in rows],
         "entered_stage": stage, "from_role": [h.from_ for h in rows],
         "to_role": [h.to for h in rows], "within_days": [h.within_days for h in rows],
         "baton": [h.model == "baton" for h in rows]},
        {"rule": "string", "rule_position": "int64", "on_state": "string",
         "on_stage": "string", "entered_stage": "string", "from_role": "string",
         "to_role": "string", "within_days": "int64", "baton": "boolean"})


def handoff_events(plan: Plan, spans: ir.Table) -> ir.Table:
    """One row per (account, rule, entry day): ``account_id, rule, event_date, ...``."""
    rules = _rules(plan)
    s = spans.filter(spans.prev_state.notnull())
    j = s.cross_join(rules)
    by_state = j.on_state.notnull() & (j.state == j.on_state)
    by_stage = j.on_stage.notnull() & (j.stage == j.on_stage) & \
        (j.prev_stage.isnull() | (j.prev_stage != j.on_stage))
    j = j.filter(by_state.fill_null(False) | by_stage.fill_null(False))
    follows = j.next_start.notnull() & (j.next_start <= j.span_start + ibis.interval(
        days=FOLLOW_DAYS))
    return j.select("account_id", "rule", "rule_position", event_date=j.span_start,
                    from_role=j.from_role, to_role=j.to_role, within_days=j.within_days,
                    baton=j.baton, stage=j.entered_stage,
                    next_state=follows.ifelse(j.next_state, "none"))


def measure_handoffs(store, plan: Plan, spans: ir.Table, window: Window,
                     touched: ir.Table) -> ir.Table:
    """The hand-off table (module doc); ``touched``: the human touches from the window's
    first day to as_of per account, span and user (``covermap.team.effort.touch_rollup``;
    ``spans`` are the ones it was grouped by)."""
    ev = handoff_events(plan, spans)
    # the event's span and the later ones hold every touch on or after the event date
    t = touched.filter(touched.first_day.notnull()).select("account_id", "role",
                                                           "span_start", "first_day")
    hit = ev.join(t, (ev.account_id == t.account_id) & (ev.to_role == t.role)
                  & (t.span_start >= ev.event_date))
    first = hit.group_by(["account_id", "rule", "event_date"]).aggregate(
        first_touch_date=hit.first_day.min())
    team = store.table("account_team")
    m = ev.filter(ev.baton).join(
        team, (ev.account_id == team.account_id) & (ev.from_role == team.role)
        & (team.start_date.isnull() | (team.start_date <= ev.event_date))
        & (team.end_date.isnull() | (team.end_date >= ev.event_date)))
    deadline = m.event_date + m.within_days.as_interval("D")
    stays = m.end_date.isnull() | (m.end_date > deadline)
    kept = m.group_by(["account_id", "rule", "event_date"]).aggregate(
        staying=stays.cast("int64").sum())
    keys = ["account_id", "rule", "event_date"]
    j = ev.left_join(first, keys).drop(*(f"{k}_right" for k in keys))
    j = j.left_join(kept, keys).drop(*(f"{k}_right" for k in keys))
    days = j.first_touch_date.delta(j.event_date, unit="day")
    waited = ibis.date(window.as_of).delta(j.event_date, unit="day")
    status = ibis.cases(
        (j.first_touch_date.notnull() & (days <= j.within_days), "on_time"),
        (j.first_touch_date.notnull(), "late"),
        (waited > j.within_days, "dropped"), else_="pending")
    released = j.baton.ifelse(j.staying.fill_null(0) == 0, ibis.null("boolean"))
    return j.select(*HANDOFF_COLUMNS[:6], days=days.cast("int64"), status=status,
                    released=released, stage=j.stage, next_state=j.next_state,
                    within_days=j.within_days, rule_position=j.rule_position)


def what_followed(handoffs: ir.Table) -> ir.Table:
    """``rule, next_state, handoffs, share``: per rule, how many of its hand-offs reached
    each next state within 90 days (``none``: stayed), and their share of the rule's."""
    g = handoffs.group_by(["rule", "rule_position", "next_state"]).aggregate(
        handoffs=handoffs.count())
    w = ibis.window(group_by=g.rule)
    g = g.mutate(share=g.handoffs / g.handoffs.sum().over(w))
    g = g.order_by([g.rule_position, g.handoffs.desc(), g.next_state])
    return g.select("rule", "next_state", "handoffs", "share")
