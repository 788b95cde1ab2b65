"""Calendar dates are never shifted by the plan's time zone; instants are (issue 7, point 1).

DESIGN.md, "Time model": a value with a time of day is converted to the plan's zone
before its date is taken; a value that is only a calendar date is that date in every
zone. Each store below is built by importing small CSV files with a plan in one of
three zones, so the distinction is kept per value through import.

The plan: as_of 2024-09-30, 3-month window July-September 2024, monthly buckets
(states evaluated on 06-30, 07-31 and 08-31). ``2024-07-01T02:00:00Z`` is 06-30 22:00
in New York (EDT, UTC-4) and 07-01 11:00 in Tokyo (UTC+9).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from covermap.coverage.measure import measure_coverage
from covermap.engine.facts import derived_facts
from covermap.importing import import_paths
from covermap.map.measure import build_map
from covermap.plan import parse_plan
from covermap.store.connect import open_store

D = dt.date
ZONES = ("UTC", "America/New_York", "Asia/Tokyo")
PLAN = """\
timezone: {zone}
as_of: 2024-09-30
window_months: 3
states:
  - id: in_deal
    label: {{en: In a deal}}
    rule: open_deals >= 1
    standard: [{{channel: human, min: 1, per: month}}]
  - id: other
    label: {{en: Other}}
    rule: won_deals >= 0
    standard: [{{channel: human, min: 1, per: month}}]
"""
FILES = {
    "accounts.csv": """\
account_id,name,annual_revenue,created_at,churned_at
A1,Churned on a date,5000000,,2024-07-01
A2,Churned at an instant,5000000,,2024-07-01T02:00:00Z
B1,Deal created on a date,5000000,,
B2,Deal created at an instant,5000000,,
C,Created on the first day of August,5000000,2024-08-01,
E,Touched on the window's edges,5000000,,
F,Touched at an instant,5000000,,
M1,Won a deal created on a date,5000000,,
M2,Won a deal created at an instant,50000000,,
G,Activities around as_of,5000000,,
H,Touched the day before the window,5000000,,
""",
    "deals.csv": """\
deal_id,account_id,is_closed,is_won,created_at,close_date,amount
DB1,B1,false,false,2024-08-01,,1000
DB2,B2,false,false,2024-08-01T02:00:00Z,,1000
DM1,M1,true,true,2024-09-01,2024-09-11,1000
DM2,M2,true,true,2024-09-01T02:00:00Z,2024-09-11,2000
""",
    "products.csv": "product_id,name,complexity\nP1,Widget,simple\n",
    "deal_lines.csv": "line_id,deal_id,product_id,amount\nL1,DM1,P1,1000\nL2,DM2,P1,2000\n",
    "activities.csv": """\
