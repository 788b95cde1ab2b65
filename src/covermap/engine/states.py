"""Customer states over time: per evaluation date, the current state, and transitions.

An account's state at an evaluation date ``d`` is the first state, in plan
order, whose rule holds on the derived facts at ``d`` (and the account's
columns); when none holds it is ``unclassified``, which is counted, never
dropped. The state *in a bucket* is the state at ``d = bucket start − 1 day``;
the *current* state is the state at ``d = as_of``.

An evaluation at ``d`` is *made* for an account when its ``created_at`` date is
unknown or on or before ``d + 1`` (for a bucket: the bucket does not begin before
the account was created). The current state is computed for every account.

Transitions: the states are evaluated at every evaluation date (each bucket
start in the window, for the periods the plan uses and for every month, and at
``as_of``). A row ``(account_id, from_state, to_state, date)`` is written when an
account's state differs from its previous evaluation; it is dated the first
evaluation date showing the new state, i.e. the last day of facts it was computed
from (the day before a bucket begins, or ``as_of``). The first evaluation of an
account has no transition.

:func:`state_steps` gives the same states as one row per change (the engine's
form); :func:`state_spans` gives the daily states as spans of days (entries,
hand-offs). Both evaluate the rule only where a fact event, churn or a
months_as_customer count the rules compare with can change it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.facts import (
    FACTS,
    account_base,
    cumulative_facts,
    derived_facts,
    evaluation_dates,
    event_sums,
    fact_events,
    facts_on,
    first_index,
    month_thresholds,
    rule_names,
)
from covermap.engine.window import add_months, month_start, resolve_as_of
from covermap.errors import AnalysisError
from covermap.plan import rules
from covermap.plan.model import Plan
from covermap.store.arrow import to_pylist

UNCLASSIFIED = "unclassified"


def rule_types(store) -> dict[str, str]:
    """Rule types of every name a rule may use on this store (facts + account columns)."""
    return rules.account_column_types(store.columns("accounts"))


def state_case(plan: Plan, table: ir.Table, types: dict[str, str]) -> ir.StringValue:
    """The state id of each row of ``table`` (facts and account columns): first match wins."""
    branches = [(rules.compile_rule(s.rule, table, types), s.id) for s in plan.states]
    return ibis.cases(*branches, else_=UNCLASSIFIED)


def states_at(store, plan: Plan, dates: Sequence[dt.date]) -> ir.Table:
    """``account_id, eval_date, state, evaluated`` for every account and date."""
    names = rule_names(plan)
    facts = derived_facts(store, plan, dates, facts=names & set(FACTS),
                          columns=sorted(names - set(FACTS)))
    return facts.select("account_id", "eval_date",
                        state=state_case(plan, facts, rule_types(store)), evaluated=facts.evaluated)


def transitions(states: ir.Table) -> ir.Table:
    """``account_id, from_state, to_state, date`` from a table made by :func:`states_at`."""
    s = states.filter(states.evaluated)
    w = ibis.window(group_by=s.account_id, order_by=s.eval_date)
    s = s.mutate(from_state=s.state.lag().over(w))
    s = s.filter(s.from_state.notnull() & (s.from_state != s.state))
    return s.select("account_id", "from_state", to_state=s.state, date=s.eval_date).order_by(
        ["account_id", "date"])


def _anniversaries(plan: Plan, events: ir.Table, start: dt.date, end: dt.date) -> ir.Table:
    """``account_id, at_day``: the days in ``(start, end]`` on which months_as_customer
    reaches a count the rules compare it with (every count when they do more than compare),
    the same day-of-month as customer_since that many months later, or the 1st of the next
    month when that month is too short for that day."""
    won = events.filter(events.won_n.notnull())
    since = won.group_by("account_id").aggregate(since=won.won_date.min())
    thresholds = month_thresholds(plan)
    if thresholds is not None:
        parts = []
        for k in thresholds:
            first = since.since.truncate("M") + ibis.interval(months=k)
            day = ibis.least(first + (since.since.day() - 1).as_interval("D"),
                             first + ibis.interval(months=1))
            parts.append(since.select("account_id", at_day=day.cast("date")))
        if not parts:
            return since.select("account_id", at_day=since.since).limit(0)
        j = ibis.union(*parts, distinct=False)
        return j.filter((j.at_day > ibis.date(start)) & (j.at_day <= ibis.date(end)))
    firsts = [month_start(start)]
    while firsts[-1] < month_start(end):
        firsts.append(add_months(firsts[-1], 1))
    months = small_table({"m_start": firsts, "m_next": [add_months(m, 1) for m in firsts]},
                         {"m_start": "date", "m_next": "date"})
    j = since.cross_join(months)
    j = j.filter(j.m_start > j.since.truncate("M"))
    day = ibis.least(j.m_start + (j.since.day() - 1).as_interval("D"), j.m_next)
    j = j.select("account_id", at_day=day)
    return j.filter((j.at_day > ibis.date(start)) & (j.at_day <= ibis.date(end)))


def state_spans(store, plan: Plan, start: dt.date, end: dt.date) -> ir.Table:
    """``account_id, state, span_start, span_end`` (inclusive dates): for every account,
    contiguous spans covering each day d of ``[start, end]`` on which it exists (created_at
    date unknown or <= d), each with the state computed from facts dated on or before d.

    Set-based from fact events: a state can change only on the first day, on a day a fact
    event is dated (won deal, deal opened or closed, lead created, churn) or when
    months_as_customer grows; the rule is evaluated on those days only and consecutive equal
    states are merged."""
    s = state_changes(store, plan, start, end)
    w = ibis.window(group_by=s.account_id, order_by=s.span_start)
    return s.select("account_id", "state", "span_start",
                    span_end=span_end(s.span_start.lead().over(w), end))


def span_end(next_start: ir.DateValue, end: dt.date) -> ir.DateValue:
    """A span's last day: the day before the next span starts, else ``end``."""
    return next_start.isnull().ifelse(ibis.date(end), next_start - ibis.interval(days=1))


