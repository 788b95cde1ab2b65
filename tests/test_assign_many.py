"""``covermap assign`` with two people of the role per account (``assign.people_per_account:
2``): the proposal worked out by hand, its optimum checked by brute force over every pair
of people for every account, and bad plans.

csm: 10 h/week × 40 weeks × 0.5 = 200 h a year; u3 has hours_per_week 5 (100 h) and covers
only segment small; u9 is inactive. big: 50 h a year per account, small: 20 h. B1 is
locked; max_accounts 3.

| account | segment | team (csm) |
|---|---|---|
| B1 | big | u1, u2 (locked) |
| B2 | big | u1 |
| S1 | small | u1, u4 |
| S2 | small | u2, u9 (inactive) |
| S3 | small | — |

By hand: B1 keeps u1 and u2 (50 h each). B2 needs two of u1, u2, u4 (u3 covers small
only), so u1 or u2 reaches 100 h: the maximum utilisation cannot be below 50 %. Keeping
B2 with u1 (u1 is then full) leaves the six small places: u3 at most two (60 h would be
60 %), so u2 and u4 take two each (90 h, 45 %); which small accounts u3 takes is a
tie (HiGHS's choice is pinned below). Spread 50 − 40 = 10 points; the one
relationship dropped is S1's u1 (u1 is full). Taking u1 off B2 instead drops two (B2's u1,
and S2's u2 since u2 is then full).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from test_coverage_company import insert

from covermap.capacity.assign import AssignmentInfeasible, propose_assignment
from covermap.cli.main import app
from covermap.errors import PlanError
from covermap.plan import parse_plan
from covermap.store.connect import open_store

PLAN_YAML = """\
name: Assign two per account
as_of: 2026-06-30
roles:
  - {id: csm, label: {en: CSM}, single_holder: false, hours_per_week: 10,
     engagement_share: 0.5}
activity_kinds:
  call: {channel: human, minutes: 10}
states:
  - {id: customer, label: {en: Customer}, rule: is_customer}
journey:
  stages:
    - {id: onboard, label: {en: Onboard}, states: [customer]}
raci:
  onboard: {csm: A}
segments:
  - {id: big, rule: employees >= 100}
  - {id: small, rule: employees >= 0}
capacity:
  working_weeks: 40
  journeys:
    big: [{name: review, stage: onboard, role: csm, minutes: 60, per_year: 50}]
    small: [{name: review, stage: onboard, role: csm, minutes: 60, per_year: 20}]
assign:
  people_per_account: 2
  specialists: {u3: [small]}
  locked: [B1]
  max_accounts: 3
