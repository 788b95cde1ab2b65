"""Phase-in and phase-out per account (DESIGN.md, settled readings), over the stage periods
of the window (``covermap.team.spans.stage_periods``), with the account's RACI letters:

- ``late_join``: an R or A role of a stage entered in the window (the entry day between the
  window's first and last day) that had nobody on the team on the entry day but got someone
  later (by ``as_of``); the finding names the first to join (the earliest start, then the
  smallest user_id);
- ``never_joined``: such a role with nobody from the entry day to ``as_of``;
- ``stayed_on``: for a stage the account was in during the window, a member in force on the
  stage's last day, whose role was R or A there and has no letter at the next stage (no
  stage: no letter), still on the team more than ``journey.phase_out_days`` days after that
  day; judged once that grace has passed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.account_keys import KEY_COLUMNS
from covermap.engine.window import Window
from covermap.plan.model import Plan
from covermap.team.plan_tables import letter_table


def _days(n: ir.IntegerValue) -> ir.StringValue:
    return n.cast("string") + (n == 1).ifelse(" day", " days")


def _in_force(t: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    return (t.start_date.isnull() | (t.start_date <= day)) & \
        (t.end_date.isnull() | (t.end_date >= day))


def phase_findings(store, plan: Plan, periods: ir.Table, seg: ir.Table,
                   window: Window) -> ir.Table:
    """``account_id, stage, kind, role, user_id, detail`` of the three kinds (module doc);
    ``seg`` holds ``account_id, seg_key`` and the account's keys (``KEY_COLUMNS``), which
    every finding carries."""
    letters = letter_table(plan)
    resp = letters.filter(letters.responsible).select("seg_key", "stage", "role")
    in_window = periods.stage.notnull() & (periods.period_start <= ibis.date(window.end))
    p = periods.filter(in_window).join(seg, "account_id")
    team = store.table("account_team").filter(lambda t: t.user_id.notnull())
    as_of = ibis.date(window.as_of)

    entered = p.filter(p.entered).join(resp, ["seg_key", "stage"]).select(
        "account_id", "stage", "role", *KEY_COLUMNS, entry=p.period_start)
    # one join: every row of the role overlapping [entry, as_of]; per entry, the first row
    # in the order (in force on the entry day, then joining later, then the join date and
    # user) says whether the role was held that day, else who joined first
    cand = entered.join(team, (entered.account_id == team.account_id)
                        & (entered.role == team.role)
                        & (team.start_date.isnull() | (team.start_date <= as_of))
                        & (team.end_date.isnull() | (team.end_date >= entered.entry)))
    cand = cand.select(
        account_id=entered.account_id, stage=entered.stage, role=entered.role,
        entry=entered.entry, user_id=team.user_id, **{k: entered[k] for k in KEY_COLUMNS},
        on_day=team.start_date.isnull() | (team.start_date <= entered.entry),
        joins=team.end_date.isnull() | (team.end_date > entered.entry),
        joined=ibis.greatest(team.start_date, entered.entry))
    keys = ["account_id", "role", "entry"]
    w = ibis.window(group_by=[cand.account_id, cand.role, cand.entry],
                    order_by=[cand.on_day.desc(), cand.joins.desc(), cand.joined,
                              cand.user_id])
    head = cand.mutate(_n=ibis.row_number().over(w))
    head = head.filter(head._n == 0)
    held = head.filter(head.on_day | head.joins)
    first = held.filter(~held.on_day)
    late = first.select(
        "account_id", "stage", kind=ibis.literal("late_join"), role=first.role,
        user_id=first.user_id,
        detail="joined on " + first.joined.cast("string") + ", "
               + _days(first.joined.delta(first.entry, unit="day"))
               + " after the stage began on " + first.entry.cast("string"),
        **{k: first[k] for k in KEY_COLUMNS})
    never = entered.anti_join(held.select(*keys), keys)
    never = never.select(
        "account_id", "stage", kind=ibis.literal("never_joined"), role=never.role,
        user_id=ibis.null("string"),
        detail="nobody of this role from " + never.entry.cast("string") + " (the stage "
               "began) to " + str(window.as_of), **{k: never[k] for k in KEY_COLUMNS})

    grace = plan.journey.phase_out_days
    ended = p.filter(p.has_next & (p.period_end + ibis.interval(days=grace + 1) <= as_of))
    ended = ended.join(resp, ["seg_key", "stage"]).select(
        "account_id", "stage", "role", "seg_key", "next_stage", *KEY_COLUMNS,
        last=ended.period_end)
    nxt = letters.select("seg_key", "role", next_stage="stage")
    ended = ended.anti_join(nxt, ["seg_key", "next_stage", "role"])
    check = ended.last + ibis.interval(days=grace + 1)
    stay = ended.join(team, (ended.account_id == team.account_id) & (ended.role == team.role)
                      & _in_force(team, ended.last) & _in_force(team, check))
    stay = stay.select(account_id=ended.account_id, stage=ended.stage, role=ended.role,
                       user_id=team.user_id, last=ended.last,
                       **{k: ended[k] for k in KEY_COLUMNS}).distinct()
    stayed = stay.select(
        "account_id", "stage", kind=ibis.literal("stayed_on"), role=stay.role,
        user_id=stay.user_id,
        detail=f"still on the team more than {grace} days after the stage ended on "
               + stay.last.cast("string"), **{k: stay[k] for k in KEY_COLUMNS})
    return ibis.union(late, never, stayed, distinct=False)
