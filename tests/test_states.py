"""States over time: plan order, unclassified, extra columns, transitions, rule errors."""

from __future__ import annotations

import datetime as dt

import pytest
from test_coverage import records
from test_coverage_company import insert

from covermap.coverage.measure import measure_coverage
from covermap.engine.states import states_at, transitions
from covermap.errors import PlanError, PlanInvalid, RuleError
from covermap.plan import parse_plan

D = dt.date
PLAN = """\
timezone: UTC
states:
  - id: vip
    label: {en: VIP}
    rule: is_customer and tier == "gold"
  - id: customer
    label: {en: Customer}
    rule: is_customer
    standard:
      - {channel: human, min: 1, per: month}
  - id: churned
    label: {en: Churned}
    rule: churned
"""


@pytest.fixture
def company(store):
    store.duckdb.execute("ALTER TABLE accounts ADD COLUMN tier VARCHAR")  # an importer's extra
    insert(store, "accounts", "account_id, name, tier, churned_at, created_at", [
        ("G", "Gold", "gold", None, None),
        ("S", "Silver", "silver", "2026-04-15 09:00:00", None),
        ("N", "New", "gold", None, "2026-03-15 09:00:00"),
        ("Z", "Nothing", None, None, None),
    ])
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, created_at, close_date", [
        ("g", "G", True, True, "2026-01-01 00:00:00", "2026-02-10"),
        ("s", "S", True, True, "2025-01-01 00:00:00", "2025-02-01"),
        ("n", "N", True, True, "2026-01-01 00:00:00", "2026-02-15"),
    ])
    return store


def test_first_matching_state_wins_and_the_rest_is_unclassified(company):
    plan = parse_plan(PLAN, "plan.yaml")
    rows = records(states_at(company, plan, [D(2026, 1, 31), D(2026, 2, 28), D(2026, 4, 15)]))
    got = {(r["account_id"], r["eval_date"]): r["state"] for r in rows}
    assert got == {
        ("G", D(2026, 1, 31)): "unclassified", ("G", D(2026, 2, 28)): "vip",
        ("G", D(2026, 4, 15)): "vip",
        ("S", D(2026, 1, 31)): "customer", ("S", D(2026, 2, 28)): "customer",
        ("S", D(2026, 4, 15)): "churned",
        ("N", D(2026, 1, 31)): "unclassified", ("N", D(2026, 2, 28)): "vip",
        ("N", D(2026, 4, 15)): "vip",
        ("Z", D(2026, 1, 31)): "unclassified", ("Z", D(2026, 2, 28)): "unclassified",
        ("Z", D(2026, 4, 15)): "unclassified",
    }
    made = {(r["account_id"], r["eval_date"]): r["evaluated"] for r in rows
            if r["account_id"] == "N"}
    # N was created on 15 March: only evaluations for days from then on are made
    assert made == {("N", D(2026, 1, 31)): False, ("N", D(2026, 2, 28)): False,
                    ("N", D(2026, 4, 15)): True}


def test_transitions_are_dated_by_the_first_evaluation_with_the_new_state(company):
    plan = parse_plan(PLAN, "plan.yaml")
    # window February..April; evaluations on 31 Jan, 28 Feb, 31 Mar and as_of 10 May
    r = measure_coverage(company, plan, as_of=D(2026, 5, 10), window_months=3)
    # each account is its own group; no account has a region or country for a territory
    assert records(r.transitions, "account_id") == [
        {"account_id": "G", "from_state": "unclassified", "to_state": "vip",
         "date": D(2026, 2, 28), "group_id": "G", "territory": None},
        {"account_id": "S", "from_state": "customer", "to_state": "churned",
         "date": D(2026, 5, 10), "group_id": "S", "territory": None},
    ]  # N's evaluations before its creation are not made, so it has no transition
    current = {x["account_id"]: x["state"] for x in records(r.accounts)}
    assert current == {"G": "vip", "S": "churned", "N": "vip", "Z": "unclassified"}
    states = records(r.summary.filter(r.summary.group == "state"))
    assert [(x["key"], x["accounts"], x["checks"], x["has_standard"]) for x in states] == [
        ("vip", 2, 0, False), ("customer", 0, 3, True), ("churned", 1, 0, False),
        ("unclassified", 1, 0, False)]


def test_transitions_from_a_states_table(company):
    plan = parse_plan(PLAN, "plan.yaml")
    s = states_at(company, plan, [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)])
    assert [(x["account_id"], x["from_state"], x["to_state"], x["date"])
            for x in records(transitions(s), "account_id")] == [
        ("G", "unclassified", "vip", D(2026, 2, 28)),
        ("S", "customer", "churned", D(2026, 4, 30))]


def test_an_unknown_column_names_the_plan_file_line_and_key(company):
    text = PLAN.replace('tier == "gold"', 'tierx == "gold"')
    plan = parse_plan(text, "plan.yaml")  # the store may have such a column: checked later
    with pytest.raises(PlanInvalid) as e:
        measure_coverage(company, plan, as_of=D(2026, 5, 10))
    [problem] = e.value.problems
    assert isinstance(problem, RuleError)
    assert str(problem).startswith(
        "plan.yaml, line 5: states[0].rule: unknown column 'tierx'; did you mean 'tier'? known "
        "columns and facts: ")
    assert "tier," in str(problem)


def test_every_rule_against_the_store_is_checked_at_once(company):
    text = PLAN.replace('tier == "gold"', 'tierx == "gold"') + "worklist: {value_measure: ar}\n"
    with pytest.raises(PlanInvalid) as e:
        measure_coverage(company, parse_plan(text, "plan.yaml"), as_of=D(2026, 5, 10))
    assert [(p.line, p.key) for p in e.value.problems] == [
        (5, "states[0].rule"), (14, "worklist.value_measure")]
    assert e.value.messages()[1].startswith(
        "plan.yaml, line 14: worklist.value_measure: unknown account column 'ar'; did you mean "
        "'arr'? account columns are: account_id, name, domain")


def test_an_unknown_value_measure_names_the_plan_key(company):
    plan = parse_plan(PLAN + "worklist: {value_measure: revenue}\n", "plan.yaml")
    with pytest.raises(PlanError) as e:
        measure_coverage(company, plan, as_of=D(2026, 5, 10))
    assert str(e.value).startswith(
        "plan.yaml, line 14: worklist.value_measure: unknown account column 'revenue'; did you "
        "mean 'annual_revenue'? account columns are: account_id, name, domain")
