"""``covermap team`` through the CLI: the tables it prints, the files it exports, one
account's timeline, its errors; and the sample company, which produces every finding kind
and every hand-off status under the default plan."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import test_team_data as fx

from covermap.cli.main import app
from covermap.store.connect import open_store


@pytest.fixture
def team_files(tmp_path: Path) -> tuple[Path, Path]:
    store, plan = tmp_path / "covermap.duckdb", tmp_path / "plan.yaml"
    with open_store(store) as s:
        fx.build(s)
    plan.write_text(fx.PLAN_YAML, "utf-8")
    return store, plan


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_export_writes_the_team_tables_with_their_columns(runner, team_files, tmp_path):
    store, plan = team_files
    out = tmp_path / "out"
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan),
                                 "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 6 files to" in result.output
    accounts = read(out / "team_accounts.csv")
    assert list(accounts[0]) == ["account_id", "state", "stage", "segment", "owner_id",
                                 "team_size", "gaps", "duplicates", "over_coverage",
                                 "silent_members", "group_id", "territory"]
    assert accounts[1] == {"account_id": "B", "state": "lead", "stage": "nurture",
                           "segment": "ent", "owner_id": "", "team_size": "4", "gaps": "0",
                           "duplicates": "1", "over_coverage": "1", "silent_members": "2",
                           "group_id": "B", "territory": ""}
    assert accounts[-1] == {"account_id": "T", "state": "target", "stage": "", "segment": "",
                            "owner_id": "", "team_size": "1", "gaps": "", "duplicates": "",
                            "over_coverage": "", "silent_members": "", "group_id": "T",
                            "territory": ""}
    findings = read(out / "team_findings.csv")
    assert list(findings[0]) == ["account_id", "stage", "kind", "role", "user_id", "detail",
                                 "group_id", "territory"]
    assert len(findings) == 20
    handoffs = read(out / "team_handoffs.csv")
    assert [list(h.values()) for h in handoffs[:3]] == [
        ["D", "to_ae", "2026-05-04", "sdr", "ae", "2026-05-09", "5", "on_time", "true", "sell",
         "none", "D", ""],
        ["E", "to_ae", "2026-04-10", "sdr", "ae", "", "", "dropped", "false", "sell",
         "customer", "E", ""],
        ["E", "to_csm", "2026-06-01", "ae", "csm", "2026-06-09", "8", "late", "", "onboard",
         "none", "E", ""]]
    summary = read(out / "team_summary.csv")
    assert list(summary[0].values()) == ["all", "all", "10", "4", "1", "4", "2", "6", "3",
                                         "1", "1", "1", "3.5"]
    assert list(summary[0]) == ["group", "key", "accounts", "with_gap", "with_duplicate",
                                "with_over_coverage", "with_silent", "handoffs", "on_time",
                                "late", "dropped", "pending", "median_days"]


@pytest.mark.parametrize(("by", "first"), [
    ("stage", "│ Nurture    │        3 │          2 │"),
    ("segment", "│ ent     │        8 │          4 │"),
    ("role", "│ marketing │        3 │          2 │"),
    ("owner", "│ (none) │       10 │          4 │"),
])
def test_summary_by_each_group(runner, team_files, by, first):
    store, plan = team_files
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan),
                                 "--by", by])
    assert result.exit_code == 0, result.output
    body = [line for line in result.output.splitlines() if line.startswith("│")]
    assert body[0].startswith(first)
    assert any(line.startswith("│ Total ") for line in body)


def test_account_timeline(runner, team_files):
    store, plan = team_files
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan),
                                 "--account", "D"])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.strip("│ ").split()) for line in result.output.splitlines()]
    i = lines.index("Phase-in/out of D")
    assert [x for x in lines[i:] if x and x[0] not in "┏┃┡└"] == [
        "Phase-in/out of D",
        "Stage: Nurture │ 2026-04-01 │ 2026-05-03 │ 33 │ held at the window's start",
        "Stage: Sell │ 2026-05-04 │ 2026-07-15 │ 73 │ entered",
        "marketing: m1 │ 2026-04-01 │ 2026-07-15 │ 106 │ no start date, no end date",
        "sdr: s1 │ 2026-04-01 │ 2026-05-09 │ 39 │ no start date, until 2026-05-09",
        "ae: a1 │ 2026-05-06 │ 2026-07-15 │ 71 │ since 2026-05-06, no end date",
        "late_join: ae a1 │ │ │ │ sell: joined on 2026-05-06, 2 days after the stage began on "
        "2026-05-04",
        "stayed_on: marketing m1 │ │ │ │ nurture: still on the team more than 14 days after "
        "the stage ended on 2026-05-03",
    ]


def test_an_unknown_account_is_one_red_line(runner, team_files, tmp_path):
    store, plan = team_files
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan),
                                 "--account", "Q", "--export", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == "Error: --account 'Q': no such account in the store; pass an " \
                            "account_id from team_accounts.csv\n"
    assert not (tmp_path / "out").exists()  # checked before anything is measured


def test_a_plan_without_a_journey_says_so(runner, team_files, tmp_path):
    from test_coverage_company import PLAN_YAML

    store, _ = team_files
    plan = tmp_path / "own.yaml"
    plan.write_text(PLAN_YAML, "utf-8")
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    assert "Warning: the plan has no journey stages, so no account has team checks" in \
        result.output


def test_the_sample_company_produces_every_finding_and_status(runner, tmp_path):
    folder, store, out = tmp_path / "company", tmp_path / "covermap.duckdb", tmp_path / "out"
    for args in (["sample", "--accounts", "2000", "--out", str(folder)],
                 ["import", str(folder), "--store", str(store)],
                 ["team", "--store", str(store), "--export", str(out)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    kinds = {r["kind"] for r in read(out / "team_findings.csv")}
    assert kinds == {"gap", "duplicate", "over_coverage", "silent", "late_join", "stayed_on",
                     "never_joined"}
    handoffs = read(out / "team_handoffs.csv")
    assert {h["status"] for h in handoffs} == {"on_time", "late", "dropped", "pending"}
    assert {h["released"] for h in handoffs} == {"true", "false", ""}
    assert {h["rule"] for h in handoffs} == {"lead_to_inside_sales",
                                             "deal_to_account_executive", "onboarding_pair",
                                             "loyal_to_csm"}
    check = runner.invoke(app, ["team", "check", "--store", str(store)])
    assert check.exit_code == 0, check.output


def test_help_of_team_and_team_check_ends_with_an_example(runner):
    for args in (["team", "--help"], ["team", "check", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "Example: covermap team" in result.output


def test_findings_line_and_effort_outside_the_model(runner, team_files):
    store, plan = team_files
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    assert "Findings: 5 gaps, 2 duplicates, 5 over-coverage, 3 silent members, 2 late joins, " \
           "2 stayed on, 1 never joined" in result.output
    rows = [" ".join(line.strip("│ ").split()) for line in result.output.splitlines()]
    # H's call on 06-05, before its deal opened: the ae has no letter at nurture
    head = rows.index("┃ Role ┃ Stage ┃ Letter ┃ Accounts ┃ Human touches ┃ Minutes ┃".strip("│ "))
    assert rows[head + 2] == "ae │ Nurture │ none │ 1 │ 1 │ 5.0"


def test_a_rule_naming_an_unknown_column_is_a_plan_error(runner, team_files, tmp_path):
    store, _ = team_files
    plan = tmp_path / "bad.yaml"
    plan.write_text(fx.PLAN_YAML.replace("rule: is_target}", 'rule: tier == "gold"}'), "utf-8")
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {plan}, line 19: states[3].rule: unknown column "
                                    f"'tier'; known columns and facts: account_id,")


def test_data_is_printed_as_it_is(runner, team_files):
    store, plan = team_files
    with open_store(store) as s:
        s.duckdb.execute("UPDATE accounts SET segment = '[bold]ent:warning:' WHERE segment = 'ent'")
        s.duckdb.execute("UPDATE account_team SET user_id = '[red]a1' WHERE user_id = 'a1'")
    result = runner.invoke(app, ["team", "--store", str(store), "--plan", str(plan),
                                 "--by", "segment", "--account", "D"])
    assert result.exit_code == 0, result.output
    assert "│ [bold]ent:warning: │" in result.output
    assert "ae: [red]a1" in result.output
