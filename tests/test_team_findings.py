"""``covermap team``: findings on the team in force on as_of, per account, and the summary.

Every expected value is read off tests/test_team_data.py by hand (its docstring says why).
"""

from __future__ import annotations

import pytest
import test_team_data as fx

from covermap.store.connect import open_store
from covermap.team.tables import measure_team


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("team") / "covermap.duckdb") as s:
        fx.build(s)
        yield measure_team(s, fx.plan())


def rows(table) -> list[dict]:
    return table.to_pyarrow().to_pylist()


def test_window_is_the_plans(result):
    w = result.window
    assert (str(w.as_of), str(w.start), str(w.end)) == ("2026-07-15", "2026-04-01",
                                                        "2026-06-30")


# account_id: state, stage, segment, team_size, gaps, duplicates, over_coverage, silent
ACCOUNTS = {
    "A": ("lead", "nurture", "ent", 0, 2, 0, 0, 0),   # no team at all: both R/A roles
    "B": ("lead", "nurture", "ent", 4, 0, 1, 1, 2),
    "C": ("lead", "nurture", "ent", 1, 1, 0, 0, 0),   # one sdr in two rows; m1 not yet
    "D": ("deal", "sell", "ent", 2, 0, 0, 1, 0),
    "E": ("customer", "onboard", "smb", 3, 0, 0, 2, 0),
    "F": ("deal", "sell", "ent", 1, 0, 0, 0, 1),
    "G": ("deal", "sell", "ent", 1, 1, 0, 1, 0),
    "H": ("deal", "sell", "ent", 0, 1, 0, 0, 0),
    "N": ("deal", "sell", "ent", 1, 0, 0, 0, 0),
    "T": ("target", None, None, 1, None, None, None, None),  # no stage: no checks
}


def test_team_accounts(result):
    got = {r["account_id"]: (r["state"], r["stage"], r["segment"], r["team_size"], r["gaps"],
                             r["duplicates"], r["over_coverage"], r["silent_members"])
           for r in rows(result.accounts)}
    assert got == ACCOUNTS


TEAM_FINDINGS = [
    ("A", "nurture", "gap", "marketing", None), ("A", "nurture", "gap", "sdr", None),
    ("B", "nurture", "duplicate", "sdr", "s1"), ("B", "nurture", "duplicate", "sdr", "s2"),
    ("B", "nurture", "over_coverage", "csm", "c1"),
    ("B", "nurture", "silent", "sdr", "s1"), ("B", "nurture", "silent", "sdr", "s2"),
    ("C", "nurture", "gap", "marketing", None),
    ("D", "sell", "over_coverage", "marketing", "m1"),
    ("E", "onboard", "over_coverage", "ae", "a2"),   # smb override removes ae at onboard
    ("E", "onboard", "over_coverage", "sdr", "s2"),
    ("F", "sell", "silent", "ae", "a1"),  # its only touch (07-02) is after the window
    ("G", "sell", "gap", "ae", None), ("G", "sell", "over_coverage", "marketing", "m1"),
    ("H", "sell", "gap", "ae", None),
]


def test_findings_on_as_of(result):
    f = result.findings
    f = f.filter(f.kind.isin(["gap", "duplicate", "over_coverage", "silent"]))
    got = [(r["account_id"], r["stage"], r["kind"], r["role"], r["user_id"]) for r in rows(f)]
    assert got == TEAM_FINDINGS


def test_finding_details(result):
    by = {(r["account_id"], r["kind"], r["role"], r["user_id"]): r["detail"]
          for r in rows(result.findings)}
    assert by[("A", "gap", "sdr", None)] == "R at this stage; nobody of this role on the team"
    assert by[("B", "duplicate", "sdr", "s1")] == \
        "one of 2 users holding this single-holder role"
    assert by[("B", "over_coverage", "csm", "c1")] == "this role has no letter at this stage"
    assert by[("F", "silent", "ae", "a1")] == \
        "A at this stage; no human touch on the account from 2026-04-01 to 2026-06-30"


