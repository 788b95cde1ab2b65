"""A small hand-made company with a 3-level customer group and two territories, for
tests/test_group_exports.py and tests/test_single_holder_scope.py. as_of 2026-07-15,
3-month window 2026-04-01 .. 2026-06-30; every account is a customer (won 2025-06-01), so
every account is at stage ``onboard`` (csm A, ae R).

Accounts (group: the top-most parent; territory: the first rule that matches):

- P   Parent AG, Germany: tops group P; territory emea.
- S1  Sub GmbH, Germany, parent P: group P; emea.
- S2  Sub Inc, United States, parent S1 (3 levels: P -> S1 -> S2): group P; na.
- X   Solo KK, Japan: its own group X; no territory matches (empty).
- Y   Pair LLC, United States: its own group Y; na.

Team in force on as_of: P csm u1, ae a1; S1 csm u1, ae a1; S2 csm u2, ae a2; X csm u1;
Y csm u3 and u4, ae a1. So group P's accounts hold csm u1, u1, u2 (two distinct users) and
ae a1, a1, a2; X holds one csm (u1, who is in group P too: another group, no matter).

Touches: u1 meets P once a month (04-10, 05-10, 06-10, 07-10), so P meets its standard
(1 human touch a month) and is off the worklist; S1, S2, X and Y have no touch (each fails
June and is on the worklist, ranked by ARR: S1 50, Y 30, S2 20, X 10).
"""

from __future__ import annotations

from pathlib import Path

from test_coverage_company import insert

from covermap.plan import parse_plan
from covermap.store import groups
from covermap.store.connect import open_store

PLAN_YAML = """\
name: Groups test
as_of: 2026-07-15
window_months: 3
timezone: UTC
roles:
  - {id: csm, label: CSM, skills: [onboarding], single_holder_scope: group,
     hours_per_week: 40, engagement_share: 0.5}
  - {id: ae, label: Account executive, skills: [negotiation]}
activity_kinds:
  meeting: {channel: human, minutes: 30}
states:
  - {id: customer, label: Customer, rule: is_customer,
     standard: [{channel: human, min: 1, per: month}]}
journey:
  stages:
    - {id: onboard, label: Onboard, states: [customer], skills: [onboarding]}
raci:
  onboard: {csm: A, ae: R}
handoffs: []
territories:
  - {id: emea, label: EMEA, rule: "country == 'Germany'"}
  - {id: na, label: North America, rule: "country == 'United States'"}
"""

USERS = [("u1", "Una", "csm"), ("u2", "Ugo", "csm"), ("u3", "Uma", "csm"),
         ("u4", "Uri", "csm"), ("a1", "Al", "ae"), ("a2", "Ada", "ae")]
# account_id, name, country, parent_account_id, arr
ACCOUNTS = [("P", "Parent AG", "Germany", None, 100.0),
            ("S1", "Sub GmbH", "Germany", "P", 50.0),
            ("S2", "Sub Inc", "United States", "S1", 20.0),
            ("X", "Solo KK", "Japan", None, 10.0),
            ("Y", "Pair LLC", "United States", None, 30.0)]
TEAM = [("P", "u1", "csm"), ("P", "a1", "ae"), ("S1", "u1", "csm"), ("S1", "a1", "ae"),
        ("S2", "u2", "csm"), ("S2", "a2", "ae"), ("X", "u1", "csm"), ("Y", "u3", "csm"),
        ("Y", "u4", "csm"), ("Y", "a1", "ae")]
MEETINGS = ["2026-04-10", "2026-05-10", "2026-06-10", "2026-07-10"]

#: account -> (group_id, territory), as the exports must read (empty territory: "")
KEYS = {"P": ("P", "emea"), "S1": ("P", "emea"), "S2": ("P", "na"), "X": ("X", ""),
        "Y": ("Y", "na")}


def plan(text: str = PLAN_YAML):
    return parse_plan(text, "plan.yaml")


def build(store) -> None:
    """Insert the company into an open, empty store and compute its groups."""
    insert(store, "users", "user_id, name, role", USERS)
    insert(store, "accounts", "account_id, name, country, parent_account_id, arr, created_at",
           [(*a, "2025-01-01 00:00:00") for a in ACCOUNTS])
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, amount, created_at, "
                           "close_date",
           [(f"d{a[0]}", a[0], True, True, 1000.0, "2025-05-01 09:00:00", "2025-06-01")
            for a in ACCOUNTS])
    insert(store, "account_team", "account_id, user_id, role", TEAM)
    insert(store, "activities", "activity_id, account_id, user_id, kind, occurred_at",
           [(f"m{i}", "P", "u1", "meeting", f"{d} 10:00:00") for i, d in enumerate(MEETINGS)])
    groups.rebuild(store.duckdb)


def files(folder: Path) -> tuple[Path, Path]:
    """The company's store and plan file, written into ``folder``."""
    store = folder / "covermap.duckdb"
    with open_store(store) as s:
        build(s)
    plan_file = folder / "plan.yaml"
    plan_file.write_text(PLAN_YAML, "utf-8")
    return store, plan_file
