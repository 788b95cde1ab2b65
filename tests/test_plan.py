"""Plan files: the default template, and every kind of bad plan named by file, line and key."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from covermap.errors import PlanError, RuleError
from covermap.plan import default_plan, load_plan, parse_plan, template_text
from covermap.plan.rules import check_plan_rules, compile_rule, plan_origin

STATE = "states:\n  - id: a\n    label: {en: A}\n    rule: %s\n"


def test_default_plan_reproduces_the_nine_state_standard():
    plan = default_plan()
    assert [s.id for s in plan.states] == [
        "loyal", "active", "new", "churned", "in_deal", "hot_lead", "potential_lead", "lead",
        "target"]
    assert [s.label.ja for s in plan.states] == [
        "ロイヤルカスタマー", "継続取引中顧客", "初取引から6ヶ月以内の顧客", "離反顧客", "商談中顧客",
        "商談可能性高保有リード", "ポテンシャル高保有リード", "保有リード", "リード未保有ターゲット"]
    minimum = {s.id: [e.describe() for e in s.standard] for s in plan.states}
    assert minimum["loyal"] == ["1 human touch by csm/executive per month"]
    assert minimum["new"] == ["1 human touch by csm/account_executive per week"]
    assert minimum["churned"] == ["1 digital touch per month"]
    assert minimum["potential_lead"] == ["1 human touch by inside_sales per month",
                                         "2 digital touches per month"]
    assert minimum["target"] == []
    assert plan.window_months == 6 and plan.as_of is None and plan.timezone == "UTC"
    assert plan.coverage_map.channels["customised"]["high"] == "field_sales"
    assert plan.kinds_of("human") == ["call", "email", "meeting", "visit"]


def test_a_plan_holding_only_some_keys_takes_the_rest_from_the_default():
    plan = parse_plan("window_months: 3\nas_of: 2026-06-30\n")
    assert plan.window_months == 3
    assert plan.as_of == dt.date(2026, 6, 30)
    assert len(plan.states) == 9


def test_template_is_commented_yaml_that_loads(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(template_text(), "utf-8")
    assert "# covermap plan" in path.read_text("utf-8")
    assert load_plan(path) == default_plan()


@pytest.mark.parametrize("text, error, message", [
    (STATE % '"is_customer and"', RuleError,
     "plan.yaml, line 4: states[0].rule: expected a value or a name but found the end at "
     "position 16 of rule 'is_customer and'"),
    (STATE % '"open_deals >> 1"', RuleError,
     "plan.yaml, line 4: states[0].rule: expected a value or a name but found '>' at position 13"
     " of rule 'open_deals >> 1'"),
    (STATE % '"segment > 3"', RuleError,
     "plan.yaml, line 4: states[0].rule: `>` compares a string with a number in rule "
     "'segment > 3'"),
    (STATE % '"open_deals"', RuleError,
     "plan.yaml, line 4: states[0].rule: a rule must be a condition (true/false), e.g. "
     "`open_deals > 0`; got 'open_deals'"),
    (STATE % '"__import__(\'os\')"', RuleError,
     "plan.yaml, line 4: states[0].rule: unexpected '(' at position 11 of rule "
     "\"__import__('os')\"; rules have no function calls"),
    (STATE % "churned" + "  - id: a\n    label: {en: B}\n    rule: churned\n", PlanError,
     "plan.yaml, line 5: states[1].id: duplicate state id 'a' (first at states[0]); every state "
     "needs its own id"),
    ("worklist:\n  states: [loyal, nope]\n", PlanError,
     "plan.yaml, line 2: worklist.states[1]: unknown state 'nope'; states are: loyal, active, "
     "new, churned, in_deal, hot_lead, potential_lead, lead, target"),
    (STATE % "churned" + "    owners: [ceo]\n", PlanError,
     "plan.yaml, line 5: states[0].owners[0]: unknown role 'ceo'; roles are: csm, "
     "account_executive, inside_sales, marketing, executive (add it under `roles:`)"),
    (STATE % "churned" + "    standard:\n      - {channel: human, min: 1, per: fortnight}\n",
     PlanError,
     "plan.yaml, line 6: states[0].standard[0].per: Input should be 'week', 'month' or "
     "'quarter' (got 'fortnight')"),
    ("window_months: 0\n", PlanError,
     "plan.yaml, line 1: window_months: Input should be greater than or equal to 1"),
    ("timezone: Mars/Olympus\n", PlanError,
     "plan.yaml, line 1: timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as "
     "UTC or Asia/Tokyo"),
    ("activity_kinds:\n  call: {channel: phone}\n", PlanError,
     "plan.yaml, line 2: activity_kinds.call.channel: Input should be 'human', 'digital' or "
     "'none' (got 'phone')"),
    ("states: [\n", PlanError, "plan.yaml, line 2: not valid YAML"),
    ("statez: []\n", PlanError,
     "plan.yaml, line 1: statez: unknown key; check its spelling against `covermap init`'s "
     "template"),
    ("sources:\n  - {file: a.csv, table: dealz}\n", PlanError,
     "plan.yaml, line 2: sources[0].table: unknown table 'dealz'; tables are: users, accounts,"),
])
def test_bad_plans_name_file_line_and_key(text, error, message):
    with pytest.raises(error) as info:
        parse_plan(text, "plan.yaml")
    assert str(info.value).startswith(message)


def test_unknown_column_is_reported_against_the_store_columns():
    plan = parse_plan(STATE % '"tier == \\"A\\""', "plan.yaml")  # may be an extra column
    file, lines = plan_origin(plan)
    check_plan_rules(plan, file=file, lines=lines, store_columns={"tier": "VARCHAR"},
                     unknown_names_ok=False)
    with pytest.raises(RuleError) as info:
        check_plan_rules(plan, file=file, lines=lines, store_columns={"segment": "VARCHAR"},
                         unknown_names_ok=False)
    assert str(info.value).startswith(
        "plan.yaml, line 4: states[0].rule: unknown column 'tier'; known columns and facts: "
        "account_id, annual_revenue, arr,")


def test_missing_plan_file_says_how_to_create_one(tmp_path):
    with pytest.raises(PlanError, match=r"no plan file here; create one with `covermap init"):
        load_plan(tmp_path / "nope.yaml")


RULE_ROWS = {
    "i": [0, 1, 2, 3],
    "is_customer": [True, True, None, False],
    "months_as_customer": [30, None, None, 3],
    "segment": ["smb", "enterprise", None, "smb"],
    "created_at": [dt.datetime(2024, 1, 5), None, dt.datetime(2025, 3, 1), None],
    "churned": [False, False, True, False],
}


@pytest.mark.parametrize("rule, expected", [
    ("is_customer and months_as_customer >= 24", [True, False, False, False]),
    # a comparison with an empty value is false, so its negation is true
    ("not (months_as_customer >= 24)", [False, True, True, True]),
    ("segment in ['smb', 'mid_market']", [True, False, False, True]),
    ("segment not in ['smb']", [False, True, False, False]),
    ("segment is empty or churned", [False, False, True, False]),
    ("created_at >= '2025-01-01'", [False, False, True, False]),
    ("months_as_customer * 2 + 1 > 7", [True, False, False, False]),
    ("is_customer == false", [False, False, False, True]),
])
def test_rules_compile_to_ibis_with_empty_values_false(rule, expected):
    t = ibis.memtable(RULE_ROWS)
    result = t.mutate(r=compile_rule(rule, t)).order_by("i").r.to_pyarrow()
    assert result.to_pylist() == expected
