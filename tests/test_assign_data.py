"""A small company for ``covermap assign``, small enough to check the optimum by brute force
over accounts (tests/test_assign_solver.py).

as_of 2026-06-30. csm: 10 h/week × 40 weeks × 0.5 = 200 h a year; u3 has hours_per_week 5
(100 h) and is a specialist of segment small. Segments: big (employees >= 100; review 60 min
× 50 = 50 h a year), small (20 h). match_region; B1 is locked; max_accounts 4.

| account | segment | region | team (csm) |
|---|---|---|---|
| B1 | big | eu | u1 (locked) |
| B2 | big | eu | u1 |
| B3 | big | us | u1 (another region) |
| S1 | small | eu | u1 |
| S2 | small | us | u2 |
| S3 | small | us | u9 (inactive) |
| S4 | small | eu | — |

u1 (eu) keeps B1 and B2 (100 h, 50 %): the maximum cannot be lower, so u1 takes nothing
else. S1 and S4 (eu) can only go to u3 (40 h, 40 %); B3 to u2; S2 and S3 both to u2 (90 h,
45 %), since either on u3 would put u3 above 50 %. Spread 50 − 40 = 10 points.
"""

from __future__ import annotations

from test_coverage_company import insert

from covermap.plan import parse_plan

PLAN_YAML = """\
name: Assign test
as_of: 2026-06-30
roles:
  - {id: csm, label: {en: CSM}, hours_per_week: 10, engagement_share: 0.5}
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
  match_region: true
  specialists: {u3: [small]}
  locked: [B1]
  max_accounts: 4
"""

USERS = [("u1", "eu", None, True), ("u2", "us", None, True), ("u3", None, 5, True),
         ("u9", "us", None, False)]
ACCOUNTS = [("B1", 500, "eu"), ("B2", 500, "eu"), ("B3", 500, "us"), ("S1", 10, "eu"),
            ("S2", 10, "us"), ("S3", 10, "us"), ("S4", 10, "eu")]
TEAM = [("B1", "u1"), ("B2", "u1"), ("B3", "u1"), ("S1", "u1"), ("S2", "u2"), ("S3", "u9")]
HOURS = {"big": 50.0, "small": 20.0}


def plan(text: str = PLAN_YAML):
    return parse_plan(text, "plan.yaml")


def build(store, users=USERS) -> None:
    insert(store, "users", "user_id, name, role, region, hours_per_week, active",
           [(u, f"User {u}", "csm", r, h, a) for u, r, h, a in users])
    insert(store, "accounts", "account_id, name, employees, region",
           [(a, f"Account {a}", e, r) for a, e, r in ACCOUNTS])
    insert(store, "deals", "deal_id, account_id, is_won, is_closed, amount, close_date",
           [(f"d{a}", a, True, True, 1000, "2026-01-15") for a, _, _ in ACCOUNTS])
    insert(store, "account_team", "account_id, user_id, role",
           [(a, u, "csm") for a, u in TEAM])
