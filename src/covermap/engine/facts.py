"""Derived facts (DESIGN.md, "Derived facts") for every account at every evaluation date.

At an evaluation date ``d`` only rows dated on or before ``d`` count; a
timestamp's date is its date in the plan's time zone when it is an instant, and
its own date when the source gave only a date (``<column>_is_date``);
``close_date`` is a calendar date already.

How it stays set-based and cheap: the evaluation dates are a tiny sorted table
``d_0 < d_1 < ... < d_n-1``. Every dated row becomes an *event* at the index of
the first evaluation date on or after its date (a won deal at its close date, a
deal opening at its creation and closing at its close date, a contact at its
creation — or index 0 when it has none). Per account the events are summed up
to each index (a cumulative window), giving a step function whose steps cover
index ranges; one range join puts the step in force on every (account, d) row of
the accounts × dates cross product.

Readings of the definitions (the contract is DESIGN.md):

- a deal is *closed on or before d* when ``is_closed`` (or ``is_won``) is true and
  its ``close_date`` ≤ d. A closed deal with no close date is therefore never
  "closed on or before d" (a comparison with an empty date is false) and stays
  open from its creation on; a deal with no ``created_at`` is never open (unless the
  plan's ``deals.created_at_fallback`` fills it, see ``covermap.engine.deals``);
- ``months_as_customer`` = 12·Δyear + Δmonth − (1 if day(d) < day(customer_since)),
  empty when the account is not a customer at d;
- ``customer_since`` / ``last_won_at`` do not depend on churn (empty only when no
  deal was won on or before d);
- ``lead_count`` / ``max_lead_score`` count the contacts matching the plan's
  ``leads.rule`` (every contact when it has none).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.deals import deals as plan_deals
from covermap.engine.window import local_date_of, with_local_dates
from covermap.plan import rules
from covermap.plan.model import Plan

FACTS: tuple[str, ...] = tuple(rules.FACT_TYPES)
_WON_FACTS = {"won_deals", "customer_since", "last_won_at", "is_customer", "months_as_customer"}
_LEAD_FACTS = {"lead_count", "max_lead_score"}
_EVENTS = {"won_n": "int64", "won_date": "date", "open_n": "int64", "lead_n": "int64",
           "score": "float64"}


def rule_names(plan: Plan) -> set[str]:
    """Every name (fact or account column) that the plan's state rules use."""
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, rules.Name):
            names.add(node.name)
        for attr in ("arg", "left", "right"):
            if hasattr(node, attr):
                walk(getattr(node, attr))

    for state in plan.states:
        walk(rules.parse_rule(state.rule))
    return names


_COMPARE = {"==", "!=", "<", "<=", ">", ">=", "="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def month_thresholds(plan: Plan) -> list[int] | None:
    """The months_as_customer values at which a state rule's truth can change, when every
    use of it in the rules compares it with a number (``months_as_customer >= 24``: 24;
    ``> 5.5``: 6; ``== 3``: 3 and 4); None when some use does more (then every month
    counts)."""
    found: set[int] = set()
    plain = True

    def number(node: object) -> bool:
        return isinstance(node, rules.Literal) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool)

    def months(node: object) -> bool:
        return isinstance(node, rules.Name) and node.name == "months_as_customer"

    def add(op: str, v: float) -> None:
        if op in (">=", "<"):
            found.add(math.ceil(v))
        elif op in (">", "<="):
            found.add(math.floor(v) + 1)
        elif v == int(v):  # == and !=: true on one count only
            found.update({int(v), int(v) + 1})

    def walk(node: object) -> None:
        nonlocal plain
        if isinstance(node, rules.Binary) and node.op in _COMPARE and (
                (months(node.left) and number(node.right))
                or (months(node.right) and number(node.left))):
            if months(node.left):
                add(node.op, node.right.value)
            else:  # a number on the left: the same comparison seen from the other side
                add(_FLIP.get(node.op, node.op), node.left.value)
            return
        if isinstance(node, rules.In) and months(node.arg) and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in node.values):
            for v in node.values:
                add("==", v)
            return
        if isinstance(node, rules.IsEmpty) and months(node.arg):
            return  # empty exactly when not a customer: changes only on fact events
        if months(node):
            plain = False
        for attr in ("arg", "left", "right"):
            if hasattr(node, attr):
                walk(getattr(node, attr))

    for state in plan.states:
        walk(rules.parse_rule(state.rule))
    return sorted(k for k in found if k > 0) if plain else None