SUMMARY = {
    # (group, key): accounts, with_gap, with_duplicate, with_over_coverage, with_silent,
    #               handoffs, on_time, late, dropped, pending, median_days
    ("all", "all"): (10, 4, 1, 4, 2, 6, 3, 1, 1, 1, 3.5),  # median of 0, 2, 5, 8
    ("stage", "nurture"): (3, 2, 1, 1, 1, 0, 0, 0, 0, 0, None),
    ("stage", "sell"): (5, 2, 0, 2, 1, 5, 3, 0, 1, 1, 2.0),
    ("stage", "onboard"): (1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 8.0),  # to_csm: state customer
    ("stage", None): (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, None),
    ("segment", "ent"): (8, 4, 1, 3, 2, 4, 3, 0, 0, 1, 2.0),
    ("segment", "smb"): (1, 0, 0, 1, 0, 2, 0, 1, 1, 0, 8.0),
    ("segment", None): (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, None),
    # accounts whose stage gives the role R or A; with_*: findings in that role
    ("role", "marketing"): (3, 2, 0, 2, 0, 0, 0, 0, 0, 0, None),
    ("role", "sdr"): (3, 1, 1, 1, 1, 0, 0, 0, 0, 0, None),
    ("role", "ae"): (5, 2, 0, 1, 1, 5, 3, 0, 1, 1, 2.0),  # E is smb: no ae at onboard
    ("role", "csm"): (1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 8.0),
    ("owner", None): (10, 4, 1, 4, 2, 6, 3, 1, 1, 1, 3.5),  # nobody has an owner
}


def test_summary(result):
    cols = ("accounts", "with_gap", "with_duplicate", "with_over_coverage", "with_silent",
            "handoffs", "on_time", "late", "dropped", "pending", "median_days")
    got = {(r["group"], r["key"]): tuple(r[c] for c in cols) for r in rows(result.summary)}
    assert got == SUMMARY
    assert [(r["group"], r["key"]) for r in rows(result.summary)] == list(SUMMARY)


def test_effort_outside_the_model(result):
    got = [(r["role"], r["stage"], r["letter"], r["outside_model"], r["accounts"],
            r["human_touches"], r["minutes"]) for r in rows(result.effort)]
    assert got == [
        ("marketing", "nurture", "A", False, 1, 1, 12.0),
        ("sdr", "nurture", "R", False, 1, 1, 45.0),
        ("ae", "nurture", None, True, 1, 1, 5.0),  # H's call on 06-05, before its deal
        # D 10 (the call's kind minutes), H 20, N 60; F's touch is after the window
        ("ae", "sell", "A", False, 3, 3, 90.0),
        ("csm", "onboard", "A", False, 1, 1, 30.0),
    ]


def test_a_plan_without_a_journey_has_no_team_checks(tmp_path):
    from test_coverage_company import PLAN_YAML

    from covermap.plan import parse_plan

    plan = parse_plan(PLAN_YAML, "plan.yaml")  # its own states: no default journey
    assert plan.journey.stages == () and plan.handoffs == ()
    with open_store(tmp_path / "covermap.duckdb") as s:
        fx.build(s)
        r = measure_team(s, plan)
        acc = rows(r.accounts)
        assert {a["stage"] for a in acc} == {None}
        assert {a["gaps"] for a in acc} == {None}
        assert rows(r.findings) == [] and rows(r.handoffs) == []


def test_a_role_the_plan_does_not_define_is_over_coverage_not_a_duplicate(tmp_path):
    with open_store(tmp_path / "covermap.duckdb") as s:
        fx.build(s)
        fx.insert(s, "account_team", "account_id, user_id, role",
                  [("A", "p1", "partner"), ("A", "p2", "partner")])
        r = measure_team(s, fx.plan())
        f = r.findings
        got = [(x["kind"], x["role"], x["user_id"])
               for x in rows(f.filter(f.account_id == "A"))]
    assert got == [("gap", "marketing", None), ("gap", "sdr", None),
                   ("over_coverage", "partner", "p1"), ("over_coverage", "partner", "p2")]
