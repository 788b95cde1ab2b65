"""A small hand-made company for the team tests (``covermap team``), inserted into a real
store. as_of 2026-07-15, 3-month window 2026-04-01 .. 2026-06-30.

Journey: nurture (lead) -> sell (deal) -> onboard (customer); target is in no stage.
RACI: nurture marketing A, sdr R; sell ae A, sdr C; onboard csm A, ae R (smb: ae removed).

Accounts (every expected value is worked out by hand in tests/test_team_findings.py and
tests/test_team_handoffs.py):

- A  lead, no team at all: every R/A role of nurture is a gap.
- B  lead: s1 starts on as_of and s2 ends on as_of (both in force: a duplicate sdr), a csm
     (no letter at nurture: over-coverage); s1 and s2 are silent (s2's only human touch is
     on 2026-07-01, after the window; its email blast in the window is digital).
- C  lead: s1 holds sdr in two overlapping rows (one holder, no duplicate); marketing starts
     the day after as_of (a gap).
- D  enters sell on 2026-05-04 (deal opened); the ae's first touch is on 2026-05-09, the
     SLA's last day (on time, 5 days; an unanswered call on 05-05 is no touch); s1 (sdr)
     ends on 05-09 (released); a1 joins on 05-06 (late join); m1 (marketing) stays on after
     nurture ended on 05-03 (stayed on; over-coverage at sell).
- E  smb: enters sell on 2026-04-10 (no ae touch: dropped; s2 never leaves: not released),
     becomes a customer on 2026-06-01 (the csm's first touch on 06-09: late, 8 days); a2
     (ae) has no letter at onboard for smb and stays on (stayed on, over-coverage).
- F  enters sell on 2026-06-30, the window's last day; the ae's touch on 07-02 is on time
     (2 days) but after the window, so a1, who joined on 07-01 (late join), is silent.
- G  enters sell on 2026-07-12, after the window: pending, and no phase-in finding (an entry
     after the window); nobody of ae (a gap); m1's stay-on is not judged yet (grace not
     passed).
- H  enters sell on 2026-06-10; an ae touches it that day (0 days; a touch on 06-05 was
     before); s1 ends on 06-16, a day after the SLA (not released); no ae ever joins its
     team (a gap, never joined).
- N  created on 2026-05-05 with a deal: in sell from its first day, which is no entry.
- T  a target (no stage): no team checks, empty counts.
"""

from __future__ import annotations

import datetime as dt

from test_coverage_company import insert

from covermap.plan import parse_plan

AS_OF = dt.date(2026, 7, 15)

PLAN_YAML = """\
name: Team test
as_of: 2026-07-15
window_months: 3
timezone: UTC
roles:
  - {id: marketing, label: {en: Marketing}, skills: [campaigns], single_holder: false}
  - {id: sdr, label: {en: SDR}, skills: [qualification]}
  - {id: ae, label: {en: Account executive}, skills: [negotiation]}
  - {id: csm, label: {en: CSM}, skills: [onboarding]}
activity_kinds:
  call: {channel: human, outcomes: [connected], minutes: 10}
  meeting: {channel: human, minutes: 30}
  email_blast: {channel: digital}
states:
  - {id: customer, label: {en: Customer}, rule: is_customer}
  - {id: deal, label: {en: In a deal}, rule: open_deals > 0,
     standard: [{channel: human, min: 1, per: month, by: [ae]}]}
  - {id: lead, label: {en: Lead}, rule: lead_count > 0}
  - {id: target, label: {en: Target}, rule: is_target}
journey:
  phase_out_days: 14
  stages:
    - {id: nurture, label: {en: Nurture}, states: [lead], skills: [campaigns]}
    - {id: sell, label: {en: Sell}, states: [deal], skills: [negotiation]}
    - {id: onboard, label: {en: Onboard}, states: [customer], skills: [onboarding]}
raci:
  nurture: {marketing: A, sdr: R}
  sell: {ae: A, sdr: C}
  onboard: {csm: A, ae: R}
  segments:
    smb:
      onboard: {ae: "-"}
handoffs:
  - {id: to_ae, when: {stage: sell}, from: sdr, to: ae, within_days: 5, model: baton}
  - {id: to_csm, when: {state: customer}, from: ae, to: csm, within_days: 7, model: paired}
"""