def evaluation_dates(dates: Iterable[dt.date]) -> ir.Table:
    """The tiny ``eval_date, i, day_after`` table: sorted dates without duplicates, their
    index and the next day (the first day of the bucket they are evaluated for)."""
    ds = sorted(set(dates))
    return small_table({"eval_date": ds, "i": list(range(len(ds))),
                        "day_after": [d + dt.timedelta(days=1) for d in ds]},
                       {"eval_date": "date", "i": "int64", "day_after": "date"})


def first_index(day: ir.DateValue, dates: list[dt.date]) -> ir.IntegerValue:
    """Index of the first evaluation date on or after ``day`` (len(dates) if none; empty too)."""
    return ibis.cases(*[(day <= ibis.date(d), i) for i, d in enumerate(dates)],
                      else_=len(dates)).cast("int64")


def _event(t: ir.Table, at: ir.DateValue, **values: ir.Value) -> ir.Table:
    cols = {n: values[n].cast(ty) if n in values else ibis.null(ty)
            for n, ty in _EVENTS.items()}
    return t.select("account_id", at=at, **cols)


def fact_events(store, plan: Plan, wanted: set[str]) -> ir.Table | None:
    """``account_id, at, won_n, won_date, open_n, lead_n, score``: one row per dated change
    of the ``wanted`` facts (a won deal at its close date, a deal opening at its creation
    and closing at its close date, a lead contact at its creation, 0001-01-01 when it has
    none); None when no wanted fact is dated."""
    tz, events = plan.timezone, []
    d = plan_deals(store, plan)
    won = d.is_won.fill_null(False)
    closed = d.is_closed.fill_null(False) | won
    if wanted & _WON_FACTS:
        w = d.filter(won & d.close_date.notnull())
        events.append(_event(w, w.close_date, won_n=ibis.literal(1), won_date=w.close_date))
    if "open_deals" in wanted:
        # a deal counts from its creation until it is closed on a known date
        o = d.filter(d.created_at.notnull())
        events.append(_event(o, local_date_of(o, "created_at", tz), open_n=ibis.literal(1)))
        c = d.filter(d.created_at.notnull() & closed & d.close_date.notnull())
        end = ibis.greatest(c.close_date, local_date_of(c, "created_at", tz))
        events.append(_event(c, end, open_n=ibis.literal(-1)))
    if wanted & _LEAD_FACTS:
        k = store.table("contacts")
        k = k.filter(k.account_id.notnull())
        k = k.mutate(lead_at=local_date_of(k, "created_at", tz).fill_null(
            ibis.date(dt.date(1, 1, 1))))
        if plan.leads.rule is not None:  # only the contacts the plan calls leads
            k = with_local_dates(k, tz)
            k = k.filter(rules.compile_rule(plan.leads.rule, k, rules.contact_column_types()))
        events.append(_event(k, k.lead_at, lead_n=ibis.literal(1), score=k.lead_score))
    return ibis.union(*events, distinct=False) if events else None


_RUNNING = {  # running fact: (facts that need it, its type)
    "won_deals": (_WON_FACTS, "int64"),
    "customer_since": ({"customer_since", "months_as_customer"}, "date"),
    "last_won_at": ({"last_won_at"}, "date"), "open_deals": ({"open_deals"}, "int64"),
    "lead_count": ({"lead_count"}, "int64"), "max_lead_score": ({"max_lead_score"}, "float64"),
}


def cumulative_facts(g: ir.Table, order: str,
                     wanted: set[str] | None = None) -> dict[str, ir.Value]:
    """The running facts of per-account event sums ``g`` ordered by ``order`` (typed NULL
    for those no ``wanted`` fact needs: each running fact is a window function)."""
    run = ibis.cumulative_window(group_by=g.account_id, order_by=g[order])
    values = {"won_deals": g.won_n.sum(), "customer_since": g.first_won.min(),
              "last_won_at": g.last_won.max(), "open_deals": g.open_n.sum(),
              "lead_count": g.lead_n.sum(), "max_lead_score": g.score.max()}
    return {name: (v.over(run) if wanted is None or wanted & _RUNNING[name][0]
                   else ibis.null(_RUNNING[name][1]))
            for name, v in values.items()}