activity_id,account_id,kind,occurred_at
E1,E,meeting,2024-07-01
E2,E,meeting,2024-09-30
F1,F,meeting,2024-07-01T02:00:00Z
G1,G,note,2024-09-30
H1,H,meeting,2024-06-30
G2,G,note,2024-10-01
G3,G,note,2024-09-30T20:00:00Z
""",
}


def _plan(zone: str):
    return parse_plan(PLAN.format(zone=zone), "plan.yaml")


@pytest.fixture(scope="module", params=ZONES)
def zoned(request, tmp_path_factory):
    """(zone, plan, open store) with the CSV files imported under that zone's plan, once per
    zone for the module (its tests only read the store)."""
    zone = request.param
    folder = tmp_path_factory.mktemp("zoned")
    for name, text in FILES.items():
        (folder / name).write_text(text, "utf-8")
    plan = _plan(zone)
    with open_store(folder / "covermap.duckdb") as store:
        import_paths(store, [folder / n for n in FILES], plan=plan)
        yield zone, plan, store


def _rows(store, sql: str) -> list[tuple]:
    return store.duckdb.execute(sql).fetchall()


def test_the_store_keeps_per_value_whether_a_date_had_a_time(zoned):
    _, _, store = zoned
    assert _rows(store, "SELECT account_id, churned_at_is_date, created_at_is_date "
                        "FROM accounts WHERE account_id IN ('A1', 'A2', 'C') ORDER BY 1") == [
        ("A1", True, None), ("A2", False, None), ("C", None, True)]
    assert _rows(store, "SELECT deal_id, created_at_is_date FROM deals ORDER BY 1") == [
        ("DB1", True), ("DB2", False), ("DM1", True), ("DM2", False)]


def test_a_churn_on_a_date_is_that_date_in_every_zone(zoned):
    zone, plan, store = zoned
    rows = derived_facts(store, plan, [D(2024, 6, 30), D(2024, 7, 1)], facts={"churned"})
    got = {(r["account_id"], r["eval_date"]): r["churned"]
           for r in rows.filter(rows.account_id.isin(["A1", "A2"])).to_pyarrow().to_pylist()}
    assert got[("A1", D(2024, 6, 30))] is False
    assert got[("A1", D(2024, 7, 1))] is True
    # the instant 2024-07-01T02:00Z is 06-30 in New York, 07-01 in UTC and Tokyo
    assert got[("A2", D(2024, 6, 30))] is (zone == "America/New_York")
    assert got[("A2", D(2024, 7, 1))] is True


def test_rules_read_an_accounts_dates_in_the_plans_zone(zoned):
    zone, plan, store = zoned
    rows = derived_facts(store, plan, [D(2024, 7, 31)], facts=set(),
                         columns=["created_at", "churned_at"])
    got = {r["account_id"]: (r["created_at"], r["churned_at"]) for r in
           rows.filter(rows.account_id.isin(["A1", "A2", "C"])).to_pyarrow().to_pylist()}
    assert got == {"A1": (None, D(2024, 7, 1)), "C": (D(2024, 8, 1), None),
                   "A2": (None, D(2024, 6, 30) if zone == "America/New_York" else D(2024, 7, 1))}


def _checks(store, plan) -> dict[str, list[tuple]]:
    """account -> [(bucket_start, state, passed)] of the measured checks."""
    result = measure_coverage(store, plan)
    out: dict[str, list[tuple]] = {}
    for r in result.checks.order_by(["account_id", "bucket_start"]).to_pyarrow().to_pylist():
        out.setdefault(r["account_id"], []).append((r["bucket_start"], r["state"], r["passed"]))
    return out


def test_a_deal_created_on_a_buckets_first_day_is_open_from_the_next_bucket(zoned):
    zone, plan, store = zoned
    checks = _checks(store, plan)
    jul, aug, sep = D(2024, 7, 1), D(2024, 8, 1), D(2024, 9, 1)
    # created 08-01: August's state is evaluated on 07-31, before it; September's on 08-31
    assert [(b, s) for b, s, _ in checks["B1"]] == [
        (jul, "other"), (aug, "other"), (sep, "in_deal")]
    # created at 2024-08-01T02:00Z: 07-31 in New York, so open in August's evaluation there
    assert [(b, s) for b, s, _ in checks["B2"]] == [
        (jul, "other"), (aug, "in_deal" if zone == "America/New_York" else "other"),
        (sep, "in_deal")]
    # an account created on 08-01 (a date): July begins before it, August does not
    assert [(b, s) for b, s, _ in checks["C"]] == [(aug, "other"), (sep, "other")]


def test_date_only_activities_on_the_windows_first_and_last_day_count(zoned):
    zone, plan, store = zoned
    checks = _checks(store, plan)
    jul, aug, sep = D(2024, 7, 1), D(2024, 8, 1), D(2024, 9, 1)
    assert [(b, p) for b, _, p in checks["E"]] == [(jul, True), (aug, False), (sep, True)]
    # the instant is on 06-30 in New York: before the window
    new_york = zone == "America/New_York"
    assert [(b, p) for b, _, p in checks["F"]] == [(jul, not new_york), (aug, False),
                                                  (sep, False)]
    accounts = measure_coverage(store, plan).accounts
    got = {r["account_id"]: (r["human_touches"], r["days_since_human_touch"]) for r in
           accounts.filter(accounts.account_id.isin(["E", "F", "H"])).to_pyarrow().to_pylist()}
    # E: touched on as_of itself; F: 07-01 is 91 days before 09-30, 06-30 is 92; H: the
    # date 06-30, before the window in every zone
    assert got == {"E": (2, 0), "F": (0, 92) if new_york else (1, 91), "H": (0, 92)}


def test_median_cycle_days_counts_calendar_days_from_a_created_date(zoned):
    zone, plan, store = zoned
    cells = build_map(store, plan).cells
    got = {(r["complexity"], r["value"]): r["median_cycle_days"]
           for r in cells.to_pyarrow().to_pylist() if r["won_deals"]}
    # 2024-09-01 (a date) to 2024-09-11 is 10 days everywhere; the instant
    # 2024-09-01T02:00Z is 08-31 in New York, 11 days before the close
    assert got == {("simple", "low"): 10.0,
                   ("simple", "medium"): 11.0 if zone == "America/New_York" else 10.0}


def test_the_import_cutoff_compares_a_date_by_its_date(zoned):
    zone, _, store = zoned
    kept = [r[0] for r in _rows(store, "SELECT activity_id FROM activities "
                                       "WHERE account_id = 'G' ORDER BY 1")]
    # G1 (the date as_of) is kept everywhere and G2 (the day after) nowhere; G3, the
    # instant 2024-09-30T20:00Z, is 10-01 05:00 in Tokyo: after as_of there
    assert kept == (["G1"] if zone == "Asia/Tokyo" else ["G1", "G3"])
    reasons = _rows(store, "SELECT value, reason FROM quarantine WHERE table_name = "
                           "'activities' ORDER BY value")
    after = "occurred_at is after as_of 2024-09-30"
    assert reasons == ([("2024-09-30T20:00:00Z", after)] if zone == "Asia/Tokyo" else []) + [
        ("2024-10-01", after)]


def test_typed_dates_from_parquet_and_xlsx_keep_their_kind(tmp_path, store):
    import openpyxl

    parquet = tmp_path / "accounts.parquet"
    duckdb.sql("SELECT * FROM (VALUES ('P1', 'Dated', DATE '2024-07-01', NULL), "
               "('P2', 'Timed', NULL, TIMESTAMP '2024-07-01 00:00:00')) "
               "AS t(account_id, name, created_at, churned_at)").write_parquet(str(parquet))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["contact_id", "name", "created_at"])
    sheet.append(["X1", "Date cell", dt.date(2024, 7, 1)])
    sheet.append(["X2", "Date-time cell", dt.datetime(2024, 7, 1, 0, 0)])
    sheet.append(["X3", "Date-time cell", dt.datetime(2024, 7, 1, 9, 30)])
    sheet["C3"].number_format = "yyyy-mm-dd h:mm"
    book.save(tmp_path / "contacts.xlsx")
    import_paths(store, [parquet, tmp_path / "contacts.xlsx"])
    assert _rows(store, "SELECT account_id, created_at_is_date, churned_at_is_date "
                        "FROM accounts ORDER BY 1") == [("P1", True, None), ("P2", None, False)]
    assert _rows(store, "SELECT contact_id, created_at, created_at_is_date FROM contacts "
                        "ORDER BY 1") == [
        ("X1", dt.datetime(2024, 7, 1), True), ("X2", dt.datetime(2024, 7, 1), False),
        ("X3", dt.datetime(2024, 7, 1, 9, 30), False)]


def test_epoch_milliseconds_and_japanese_times_are_instants(tmp_path, store):
    (tmp_path / "accounts.csv").write_text(
        "account_id,name,created_at\nJ1,Epoch,1719799200000\nJ2,Japanese date,2024年7月1日\n"
        "J3,Japanese time,2024年7月1日10時30分\nJ4,Slashes,2024/7/1\n", "utf-8")
    import_paths(store, [tmp_path / "accounts.csv"])
    assert _rows(store, "SELECT account_id, created_at, created_at_is_date FROM accounts "
                        "ORDER BY 1") == [
        ("J1", dt.datetime(2024, 7, 1, 2, 0), False), ("J2", dt.datetime(2024, 7, 1), True),
        ("J3", dt.datetime(2024, 7, 1, 10, 30), False), ("J4", dt.datetime(2024, 7, 1), True)]


def test_a_store_made_before_the_flags_reads_as_instants(tmp_path):
    path = tmp_path / "old.duckdb"
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, "utf-8")
    plan = _plan("America/New_York")
    with open_store(path) as store:
        import_paths(store, [tmp_path / n for n in FILES], plan=plan)
        for table, column in (("accounts", "created_at"), ("accounts", "churned_at"),
                              ("contacts", "created_at"), ("deals", "created_at"),
                              ("activities", "occurred_at")):
            store.duckdb.execute(f"ALTER TABLE {table} DROP COLUMN {column}_is_date")
    # read-only: the flags cannot be added, and every value is read as an instant
    with open_store(path, read_only=True) as store:
        rows = derived_facts(store, plan, [D(2024, 6, 30)], facts={"churned"})
        churned = {r["account_id"]: r["churned"] for r in rows.to_pyarrow().to_pylist()}
        assert churned["A1"] is True and churned["A2"] is True  # both 00:00/02:00 UTC
        assert measure_coverage(store, plan).checks.count().execute() > 0
    # opened for writing, the store gets the flags back, empty
    with open_store(path) as store:
        assert _rows(store, "SELECT count(*), count(churned_at_is_date) FROM accounts") == [
            (11, 0)]


def test_local_date_keeps_a_calendar_date_and_converts_an_instant():
    import ibis

    from covermap.engine.window import as_date, local_date

    ts = ibis.literal(dt.datetime(2024, 7, 1, 2, 0), type="timestamp")
    con = ibis.duckdb.connect()

    def day(zone, flag):
        return as_date(con.execute(local_date(ts, zone, flag)))

    for zone, instant in (("UTC", D(2024, 7, 1)), ("America/New_York", D(2024, 6, 30)),
                          ("Asia/Tokyo", D(2024, 7, 1))):
        assert day(zone, ibis.literal(True)) == D(2024, 7, 1)
        assert day(zone, ibis.literal(False)) == instant
        assert day(zone, ibis.null("boolean")) == instant


def test_a_plan_in_new_york_measures_the_same_when_every_value_is_a_date(tmp_path):
    """Only instants move: with nothing but calendar dates, all three zones agree."""
    dated = {n: t.replace("T02:00:00Z", "").replace("2024-09-30T20:00:00Z", "2024-09-29")
             for n, t in FILES.items()}
    results = []
    for zone in ZONES:
        folder = tmp_path / zone.replace("/", "_")
        folder.mkdir()
        for name, text in dated.items():
            (folder / name).write_text(text, "utf-8")
        with open_store(folder / "covermap.duckdb") as store:
            import_paths(store, [folder / n for n in dated], plan=_plan(zone))
            checks = _checks(store, _plan(zone))
            cells = build_map(store, _plan(zone)).cells.to_pyarrow().to_pylist()
        results.append((checks, [(c["complexity"], c["value"], c["median_cycle_days"])
                                 for c in cells]))
    assert results[0] == results[1] == results[2]


def test_the_flags_are_the_stores_own_not_user_columns(tmp_path, store):
    (tmp_path / "accounts.csv").write_text(
        "account_id,name,created_at,created_at_is_date,tier\nA,Acme,2024-07-01,false,gold\n",
        "utf-8")
    report = import_paths(store, [tmp_path / "accounts.csv"])
    # a source column named like a flag is not data: the store sets the flag from the value
    assert report.files[0].ignored_columns == ("created_at_is_date",)
    assert report.files[0].extra_columns == {"tier": "VARCHAR"}
    assert _rows(store, "SELECT created_at_is_date FROM accounts") == [(True,)]
    assert "created_at_is_date" not in store.columns("accounts")
    assert store.columns("accounts", date_flags=True)["created_at_is_date"] == "BOOLEAN"


@pytest.mark.parametrize("zone, latest", [("UTC", D(2024, 10, 2)),
                                          ("America/New_York", D(2024, 10, 2)),
                                          ("Asia/Tokyo", D(2024, 10, 3))])
def test_the_default_as_of_is_the_latest_local_date_of_either_kind(tmp_path, store, zone,
                                                                   latest):
    from covermap.engine.window import resolve_as_of

    # the date 10-02, and the instant 2024-10-02T16:00Z: 10-02 12:00 in New York,
    # 10-03 01:00 in Tokyo
    (tmp_path / "activities.csv").write_text(
        "activity_id,account_id,kind,occurred_at\nX1,A,call,2024-10-02\n"
        "X2,A,call,2024-10-02T16:00:00Z\nX3,A,call,2024-08-01\n", "utf-8")
    (tmp_path / "accounts.csv").write_text("account_id,name\nA,Acme\n", "utf-8")
    import_paths(store, [tmp_path / "accounts.csv", tmp_path / "activities.csv"])
    assert resolve_as_of(store.table("activities"), None, zone) == latest
    warnings = measure_coverage(store, _plan(zone).model_copy(update={"as_of": None})).warnings
    # the window starts on 07-01; the first activity, the date 08-01, is 08-01 everywhere
    assert any("before the first activity (2024-08-01)" in w for w in warnings)
