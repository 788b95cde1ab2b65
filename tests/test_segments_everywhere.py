"""Segments by rule (issue 11, point 1): the plan's ``segments[]`` give every analysis
the same segment per account, not only capacity."""

from __future__ import annotations

import pytest
from test_coverage_company import AS_OF, PLAN_YAML, build

from covermap.coverage.measure import measure_coverage
from covermap.coverage.worklist import UnknownFilterValue, check_filters
from covermap.engine.segments import account_segments, segment_accounts, segment_ids
from covermap.plan import parse_plan
from covermap.store.connect import open_store
from covermap.team.tables import measure_team

# on as_of 2026-07-15: C1 is a customer since 2025, P2 since its win on 2026-05-15 (both
# paying); N1 has arr 10 (sized); P1 (no arr), T1 (arr 5) and U1 match no segment
SEGMENTS = """segments:
  - {id: paying, rule: is_customer}
  - {id: sized, rule: arr >= 10}
"""
EXPECTED = {"C1": "paying", "N1": "sized", "P1": None, "P2": "paying", "T1": None,
            "U1": None}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("segments") / "covermap.duckdb") as s:
        build(s)
        yield s


@pytest.fixture(scope="module")
def plan():
    return parse_plan(PLAN_YAML + SEGMENTS, "plan.yaml")


def _by_account(table) -> dict:
    rows = table.select("account_id", "segment").to_pyarrow().to_pylist()
    return {r["account_id"]: r["segment"] for r in rows}


def test_the_rule_decides(store, plan):
    assert _by_account(account_segments(store, plan, AS_OF)) == EXPECTED
    assert _by_account(segment_accounts(store, plan, AS_OF)) == EXPECTED
    assert segment_ids(store, plan) == ["paying", "sized"]


def test_without_segments_the_column_as_imported(store):
    plain = parse_plan(PLAN_YAML, "plan.yaml")
    assert _by_account(account_segments(store, plain, AS_OF)) == {
        "C1": "smb", "P1": "ent", "P2": "smb", "T1": "ent", "U1": None, "N1": "smb"}
    assert segment_ids(store, plain) == ["ent", "smb"]


def test_coverage_and_its_rollup(store, plan):
    result = measure_coverage(store, plan, as_of=AS_OF)
    assert _by_account(result.accounts) == EXPECTED
    s = result.summary
    rows = s.filter(s.group == "segment").select("key", "accounts").to_pyarrow().to_pylist()
    assert sorted((r["key"] or "", r["accounts"]) for r in rows) == [
        ("", 3), ("paying", 2), ("sized", 1)]
    wl = result.worklist
    assert set(wl.select("segment").distinct().to_pyarrow()["segment"].to_pylist()) <= {
        "paying", "sized", None}


def test_worklist_filter_knows_the_plan_segments(store, plan):
    assert check_filters(store, plan, segment="paying")["segment"] == "paying"
    with pytest.raises(UnknownFilterValue, match="paying, sized"):
        check_filters(store, plan, segment="smb")


def test_team(store, plan):
    result = measure_team(store, plan, as_of=AS_OF)
    assert _by_account(result.accounts) == EXPECTED


def test_value(store, plan):
    from covermap.value.load import default_value_maps
    from covermap.value.tables import measure_value

    result = measure_value(store, plan, default_value_maps(), as_of=AS_OF)
    rows = result.accounts.select("account_id", "segment").distinct()
    got = _by_account(rows)
    assert got and got == {a: EXPECTED[a] for a in got}
    s = result.summary
    keys = set(s.filter(s.group == "segment").key.to_pyarrow().to_pylist())
    assert keys <= {"paying", "sized", None}