def event_sums(e: ir.Table, keys: list[str]) -> ir.Table:
    """Events summed per ``keys`` (account and a date or index)."""
    return e.group_by(keys).aggregate(
        won_n=e.won_n.sum(), first_won=e.won_date.min(), last_won=e.won_date.max(),
        open_n=e.open_n.sum(), lead_n=e.lead_n.sum(), score=e.score.max())


def _steps(store, plan: Plan, dates: list[dt.date], wanted: set[str]) -> ir.Table | None:
    """``account_id, i, next_i`` and cumulative facts: the facts in force for indexes
    ``i <= k < next_i`` of the evaluation dates."""
    ev = fact_events(store, plan, wanted)
    if ev is None:
        return None
    e = ev.select(*[c for c in ev.columns if c != "at"], i=first_index(ev.at, dates))
    e = e.filter(e.i < len(dates))
    g = event_sums(e, ["account_id", "i"])
    step = ibis.window(group_by=g.account_id, order_by=g.i)
    return g.select("account_id", "i", next_i=g.i.lead().over(step).fill_null(len(dates)),
                    **cumulative_facts(g, "i"))


def account_base(store, plan: Plan, columns: Iterable[str] = ()) -> ir.Table:
    """``account_id``, the given account ``columns`` (dates local to the plan's zone),
    ``created_date, churned_date, is_target``: what facts read from the account row."""
    tz = plan.timezone
    a = store.accounts(columns)
    extra = [c for c in dict.fromkeys(columns) if c not in FACTS and c in a.columns
             and c != "account_id"]
    acc = a.mutate(created_date=local_date_of(a, "created_at", tz),
                   churned_date=local_date_of(a, "churned_at", tz))
    acc = with_local_dates(acc, tz)  # rules compare an account's dates in the plan's zone
    return acc.select("account_id", *extra, "created_date", "churned_date",
                      is_target=acc.is_target.fill_null(False))


def facts_on(base: ir.Table, d: ir.DateValue) -> dict[str, ir.Value]:
    """Every derived fact at date ``d`` of rows holding the running event facts and the
    account's ``churned_date`` and ``is_target``."""
    won_deals = base.won_deals.fill_null(0)
    churned = (base.churned_date <= d).fill_null(False)
    is_customer = (won_deals >= 1) & ~churned
    since = base.customer_since
    months = ((d.year() - since.year()) * 12 + d.month() - since.month()
              - (d.day() < since.day()).ifelse(1, 0))
    return {
        "won_deals": won_deals, "customer_since": since, "last_won_at": base.last_won_at,
        "churned": churned, "is_customer": is_customer,
        "months_as_customer": is_customer.ifelse(months, ibis.null("int64")),
        "open_deals": base.open_deals.fill_null(0), "lead_count": base.lead_count.fill_null(0),
        "max_lead_score": base.max_lead_score, "is_target": base.is_target,
    }


def derived_facts(store, plan: Plan, dates: Sequence[dt.date], *,
                  facts: Iterable[str] | None = None,
                  columns: Iterable[str] = ()) -> ir.Table:
    """One row per (account, evaluation date): ``account_id, eval_date, created_date``,
    ``evaluated`` (the account exists: its created_at date is unknown or on or before the
    day after ``eval_date``), the requested derived facts (default: all) and the account
    ``columns`` given."""
    wanted = set(FACTS if facts is None else facts)
    acc = account_base(store, plan, columns)
    extra = [c for c in acc.columns if c not in ("account_id", "created_date", "churned_date",
                                                 "is_target")]
    ordered = sorted(set(dates))
    base = acc.cross_join(evaluation_dates(ordered))
    steps = _steps(store, plan, ordered, wanted)
    if steps is not None:
        base = base.left_join(steps, (base.account_id == steps.account_id)
                              & (steps.i <= base.i) & (base.i < steps.next_i))
    else:
        base = base.mutate(**{n: ibis.null(t) for n, t in (
            ("won_deals", "int64"), ("customer_since", "date"), ("last_won_at", "date"),
            ("open_deals", "int64"), ("lead_count", "int64"), ("max_lead_score", "float64"))})

    out = facts_on(base, base.eval_date)
    evaluated = base.created_date.isnull() | (base.created_date <= base.day_after)
    return base.select(base.account_id, base.eval_date, base.created_date,
                       *[base[c] for c in extra], evaluated=evaluated,
                       **{k: v for k, v in out.items() if k in wanted})
