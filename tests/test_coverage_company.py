"""A small hand-made company for the coverage tests, inserted straight into a real store.

as_of 2026-07-15, 3-month window -> 2026-04-01 .. 2026-06-30 (July is not
complete). Weeks wholly inside: Mon 2026-04-06 .. Mon 2026-06-22 (12 weeks; the
weeks of 30 March and 29 June cross the window's edges). Quarter Q2 is inside.

Accounts (expected values are worked out in tests/test_coverage.py):

- C1 customer since 2025-06-01 (monthly human by csm).
- P1 prospect (weekly human by anyone, 2 digital per quarter).
- P2 prospect until its deal is won on 2026-05-15, customer from the next bucket.
- T1 target: a state with no standard.
- U1 matches no rule: unclassified.
- N1 prospect created on 2026-05-20: earlier buckets are not evaluated for it.
- An activity of account ZZ, which is not in the store: it touches nobody in scope.
"""

from __future__ import annotations

import datetime as dt

from covermap.plan import parse_plan

AS_OF = dt.date(2026, 7, 15)

PLAN_YAML = """\
name: Test standard
window_months: 3
timezone: UTC
activity_kinds:
  call: {channel: human, weight: 1.0, outcomes: [connected]}
  meeting: {channel: human, weight: 3.0}
  marketing_email: {channel: digital, weight: 0.5, outcomes: [opened]}
  note: {channel: none}
states:
  - id: customer
    label: {en: Customer}
    rule: is_customer
    standard:
      - {channel: human, min: 1, per: month, by: [csm]}
  - id: prospect
    label: {en: Prospect}
    rule: lead_count > 0
    standard:
      - {channel: human, min: 1, per: week}
      - {channel: digital, min: 2, per: quarter}
  - id: target
    label: {en: Target}
    rule: is_target
    standard: []
worklist: {value_measure: arr}
"""

USERS = [("u1", "Ann", "csm"), ("u2", "Bob", "account_executive")]

# account_id, name, segment, owner_id, arr, is_target, created_at
ACCOUNTS = [
    ("C1", "Cedar", "smb", "u1", 100, None, "2025-01-01 00:00:00"),
    ("P1", "Pine", "ent", "u2", None, None, None),
    ("P2", "Palm", "smb", "u1", 50, None, "2025-01-01 00:00:00"),
    ("T1", "Teak", "ent", "u2", 5, True, None),
    ("U1", "Umber", None, None, None, None, None),
    ("N1", "Nutmeg", "smb", "u1", 10, False, "2026-05-20 10:00:00"),
]

# contact_id, account_id, persona, lead_score, created_at
CONTACTS = [
    ("k1", "C1", "cfo", None, "2025-01-01 00:00:00"),
    ("k2", "C1", "cto", None, "2025-01-01 00:00:00"),
    ("k3", "P1", None, 30, None),
    ("k4", "P2", "cfo", 20, None),
    ("k5", "N1", None, None, None),
]

# deal_id, account_id, is_closed, is_won, created_at, close_date, deal_type
DEALS = [
    ("d1", "C1", True, True, "2025-05-01 00:00:00", "2025-06-01", "new"),
    ("d2", "P2", True, True, "2026-04-01 00:00:00", "2026-05-15", "new"),
]

# activity_id, account_id, kind, occurred_at, user_id, outcome, contact_id, content_stage
ACTIVITIES = [
    ("a01", "C1", "call", "2026-04-03 10:00:00", "u1", None, "k1", "Relation"),  # empty outcome
    ("a02", "C1", "call", "2026-05-05 10:00:00", "u1", "no answer", "k1", None),  # not a touch
    ("a03", "C1", "meeting", "2026-05-06 10:00:00", "u2", "held", "k2", "Solution"),  # wrong role
    ("a04", "C1", "marketing_email", "2026-05-07 10:00:00", "u1", "opened", None, None),  # digital
    ("a05", "C1", "meeting", "2026-06-10 10:00:00", None, None, "k1", "Relation"),  # no user
    ("a06", "C1", "call", "2026-07-02 10:00:00", "u1", "connected", "k1", None),  # after window
    ("a07", "C1", "note", "2026-04-01 09:00:00", "u1", None, None, None),  # not a touch kind
    ("a10", "P1", "meeting", "2026-04-07 10:00:00", None, None, "k3", None),
    ("a11", "P1", "marketing_email", "2026-04-08 10:00:00", None, "opened", None, None),
    ("a12", "P1", "call", "2026-04-20 10:00:00", "u2", "connected", None, None),
    ("a13", "P1", "marketing_email", "2026-05-12 10:00:00", None, "", None, None),  # blank
    ("a14", "P1", "marketing_email", "2026-06-01 10:00:00", None, "bounced", None, None),
    ("a20", "P2", "call", "2026-06-15 10:00:00", "u1", "connected", "k4", None),
    ("a30", "T1", "marketing_email", "2026-05-20 10:00:00", None, "opened", None, None),
    ("a40", "ZZ", "call", "2026-04-10 10:00:00", "u1", "connected", None, None),  # no such account
]


def insert(store, table: str, columns: str, rows: list[tuple]) -> None:
    """INSERT ``rows`` into ``table`` (``columns``: comma-separated names)."""
    marks = ", ".join("?" for _ in columns.split(","))
    for row in rows:
        store.duckdb.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row))


def plan():
    return parse_plan(PLAN_YAML, "plan.yaml")


def build(store) -> None:
    """Insert the whole company into an open, empty store."""
    insert(store, "users", "user_id, name, role", USERS)
    insert(store, "accounts", "account_id, name, segment, owner_id, arr, is_target, created_at",
           ACCOUNTS)
    insert(store, "contacts", "contact_id, account_id, persona, lead_score, created_at", CONTACTS)
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, created_at, close_date, "
                           "deal_type", DEALS)
    insert(store, "activities", "activity_id, account_id, kind, occurred_at, user_id, outcome, "
                                "contact_id, content_stage", ACTIVITIES)


def test_company_loads(store):
    build(store)
    counts = {t: store.duckdb.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("users", "accounts", "contacts", "deals", "activities")}
    assert counts == {"users": 2, "accounts": 6, "contacts": 5, "deals": 2, "activities": 15}
    assert [s.id for s in plan().states] == ["customer", "prospect", "target"]
