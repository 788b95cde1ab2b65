"""Where each line of the window's deals goes on the coverage map (see covermap.map.measure).

A line gets a complexity (its product's, or ``bundled`` when the plan derives
it and the deal has two or more distinct products), its account's value tier
and its deal's exchange rate into plan currency; a line that misses one of
them carries the reason instead. Deals carry their window flags: open at some
time in the window, won in it, closed in it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.deals import deals as plan_deals
from covermap.engine.territories import account_groups
from covermap.engine.window import Window, date_literal, local_date_of, with_local_dates
from covermap.errors import AnalysisError
from covermap.map.model import COMPLEXITIES, CoverageMap
from covermap.plan.model import Plan
from covermap.plan.rules import compile_rule, parse_rule, rule_names_of

__all__ = ["COMPLEXITY_SPELLINGS", "NO_RATE", "NO_VALUE_MEASURE", "UNKNOWN_COMPLEXITY",
           "channel_key", "placed_lines"]

UNKNOWN_COMPLEXITY = "unknown product complexity"
NO_VALUE_MEASURE = "no value measure"
NO_RATE = "no exchange rate for "

#: spellings of a product's complexity accepted besides the canonical ones
COMPLEXITY_SPELLINGS = {"customized": "customised", "custom": "customised"}


def channel_key(col: ir.StringValue) -> ir.StringValue:
    """A channel name as compared with the plan: trimmed, lower case, spaces and hyphens
    as ``_`` ("Field Sales" -> ``field_sales``); empty when blank."""
    key = col.strip().lower().re_replace(r"[\s\-]+", "_")
    return key.nullif("")


def _value_tiers(store, plan: Plan, cm: CoverageMap) -> ir.Table:
    """account_id -> value tier (empty when the measure is empty)."""
    tiers = cm.value
    used = [n for r in tiers.rules.values() for n in rule_names_of(parse_rule(r))]
    # rules compare an account's dates in the plan's zone
    accounts = with_local_dates(store.accounts([*used, tiers.measure]), plan.timezone)
    if tiers.rules:
        rules = {t: compile_rule(r, accounts) for t, r in tiers.rules.items()}
        branches = [(rules[t], t) for t in ("high", "medium", "low") if t in rules]
        tier = ibis.cases(*branches, else_="low")
    else:
        if tiers.measure not in accounts.columns or not accounts[tiers.measure].type().is_numeric():
            numeric = [c for c in accounts.columns if accounts[c].type().is_numeric()]
            raise AnalysisError(
                f"coverage_map.value.measure: accounts have no numeric column "
                f"{tiers.measure!r}; numeric account columns are: {', '.join(numeric)}")
        v = accounts[tiers.measure].cast("float64")
        if cm.value_at == "group":
            return _group_tiers(store, accounts.select("account_id", v=v), tiers)
        tier = ibis.cases((v >= tiers.high, "high"), (v >= tiers.medium, "medium"),
                          (v.notnull(), "low"), else_=ibis.null("string"))
    t = accounts.select("account_id", tier=tier)
    if cm.value_at == "group":  # rules: the group's highest tier
        rank = ibis.cases((t.tier == "high", 3), (t.tier == "medium", 2), else_=1)
        g = account_groups(store).view()
        j = t.mutate(rank=rank).join(g, "account_id")
        best = j.group_by("group_id").aggregate(rank=j.rank.max())
        j = g.join(best, "group_id")
        return j.select("account_id", tier=ibis.cases((j.rank == 3, "high"),
                                                      (j.rank == 2, "medium"), else_="low"))
    return t


def _group_tiers(store, values: ir.Table, tiers) -> ir.Table:
    """Each account with its group's tier: the group's total of the measure (empty when
    no account of the group has a value)."""
    g = account_groups(store).view()
    j = values.join(g, "account_id")
    totals = j.group_by("group_id").aggregate(v=j.v.sum())
    j = g.join(totals, "group_id")
    tier = ibis.cases((j.v >= tiers.high, "high"), (j.v >= tiers.medium, "medium"),
                      (j.v.notnull(), "low"), else_=ibis.null("string"))
    return j.select("account_id", tier=tier)


def _rate(currency: ir.StringValue, cm: CoverageMap) -> ir.FloatingValue:
    cur = currency.strip().upper().nullif("")
    home = cm.currency.strip().upper()
    branches = [(cur.isnull() | (cur == home), 1.0)]
    branches += [(cur == k.strip().upper(), float(v)) for k, v in cm.fx_rates.items()]
    return ibis.cases(*branches, else_=ibis.null("float64"))


def _deals(store, plan: Plan, cm: CoverageMap, w: Window) -> ir.Table:
    """Deals that matter for the window, with their flags, rate and normalised channel."""
    d = plan_deals(store, plan)
    start, end = date_literal(w.start), date_literal(w.end)
    created = local_date_of(d, "created_at", plan.timezone)
    won = d.is_won.fill_null(False)
    closed = d.is_closed.fill_null(False) | won
    closed_in = closed & d.close_date.between(start, end).fill_null(False)
    closed_before = (closed & (d.close_date < start)).fill_null(False)
    open_in = (created <= end).fill_null(False) & ~closed_before
    d = d.select(
        "deal_id", "account_id", "amount", "close_date", created=created,
        open_in=open_in, won_in=won & closed_in, closed_in=closed_in,
        currency=d.currency.strip().upper().nullif(""), rate=_rate(d.currency, cm),
        channel=channel_key(d.channel),
    )
    return d.filter(d.open_in | d.closed_in)


def _lines(store, cm: CoverageMap, deals: ir.Table) -> ir.Table:
    """One row per line of the window's deals (a deal without lines is one line of its
    amount), with its complexity; product counts derive ``bundled``."""
    raw = store.table("deal_lines")
    own = raw.select(lid="deal_id", product_id="product_id",
                     own_amount=raw.amount.cast("float64"), has_line=ibis.literal(True))
    # one left join, so the deals' columns are computed once (a join with the lines and an
    # anti-join for the deals without any computed them twice; issue 9)
    j = deals.left_join(own, deals.deal_id == own.lid)
    lines = j.select(*deals.columns, "product_id", line_amount=j.has_line.fill_null(False)
                     .ifelse(j.own_amount, deals.amount.cast("float64")))
    products = store.table("products")
    raw_cx = products.complexity.strip().lower()
    cx = ibis.cases(*((raw_cx == k, v) for k, v in COMPLEXITY_SPELLINGS.items()),
                    else_=raw_cx)
    cx = ibis.cases((cx.isin(COMPLEXITIES), cx), else_=ibis.null("string"))
    cxs = products.select(pid="product_id", product_cx=cx)
    lines = lines.left_join(cxs, lines.product_id == cxs.pid).drop("pid")
    if cm.derive_bundled:
        # two or more distinct products <=> the deal's least and greatest product differ
        # (cheaper than a distinct count); over the window's deals' lines only, which hold
        # every line of those deals (all 1.5M lines of 1M accounts took twice the time of
        # the whole placing; issue 9)
        per_deal = ibis.window(group_by=lines.deal_id)
        several = (lines.product_id.min().over(per_deal)
                   != lines.product_id.max().over(per_deal)).fill_null(False)
        lines = lines.mutate(complexity=ibis.cases((several, "bundled"),
                                                   else_=lines.product_cx))
    else:
        lines = lines.mutate(complexity=lines.product_cx)
    return lines.drop("product_cx")


def placed_lines(store, plan: Plan, cm: CoverageMap, w: Window) -> ir.Table:
    """Every line of the window's deals with its value tier, reason (empty when placed)
    and revenue in plan currency."""
    lines = _lines(store, cm, _deals(store, plan, cm, w))
    tiers = _value_tiers(store, plan, cm).rename(tid="account_id")
    lines = lines.left_join(tiers, lines.account_id == tiers.tid).drop("tid")
    reason = ibis.cases(
        (lines.rate.isnull(), ibis.literal(NO_RATE) + lines.currency),
        (lines.complexity.isnull(), UNKNOWN_COMPLEXITY),
        (lines.tier.isnull(), NO_VALUE_MEASURE),
        else_=ibis.null("string"),
    )
    return lines.mutate(reason=reason, revenue=lines.line_amount * lines.rate)