"""
USERS = [("u1", None, True), ("u2", None, True), ("u3", 5, True), ("u4", None, True),
         ("u9", None, False)]
ACCOUNTS = [("B1", 500), ("B2", 500), ("S1", 10), ("S2", 10), ("S3", 10)]
TEAM = [("B1", "u1"), ("B1", "u2"), ("B2", "u1"), ("S1", "u1"), ("S1", "u4"),
        ("S2", "u2"), ("S2", "u9")]

# each account is its own group; the plan's territories match no region (eu, us)
ASSIGNMENT_CSV = """\
account_id,user_id,previous_user_id,moved,reason,group_id,territory
B1,u1,u1,false,locked,B1,
B1,u2,u2,false,locked,B1,
B2,u1,u1,false,kept,B2,
B2,u4,,false,had fewer than 2 csm,B2,
S1,u3,u1,true,moved to balance load,S1,
S1,u4,u4,false,kept,S1,
S2,u2,u2,false,kept,S2,
S2,u3,u9,true,previous csm is not an active csm,S2,
S3,u2,,false,had no csm,S3,
S3,u4,,false,had no csm,S3,
"""
LOAD_CSV = """\
user_id,accounts,hours,capacity,utilisation_before,utilisation_after
u1,2,100.0,200.0,0.6,0.5
u2,3,90.0,200.0,0.35,0.45
u3,2,40.0,100.0,0.0,0.4
u4,3,90.0,200.0,0.1,0.45
"""


def build(store, users=USERS) -> None:
    insert(store, "users", "user_id, name, role, hours_per_week, active",
           [(u, f"User {u}", "csm", h, a) for u, h, a in users])
    insert(store, "accounts", "account_id, name, employees",
           [(a, f"Account {a}", e) for a, e in ACCOUNTS])
    insert(store, "deals", "deal_id, account_id, is_won, is_closed, amount, close_date",
           [(f"d{a}", a, True, True, 1000, "2026-01-15") for a, _ in ACCOUNTS])
    insert(store, "account_team", "account_id, user_id, role",
           [(a, u, "csm") for a, u in TEAM])


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("assign-two") / "covermap.duckdb"
    with open_store(path) as s:
        build(s)
    return path


def test_the_proposal_worked_out_by_hand(runner, store, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_YAML, "utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["assign", "--role", "csm", "--store", str(store), "--plan",
                            str(plan), "--export", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "assignment.csv").read_text("utf-8") == ASSIGNMENT_CSV
    assert (out / "assignment_load.csv").read_text("utf-8") == LOAD_CSV
    assert "5 accounts × 2 csm (10 pairs), 4 people; 2 moved" in r.output
    assert "Maximum utilisation 60.0% -> 50.0%, spread 10.0%" in r.output


CAP = {"u1": 200.0, "u2": 200.0, "u3": 100.0, "u4": 200.0}
HOURS = {"B1": 50.0, "B2": 50.0, "S1": 20.0, "S2": 20.0, "S3": 20.0}


def _objective(pairs: tuple) -> tuple[float, float] | None:
    """(max utilisation, spread + 0.01 × dropped relationships), None when infeasible."""
    load = dict.fromkeys(CAP, 0.0)
    count = dict.fromkeys(CAP, 0)
    for (a, _), people in zip(ACCOUNTS, pairs, strict=True):
        if a == "B1" and set(people) != {"u1", "u2"}:
            return None
        if a.startswith("B") and "u3" in people:
            return None
        for u in people:
            load[u] += HOURS[a]
            count[u] += 1
    util = [load[u] / CAP[u] for u in CAP]
    if max(util) > 1 or max(count.values()) > 3:
        return None
    dropped = sum(1 for a, u in TEAM if u in CAP and u not in dict(zip(
        [a for a, _ in ACCOUNTS], pairs, strict=True))[a])
    return round(max(util), 9), max(util) - min(util) + 0.01 * dropped


def test_the_optimum_is_the_brute_forces(store):
    # every pair of distinct people for each of the 5 accounts: 6^5 assignments
    options = list(itertools.combinations(CAP, 2))
    found = sorted((o, combo) for combo in itertools.product(options, repeat=len(ACCOUNTS))
                   if (o := _objective(combo)) is not None)
    best = found[0][0]
    assert best == pytest.approx((0.5, 0.11))
    with open_store(store, read_only=True) as s:
        r = propose_assignment(s, parse_plan(PLAN_YAML, "plan.yaml"), "csm")
        rows = r.assignment.execute()
    sol = r.solution
    assert (round(sol.max_utilisation, 9), sol.spread + 0.01 * sol.moves) == \
        pytest.approx(best)
    # every account has exactly two distinct people
    assert rows.groupby("account_id")["user_id"].nunique().to_dict() == dict.fromkeys(
        HOURS, 2)
    assert len(rows) == 10


def test_a_single_holder_role_names_the_plan_key(store):
    text = PLAN_YAML.replace("single_holder: false, ", "")
    with open_store(store, read_only=True) as s, pytest.raises(PlanError) as e:
        propose_assignment(s, parse_plan(text, "plan.yaml"), "csm")
    assert str(e.value) == (
        "plan.yaml, line 24: assign.people_per_account: assign.people_per_account is 2, "
        "but role 'csm' is single_holder (at most one person of it per account); set "
        "single_holder: false on the role, or people_per_account: 1")


def test_too_few_people_for_a_segment_is_explained(store):
    # big accounts may have u1, u2 or u4; with three per account and u4 a small specialist,
    # only two remain
    text = PLAN_YAML.replace("people_per_account: 2", "people_per_account: 3") \
        .replace("{u3: [small]}", "{u3: [small], u4: [small]}").replace("locked: [B1]",
                                                                          "locked: []")
    with open_store(store, read_only=True) as s, pytest.raises(AssignmentInfeasible) as e:
        propose_assignment(s, parse_plan(text, "plan.yaml"), "csm")
    assert str(e.value) == (
        "segment big: each account needs 3 different csm people (assign.people_per_account) "
        "and only 2 may cover them (region or specialist constraints)")


@pytest.mark.parametrize("value", ["0", "two"])
def test_people_per_account_is_validated(value):
    with pytest.raises(PlanError) as e:
        parse_plan(PLAN_YAML.replace("people_per_account: 2", f"people_per_account: {value}"),
                   "plan.yaml")
    assert "plan.yaml, line 24: assign.people_per_account" in str(e.value)


def test_too_few_places_is_explained_in_pairs(store):
    text = PLAN_YAML.replace("max_accounts: 3", "max_accounts: 2")
    with open_store(store, read_only=True) as s, pytest.raises(AssignmentInfeasible) as e:
        propose_assignment(s, parse_plan(text, "plan.yaml"), "csm")
    assert str(e.value) == ("max_accounts: 10 (account, csm) pairs and 4 csm people of at "
                            "most 2 each (8): 2 too many")
