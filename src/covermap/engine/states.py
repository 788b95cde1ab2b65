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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.facts import FACTS, derived_facts, rule_names
from covermap.engine.window import resolve_as_of
from covermap.errors import AnalysisError
from covermap.plan import rules
from covermap.plan.model import Plan

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
    rows = s.group_by("state").aggregate(n=s.count()).to_pyarrow().to_pylist()
    counts = {r["state"]: r["n"] for r in rows}
    return StateCounts(as_of=day, by_state=counts, unclassified=counts.pop(UNCLASSIFIED, 0))
