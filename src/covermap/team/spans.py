"""Daily states and stages over the window, and the entries into them (DESIGN.md, settled
readings): an account *enters* a state or stage on the first day d whose state (from facts
dated on or before d) is in it while the state of d − 1 was not. The state an account has
on its first day, or on the window's first day, is no entry; a change between two states of
one stage is no entry into that stage.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.states import span_end, state_changes
from covermap.engine.window import Window
from covermap.plan.model import Plan
from covermap.team.plan_tables import stage_table


def staged_spans(store, plan: Plan, window: Window) -> ir.Table:
    """``account_id, state, stage, span_start, span_end`` from the window's first day to
    ``as_of``, with the previous span's ``prev_state``/``prev_stage`` (empty on an account's
    first span) and the next span's ``next_state``/``next_start``/``next_stage``."""
    # the spans' starts with their stage, then one window for the span's end and its
    # neighbours (state_spans' own window for the end would sort the spans a second time)
    s = state_changes(store, plan, window.start, window.as_of)
    st = stage_table(plan).select("state", "stage")
    s = s.left_join(st, "state").drop("state_right")
    w = ibis.window(group_by=s.account_id, order_by=s.span_start)
    nxt = s.span_start.lead().over(w)
    return s.select("account_id", "state", "span_start",
                    span_end=span_end(nxt, window.as_of), stage=s.stage,
                    prev_state=s.state.lag().over(w), prev_stage=s.stage.lag().over(w),
                    next_state=s.state.lead().over(w), next_start=nxt,
                    next_stage=s.stage.lead().over(w))


def stage_periods(spans: ir.Table) -> ir.Table:
    """``account_id, stage, period_start, period_end, entered, next_stage, has_next``: runs of
    consecutive spans in one stage (``stage`` empty: in no stage). ``entered``: the period
    began with an entry (not on the account's first day in the window); ``has_next``: a
    later period follows (the stage ended on ``period_end``)."""
    def other(a: ir.StringValue, b: ir.StringValue) -> ir.BooleanValue:
        return a.fill_null("") != b.fill_null("")

    first = spans.prev_state.isnull() | other(spans.prev_stage, spans.stage)
    last = spans.next_start.isnull() | other(spans.next_stage, spans.stage)
    s = spans.mutate(is_first=first, is_last=last)
    one = s.filter(s.is_first & s.is_last)  # a period of one span (most of them)
    one = one.select("account_id", "stage", "span_start", period_end=one.span_end,
                     then=one.next_stage, more=one.next_start.notnull(),
                     entered=one.prev_state.notnull())
    # the first and last spans of longer periods: a period's last span is the row after
    # its first
    s = s.filter(s.is_first != s.is_last)
    w = ibis.window(group_by=s.account_id, order_by=s.span_start)
    p = s.mutate(period_end=s.span_end.lead().over(w), then=s.next_stage.lead().over(w),
                 more=s.next_start.lead().over(w).notnull())
    p = p.filter(p.is_first).select("account_id", "stage", "span_start", "period_end",
                                    "then", "more", entered=p.prev_state.notnull())
    p = ibis.union(one, p, distinct=False)
    return p.select("account_id", "stage", period_start=p.span_start,
                    period_end=p.period_end, entered=p.entered, next_stage=p.then,
                    has_next=p.more)