USERS = [("m1", "Mia", "marketing"), ("s1", "Sam", "sdr"), ("s2", "Sue", "sdr"),
         ("a1", "Al", "ae"), ("a2", "Ada", "ae"), ("c1", "Cy", "csm"), ("c2", "Cat", "csm")]

OLD = "2025-01-01 00:00:00"
# account_id, segment, is_target, created_at
ACCOUNTS = [("A", "ent", None, OLD), ("B", "ent", None, OLD), ("C", "ent", None, OLD),
            ("D", "ent", None, OLD), ("E", "smb", None, OLD), ("F", "ent", None, OLD),
            ("G", "ent", None, OLD), ("H", "ent", None, OLD),
            ("N", "ent", None, "2026-05-05 10:00:00"), ("T", None, True, OLD)]

# contact_id, account_id, created_at (every contact is a lead)
CONTACTS = [(f"k{a}", a, "2025-02-01 00:00:00") for a in "ABCDEFGH"] + \
    [("kN", "N", "2026-05-05 10:00:00")]

# deal_id, account_id, is_closed, is_won, created_at, close_date
DEALS = [
    ("d1", "D", False, False, "2026-05-04 09:00:00", None),
    ("d2", "E", True, True, "2026-04-10 09:00:00", "2026-06-01"),
    ("d3", "F", False, False, "2026-06-30 09:00:00", None),
    ("d4", "G", False, False, "2026-07-12 09:00:00", None),
    ("d5", "H", False, False, "2026-06-10 08:00:00", None),
    ("d6", "N", False, False, "2026-05-05 11:00:00", None),
]

# account_id, user_id, role, start_date, end_date
TEAM = [
    ("B", "m1", "marketing", None, None), ("B", "s1", "sdr", "2026-07-15", None),
    ("B", "s2", "sdr", None, "2026-07-15"), ("B", "c1", "csm", None, None),
    ("C", "s1", "sdr", "2026-01-01", None), ("C", "s1", "sdr", "2026-03-01", "2026-12-31"),
    ("C", "m1", "marketing", "2026-07-16", None),
    ("D", "s1", "sdr", None, "2026-05-09"), ("D", "a1", "ae", "2026-05-06", None),
    ("D", "m1", "marketing", None, None),
    ("E", "s2", "sdr", None, None), ("E", "a2", "ae", None, None),
    ("E", "c1", "csm", "2026-06-01", None),
    ("F", "a1", "ae", "2026-07-01", None),
    ("G", "m1", "marketing", None, None),
    ("H", "s1", "sdr", None, "2026-06-16"),
    ("N", "a2", "ae", None, None),
    ("T", "c2", "csm", None, None),
]

# activity_id, account_id, user_id, kind, outcome, occurred_at, duration_minutes
ACTIVITIES = [
    ("x1", "B", "m1", "call", "connected", "2026-05-10 10:00:00", 12),
    ("x2", "B", "s2", "call", "connected", "2026-07-01 10:00:00", None),
    ("x3", "B", "s2", "email_blast", None, "2026-05-12 10:00:00", None),
    ("x4", "C", "s1", "meeting", None, "2026-04-20 10:00:00", 45),
    ("x5", "D", "a1", "call", "no_answer", "2026-05-05 10:00:00", None),
    ("x6", "D", "a1", "call", "connected", "2026-05-09 16:00:00", None),
    ("x7", "E", "c1", "meeting", None, "2026-06-09 10:00:00", None),
    ("x8", "F", "a1", "meeting", None, "2026-07-02 10:00:00", None),
    ("x9", "H", "a2", "call", "connected", "2026-06-05 10:00:00", 5),
    ("x10", "H", "a2", "call", "connected", "2026-06-10 09:00:00", 20),
    ("x11", "N", "a2", "meeting", None, "2026-05-20 10:00:00", 60),
]


def plan():
    return parse_plan(PLAN_YAML, "plan.yaml")


def build(store) -> None:
    """Insert the whole company into an open, empty store."""
    insert(store, "users", "user_id, name, role", USERS)
    insert(store, "accounts", "account_id, name, segment, is_target, created_at",
           [(a, f"Account {a}", seg, t, c) for a, seg, t, c in ACCOUNTS])
    insert(store, "contacts", "contact_id, account_id, created_at", CONTACTS)
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, created_at, close_date",
           DEALS)
    insert(store, "account_team", "account_id, user_id, role, start_date, end_date", TEAM)
    insert(store, "activities", "activity_id, account_id, user_id, kind, outcome, "
                                "occurred_at, duration_minutes", ACTIVITIES)