def state_changes(store, plan: Plan, start: dt.date, end: dt.date) -> ir.Table:
    """``account_id, state, span_start``: the first day of each span of :func:`state_spans`
    (unordered), for callers that compute the span's end in a window of their own."""
    names = rule_names(plan)
    wanted = names & set(FACTS)
    acc = account_base(store, plan, sorted(names - set(FACTS)))
    lo, hi = ibis.date(start), ibis.date(end)
    acc = acc.mutate(from_day=ibis.greatest(lo, acc.created_date.fill_null(lo)))
    acc = acc.filter(acc.from_day <= hi)
    null_events = {n: ibis.null(t) for n, t in (
        ("won_n", "int64"), ("won_date", "date"), ("open_n", "int64"), ("lead_n", "int64"),
        ("score", "float64"))}
    days = [acc.select("account_id", at_day=acc.from_day)]
    churn = acc.filter((acc.churned_date > lo) & (acc.churned_date <= hi))
    days.append(churn.select("account_id", at_day=churn.churned_date))
    ev = fact_events(store, plan, wanted)
    if ev is not None:
        ev = ev.filter(ev.at <= hi)
        if "months_as_customer" in wanted:
            days.append(_anniversaries(plan, ev, start, end))
        parts = [ev.select("account_id", at_day=ibis.greatest(ev.at, lo), won_n=ev.won_n,
                           won_date=ev.won_date, open_n=ev.open_n, lead_n=ev.lead_n,
                           score=ev.score)]
    else:
        parts = []
    parts += [t.select("account_id", "at_day", **null_events) for t in days]
    g = event_sums(ibis.union(*parts, distinct=False), ["account_id", "at_day"])
    g = g.select("account_id", "at_day", **cumulative_facts(g, "at_day", wanted))
    j = g.join(acc, "account_id")
    j = j.filter(j.at_day >= j.from_day)
    f = j.mutate(**facts_on(j, j.at_day))
    s = f.select("account_id", "at_day", state=state_case(plan, f, rule_types(store)))
    w = ibis.window(group_by=s.account_id, order_by=s.at_day)
    s = s.mutate(before=s.state.lag().over(w))
    s = s.filter(s.before.isnull() | (s.before != s.state))
    return s.select("account_id", "state", span_start=s.at_day)


