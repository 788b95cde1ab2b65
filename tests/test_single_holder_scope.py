"""``roles[].single_holder_scope`` (issue 16, point 2): a single-holder role held once per
customer group, by hand on tests/test_group_exports_data.py's company.

Group P (P -> S1 -> S2) holds csm u1, u1, u2 (two distinct users) and ae a1, a1, a2; X holds
csm u1; Y holds csm u3 and u4 and ae a1. With csm ``single_holder_scope: group``:
P, S1 and S2 each have a csm duplicate (one finding per member: u1, u1, u2) naming group P;
Y's two csms are a duplicate of group Y; X's u1 is alone in group X. ae keeps the account
scope: a1, a1, a2 across group P is no duplicate. With the account scope (the default):
only Y has a duplicate.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import test_group_exports_data as fx
from test_coverage_company import insert

from covermap.cli.main import app
from covermap.errors import PlanInvalid
from covermap.reports.export import export_tables
from covermap.store import groups
from covermap.store.connect import open_store
from covermap.team.rollups import rollup
from covermap.team.tables import measure_team, team_tables

GROUP_SCOPE = "single_holder_scope: group"
ACCOUNT_PLAN = fx.PLAN_YAML.replace(", " + GROUP_SCOPE, "")
DETAIL = "one of 2 users holding this single-holder role across customer group "


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, Path]:
    return fx.files(tmp_path_factory.mktemp("scope"))


@pytest.fixture(scope="module")
def by_group(company, tmp_path_factory) -> tuple[str, Path]:
    """``covermap team --export`` with csm single per group: its output and folder."""
    from typer.testing import CliRunner

    store, plan = company
    out = tmp_path_factory.mktemp("team-out")
    res = CliRunner().invoke(app, ["team", "--store", str(store), "--plan", str(plan),
                                   "--export", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    return res.output, out


def test_a_group_with_two_csms_is_a_duplicate_on_each_account_holding_one(by_group):
    _, out = by_group
    accounts = {r["account_id"]: r["duplicates"] for r in read(out / "team_accounts.csv")}
    assert accounts == {"P": "1", "S1": "1", "S2": "1", "X": "0", "Y": "1"}
    dups = [(r["account_id"], r["role"], r["user_id"], r["detail"], r["group_id"])
            for r in read(out / "team_findings.csv") if r["kind"] == "duplicate"]
    assert dups == [("P", "csm", "u1", DETAIL + "P", "P"), ("S1", "csm", "u1", DETAIL + "P", "P"),
                    ("S2", "csm", "u2", DETAIL + "P", "P"), ("Y", "csm", "u3", DETAIL + "Y", "Y"),
                    ("Y", "csm", "u4", DETAIL + "Y", "Y")]


def test_the_summary_counts_the_accounts_with_a_group_duplicate(by_group):
    _, out = by_group
    summary = {(r["group"], r["key"]): r["with_duplicate"]
               for r in read(out / "team_summary.csv")}
    assert (summary["all", "all"], summary["stage", "onboard"], summary["role", "csm"],
            summary["role", "ae"]) == ("4", "4", "4", "0")


def test_the_output_says_which_roles_are_single_per_group(by_group):
    output, _ = by_group
    # silent: a1 at P; a1 and u1 at S1; a2 and u2 at S2; u1 at X; a1, u3 and u4 at Y
    assert ("Findings: 1 gap, 5 duplicates (csm single per customer group), "
            "0 over-coverage, 9 silent members, 0 late joins, 0 stayed on, "
            "0 never joined") in " ".join(output.split())


@pytest.fixture(scope="module")
def by_account(company):
    """The team measured with the csm's scope left out (the account scope)."""
    store, _ = company
    with open_store(store, read_only=True) as s:
        yield s, measure_team(s, fx.plan(ACCOUNT_PLAN))


def test_account_scope_finds_only_the_accounts_own_duplicates(by_account):
    _, r = by_account
    acc = {x["account_id"]: x["duplicates"] for x in r.accounts.to_pyarrow().to_pylist()}
    f = r.findings
    dups = f.filter(f.kind == "duplicate").select("account_id", "user_id", "detail")
    dups = [tuple(x.values()) for x in dups.to_pyarrow().to_pylist()]
    by_group = {x["key"]: x["with_duplicate"]
                for x in rollup(r, "group").to_pyarrow().to_pylist()}
    assert acc == {"P": 0, "S1": 0, "S2": 0, "X": 0, "Y": 1}
    assert dups == [("Y", "u3", "one of 2 users holding this single-holder role"),
                    ("Y", "u4", "one of 2 users holding this single-holder role")]
    assert by_group == {"P": 0, "X": 0, "Y": 1}


def test_account_scope_said_or_left_out_writes_the_same_files(by_account, tmp_path):
    s, left_out = by_account
    explicit = ACCOUNT_PLAN.replace("skills: [onboarding],",
                                    "skills: [onboarding], single_holder_scope: account,")
    assert explicit != ACCOUNT_PLAN
    export_tables(team_tables(left_out), tmp_path / "left_out")
    export_tables(team_tables(measure_team(s, fx.plan(explicit))), tmp_path / "said")
    for f in sorted((tmp_path / "left_out").iterdir()):
        assert f.read_bytes() == (tmp_path / "said" / f.name).read_bytes(), f.name


def test_a_member_of_an_account_in_no_stage_counts_for_its_group(tmp_path):
    # Z, X's subsidiary, has no won deal: no state, no stage, so no team checks of its
    # own; its csm u5 is still the group's second csm, so X (u1) has a duplicate
    with open_store(tmp_path / "covermap.duckdb") as s:
        fx.build(s)
        insert(s, "accounts", "account_id, name, parent_account_id", [("Z", "Zweig", "X")])
        insert(s, "users", "user_id, name, role", [("u5", "Ute", "csm")])
        insert(s, "account_team", "account_id, user_id, role", [("Z", "u5", "csm")])
        groups.rebuild(s.duckdb)
        r = measure_team(s, fx.plan())
        acc = {x["account_id"]: (x["stage"], x["duplicates"])
               for x in r.accounts.to_pyarrow().to_pylist()}
        f = r.findings
        dups = f.filter((f.kind == "duplicate") & (f.group_id == "X"))
        dups = [tuple(x.values()) for x in dups.select("account_id", "user_id", "detail")
                .to_pyarrow().to_pylist()]
    assert (acc["X"], acc["Z"]) == (("onboard", 1), (None, None))
    assert dups == [("X", "u1", DETAIL + "X")]


@pytest.mark.parametrize(("role", "message"), [
    ("single_holder_scope: region",
     ("plan.yaml, line 6: roles[0].single_holder_scope: Input should be 'account' or "
      "'group' (got 'region')")),
    ("single_holder: false, single_holder_scope: group",
     ("plan.yaml, line 6: roles[0].single_holder_scope: group applies to a single-holder "
      "role only; set single_holder: true, or leave out single_holder_scope")),
])
def test_a_bad_scope_names_the_file_line_and_key(role, message):
    text = fx.PLAN_YAML.replace(GROUP_SCOPE, role)
    with pytest.raises(PlanInvalid) as e:
        fx.plan(text)
    assert str(e.value).splitlines()[0] == message


def test_team_check_names_the_roles_single_per_group(company, runner):
    _, plan = company
    res = runner.invoke(app, ["team", "check", str(plan)])
    assert res.output.strip().endswith(
        "the account coverage model is sound — 1 stage, 0 hand-off rules; csm single per "
        "customer group (single_holder_scope: group)"), res.output
    assert res.exit_code == 0
