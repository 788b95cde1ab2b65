"""Outcomes: how coverage related to what followed (retention, expansion, conversion, wins).

Compliance is measured over an *earlier window* of the same length that ends
``plan.outcomes.months_after`` (N) months before the current window's end (its
``as_of`` is its last day, E); what followed is read over the next N months,
``(E, F]`` with F the current window's end. Accounts created after E are left
out. Each account falls in a compliance band (``plan.outcomes.bands``: edges
[0.5, 0.8] give <50%, 50–80%, ≥80%; a value on an edge belongs to the higher
band) or in ``no checks``; then, per band:

- **customers** (``is_customer`` at E): *retention* = not churned in (E, F]
  (``churned_at`` date) over customers; *expansion* = customers with a won deal of
  ``deal_type = 'expansion'`` closed in (E, F], over customers;
- **prospects** (not customers at E, with a lead or a deal created on or before E):
  *conversion* = prospects with a deal created in (E, F], over prospects;
  *win_rate* = their deals won over their deals closed in (E, F].

Columns: band, cohort, measure, count, total, rate (count / total, empty when
total is 0); then band_order and the dates measured_from, measured_to,
followed_from, followed_to. Every band × cohort × measure has a row, so small
groups show as small counts rather than disappear. The table is a lazy query: it
runs only when shown or exported.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import ibis
import ibis.expr.types as ir

from covermap.coverage.checks import measure_checks
from covermap.engine import buckets as bk
from covermap.engine.deals import deals as plan_deals
from covermap.engine.facts import derived_facts
from covermap.engine.window import Window, add_months, local_date_of, month_end, month_start
from covermap.plan.model import Plan

NO_CHECKS = "no checks"
MEASURES = (("customers", "retention"), ("customers", "expansion"),
            ("prospects", "conversion"), ("prospects", "win_rate"))


def outcome_window(window: Window, months_after: int) -> Window:
    """The earlier window: same length, ending ``months_after`` months before ``window.end``."""
    end = month_end(add_months(month_start(window.end), -months_after))
    return Window.ending(end, window.months)


def band_labels(bands: tuple[float, ...]) -> list[str]:
    """``[0.5, 0.8]`` -> ``['<50%', '50–80%', '≥80%']``."""
    edges = sorted(bands)
    pct = [f"{b * 100:g}%" for b in edges]
    if not pct:
        return ["all"]
    return [f"<{pct[0]}"] + [f"{a[:-1]}–{b}" for a, b in pairwise(pct)] + [f"≥{pct[-1]}"]


def _band(compliance: ir.FloatingValue, checks: ir.IntegerValue, bands: tuple[float, ...]):
    edges = sorted(bands)
    labels = band_labels(bands)
    branches = [(checks == 0, ibis.literal(NO_CHECKS))]
    branches += [(compliance < edge, ibis.literal(labels[i])) for i, edge in enumerate(edges)]
    return ibis.cases(*branches, else_=labels[-1])


def measure_outcomes(store, plan: Plan, window: Window) -> ir.Table:
    """The outcomes table (module doc) as a lazy Ibis expression."""
    n = plan.outcomes.months_after
    ew = outcome_window(window, n)
    e_day, f_day = ew.end, window.end
    e, f = ibis.date(e_day), ibis.date(f_day)
    core = measure_checks(store, plan, ew, lambda expr, name: expr)
    ch = core.checks
    comp = ch.group_by("account_id").aggregate(checks=ch.count(), passed=ch.passed.sum())
    facts = derived_facts(store, plan, [e_day], facts={"is_customer", "lead_count"})
    facts = facts.filter(facts.created_date.isnull() | (facts.created_date <= e))

    d = plan_deals(store, plan)
    deals = d.select("account_id", "deal_type", close_date=d.close_date,
                     created_date=local_date_of(d, "created_at", plan.timezone),
                     won=d.is_won.fill_null(False),
                     closed=d.is_closed.fill_null(False) | d.is_won.fill_null(False))
    after = deals.close_date.between(e + ibis.interval(days=1), f)
    per_acc = deals.group_by("account_id").aggregate(
        had_deal=(deals.created_date <= e).any(),
        created_next=(deals.created_date.between(e + ibis.interval(days=1), f)).any(),
        expanded=(deals.won & after & (deals.deal_type == "expansion")).any(),
        won_next=(deals.won & after).sum(),
        closed_next=(deals.closed & after).sum(),
    )
    a = store.table("accounts")
    churn = a.select("account_id", churned_date=local_date_of(a, "churned_at", plan.timezone))

    j = facts
    for right in (comp, per_acc, churn):
        j = j.left_join(right, j.account_id == right.account_id).drop("account_id_right")
    checks = j.checks.fill_null(0)
    compliance = (checks > 0).ifelse(j.passed.fill_null(0) / checks, ibis.null("float64"))
    prospect = ~j.is_customer & ((j.lead_count > 0) | j.had_deal.fill_null(False))
    j = j.mutate(
        band=_band(compliance, checks, plan.outcomes.bands),
        cohort=ibis.cases((j.is_customer, "customers"), (prospect, "prospects"),
                          else_=ibis.null("string")),
        retained=~(j.churned_date.between(e + ibis.interval(days=1), f).fill_null(False)),
        expanded=j.expanded.fill_null(False),
        converted=j.created_next.fill_null(False),
        won_next=j.won_next.fill_null(0), closed_next=j.closed_next.fill_null(0),
    )
    k = j.filter(j.cohort.notnull())
    g = k.group_by(["band", "cohort"]).aggregate(
        accounts=k.count(), retained=k.retained.sum(), expanded=k.expanded.sum(),
        converted=k.converted.sum(), won=k.won_next.sum(), closed=k.closed_next.sum())
    numerator = {"retention": g.retained, "expansion": g.expanded, "conversion": g.converted,
                 "win_rate": g.won}
    long = ibis.union(*[
        g.filter(g.cohort == cohort).select(
            "band", "cohort", measure=ibis.literal(m), count=numerator[m].cast("int64"),
            total=(g.closed if m == "win_rate" else g.accounts).cast("int64"))
        for cohort, m in MEASURES], distinct=False)

    labels = band_labels(plan.outcomes.bands) + [NO_CHECKS]
    grid_rows = [(i, b, c, m) for i, b in enumerate(labels) for c, m in MEASURES]
    grid = bk.small_table(
        {"band_order": [r[0] for r in grid_rows], "band": [r[1] for r in grid_rows],
         "cohort": [r[2] for r in grid_rows], "measure": [r[3] for r in grid_rows]},
        {"band_order": "int64", "band": "string", "cohort": "string", "measure": "string"})
    out = grid.left_join(long, (grid.band == long.band) & (grid.cohort == long.cohort)
                         & (grid.measure == long.measure))
    count, total = out["count"].fill_null(0), out.total.fill_null(0)
    out = out.select(
        band=out.band, cohort=out.cohort, measure=out.measure, count=count, total=total,
        rate=(total > 0).ifelse(count / total, ibis.null("float64")),
        band_order=out.band_order,
        measured_from=ibis.literal(ew.start, type="date"), measured_to=e,
        followed_from=ibis.literal(e_day + dt.timedelta(days=1), type="date"), followed_to=f,
    )
    return out.order_by(["band_order", "cohort", "measure"])
