"""Hostile plans end in a plan error that names the file, line and key (issue 8, points 9,
11 and the rule strings of 12): alias bombs, huge or deeply nested YAML, rules nested or
chained thousands of times, and string escapes. No timing here: the limits are asserted by
what is refused and by how often each node is walked (timings: benchmarks/bench_plan.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import pytest

from covermap.cli.main import app
from covermap.errors import PlanInvalid
from covermap.plan import load_plan, parse_plan
from covermap.plan.limits import MAX_PLAN_BYTES, compose
from covermap.plan.rules import account_column_types, compile_rule, parse_rule
from covermap.plan.validation import Locations

BOMB = "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
               for a, b in zip("abcdefgh", "bcdefghi"))
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB
STATE = "states:\n  - id: a\n    label: {en: A}\n    rule: %s\n"


def _messages(text: str, file: str = "plan.yaml") -> list[str]:
    with pytest.raises(PlanInvalid) as e:
        parse_plan(text, file)
    return e.value.messages()


def test_a_billion_laughs_bomb_stops_at_the_value_limit(tmp_path: Path, runner):
    plan = tmp_path / "bomb.yaml"
    plan.write_text(BOMB)
    assert len(BOMB.encode()) == 414  # 9**9 values once expanded
    # counted by hand: keys a-d and their lists hold 8,306 values; e's list begins at
    # 8,308 and each *d adds 7,381, so the sixth alias (e[5]) passes 50,000
    message = (f"{plan}, line 5: e[5]: the plan holds more than 50,000 values once its "
               f"aliases (*name) are expanded; remove the aliases that repeat other aliases "
               f"(a plan has a few hundred: the built-in template about 470)")
    with pytest.raises(PlanInvalid) as e:
        load_plan(plan)
    assert e.value.messages() == [message]
    result = runner.invoke(app, ["plan", "check", str(plan)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "e[5]: the plan holds more" in result.output


def test_each_node_is_walked_once_however_often_it_is_aliased():
    text = "a: &a [x, y]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    node, data = compose(text)
    where = Locations(node)
    # distinct nodes: the mapping, the three lists and x, y (expanded, c alone holds 31)
    assert len(where.walked) == 6
    assert data["c"][2][1] == ["x", "y"]
    assert where.lines[("c",)] == 3 and where.lines[("c", 2)] == 2  # an alias: the anchor's


def test_a_shared_standard_by_alias_loads_into_both_states():
    plan = parse_plan(
        "states:\n"
        "  - id: a\n    label: {en: A}\n    rule: is_customer\n"
        "    standard: &monthly\n      - {channel: human, min: 1, per: month}\n"
        "  - id: b\n    label: {en: B}\n    rule: not is_customer\n    standard: *monthly\n")
    assert [[e.describe() for e in s.standard] for s in plan.states] == [
        ["1 human touch per month"], ["1 human touch per month"]]


def test_a_plan_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path):
    plan = tmp_path / "huge.yaml"
    plan.write_text("# padding\n" * (MAX_PLAN_BYTES // 10) + "x\n")
    with pytest.raises(PlanInvalid) as e:
        load_plan(plan)
    assert e.value.messages() == [
        (f"{plan}: the plan file is 1,000,002 bytes; a plan may be at most 1,000,000 bytes "
        f"(the built-in template is about 9,000): is this the right file?")]


def test_a_plan_with_too_many_values_and_no_aliases_says_so():
    assert _messages("x: [" + ", ".join(["1"] * 50_000) + "]\n") == [
        ("plan.yaml, line 1: x[49997]: the plan holds more than 50,000 values; is this the "
        "right file? (a plan has a few hundred: the built-in template about 470)")]


def test_a_large_legal_plan_loads_whole(tmp_path: Path):
    lines = ["states:"]
    for i in range(1500):
        lines += [f"  - id: s{i}", f"    label: {{en: State {i}, ja: 状態{i}}}",
                  f"    rule: is_customer and months_as_customer >= {i % 40}",
                  "    owners: [csm]",
                  "    standard:", "      - {channel: human, min: 1, per: month, by: [csm]}"]
    plan = tmp_path / "large.yaml"
    plan.write_text("\n".join(lines) + "\n", "utf-8")
    assert 250_000 < plan.stat().st_size < MAX_PLAN_BYTES
    loaded = load_plan(plan)
    assert len(loaded.states) == 1500
    assert loaded.states[1499].rule == "is_customer and months_as_customer >= 19"


def test_yaml_nested_10000_deep_is_an_error_not_a_recursion():
    block = "name:\n  " + "- " * 10_000 + "x\n"
    assert _messages(block) == [
        ("plan.yaml, line 2: name[0][0][0]…: values are nested more than 64 levels deep "
        "(lists or mappings inside each other); a plan needs fewer than 10: flatten this "
        "value")]
    assert _messages("states:\n  - id: a\n    x: " + "{a: " * 100 + "1" + "}" * 100) == [
        ("plan.yaml, line 3: states[0].x.a…: values are nested more than 64 levels deep "
        "(lists or mappings inside each other); a plan needs fewer than 10: flatten this "
        "value")]
    [flow] = _messages("name: " + "[" * 10_000 + "]" * 10_000)
    assert flow.startswith("plan.yaml, line 1: ")  # libyaml's own depth limit, or ours


def test_a_rule_with_10000_nested_parentheses_names_the_file_line_and_key():
    [message] = _messages(STATE % ("(" * 10_000 + "is_customer" + ")" * 10_000))
    assert message == (
        "plan.yaml, line 4: states[0].rule: the rule nests parentheses, `not` or `-` more "
        "than 32 levels deep; write it with fewer levels at position 33 of rule '"
        + "(" * 80 + "…'")


def test_a_rule_with_thousands_of_or_terms_names_the_limit_and_the_fix():
    [message] = _messages(STATE % " or ".join(["is_customer"] * 3000))
    assert message.startswith(
        "plan.yaml, line 4: states[0].rule: the rule has more than 500 operators (and, or, "
        "comparisons, arithmetic); for a list of values write `column in ['a', 'b']`, or "
        "split the rule across states at position ")


def test_long_or_chains_within_the_limit_compile_and_count_exactly(tmp_path: Path):
    db = tmp_path / "t.duckdb"
    duckdb.connect(str(db)).execute(
        "CREATE TABLE t AS SELECT i AS a FROM range(1000) r(i)").close()
    con = ibis.duckdb.connect(str(db))
    t = con.table("t")
    rule = " or ".join(f"a == {i}" for i in range(0, 1000, 4))  # 250 terms
    assert t.filter(compile_rule(rule, t)).count().execute() == 250
    deep = " + ".join(["a"] * 40) + " > 0"
    [message] = _messages(STATE % deep)
    assert message.startswith("plan.yaml, line 4: states[0].rule: the rule is more than 32 "
                              "operations deep (a long chain of + or -, or `not` inside "
                              "`not`); write it in fewer steps at position 1 of rule")
    con.disconnect()


def test_an_unknown_string_escape_is_a_plan_error_with_what_to_write():
    assert _messages(STATE % "\"name == 'a\\\\x'\"") == [
        ("plan.yaml, line 4: states[0].rule: unknown escape '\\x' in a string (a backslash "
        "escapes only \\\\ \\' \\\" \\n \\t \\r; write \\\\ for a backslash) at position 11 "
        "of rule \"name == 'a\\\\x'\"")]


def test_string_escapes_keep_accents_and_mean_what_they_say(tmp_path: Path):
    assert parse_rule("name == 'café\\t'").right.value == "café\t"
    assert parse_rule("name == 'O\\'Brien'").right.value == "O'Brien"
    assert parse_rule('name == "東京\\\\支店"').right.value == "東京\\支店"
    db = tmp_path / "t.duckdb"
    duckdb.connect(str(db)).execute(
        "CREATE TABLE accounts AS SELECT * FROM (VALUES ('café\t'), ('cafÃ©\t'), ('café'))"
        " v(name)").close()
    con = ibis.duckdb.connect(str(db))
    t = con.table("accounts")
    kept = t.filter(compile_rule("name == 'café\\t'", t, account_column_types()))
    assert kept.name.execute().tolist() == ["café\t"]
    con.disconnect()