def state_steps(store, plan: Plan, dates: Sequence[dt.date]) -> ir.Table:
    """``account_id, i, next_i, state, made``: each account's state on the sorted evaluation
    dates ``d_i <= d_k < d_next_i`` (the same as :func:`states_at`, one row per change, not
    per date), and ``made``, the first index whose evaluation is made (its created_at date
    is unknown or on or before ``d + 1``; ``len(dates)`` when none is).

    Only the indexes where a fact event lands (the first date on or after it), churn, or a
    months_as_customer anniversary are evaluated; equal consecutive states are merged."""
    ds = sorted(set(dates))
    n = len(ds)
    names = rule_names(plan)
    wanted = names & set(FACTS)
    acc = account_base(store, plan, sorted(names - set(FACTS)))
    made = first_index(acc.created_date - ibis.interval(days=1), ds)
    acc = acc.mutate(made=acc.created_date.isnull().ifelse(0, made))
    null_events = {n_: ibis.null(t) for n_, t in (
        ("won_n", "int64"), ("won_date", "date"), ("open_n", "int64"), ("lead_n", "int64"),
        ("score", "float64"))}
    marks = [acc.select("account_id", i=ibis.literal(0, type="int64"))]
    churn = acc.select("account_id", i=first_index(acc.churned_date, ds))
    marks.append(churn.filter((churn.i > 0) & (churn.i < n)))
    parts = []
    ev = fact_events(store, plan, wanted)
    if ev is not None:
        ev = ev.mutate(i=first_index(ev.at, ds))
        ev = ev.filter(ev.i < n)
        if "months_as_customer" in wanted and n > 1:
            an = _anniversaries(plan, ev, ds[0], ds[-1])
            marks.append(an.select("account_id", i=first_index(an.at_day, ds)))
        parts.append(ev.select("account_id", "i", "won_n", "won_date", "open_n", "lead_n",
                               "score"))
    parts += [t.select("account_id", "i", **null_events) for t in marks]
    g = event_sums(ibis.union(*parts, distinct=False), ["account_id", "i"])
    g = g.select("account_id", "i", **cumulative_facts(g, "i", wanted))
    j = g.join(acc, "account_id")
    j = j.join(evaluation_dates(ds), "i")
    f = j.mutate(**facts_on(j, j.eval_date))
    s = f.select("account_id", "i", "made", state=state_case(plan, f, rule_types(store)))
    w = ibis.window(group_by=s.account_id, order_by=s.i)
    s = s.mutate(before=s.state.lag().over(w))
    s = s.filter(s.before.isnull() | (s.before != s.state))
    w = ibis.window(group_by=s.account_id, order_by=s.i)
    return s.select("account_id", "i", next_i=s.i.lead().over(w).fill_null(n), state=s.state,
                    made=s.made)


def step_transitions(steps: ir.Table, dates: Sequence[dt.date]) -> ir.Table:
    """:func:`transitions` from a table made by :func:`state_steps` on the same dates: a
    step that starts after the account's first evaluation made is a change from the step
    before it."""
    s = steps.mutate(from_state=steps.state.lag().over(
        ibis.window(group_by=steps.account_id, order_by=steps.i)))
    s = s.filter(s.i > s.made)
    ed = evaluation_dates(dates)
    s = s.join(ed, "i")
    return s.select("account_id", "from_state", to_state=s.state, date=s.eval_date).order_by(
        ["account_id", "date"])


def state_table(plan: Plan) -> ir.Table:
    """``state, label, position, has_standard`` for every plan state plus unclassified."""
    ids = [s.id for s in plan.states] + [UNCLASSIFIED]
    return small_table(
        {"state": ids,
         "label": [s.label.en for s in plan.states] + ["Unclassified"],
         "position": list(range(len(ids))),
         "has_standard": [bool(s.standard) for s in plan.states] + [False]},
        {"state": "string", "label": "string", "position": "int64", "has_standard": "boolean"},
    )


@dataclass(frozen=True)
class StateCounts:
    """How many accounts each state's rule claims on one date (first match wins)."""

    as_of: dt.date
    by_state: dict[str, int]
    unclassified: int


def count_current_states(store, plan: Plan, *, as_of: dt.date | None = None) -> StateCounts:
    """Accounts per current state as of ``as_of`` (default: the plan's, else the latest
    activity's date, else today when the store has no activities yet)."""
    try:
        day = resolve_as_of(store.table("activities"), plan.as_of, plan.timezone, as_of)
    except AnalysisError:
        day = dt.date.today()
    s = states_at(store, plan, [day])
    rows = to_pylist(s.group_by("state").aggregate(n=s.count()))
    counts = {r["state"]: r["n"] for r in rows}
    return StateCounts(as_of=day, by_state=counts, unclassified=counts.pop(UNCLASSIFIED, 0))
