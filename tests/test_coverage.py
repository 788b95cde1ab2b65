"""Coverage measurement on the hand-made company (tests/test_coverage_company.py).

Every expected number below is worked out by hand from the rows there.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from test_coverage_company import AS_OF, PLAN_YAML, build, insert, plan

from covermap.coverage.measure import ACCOUNT_COLUMNS, coverage_tables, measure_coverage
from covermap.plan import parse_plan
from covermap.store.connect import open_store

D = dt.date


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """One measurement of the company, shared by the read-only tests of this module."""
    with open_store(tmp_path_factory.mktemp("company") / "covermap.duckdb") as s:
        build(s)
        yield measure_coverage(s, plan(), as_of=AS_OF)


def records(table, *order):
    df = table.execute()
    if order:
        df = df.sort_values(list(order))
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]


def _clean(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime().date()
    if hasattr(v, "item"):
        return v.item()
    return v


def test_window_excludes_the_incomplete_month(result):
    w = result.window
    assert (w.start, w.end, w.as_of) == (D(2026, 4, 1), D(2026, 6, 30), AS_OF)
    # C1's call on 2 July counts for days-since but not for the window's touches
    c1 = {r["account_id"]: r for r in records(result.accounts)}["C1"]
    assert c1["human_touches"] == 3
    assert c1["days_since_human_touch"] == 13
    assert not records(result.checks.filter(result.checks.bucket_start >= D(2026, 7, 1)))


def test_weeks_crossing_the_window_edges_are_left_out(result):
    ch = result.checks
    weeks = records(ch.filter((ch.account_id == "P1") & (ch.per == "week"))
                    .select("bucket_start", "bucket_end"), "bucket_start")
    assert [r["bucket_start"] for r in weeks] == [D(2026, 4, 6) + dt.timedelta(weeks=i)
                                                  for i in range(12)]
    assert weeks[-1]["bucket_end"] == D(2026, 6, 28)


def test_accounts_table(result):
    rows = {r["account_id"]: r for r in records(result.accounts)}
    assert list(result.accounts.columns[:13]) == list(ACCOUNT_COLUMNS)
    pick = {a: tuple(r[c] for c in ACCOUNT_COLUMNS[1:]) for a, r in rows.items()}
    assert pick == {
        # state, segment, owner, checks, passed, compliance, human, digital, weighted,
        # contacts, days since human touch, touched
        "C1": ("customer", "smb", "u1", 3, 1, 1 / 3, 3, 1, 7.5, 2, 13, True),
        "P1": ("prospect", "ent", "u2", 13, 3, 3 / 13, 2, 2, 5.0, 1, 86, True),
        "P2": ("customer", "smb", "u1", 8, 1, 1 / 8, 1, 0, 1.0, 1, 30, True),
        "T1": ("target", "ent", "u2", 0, 0, None, 0, 1, 0.5, 0, None, True),
        "U1": ("unclassified", None, None, 0, 0, None, 0, 0, 0.0, 0, None, False),
        "N1": ("prospect", "smb", "u1", 5, 0, 0.0, 0, 0, 0.0, 0, None, False),
    }
    assert rows["T1"]["has_standard"] is False
    assert rows["C1"]["personas_touched"] == 2


def test_checks_of_an_account_with_roles_outcomes_and_no_user(result):
    ch = result.checks
    rows = records(ch.filter(ch.account_id == "C1"), "bucket_start")
    assert [(r["bucket_start"], r["bucket_end"], r["per"], r["state"], r["channel"], r["by"],
             r["min"], r["count"], r["passed"]) for r in rows] == [
        # April: the call with no outcome counts
        (D(2026, 4, 1), D(2026, 4, 30), "month", "customer", "human", "csm", 1, 1, True),
        # May: a "no answer" call, an AE's meeting and a csm's digital email do not count
        (D(2026, 5, 1), D(2026, 5, 31), "month", "customer", "human", "csm", 1, 0, False),
        # June: a meeting with no user never counts for an entry with `by`
        (D(2026, 6, 1), D(2026, 6, 30), "month", "customer", "human", "csm", 1, 0, False),
    ]


def test_quarter_check_counts_blank_outcome_but_not_bounced(result):
    ch = result.checks
    q = records(ch.filter(ch.per == "quarter"), "account_id")
    assert [(r["account_id"], r["bucket_start"], r["state"], r["by"], r["count"], r["passed"])
            for r in q] == [("P1", D(2026, 4, 1), "prospect", None, 2, True),
                            ("P2", D(2026, 4, 1), "prospect", None, 0, False)]


def test_state_change_switches_the_standard_from_the_next_bucket(result):
    ch = result.checks
    rows = records(ch.filter(ch.account_id == "P2"), "bucket_start", "per")
    prospect_weeks = [r["bucket_start"] for r in rows if r["per"] == "week"]
    # won on 15 May: the week starting 18 May (evaluated on 17 May) is a customer's
    assert prospect_weeks == [D(2026, 4, 6) + dt.timedelta(weeks=i) for i in range(6)]
    assert {r["state"] for r in rows if r["per"] == "week"} == {"prospect"}
    months = [(r["bucket_start"], r["state"], r["passed"]) for r in rows if r["per"] == "month"]
    # April and May start under the prospect standard, which has no monthly entry
    assert months == [(D(2026, 6, 1), "customer", True)]


def test_account_created_mid_window_skips_earlier_buckets(result):
    ch = result.checks
    rows = records(ch.filter(ch.account_id == "N1"), "bucket_start")
    assert [(r["bucket_start"], r["per"]) for r in rows] == [
        (D(2026, 5, 25), "week"), (D(2026, 6, 1), "week"), (D(2026, 6, 8), "week"),
        (D(2026, 6, 15), "week"), (D(2026, 6, 22), "week")]


def test_summary(result):
    rows = records(result.summary)
    got = [(r["group"], r["key"], r["accounts"], r["accounts_with_checks"], r["checks"],
            r["passed"], r["compliance"], r["breadth"]) for r in rows]
    assert got == [
        ("all", "all", 6, 4, 29, 5, 5 / 29, 4 / 6),
        ("state", "customer", 2, 2, 4, 2, 0.5, 1.0),
        ("state", "prospect", 2, 2, 25, 3, 3 / 25, 0.5),
        ("state", "target", 1, 0, 0, 0, None, 1.0),
        ("state", "unclassified", 1, 0, 0, 0, None, 0.0),
        ("segment", "ent", 2, 1, 13, 3, 3 / 13, 1.0),
        ("segment", "smb", 3, 3, 16, 2, 2 / 16, 2 / 3),
        ("segment", None, 1, 0, 0, 0, None, 0.0),
        ("owner", "u1", 3, 3, 16, 2, 2 / 16, 2 / 3),
        ("owner", "u2", 2, 1, 13, 3, 3 / 13, 1.0),
        ("owner", None, 1, 0, 0, 0, None, 0.0),
        ("role", "anyone", 6, 3, 25, 3, 3 / 25, 4 / 6),
        ("role", "csm", 6, 2, 4, 2, 0.5, 2 / 6),
        ("month", "2026-04", 6, 3, 7, 3, 3 / 7, 2 / 6),
        ("month", "2026-05", 6, 4, 10, 0, 0.0, 3 / 6),
        ("month", "2026-06", 6, 4, 12, 2, 2 / 12, 2 / 6),
    ]
    no_standard = [(r["key"], r["has_standard"]) for r in rows if r["group"] == "state"]
    assert no_standard == [("customer", True), ("prospect", True), ("target", False),
                           ("unclassified", False)]


def test_depth(result):
    rows = records(result.depth, "account_id")
    assert [r["account_id"] for r in rows] == ["C1", "P1", "P2", "T1"]
    c1 = rows[0]
    assert (c1["human_per_month"], c1["digital_per_month"], c1["weighted_touches"],
            c1["contacts_touched"], c1["personas_touched"], c1["content_stages"]) == (
        1.0, 1 / 3, 7.5, 2, 2, "Relation|Solution")
    p2 = rows[2]
    assert (p2["contacts_touched"], p2["personas_touched"], p2["content_stages"]) == (1, 1, None)


def test_transitions(result):
    rows = records(result.transitions, "account_id")
    # P2 has no parent (its own group) and the plan has no territories
    assert rows == [{"account_id": "P2", "from_state": "prospect", "to_state": "customer",
                     "date": D(2026, 5, 17), "group_id": "P2", "territory": None}]


def test_export_names(result):
    assert list(coverage_tables(result)) == [
        "coverage_accounts", "coverage_checks", "coverage_summary", "coverage_depth",
        "worklist", "transitions", "coverage_outcomes"]


def test_no_warnings_when_data_covers_the_window(result):
    assert result.warnings == ()


def test_window_longer_than_the_data_warns_and_measures(store):
    build(store)
    r = measure_coverage(store, plan(), as_of=AS_OF, window_months=12)
    assert r.warnings == (
        ("the 12-month window starts on 2025-07-01, before the first activity (2026-04-01): "
         "it is longer than the data, and buckets before 2026-04-01 are measured on what "
         "exists (no touches), so their checks fail"),)
    c1 = {x["account_id"]: x for x in records(r.accounts)}["C1"]
    assert (c1["checks"], c1["passed"]) == (12, 1)


def test_as_of_earlier_than_all_data(store):
    build(store)
    r = measure_coverage(store, plan(), as_of=D(2025, 12, 31))
    assert (r.window.start, r.window.end) == (D(2025, 10, 1), D(2025, 12, 31))
    assert len(r.warnings) == 1 and "before the first activity (2026-04-01)" in r.warnings[0]
    top = records(r.summary.filter(r.summary.group == "all"))[0]
    # C1: 3 months; P1 and P2 (no deal yet): 12 weeks + Q4 each; N1 does not exist yet
    assert (top["checks"], top["passed"], top["breadth"]) == (29, 0, 0.0)
    states = {x["account_id"]: x["state"] for x in records(r.accounts)}
    assert states == {"C1": "customer", "P1": "prospect", "P2": "prospect", "T1": "target",
                      "U1": "unclassified", "N1": "prospect"}


def test_a_store_without_activities(store):
    insert(store, "accounts", "account_id, name, is_target", [("A", "Aster", True)])
    r = measure_coverage(store, plan(), as_of=AS_OF)
    assert r.warnings == ("the store has no activities: nothing is touched and every check fails",)
    assert [(x["account_id"], x["state"], x["checks"], x["touched"]) for x in records(r.accounts)
            ] == [("A", "target", 0, False)]
    assert records(r.worklist) == []


def test_quarters_not_wholly_inside_are_left_out(store):
    build(store)
    r = measure_coverage(store, plan(), as_of=AS_OF, window_months=4)  # March .. June
    ch = r.checks
    starts = records(ch.filter(ch.per == "quarter").select("bucket_start").distinct())
    assert [x["bucket_start"] for x in starts] == [D(2026, 4, 1)]


def test_timezone_moves_an_evening_utc_touch_to_the_next_day(store):
    text = PLAN_YAML.replace("timezone: UTC", "timezone: Asia/Tokyo")
    tokyo = parse_plan(text, "plan.yaml")
    insert(store, "users", "user_id, name, role", [("u1", "Ann", "csm")])
    insert(store, "accounts", "account_id, name", [("A", "Aster")])
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, close_date",
           [("d", "A", True, True, "2025-01-01")])
    # 20:00 UTC on 31 March is 05:00 on 1 April in Tokyo
    insert(store, "activities", "activity_id, account_id, kind, occurred_at, user_id, outcome",
           [("x", "A", "call", "2026-03-31 20:00:00", "u1", "connected")])
    for p, passed in ((tokyo, [False, True]), (plan(), [True, False])):
        r = measure_coverage(store, p, as_of=D(2026, 4, 30), window_months=2)
        rows = records(r.checks, "bucket_start")
        assert [(x["bucket_start"], x["passed"]) for x in rows] == [
            (D(2026, 3, 1), passed[0]), (D(2026, 4, 1), passed[1])]


def test_a_kept_intermediate_has_the_expressions_types_and_rows():
    # the DuckDB keep declares the columns with the expression's types (int8 stays TINYINT,
    # not what DuckDB would infer) and loads the expression's memtables itself
    from covermap.engine.keep import temp_keeper
    from covermap.store.arrow import memtable, to_pylist

    with open_store(":memory:") as s:
        keep = temp_keeper(s)
        m = memtable({"k": ["a", "b"], "n": [1, 2]}, {"k": "string", "n": "int64"})
        t = keep(m.select("k", small=(m.n + 1).cast("int8")), "probe")
        assert str(t.schema()["small"]) == "int8"
        described = s.duckdb.execute(f"DESCRIBE {t.get_name()}").fetchall()
        assert [(r[0], r[1]) for r in described] == [("k", "VARCHAR"), ("small", "TINYINT")]
        assert sorted(to_pylist(t), key=lambda r: r["k"]) == [{"k": "a", "small": 2},
                                                             {"k": "b", "small": 3}]
        keep.release("probe")
        assert t.get_name().split(".")[-1] not in s.ibis.list_tables(database=("temp", "main"))
