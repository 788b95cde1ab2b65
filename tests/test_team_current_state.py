"""``covermap team`` on a store with an account created after as_of: it has no state span
in the window, so every account's current state is evaluated on as_of (states_at), and the
other accounts' rows are the ones the span path gives (tests/test_team_findings.py)."""

from __future__ import annotations

import test_team_data as fx
from test_coverage_company import insert
from test_team_findings import ACCOUNTS

from covermap.store.connect import open_store
from covermap.team.tables import measure_team


def test_an_account_created_after_as_of_keeps_its_current_state(tmp_path):
    with open_store(tmp_path / "covermap.duckdb") as s:
        fx.build(s)
        # Z: created 2026-08-01, after as_of 2026-07-15, with a lead since 2025: a lead
        # (nurture) as of as_of, with no team: marketing (A) and sdr (R) are gaps
        insert(s, "accounts", "account_id, name, segment, created_at",
               [("Z", "Account Z", "ent", "2026-08-01 00:00:00")])
        insert(s, "contacts", "contact_id, account_id, created_at",
               [("kZ", "Z", "2025-02-01 00:00:00")])
        result = measure_team(s, fx.plan())
        got = {r["account_id"]: (r["state"], r["stage"], r["segment"], r["team_size"],
                                 r["gaps"], r["duplicates"], r["over_coverage"],
                                 r["silent_members"])
               for r in result.accounts.to_pyarrow().to_pylist()}
    assert got == {**ACCOUNTS, "Z": ("lead", "nurture", "ent", 0, 2, 0, 0, 0)}
