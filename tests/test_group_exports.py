"""Every per-account export ends with ``group_id`` and ``territory`` (issue 16, point 4),
by hand on tests/test_group_exports_data.py's company (a 3-level group P -> S1 -> S2,
territories emea and na, X in none); the columns before them are the ones written before
the two were added, in the same order."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import test_group_exports_data as fx

from covermap.cli.main import app
from covermap.render.columns import column

#: each export's columns before group_id and territory were appended
BEFORE = {
    "coverage/coverage_accounts.csv": [
        "account_id", "state", "segment", "owner_id", "checks", "passed", "compliance",
        "human_touches", "digital_touches", "weighted_touches", "contacts_touched",
        "days_since_human_touch", "touched", "owner_name", "owner_source", "name", "label",
        "has_standard", "personas_touched", "human_per_month", "digital_per_month"],
    "coverage/coverage_depth.csv": [
        "account_id", "human_touches", "digital_touches", "human_per_month",
        "digital_per_month", "weighted_touches", "contacts_touched", "personas_touched",
        "content_stages", "days_since_human_touch"],
    "coverage/worklist.csv": [
        "account_id", "name", "state", "owner_id", "segment", "channel", "per", "by", "min",
        "count", "missing", "reason", "due_date", "value", "days_since_human_touch",
        "owner_name", "entry", "last_bucket_start", "last_bucket_end", "last_count",
        "expected", "rank"],
    "coverage/transitions.csv": ["account_id", "from_state", "to_state", "date"],
    "team/team_accounts.csv": [
        "account_id", "state", "stage", "segment", "owner_id", "team_size", "gaps",
        "duplicates", "over_coverage", "silent_members"],
    "team/team_findings.csv": ["account_id", "stage", "kind", "role", "user_id", "detail"],
    "team/team_handoffs.csv": [
        "account_id", "rule", "event_date", "from_role", "to_role", "first_touch_date",
        "days", "status", "released", "stage", "next_state"],
    "value/value_accounts.csv": ["account_id", "persona", "contacts", "touched_contacts",
                                 "human_touches"],
    "assign/assignment.csv": ["account_id", "user_id", "previous_user_id", "moved", "reason"],
}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def export_all(runner, store: Path, plan: Path, out: Path) -> Path:
    for args in (["coverage"], ["team"], ["value"], ["assign", "--role", "csm"]):
        folder = out / args[0]
        res = runner.invoke(app, [*args, "--store", str(store), "--plan", str(plan),
                                  "--export", str(folder)])
        assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, Path]:
    return fx.files(tmp_path_factory.mktemp("group-exports"))


@pytest.fixture(scope="module")
def exports(company, tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    return export_all(CliRunner(), *company, tmp_path_factory.mktemp("out"))


@pytest.mark.parametrize("name", list(BEFORE))
def test_the_two_columns_are_appended_after_the_existing_ones(exports, name):
    with (exports / name).open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == [*BEFORE[name], "group_id", "territory"]


def test_per_account_tables_have_each_accounts_group_and_territory(exports):
    # one row per account: P, S1 and S2 are group P (S2 two levels below P); S2 is in the
    # United States (na) although P is in Germany (emea); X (Japan) matches no territory
    for name in ("coverage/coverage_accounts.csv", "team/team_accounts.csv",
                 "assign/assignment.csv"):
        got = {r["account_id"]: (r["group_id"], r["territory"]) for r in read(exports / name)}
        assert got == fx.KEYS, name
    # P meets its standard: S1 (ARR 50), Y (30), S2 (20), X (10) are below it
    assert [(r["rank"], r["account_id"], r["group_id"], r["territory"])
            for r in read(exports / "coverage/worklist.csv")] == [
        ("1", "S1", "P", "emea"), ("2", "Y", "Y", "na"), ("3", "S2", "P", "na"),
        ("4", "X", "X", "")]
    # only P is touched
    assert [(r["account_id"], r["group_id"], r["territory"])
            for r in read(exports / "coverage/coverage_depth.csv")] == [("P", "P", "emea")]


def test_rows_of_an_account_carry_its_keys(exports):
    findings = read(exports / "team/team_findings.csv")
    assert [(r["account_id"], r["kind"], r["user_id"], r["group_id"], r["territory"])
            for r in findings if r["kind"] == "duplicate"] == [
        ("P", "duplicate", "u1", "P", "emea"), ("S1", "duplicate", "u1", "P", "emea"),
        ("S2", "duplicate", "u2", "P", "na"), ("Y", "duplicate", "u3", "Y", "na"),
        ("Y", "duplicate", "u4", "Y", "na")]
    assert all((r["group_id"], r["territory"]) == fx.KEYS[r["account_id"]] for r in findings)
    # the built-in value maps: the cfo matters at every account (nobody has contacts)
    assert [(r["account_id"], r["persona"], r["contacts"], r["group_id"], r["territory"])
            for r in read(exports / "value/value_accounts.csv")] == [
        (a, "cfo", "0", g, t) for a, (g, t) in fx.KEYS.items()]


def test_a_plan_without_territories_leaves_territory_empty(company, runner, tmp_path):
    store, _ = company
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML.split("territories:")[0] + "territories: []\n", "utf-8")
    res = runner.invoke(app, ["coverage", "--store", str(store), "--plan", str(plan),
                              "--export", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    rows = read(tmp_path / "out" / "coverage_accounts.csv")
    assert {r["account_id"]: (r["group_id"], r["territory"]) for r in rows} == {
        a: (g, "") for a, (g, _) in fx.KEYS.items()}


def test_the_columns_are_declared_for_every_front_end():
    from covermap.team.render import TEAM_TABLES  # importing it declares the team tables
    from covermap.value.render import VALUE_TABLES

    assert {"team_accounts", "team_findings", "team_handoffs"} <= set(TEAM_TABLES)
    assert "value_accounts" in VALUE_TABLES
    for table in ("coverage_accounts", "coverage_depth", "worklist", "transitions",
                  "team_accounts", "team_findings", "team_handoffs", "value_accounts",
                  "assignment"):
        assert column(table, "group_id").header == "Group", table
        assert column(table, "group_id").kind == "account", table
        assert (column(table, "territory").header, column(table, "territory").empty) == (
            "Territory", "(none)"), table
