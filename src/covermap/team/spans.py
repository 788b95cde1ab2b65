"""Daily states and stages over the window, and the entries into them (DESIGN.md, settled
readings): an account *enters* a state or stage on the first day d whose state (from facts
dated on or before d) is in it while the state of d − 1 was not. The state an account has
on its first day, or on the window's first day, is no entry; a change between two states of
one stage is no entry into that stage.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.states import state_spans
from covermap.engine.window import Window
from covermap.plan.model import Plan
from covermap.team.plan_tables import stage_table


def staged_spans(store, plan: Plan, window: Window) -> ir.Table:
    """``account_id, state, stage, span_start, span_end`` from the window's first day to
    ``as_of``, with the previous span's ``prev_state``/``prev_stage`` (empty on an account's
    first span) and the next span's ``next_state``/``next_start``."""
    s = state_spans(store, plan, window.start, window.as_of)
    st = stage_table(plan).select("state", "stage")
    s = s.left_join(st, "state").drop("state_right")
    w = ibis.window(group_by=s.account_id, order_by=s.span_start)
    return s.mutate(prev_state=s.state.lag().over(w), prev_stage=s.stage.lag().over(w),
                    next_state=s.state.lead().over(w), next_start=s.span_start.lead().over(w))


def stage_periods(spans: ir.Table) -> ir.Table:
    """``account_id, stage, period_start, period_end, entered, next_stage, has_next``: runs of
    consecutive spans in one stage (``stage`` empty: in no stage). ``entered``: the period
    began with an entry (not on the account's first day in the window); ``has_next``: a
    later period follows (the stage ended on ``period_end``)."""
    s = spans.mutate(new=spans.prev_state.isnull()
                     | (spans.prev_stage.fill_null("") != spans.stage.fill_null("")))
    w = ibis.window(group_by=s.account_id, order_by=s.span_start,
                    preceding=None, following=0)
    s = s.mutate(run=s.new.cast("int64").sum().over(w))
    p = s.group_by(["account_id", "run"]).aggregate(
        stage=s.stage.max(), period_start=s.span_start.min(), period_end=s.span_end.max(),
        entered=s.prev_state.notnull().max(where=s.new))
    w2 = ibis.window(group_by=p.account_id, order_by=p.run)
    p = p.mutate(next_stage=p.stage.lead().over(w2), has_next=p.run.lead().over(w2).notnull())
    return p.select("account_id", "stage", "period_start", "period_end",
                    entered=p.entered.fill_null(False), next_stage=p.next_stage,
                    has_next=p.has_next)
