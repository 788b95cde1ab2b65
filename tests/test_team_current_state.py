"""``covermap team`` on a store with accounts the window's state spans do not wholly cover:

- Z, created 2026-08-01, after as_of 2026-07-15, with a lead since 2025: it has no span, so
  every account's current state is evaluated on as_of (states_at); Z is a lead (nurture)
  with no team, so marketing (A) and sdr (R) are gaps;
- P, created 2026-05-15 with an open deal (sell from its first day): its ae a1 met it on
  2026-05-01, in the window but before P existed; that touch still counts, so a1 is not
  silent.

The other accounts' rows are the ones of tests/test_team_findings.py."""

from __future__ import annotations

import test_team_data as fx
from test_coverage_company import insert
from test_team_findings import ACCOUNTS

from covermap.store.connect import open_store
from covermap.team.tables import measure_team


def test_accounts_created_late_keep_their_state_and_touches(tmp_path):
    with open_store(tmp_path / "covermap.duckdb") as s:
        fx.build(s)
        insert(s, "accounts", "account_id, name, segment, created_at",
               [("Z", "Account Z", "ent", "2026-08-01 00:00:00"),
                ("P", "Account P", "ent", "2026-05-15 09:00:00")])
        insert(s, "contacts", "contact_id, account_id, created_at",
               [("kZ", "Z", "2025-02-01 00:00:00")])
        insert(s, "deals", "deal_id, account_id, is_closed, is_won, created_at",
               [("d7", "P", False, False, "2026-05-15 10:00:00")])
        insert(s, "account_team", "account_id, user_id, role", [("P", "a1", "ae")])
        insert(s, "activities", "activity_id, account_id, user_id, kind, occurred_at",
               [("x12", "P", "a1", "meeting", "2026-05-01 10:00:00")])
        result = measure_team(s, fx.plan())
        got = {r["account_id"]: (r["state"], r["stage"], r["segment"], r["team_size"],
                                 r["gaps"], r["duplicates"], r["over_coverage"],
                                 r["silent_members"])
               for r in result.accounts.to_pyarrow().to_pylist()}
    assert got == {**ACCOUNTS, "Z": ("lead", "nurture", "ent", 0, 2, 0, 0, 0),
                   "P": ("deal", "sell", "ent", 1, 0, 0, 0, 0)}
