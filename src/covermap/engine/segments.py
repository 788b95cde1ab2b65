"""Each account's segment, one place read by every analysis (DESIGN's capacity section).

With the plan's ``segments[]``, an account's segment is the first segment whose rule it
matches on ``as_of`` (rules over account columns and derived facts, as states'); an
account that matches none has no segment. Without them, it is the accounts' ``segment``
column as imported.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from covermap.engine.facts import FACTS, derived_facts
from covermap.engine.states import rule_types
from covermap.engine.window import add_months
from covermap.plan import rules
from covermap.plan.model import Plan
from covermap.store.arrow import to_arrow


def rule_names(plan: Plan) -> set[str]:
    """The columns and derived facts the segments' rules read."""
    out: set[str] = set()
    for seg in plan.segments:
        out |= set(rules.rule_names_of(rules.parse_rule(seg.rule)))
    return out


def segment_of(plan: Plan, facts: ir.Table, types: dict[str, str]) -> ir.StringValue:
    """The segment of each row of ``facts`` (which holds what :func:`rule_names` reads)."""
    if not plan.segments:
        return facts.segment
    return ibis.cases(*((rules.compile_rule(s.rule, facts, types), s.id)
                        for s in plan.segments), else_=ibis.null("string"))


def account_segments(store, plan: Plan, as_of: dt.date) -> ir.Table:
    """``account_id, segment`` for every account (module doc)."""
    if not plan.segments:
        return store.table("accounts").select("account_id", "segment")
    names = rule_names(plan)
    facts = derived_facts(store, plan, [as_of], facts=names & set(FACTS),
                          columns=sorted(names - set(FACTS)))
    return facts.select("account_id", segment=segment_of(plan, facts, rule_types(store)))


def segment_accounts(store, plan: Plan, as_of: dt.date) -> ir.Table:
    """``account_id, segment, region, is_customer, arr``: each account's segment, whether it
    is a customer on ``as_of`` and its ARR (``accounts.arr``, else its won deal amounts
    closed in the 12 months up to ``as_of``; 0 for a non-customer)."""
    names = rule_names(plan)
    facts = derived_facts(store, plan, [as_of], facts=(names & set(FACTS)) | {"is_customer"},
                          columns=sorted((names - set(FACTS)) | {"segment", "arr", "region"}))
    seg = segment_of(plan, facts, rule_types(store))
    d = store.table("deals")
    since = add_months(as_of, -12)
    won = d.filter(d.is_won.fill_null(False), d.close_date > ibis.date(since),
                   d.close_date <= ibis.date(as_of))
    won = won.group_by("account_id").aggregate(won_12m=won.amount.sum())
    t = facts.select("account_id", "region", "arr", segment=seg,
                     is_customer=facts.is_customer.fill_null(False))
    t = t.left_join(won, "account_id").drop("account_id_right")
    arr = t.is_customer.ifelse(t.arr.cast("float64").coalesce(
        t.won_12m.cast("float64"), ibis.literal(0.0)), 0.0)
    return t.select("account_id", "segment", "region", "is_customer", arr=arr)


def with_segments(t: ir.Table, store, plan: Plan, as_of: dt.date) -> ir.Table:
    """``t`` (one row per account, with a ``segment`` column) with the segment of
    :func:`account_segments`; ``t`` itself when the plan has no segments."""
    if not plan.segments:
        return t
    s = account_segments(store, plan, as_of).rename(plan_segment="segment")
    j = t.left_join(s, t.account_id == s.account_id)
    return j.select(*(j.plan_segment.name("segment") if c == "segment" else j[c]
                      for c in t.columns))


def segment_ids(store, plan: Plan) -> list[str]:
    """The segments an account can have: the plan's, else the store's distinct values."""
    if plan.segments:
        return [s.id for s in plan.segments]
    a = store.table("accounts")
    values = to_arrow(a.filter(a.segment.notnull()).select("segment").distinct())
    return sorted(values["segment"].to_pylist())
