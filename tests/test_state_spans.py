"""state_spans: daily states as contiguous spans, from fact events (hand-computed)."""

from __future__ import annotations

import datetime as dt

import pytest
from test_coverage import records
from test_coverage_company import insert

from covermap.engine.facts import month_thresholds
from covermap.engine.states import state_spans, states_at
from covermap.importing import import_paths
from covermap.plan import default_plan, parse_plan
from covermap.sample import generate_company
from covermap.store.connect import open_store

D = dt.date
PLAN = """\
timezone: UTC
states:
  - id: loyal
    label: {en: Loyal}
    rule: is_customer and months_as_customer >= 2
  - id: customer
    label: {en: Customer}
    rule: is_customer
  - id: churned
    label: {en: Churned}
    rule: churned
  - id: in_deal
    label: {en: In a deal}
    rule: open_deals > 0
  - id: lead
    label: {en: Lead}
    rule: lead_count > 0
"""


@pytest.fixture
def company(store):
    insert(store, "accounts", "account_id, name, churned_at, created_at", [
        ("A", "Short month", None, None),
        ("B", "Mid month", None, None),
        ("C", "Churns", "2026-02-20 10:00:00", None),
        ("D", "Created late", None, "2026-02-05 08:00:00"),
        ("E", "Created after", None, "2026-06-01 00:00:00"),
        ("F", "Lost deal", None, None),
    ])
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, created_at, close_date", [
        ("a", "A", True, True, "2025-12-01 00:00:00", "2026-01-31"),
        ("b", "B", True, True, "2025-11-01 00:00:00", "2026-01-15"),
        ("c", "C", True, True, "2025-05-01 00:00:00", "2025-06-10"),
        ("f", "F", True, False, "2026-02-01 12:00:00", "2026-02-10"),
    ])
    insert(store, "contacts", "contact_id, account_id, created_at", [
        ("d1", "D", "2026-03-01 09:00:00"),
    ])
    return store


def spans(store, plan, start, end):
    return [(r["account_id"], r["state"], r["span_start"], r["span_end"])
            for r in records(state_spans(store, plan, start, end), "account_id", "span_start")]


def test_spans_follow_fact_events_anniversaries_and_churn(company):
    got = spans(company, parse_plan(PLAN, "plan.yaml"), D(2026, 1, 1), D(2026, 4, 30))
    assert got == [
        # won on 31 January: February has no 31st, so the first month completes on 1 March
        # (months_as_customer 1) and the second on 31 March (2: loyal)
        ("A", "in_deal", D(2026, 1, 1), D(2026, 1, 30)),
        ("A", "customer", D(2026, 1, 31), D(2026, 3, 30)),
        ("A", "loyal", D(2026, 3, 31), D(2026, 4, 30)),
        # won on 15 January: two months complete on 15 March, mid-month
        ("B", "in_deal", D(2026, 1, 1), D(2026, 1, 14)),
        ("B", "customer", D(2026, 1, 15), D(2026, 3, 14)),
        ("B", "loyal", D(2026, 3, 15), D(2026, 4, 30)),
        # churned on 20 February: churned from that day on
        ("C", "loyal", D(2026, 1, 1), D(2026, 2, 19)),
        ("C", "churned", D(2026, 2, 20), D(2026, 4, 30)),
        # no span before the account exists; its lead arrives on 1 March
        ("D", "unclassified", D(2026, 2, 5), D(2026, 2, 28)),
        ("D", "lead", D(2026, 3, 1), D(2026, 4, 30)),
        # E is created after the range: no span. F's deal is open 1-9 February
        ("F", "unclassified", D(2026, 1, 1), D(2026, 1, 31)),
        ("F", "in_deal", D(2026, 2, 1), D(2026, 2, 9)),
        ("F", "unclassified", D(2026, 2, 10), D(2026, 4, 30)),
    ]


def test_a_range_of_one_day_and_a_range_starting_mid_span(company):
    plan = parse_plan(PLAN, "plan.yaml")
    assert spans(company, plan, D(2026, 3, 31), D(2026, 3, 31)) == [
        ("A", "loyal", D(2026, 3, 31), D(2026, 3, 31)),
        ("B", "loyal", D(2026, 3, 31), D(2026, 3, 31)),
        ("C", "churned", D(2026, 3, 31), D(2026, 3, 31)),
        ("D", "lead", D(2026, 3, 31), D(2026, 3, 31)),
        ("F", "unclassified", D(2026, 3, 31), D(2026, 3, 31)),
    ]
    assert spans(company, plan, D(2026, 2, 15), D(2026, 3, 10))[:2] == [
        ("A", "customer", D(2026, 2, 15), D(2026, 3, 10)),
        ("B", "customer", D(2026, 2, 15), D(2026, 3, 10)),
    ]


def test_spans_equal_the_state_evaluated_on_every_day(tmp_path):
    """The sample company's spans against states_at on each day of the range."""
    as_of = D(2026, 11, 15)
    generate_company(tmp_path / "csv", accounts=120, seed=5, as_of=as_of)
    with open_store(tmp_path / "covermap.duckdb") as s:
        import_paths(s, [tmp_path / "csv"])
        start, end = D(2026, 4, 20), D(2026, 7, 10)
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        plan = default_plan()
        daily = states_at(s, plan, days)
        acc = s.table("accounts").select("account_id", created=s.table("accounts").created_at)
        daily = daily.join(acc, "account_id")
        daily = daily.filter(daily.created.isnull() | (daily.created.date() <= daily.eval_date))
        want = {(r["account_id"], r["eval_date"]): r["state"] for r in records(daily)}
        got = {}
        for acc, state, lo, hi in spans(s, plan, start, end):
            for i in range((hi - lo).days + 1):
                got[(acc, lo + dt.timedelta(days=i))] = state
        assert got == want
        assert len({a for a, _ in want}) > 100
        changes = records(state_spans(s, plan, start, end))
        assert len(changes) > len({a for a, _ in want})  # some account changes state


def test_months_compared_with_more_than_a_number_count_every_month(company):
    """A rule doing arithmetic on months_as_customer: every monthly anniversary is a
    candidate day, with the same spans as the threshold form."""
    plan = parse_plan(PLAN.replace("months_as_customer >= 2", "months_as_customer - 1 >= 1"),
                      "plan.yaml")
    assert month_thresholds(plan) is None
    want = spans(company, parse_plan(PLAN, "plan.yaml"), D(2026, 1, 1), D(2026, 4, 30))
    assert spans(company, plan, D(2026, 1, 1), D(2026, 4, 30)) == want


@pytest.mark.parametrize(("rule", "counts"), [
    ("is_customer and months_as_customer >= 24", [24]),
    ("months_as_customer > 5.5 or months_as_customer < 3", [3, 6]),
    ("months_as_customer <= 5 and 7 < months_as_customer", [6, 8]),
    ("months_as_customer == 3", [3, 4]),
    ("months_as_customer in [1, 12]", [1, 2, 12, 13]),
    ("months_as_customer is empty", []),
])
def test_the_month_counts_a_rule_can_change_on(rule, counts):
    plan = parse_plan(PLAN.replace("is_customer and months_as_customer >= 2", rule), "plan.yaml")
    assert month_thresholds(plan) == counts
