"""Derived facts at evaluation dates, point in time, against hand-made rows."""

from __future__ import annotations

import datetime as dt

import pytest
from test_coverage import records
from test_coverage_company import insert

from covermap.engine.facts import FACTS, derived_facts, rule_names
from covermap.plan import default_plan, parse_plan

D = dt.date
PLAN = """\
timezone: UTC
states:
  - {id: any, label: {en: Any}, rule: "won_deals >= 0"}
"""


@pytest.fixture
def facts(store):
    insert(store, "accounts", "account_id, name, is_target, churned_at", [
        ("W", "Won in March", None, None),
        ("J", "Since January 31", True, None),
        ("X", "Churned", False, "2026-03-10 10:00:00"),
        ("L", "Leads", None, None),
    ])
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, created_at, close_date", [
        ("w1", "W", True, True, "2026-02-01 09:00:00", "2026-03-15"),
        ("j1", "J", True, True, "2025-12-01 09:00:00", "2026-01-31"),
        ("j2", "J", True, True, "2026-02-01 09:00:00", "2026-03-01"),
        ("x1", "X", True, True, "2024-12-01 09:00:00", "2025-01-10"),
        ("x2", "X", True, False, "2026-02-10 09:00:00", "2026-03-05"),  # lost on 5 March
        ("x3", "X", True, False, "2026-02-10 09:00:00", None),  # closed, date unknown
        ("x4", "X", False, False, None, None),  # open but never dated
        ("l1", "L", False, False, "2026-02-28 20:00:00", "2026-12-31"),  # expected close only
    ])
    insert(store, "contacts", "contact_id, account_id, lead_score, created_at", [
        ("c1", "L", 40, None),
        ("c2", "L", 85, "2026-03-02 08:00:00"),
        ("c3", "L", None, "2026-01-01 00:00:00"),
        ("c4", None, 99, None),  # no account
    ])
    dates = [D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 9),
             D(2026, 3, 10), D(2026, 3, 15), D(2026, 3, 30), D(2026, 3, 31), D(2027, 1, 31)]

    def at(timezone: str = "UTC"):
        plan = parse_plan(PLAN.replace("UTC", timezone), "plan.yaml")
        rows = records(derived_facts(store, plan, dates))
        return {(r["account_id"], r["eval_date"]): r for r in rows}

    return at


def test_every_fact_is_there(facts):
    row = facts()[("W", D(2026, 3, 15))]
    assert set(FACTS) <= set(row)


def test_a_deal_won_in_march_is_no_customer_in_february(facts):
    f = facts()
    feb, mar = f[("W", D(2026, 2, 28))], f[("W", D(2026, 3, 15))]
    assert (feb["won_deals"], feb["is_customer"], feb["customer_since"], feb["open_deals"],
            feb["months_as_customer"]) == (0, False, None, 1, None)
    assert (mar["won_deals"], mar["is_customer"], mar["customer_since"], mar["last_won_at"],
            mar["open_deals"], mar["months_as_customer"]) == (
        1, True, D(2026, 3, 15), D(2026, 3, 15), 0, 0)


def test_months_as_customer_since_january_31(facts):
    f = facts()
    months = {d: f[("J", d)]["months_as_customer"] for d in
              (D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 30), D(2026, 3, 31), D(2027, 1, 31))}
    # a month completes on the same day-of-month: 28 Feb is not yet one month after 31 Jan
    assert months == {D(2026, 2, 28): 0, D(2026, 3, 1): 1, D(2026, 3, 30): 1,
                      D(2026, 3, 31): 2, D(2027, 1, 31): 12}
    assert (f[("J", D(2026, 2, 28))]["last_won_at"], f[("J", D(2026, 3, 1))]["last_won_at"]) == (
        D(2026, 1, 31), D(2026, 3, 1))
    assert f[("J", D(2026, 3, 1))]["won_deals"] == 2
    assert f[("J", D(2026, 3, 1))]["is_target"] is True


def test_churn_date_ends_customer_status_from_that_day(facts):
    f = facts()
    before, on = f[("X", D(2026, 3, 9))], f[("X", D(2026, 3, 10))]
    assert (before["churned"], before["is_customer"], before["months_as_customer"]) == (
        False, True, 13)
    assert (on["churned"], on["is_customer"], on["months_as_customer"],
            on["customer_since"]) == (True, False, None, D(2025, 1, 10))
    assert f[("X", D(2026, 3, 9))]["is_target"] is False


def test_open_deals_point_in_time(facts):
    f = facts()
    # x2 is open until it is lost on 5 March; x3 (closed, date unknown) is never "closed on
    # or before d", so it stays open; x4 (no created_at) is never "created on or before d"
    assert [f[("X", d)]["open_deals"] for d in (D(2026, 2, 28), D(2026, 3, 4), D(2026, 3, 5))] \
        == [2, 2, 1]
    # an expected close date on an open deal does not close it
    assert f[("L", D(2026, 3, 31))]["open_deals"] == 1


def test_leads_count_undated_contacts(facts):
    f = facts()
    assert [(f[("L", d)]["lead_count"], f[("L", d)]["max_lead_score"]) for d in
            (D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 4))] == [(2, 40), (2, 40), (3, 85)]
    assert (f[("W", D(2026, 3, 4))]["lead_count"], f[("W", D(2026, 3, 4))]["max_lead_score"]) \
        == (0, None)
    assert f[("L", D(2026, 3, 4))]["is_target"] is False


def test_dates_are_local_to_the_plan_time_zone(facts):
    # l1 was created at 20:00 UTC on 28 February: 1 March in Tokyo
    assert facts()[("L", D(2026, 2, 28))]["open_deals"] == 1
    tokyo = facts("Asia/Tokyo")
    assert (tokyo[("L", D(2026, 2, 28))]["open_deals"], tokyo[("L", D(2026, 3, 1))]["open_deals"]
            ) == (0, 1)
    # c2 was created at 08:00 UTC on 2 March, the same day in Tokyo (17:00)
    assert tokyo[("L", D(2026, 3, 1))]["lead_count"] == 2


def test_rule_names_of_the_default_plan():
    assert rule_names(default_plan()) == {"is_customer", "months_as_customer", "churned",
                                          "open_deals", "max_lead_score", "lead_count",
                                          "is_target"}
