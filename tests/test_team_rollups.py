"""``team --by group`` (issue 16, point 2), by hand on tests/test_team_data.py's company
(per-account findings in test_team_findings.py, hand-offs in test_team_handoffs.py)."""

from __future__ import annotations

import pytest
import test_team_data as fx

from covermap.store import groups
from covermap.store.connect import open_store
from covermap.team.rollups import COLUMNS, rollup
from covermap.team.tables import measure_team

# groups A (A, B, C) and D (D, E, F); G, H, N and T are their own
PARENTS = [("B", "A"), ("C", "A"), ("E", "D"), ("F", "D")]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("team-groups") / "covermap.duckdb") as s:
        fx.build(s)
        for child, parent in PARENTS:
            s.duckdb.execute("UPDATE accounts SET parent_account_id = ? WHERE account_id = ?",
                             [parent, child])
        groups.rebuild(s.duckdb)
        yield measure_team(s, fx.plan())


def test_by_group(result):
    got = [tuple(r[c] for c in COLUMNS) for r in rollup(result, "group").to_pyarrow().to_pylist()]
    assert got == [
        # key, name, parent, accounts, customers, arr, with gap / duplicate / over-coverage /
        # silent, hand-offs, on time, late, dropped, pending, states
        ("A", "Account A", None, 3, 0, 0.0, 2, 1, 1, 1, 0, 0, 0, 0, 0, "lead 3"),
        # E is a customer (won 06-01, no amount: ARR 0); D, E and F's four hand-offs
        ("D", "Account D", None, 3, 1, 0.0, 0, 0, 2, 1, 4, 2, 1, 1, 0, "customer 1, deal 2"),
        ("G", "Account G", None, 1, 0, 0.0, 1, 0, 1, 0, 1, 0, 0, 0, 1, "deal 1"),
        ("H", "Account H", None, 1, 0, 0.0, 1, 0, 0, 0, 1, 1, 0, 0, 0, "deal 1"),
        ("N", "Account N", None, 1, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "deal 1"),
        ("T", "Account T", None, 1, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "target 1"),
    ]
