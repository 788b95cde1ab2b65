"""Account owners: accounts.owner_id, else the plan's fallback sources, in turn.

Every expected owner below is read off the rows of ``build`` by hand (as_of 2026-07-15).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

import pytest
from test_coverage_company import AS_OF, PLAN_YAML, insert
from test_coverage_company import build as build_company

from covermap.cli.main import app
from covermap.cli.options import console
from covermap.coverage.measure import measure_coverage
from covermap.engine.owners import account_owners, user_names
from covermap.errors import PlanError
from covermap.plan import parse_plan, template_text
from covermap.store.connect import open_store

USERS = [("u1", "Ann"), ("u2", "Bob"), ("u3", "Cy"), ("u4", "Di"), ("u5", "Ed")]

# account_id, owner_id
ACCOUNTS = [("A1", "u1"), ("A2", None), ("A3", " "), ("A4", None), ("A5", None), ("A6", None)]

# account_id, user_id, role, start_date, end_date
TEAM = [
    ("A1", "u2", "csm", None, None),  # A1 has its own owner: never used
    ("A2", "u2", "csm", "2026-01-01", None),
    ("A2", "u3", "csm", "2026-03-01", None),  # started later: wins over u2
    ("A2", "u4", "account_executive", None, None),
    ("A3", "u2", "csm", "2026-01-01", "2026-06-30"),  # ended before as_of
    ("A3", "u3", "csm", "2026-08-01", None),  # starts after as_of
    ("A4", "u2", "csm", None, None),
    ("A4", "u1", "csm", None, "2026-07-15"),  # same start (empty): smaller user_id; ends on as_of
    ("A6", "u9", "account_executive", "2026-07-15", None),  # starts on as_of; not a user
]

# deal_id, account_id, owner_id, created_at, close_date
DEALS = [
    ("d0", "A1", "u5", "2026-06-01 00:00:00", None),
    ("d1", "A2", "u4", "2026-02-01 00:00:00", None),
    ("d2", "A3", "u2", "2026-05-01 00:00:00", None),
    ("d3", "A3", "u4", "2026-06-01 09:00:00", None),
    ("d4", "A3", "u1", "2026-06-01 09:00:00", "2026-06-20"),  # same created_at, later close
    ("d5", "A3", "u5", "2026-08-01 00:00:00", None),  # created after as_of
    ("d6", "A3", None, "2026-06-10 00:00:00", None),  # latest, but has no owner
    ("d7", "A6", "u3", None, None),
    ("d8", "A6", "u2", None, None),  # no dates on either: the larger deal_id
]

NONE = (None, None)
EXPECTED = {
    "[]": {"A1": ("u1", "account"), "A2": NONE, "A3": NONE, "A4": NONE, "A5": NONE,
           "A6": NONE},
    "[account_team:csm]": {"A1": ("u1", "account"), "A2": ("u3", "account_team:csm"),
                           "A3": NONE, "A4": ("u1", "account_team:csm"), "A5": NONE,
                           "A6": NONE},
    "[latest_deal]": {"A1": ("u1", "account"), "A2": ("u4", "latest_deal"),
                      "A3": ("u1", "latest_deal"), "A4": NONE, "A5": NONE,
                      "A6": ("u2", "latest_deal")},
    "[account_team:csm, latest_deal]": {
        "A1": ("u1", "account"), "A2": ("u3", "account_team:csm"), "A3": ("u1", "latest_deal"),
        "A4": ("u1", "account_team:csm"), "A5": NONE, "A6": ("u2", "latest_deal")},
    "[latest_deal, account_team:account_executive]": {
        "A1": ("u1", "account"), "A2": ("u4", "latest_deal"), "A3": ("u1", "latest_deal"),
        "A4": NONE, "A5": NONE, "A6": ("u2", "latest_deal")},
    "[account_team:account_executive]": {
        "A1": ("u1", "account"), "A2": ("u4", "account_team:account_executive"), "A3": NONE,
        "A4": NONE, "A5": NONE, "A6": ("u9", "account_team:account_executive")},
}


def build(store) -> None:
    insert(store, "users", "user_id, name", USERS)
    insert(store, "accounts", "account_id, name, owner_id",
           [(a, f"Account {a}", o) for a, o in ACCOUNTS])
    insert(store, "account_team", "account_id, user_id, role, start_date, end_date", TEAM)
    insert(store, "deals", "deal_id, account_id, owner_id, created_at, close_date", DEALS)


@pytest.fixture(scope="module")
def owners_store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("owners") / "covermap.duckdb") as s:
        build(s)
        yield s


def owners_of(store, fallback: str, as_of: dt.date = AS_OF) -> dict:
    plan = parse_plan(f"owners: {{fallback: {fallback}}}\n", "plan.yaml")
    rows = account_owners(store, plan, as_of).to_pyarrow().to_pylist()
    return {r["account_id"]: (r["owner_id"], r["owner_source"]) for r in rows}


@pytest.mark.parametrize("fallback", list(EXPECTED))
def test_owner_per_account_for_each_fallback(owners_store, fallback):
    assert owners_of(owners_store, fallback) == EXPECTED[fallback]


def test_team_in_force_and_deals_follow_as_of(owners_store):
    # on 2026-08-01 A3's second csm has started, A4's u1 has left, and deal d5 exists
    owners = owners_of(owners_store, "[account_team:csm, latest_deal]", dt.date(2026, 8, 1))
    assert owners["A3"] == ("u3", "account_team:csm")
    assert owners["A4"] == ("u2", "account_team:csm")
    # before any csm started on A2 and before d1 was created, A2 has no owner
    assert owners_of(owners_store, "[account_team:csm, latest_deal]",
                     dt.date(2025, 12, 31))["A2"] == NONE


def test_user_names(owners_store):
    rows = user_names(owners_store).order_by("user_id").to_pyarrow().to_pylist()
    assert [(r["user_id"], r["user_name"]) for r in rows] == USERS


@pytest.mark.parametrize(("yaml", "message"), [
    ("owners: {fallback: [account_team:ceo]}\n",
     "plan.yaml, line 1: owners: fallback[0] 'account_team:ceo': unknown role 'ceo'; roles "
     "are: csm, account_executive, inside_sales, marketing, executive"),
    ("owners:\n  fallback:\n    - latest_deal\n    - last_deal\n",
     "plan.yaml, line 4: owners.fallback[1]: unknown owner source 'last_deal'; use latest_deal "
     "or account_team:<role> (e.g. account_team:csm)"),
])
def test_unknown_owner_sources_are_plan_errors(yaml, message):
    with pytest.raises(PlanError) as e:
        parse_plan(yaml, "plan.yaml")
    assert str(e.value) == message


def test_coverage_uses_the_fallback_owner_and_names_it(tmp_path):
    """The hand-made company (test_coverage_company) with one account-team row for U1,
    whose accounts.owner_id is empty."""
    with open_store(tmp_path / "covermap.duckdb") as s:
        build_company(s)
        insert(s, "account_team", "account_id, user_id, role", [("U1", "u2", "csm")])
        plan = parse_plan(PLAN_YAML + "roles: [{id: csm, label: {en: CSM}}, "
                          "{id: account_executive, label: {en: AE}}]\n"
                          "owners: {fallback: [account_team:csm]}\n", "plan.yaml")
        result = measure_coverage(s, plan, as_of=AS_OF)
        accounts = {r["account_id"]: (r["owner_id"], r["owner_source"], r["owner_name"])
                    for r in result.accounts.to_pyarrow().to_pylist()}
        summary = result.summary.filter(result.summary.group == "owner").to_pyarrow().to_pylist()
        worklist = result.worklist.to_pyarrow().to_pylist()
    assert accounts == {
        "C1": ("u1", "account", "Ann"), "P1": ("u2", "account", "Bob"),
        "P2": ("u1", "account", "Ann"), "T1": ("u2", "account", "Bob"),
        "U1": ("u2", "account_team:csm", "Bob"), "N1": ("u1", "account", "Ann")}
    # U1 joins u2's accounts (no checks, not touched); the empty owner has no row any more
    assert [(r["key"], r["accounts"], r["accounts_with_checks"], r["checks"], r["passed"],
             r["breadth"]) for r in summary] == [
        ("u1", 3, 3, 16, 2, 2 / 3), ("u2", 3, 1, 13, 3, 2 / 3)]
    assert worklist and {(r["owner_id"], r["owner_name"]) for r in worklist} <= {
        ("u1", "Ann"), ("u2", "Bob")}
    assert {r["account_id"]: r["owner_name"] for r in worklist}["P1"] == "Bob"


def test_maven_accounts_take_the_agent_of_their_latest_deal(realdata, tmp_path, runner,
                                                            monkeypatch):
    """Maven's accounts have no owner; plan check says which fallback gives them one, and
    with it each takes the sales_agent of its latest opportunity (checked on
    sales_pipeline.csv: latest engage_date, then close_date, then id)."""
    monkeypatch.setattr(console, "width", 1000)
    store, out, plan = tmp_path / "covermap.duckdb", tmp_path / "out", tmp_path / "plan.yaml"
    imported = runner.invoke(app, ["import", str(realdata / "maven-crm-sales-opportunities"),
                                   "--store", str(store)])
    assert imported.exit_code == 0, imported.output
    plan.write_text(template_text(), "utf-8")
    checked = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store),
                                  "--as-of", "2017-12-31"])
    assert checked.exit_code == 0, checked.output
    warnings = [w for w in checked.output.splitlines() if w.startswith("Warning")]
    assert warnings[-2:] == [
        "Warning: 35 active users have no role: import the users with their roles (a role "
        "column, or Salesforce UserRole / HubSpot owner_team and team files beside the users "
        "file), or give a whole file's users one in the plan: sources: [{file: "
        "sales_teams.csv, table: users, constants: {role: <role>}}]",
        "Warning: 85 of 85 accounts have no owner on 2017-12-31; with owners: {fallback: "
        "[latest_deal]} in the plan, 85 of them would get one"]
    plan.write_text("owners: {fallback: [latest_deal]}\n", "utf-8")
    result = runner.invoke(app, ["coverage", "--store", str(store), "--plan", str(plan),
                                 "--as-of", "2017-12-31", "--export", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "coverage_accounts.csv").open(newline="", encoding="utf-8") as f:
        accounts = list(csv.DictReader(f))
    with (out / "worklist.csv").open(newline="", encoding="utf-8") as f:
        worklist = list(csv.DictReader(f))
    owners = {r["account_id"]: r["owner_id"] for r in accounts}
    assert len(owners) == 85
    assert {(r["owner_source"], r["owner_name"] == r["owner_id"]) for r in accounts} == {
        ("latest_deal", True)}  # Maven's users are keyed by their names
    assert owners["Acme Corporation"] == "Daniell Hammack"  # IJ2CLOLZ, engaged 2017-11-24
    assert owners["Betasoloin"] == "Violet Mclelland"  # MSN4ZNU6, engaged 2017-12-22
    assert Counter(owners.values()).most_common(2) == [("Anna Snelling", 8), ("Zane Levy", 6)]
    assert worklist and all(r["owner_name"] == owners[r["account_id"]] for r in worklist)


def test_plan_check_names_a_fallback_role_no_team_row_has(owners_store):
    from covermap.plan.store_checks import owner_warnings

    plan = parse_plan("owners: {fallback: [account_team:marketing]}\n", "plan.yaml")
    # only A1 has an owner; latest_deal gives A2, A3 and A6 one, account_team:csm only A2
    # and A4, account_team:account_executive A2 and A6: latest_deal is suggested
    assert owner_warnings(owners_store, plan, AS_OF) == [
        "owners.fallback names account_team:marketing, but no account-team row has role "
        "marketing: it never gives an owner",
        "5 of 6 accounts have no owner on 2026-07-15; with owners: {fallback: "
        "[account_team:marketing, latest_deal]} in the plan, 3 of them would get one"]


@pytest.mark.parametrize(("zone", "owner"), [
    ("UTC", "u1"), ("America/New_York", "u1"), ("Asia/Tokyo", "u2")])
def test_latest_deal_is_created_on_or_before_as_of_in_the_plans_zone(store, zone, owner):
    """e1 is created at 20:00 UTC on as_of: 16 July in Tokyo, after as_of, so it is left out
    there; e2's created_at is a calendar date (the day before as_of in every zone)."""
    insert(store, "users", "user_id, name", USERS)
    insert(store, "accounts", "account_id, name", [("B1", "Birch")])
    insert(store, "deals", "deal_id, account_id, owner_id, created_at, created_at_is_date",
           [("e1", "B1", "u1", "2026-07-15 20:00:00", False),
            ("e2", "B1", "u2", "2026-07-14 00:00:00", True)])
    plan = parse_plan(f"timezone: {zone}\nowners: {{fallback: [latest_deal]}}\n", "plan.yaml")
    rows = account_owners(store, plan, AS_OF).to_pyarrow().to_pylist()
    assert [(r["account_id"], r["owner_id"]) for r in rows] == [("B1", owner)]


def test_worklist_owner_known_only_through_the_fallback(owners_store):
    """u9 is no user and owns no account itself: A6's account executive on the team."""
    from covermap.coverage.worklist import UnknownFilterValue, check_filters

    plan = parse_plan("owners: {fallback: [account_team:account_executive]}\n", "plan.yaml")
    assert check_filters(owners_store, plan, owner="u9")["owner"] == "u9"
    with pytest.raises(UnknownFilterValue, match="unknown --owner 'u9'"):
        check_filters(owners_store, parse_plan("owners: {fallback: []}\n", "plan.yaml"),
                      owner="u9")
