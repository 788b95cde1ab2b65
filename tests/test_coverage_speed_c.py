"""The coverage core's cheaper forms (issue 9) give the same numbers: DuckDB's count_if
counts what a sum of booleans counts, touch rows keep a contact only on human touches and
store weights in 32 bits when they fit, and a measurement leaves the connection's
``preserve_insertion_order`` as it found it."""

from __future__ import annotations

import datetime as dt

import ibis
from test_coverage_company import PLAN_YAML, build, insert

from covermap.coverage.checks import sum_true, tally_for
from covermap.coverage.measure import measure_coverage
from covermap.engine.touches import touch_rows
from covermap.plan import parse_plan


def test_count_if_counts_what_a_sum_of_booleans_counts(store):
    t = ibis.memtable({"g": ["a", "a", "a", "b", "b"], "x": [1, 5, 7, 2, 9]})
    tally = tally_for(store)
    assert tally is not sum_true  # DuckDB: count_if
    q = t.group_by("g").aggregate(fast=tally(t.x > 4), slow=sum_true(t.x > 4)).order_by("g")
    rows = store.ibis.to_pyarrow(q).to_pylist()
    assert rows == [{"g": "a", "fast": 2, "slow": 2}, {"g": "b", "fast": 1, "slow": 1}]


def test_touch_rows_keep_the_contact_of_human_touches_only(store):
    insert(store, "accounts", "account_id, name", [("A", "Acme")])
    insert(store, "activities", "activity_id, account_id, kind, occurred_at, outcome, contact_id",
           [("t1", "A", "call", "2026-02-03 10:00:00", "connected", "c1"),
            ("t2", "A", "marketing_email", "2026-02-04 10:00:00", "opened", "c2"),
            ("t3", "A", "call", "2026-02-05 10:00:00", "busy", "c3")])  # not a touch
    plan = parse_plan(PLAN_YAML, "plan.yaml")
    t = touch_rows(store, plan, dt.date(2026, 2, 1), dt.date(2026, 2, 28), [])
    assert t.schema()["wu"] == ibis.dtype("int32")
    rows = store.ibis.to_pyarrow(t.order_by("day")).to_pylist()
    assert [(r["day"], r["human"], r["contact_id"], r["wu"]) for r in rows] == [
        (dt.date(2026, 2, 3), True, "c1", 1_000_000),
        (dt.date(2026, 2, 4), False, None, 500_000)]


def test_a_weight_beyond_32_bits_of_units_is_stored_in_64(store):
    plan = parse_plan(PLAN_YAML.replace("meeting: {channel: human, weight: 3.0}",
                                        "meeting: {channel: human, weight: 2500}"), "plan.yaml")
    t = touch_rows(store, plan, dt.date(2026, 2, 1), dt.date(2026, 2, 28), [])
    assert t.schema()["wu"] == ibis.dtype("int64")


def test_a_measurement_leaves_insertion_order_as_it_found_it(store):
    build(store)
    plan = parse_plan(PLAN_YAML, "plan.yaml")
    r = measure_coverage(store, plan, as_of=dt.date(2026, 3, 31), window_months=2)
    setting = "SELECT current_setting('preserve_insertion_order')"
    assert store.duckdb.execute(setting).fetchone()[0] is True
    checks = store.ibis.to_pyarrow(r.checks).to_pylist()
    keys = [(c["account_id"], c["bucket_start"]) for c in checks]
    assert keys and keys == sorted(keys)
