"""Plan files: the default template, and every kind of bad plan named by file, line and key."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from covermap.errors import PlanError, PlanInvalid, RuleError
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
     "plan.yaml, line 1: statez: unknown key; did you mean 'states'? Keys here are: name, "
     "as_of, window_months, timezone, roles,"),
    ("sources:\n  - {file: a.csv, table: dealz}\n", PlanError,
     "plan.yaml, line 2: sources[0].table: unknown table 'dealz'; did you mean 'deals'? tables "
     "are: users, accounts,"),
])
def test_bad_plans_name_file_line_and_key(text, error, message):
    with pytest.raises(PlanInvalid) as info:
        parse_plan(text, "plan.yaml")
    [problem] = info.value.problems
    assert type(problem) is error
    assert str(problem).startswith(message)
    assert str(info.value) == str(problem)


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


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanInvalid) as info:
        parse_plan(text, "plan.yaml")
    assert str(info.value) == "\n".join(info.value.messages())
    return info.value.messages()


def test_every_problem_is_reported_in_file_order():
    # a rule error, a reference error and a validation error: all three, by line
    text = (STATE % '"is_customer and"' + "  - id: a\n    label: {en: B}\n    rule: churned\n"
            "window_months: 0\n")
    assert _problems(text) == [
        "plan.yaml, line 4: states[0].rule: expected a value or a name but found the end at "
        "position 16 of rule 'is_customer and'",
        "plan.yaml, line 5: states[1].id: duplicate state id 'a' (first at states[0]); every "
        "state needs its own id",
        "plan.yaml, line 8: window_months: Input should be greater than or equal to 1",
    ]


def test_values_yaml_read_as_another_type_get_a_hint_to_quote_them():
    text = ("name: yes\ntimezone: 2024\nstates:\n  - id: a\n    label: {en: on, ja: 2024-01-01}\n"
            "    rule: churned\n    purpose: 1_000\nactivity_kinds:\n  no: {channel: none}\n"
            "  call: {channel: human, outcomes: [yes, connected]}\n")
    assert _problems(text) == [
        'plan.yaml, line 1: name: expected text, but YAML read yes as a boolean; write it in '
        'quotes: "yes"',
        'plan.yaml, line 2: timezone: expected text, but YAML read 2024 as a number; write it in '
        'quotes: "2024"',
        'plan.yaml, line 5: states[0].label.en: expected text, but YAML read on as a boolean; '
        'write it in quotes: "on"',
        'plan.yaml, line 5: states[0].label.ja: expected text, but YAML read 2024-01-01 as a '
        'date; write it in quotes: "2024-01-01"',
        'plan.yaml, line 7: states[0].purpose: expected text, but YAML read 1_000 as a number; '
        'write it in quotes: "1_000"',
        # a mapping key YAML read as a boolean is named as written
        'plan.yaml, line 9: activity_kinds.no: expected text, but YAML read no as a boolean; '
        'write it in quotes: "no"',
        'plan.yaml, line 10: activity_kinds.call.outcomes[0]: expected text, but YAML read yes '
        'as a boolean; write it in quotes: "yes"',
    ]
    assert _problems(STATE.replace("{en: A}", "{en: }") % "churned") == [
        "plan.yaml, line 3: states[0].label.en: this key needs a value (it is empty)"]


def test_unknown_names_suggest_the_closest_known_one():
    text = ("states:\n  - id: a\n    labl: {en: A}\n    rule: churned\n    owners: [cms]\n"
            "    standard:\n      - {channel: humna, min: 1, per: weekly}\n"
            "sources:\n  - {file: d.csv, table: deal}\n"
            "  - {file: e.csv, table: deals, columns: {amout: Amount}}\n")
    assert _problems(text) == [
        "plan.yaml, line 2: states[0].label: this key is required",
        "plan.yaml, line 3: states[0].labl: unknown key; did you mean 'label'? Keys here are: "
        "id, label, rule, purpose, owners, standard, content",
        "plan.yaml, line 5: states[0].owners[0]: unknown role 'cms'; did you mean 'csm'? roles "
        "are: csm, account_executive, inside_sales, marketing, executive (add it under "
        "`roles:`)",
        "plan.yaml, line 7: states[0].standard[0].channel: Input should be 'human' or 'digital' "
        "(got 'humna'); did you mean 'human'?",
        "plan.yaml, line 7: states[0].standard[0].per: Input should be 'week', 'month' or "
        "'quarter' (got 'weekly'); did you mean 'week'?",
        "plan.yaml, line 9: sources[0].table: unknown table 'deal'; did you mean 'deals'? tables "
        "are: users, accounts, contacts, products, deals, deal_lines, account_team, "
        "deal_contacts, activities",
        "plan.yaml, line 10: sources[1]: table deals has no column 'amout'; did you mean "
        "'amount'? columns are: deal_id, account_id, name, stage, is_closed, is_won, amount, "
        "currency, created_at, close_date, owner_id, channel, deal_type",
    ]
    assert _problems("worklist:\n  states: [loyl]\n") == [
        "plan.yaml, line 2: worklist.states[0]: unknown state 'loyl'; did you mean 'loyal'? "
        "states are: loyal, active, new, churned, in_deal, hot_lead, potential_lead, lead, "
        "target"]
    assert _problems("coverage_map:\n  channels:\n    bundeled: {low: online}\n")[0] == (
        "plan.yaml, line 3: coverage_map.channels.bundeled: Input should be 'simple', 'bundled' "
        "or 'customised' (got 'bundeled'); did you mean 'bundled'?")


def test_an_unknown_column_against_the_store_suggests_one():
    plan = parse_plan(STATE % '"segmnt == \\"smb\\""', "plan.yaml")
    file, lines = plan_origin(plan)
    problems: list = []
    check_plan_rules(plan, file=file, lines=lines, store_columns={"segment": "VARCHAR"},
                     unknown_names_ok=False, problems=problems)
    [problem] = problems
    assert str(problem).startswith(
        "plan.yaml, line 4: states[0].rule: unknown column 'segmnt'; did you mean 'segment'? "
        "known columns and facts: account_id,")


def test_a_yaml_alias_that_holds_itself_is_an_error_not_a_crash():
    assert _problems("name: &x [*x]\n") == [
        "plan.yaml, line 1: name: expected one value, not a list"]


def test_a_plain_label_is_the_english_name():
    plan = parse_plan("states:\n  - id: customer\n    label: Customer\n    rule: is_customer\n",
                      "plan.yaml")
    assert (plan.states[0].label.en, plan.states[0].label.ja) == ("Customer", None)
