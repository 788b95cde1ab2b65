"""A hand-made company with three segments by rule, for the capacity tests.

as_of 2026-06-30, window 2026-01-01 .. 2026-06-30 (6 months). One role, csm: 40 h/week ×
40 working weeks × 0.5 = 800 engagement hours a year. Segments: ent (employees >= 1000),
mid (>= 100), smb (>= 0); X has no employees, so no segment.

| account | employees | arr | deals | customer | team on as_of |
|---|---|---|---|---|---|
| E1 | 5000 | 600,000 | won 2025-01-10 | yes | u1 |
| E2 | 2000 | — | won 400,000 on 2026-03-01, won 100,000 on 2025-05-01 | yes (ARR 400,000) | u1 |
| M1 | 500 | 200,000 | won 2024-06-01 | yes | u1, u2 |
| M2 | 300 | 50,000 | — (a lead) | no | u2 |
| S1 | 10 | — | — (a lead) | no | u3 (inactive) |
| X | — | — | — | no | — |

Users: u1, u2, u3 (inactive), u4 (no accounts) are csm. Human touches by u1 in the window:
a meeting of 40 min and a connected call of 20 min on E1, a meeting with no duration on M1
(the plan's 30 min).
"""

from __future__ import annotations

import datetime as dt

from test_coverage_company import insert

from covermap.plan import parse_plan

AS_OF = dt.date(2026, 6, 30)

PLAN_YAML = """\
name: Capacity test
as_of: 2026-06-30
window_months: 6
roles:
  - {id: csm, label: {en: CSM}, skills: [onboarding], hours_per_week: 40,
     engagement_share: 0.5}
activity_kinds:
  call: {channel: human, outcomes: [connected], minutes: 10}
  meeting: {channel: human, minutes: 30}
states:
  - {id: customer, label: {en: Customer}, rule: is_customer,
     standard: [{channel: human, min: 1, per: month, by: [csm]}]}
  - {id: lead, label: {en: Lead}, rule: lead_count > 0}
journey:
  stages:
    - {id: onboard, label: {en: Onboard}, states: [customer], skills: [onboarding]}
    - {id: nurture, label: {en: Nurture}, states: [lead]}
raci:
  onboard: {csm: A}
segments:
  - {id: ent, rule: employees >= 1000}
  - {id: mid, rule: employees >= 100}
  - {id: smb, rule: employees >= 0}
capacity:
  working_weeks: 40
  tolerance: 0.1
  benchmark: {arr_per_person: {csm: 1000000}}
  journeys:
    ent:
      - {name: kickoff, stage: onboard, role: csm, minutes: 60, prep_minutes: 30, once: true}
      - {name: qbr, stage: onboard, role: csm, minutes: 60, prep_minutes: 60, per_year: 4}
    mid:
      - {name: checkin, stage: onboard, role: csm, minutes: 30, prep_minutes: 10, per_year: 6}
    smb:
      - {name: webinar, stage: nurture, role: csm, minutes: 60, per_year: 1}
"""

USERS = [("u1", "csm", True), ("u2", "csm", True), ("u3", "csm", False), ("u4", "csm", None)]
ACCOUNTS = [("E1", 5000, 600000), ("E2", 2000, None), ("M1", 500, 200000), ("M2", 300, 50000),
            ("S1", 10, None), ("X", None, None)]
DEALS = [("d1", "E1", True, 600000, "2025-01-10"), ("d2", "E2", True, 400000, "2026-03-01"),
         ("d3", "E2", True, 100000, "2025-05-01"), ("d4", "M1", True, 200000, "2024-06-01")]
CONTACTS = [("c1", "M2"), ("c2", "S1")]
TEAM = [("E1", "u1"), ("E2", "u1"), ("M1", "u1"), ("M1", "u2"), ("M2", "u2"), ("S1", "u3")]
ACTIVITIES = [("a1", "E1", "meeting", "2026-02-01 10:00:00", "u1", None, 40),
              ("a2", "E1", "call", "2026-03-01 10:00:00", "u1", "connected", 20),
              ("a3", "M1", "meeting", "2026-04-01 10:00:00", "u1", None, None)]


def plan(text: str = PLAN_YAML):
    return parse_plan(text, "plan.yaml")


def build(store) -> None:
    """Insert the whole company into an open, empty store."""
    insert(store, "users", "user_id, name, role, active",
           [(u, f"User {u}", r, a) for u, r, a in USERS])
    insert(store, "accounts", "account_id, name, employees, arr",
           [(a, f"Account {a}", e, arr) for a, e, arr in ACCOUNTS])
    insert(store, "deals", "deal_id, account_id, is_won, is_closed, amount, close_date, "
           "created_at", [(d, a, w, True, amt, c, c) for d, a, w, amt, c in DEALS])
    insert(store, "contacts", "contact_id, account_id", CONTACTS)
    insert(store, "account_team", "account_id, user_id, role",
           [(a, u, "csm") for a, u in TEAM])
    insert(store, "activities", "activity_id, account_id, kind, occurred_at, user_id, "
           "outcome, duration_minutes", ACTIVITIES)
