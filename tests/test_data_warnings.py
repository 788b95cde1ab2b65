"""Data checks (covermap.store.health) and the created_at fallback (covermap.engine.deals):
issue 7, points 2 and 3. Warnings print in `import`, `status`, `coverage` and `map`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from covermap.cli.main import app
from covermap.engine.deals import deals
from covermap.engine.facts import derived_facts
from covermap.importing import import_paths
from covermap.map.measure import build_map
from covermap.plan import default_plan, load_plan
from covermap.store.connect import open_store
from covermap.store.health import DataWarning, data_warnings

WIDE = {"COLUMNS": "250"}
STAGES_FIX = ("map them in the plan: deal_stages: {won: [...], lost: [...], open: [...]}, "
              "then import the deals again")
CREATED_FIX = ("map `created_at` in the plan's sources, or set "
               "`deals: {created_at_fallback: earliest_activity}`")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def invoke(runner, *args):
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def unrecognised(tmp_path: Path) -> list[Path]:
    return [write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme\n"),
            write(tmp_path / "deals.csv", (
                "deal_id,account_id,stage,created_at\n"
                "X1,A1,Signed,2024-01-01\nX2,A1,Signed,2024-01-01\nX3,A1,Signed,2024-01-01\n"
                "X4,A1,Dead,2024-01-01\nX5,A1,Dead,2024-01-01\nX6,A1,Pending,2024-01-01\n"))]


STAGE_WARNING = (
    "Warning: 6 deals have stage values covermap does not recognise as won or lost (e.g. "
    "'Signed', 'Dead', 'Pending'), and no deal is won: " + STAGES_FIX)


def test_unrecognised_stages_warned_by_import_and_status(runner, store_path, tmp_path):
    result = invoke(runner, "import", *unrecognised(tmp_path), "--store", store_path)
    assert result.exit_code == 0, result.output
    assert STAGE_WARNING in result.output
    status = invoke(runner, "status", "--store", store_path)
    assert status.exit_code == 0, status.output
    assert status.output.splitlines()[-1] == STAGE_WARNING


def test_mapping_the_stages_clears_the_warning(store, tmp_path):
    files = unrecognised(tmp_path)
    import_paths(store, files)
    assert data_warnings(store, default_plan()) == [DataWarning(
        "unrecognised_stages", 6, "6 deals have stage values covermap does not recognise as "
        "won or lost (e.g. 'Signed', 'Dead', 'Pending'), and no deal is won", STAGES_FIX)]
    plan = load_plan(write(tmp_path / "plan.yaml", "deal_stages: {won: [signed], lost: [DEAD]}\n"))
    import_paths(store, files, plan=plan)
    # 'Pending' is still unknown, but with won and lost stages recognised it is taken as open
    assert data_warnings(store, plan) == []


def test_lost_missing_is_named(store, tmp_path):
    write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme\n")
    write(tmp_path / "deals.csv", "deal_id,account_id,stage,created_at\n"
                                  "X1,A1,Closed Won,2024-01-01\nX2,A1,Dead,2024-01-01\n")
    import_paths(store, [tmp_path])
    [w] = data_warnings(store, default_plan())
    assert str(w) == ("1 deal has stage values covermap does not recognise as won or lost "
                      "(e.g. 'Dead'), and no deal is lost: " + STAGES_FIX)


def test_deals_without_stage_or_status(store, tmp_path):
    write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme\n")
    write(tmp_path / "deals.csv", "deal_id,account_id,amount,created_at\n"
                                  "X1,A1,10,2024-01-01\nX2,A1,20,2024-01-02\n")
    import_paths(store, [tmp_path])
    assert [str(w) for w in data_warnings(store, default_plan())] == [
        "2 deals have no stage and no is_won/is_closed value, so they never count as won or "
        "closed: map the file's stage (or is_won and is_closed) column in the plan's sources, "
        "then import the deals again"]


def test_maven_only_its_prospecting_deals_lack_a_created_date(store, realdata):
    """Maven's stages are all recognised; its 163 loaded Prospecting deals have no
    engage_date (README), so they are the open deals without a created date."""
    import_paths(store, [realdata / "maven-crm-sales-opportunities"])
    assert data_warnings(store, default_plan()) == [DataWarning(
        "open_deals_without_created_at", 163,
        "163 open deals have no created date, so they never count as open", CREATED_FIX)]


# Fallback fixture, as_of 2024-06-30, window 2024-01-01 .. 2024-06-30:
#   D1 open, no created_at; its activities T1 2024-03-10 23:30 UTC (03-11 in Tokyo), T2 05-02
#   D2 created 2024-02-01 (a date), won 2024-04-15, 100
#   D3 open, no created_at, no activity
# All lines are product P1 (simple) of account A1 (annual_revenue 1000: low value).
def fallback_store(store, tmp_path: Path) -> None:
    write(tmp_path / "accounts.csv", "account_id,name,annual_revenue\nA1,Acme,1000\n")
    write(tmp_path / "products.csv", "product_id,name,complexity\nP1,Widget,simple\n")
    write(tmp_path / "deals.csv", (
        "deal_id,account_id,stage,created_at,close_date,amount\n"
        "D1,A1,Qualification,,,500\nD2,A1,Closed Won,2024-02-01,2024-04-15,100\n"
        "D3,A1,Prospecting,,,50\n"))
    write(tmp_path / "deal_lines.csv", "line_id,deal_id,product_id,quantity,amount\n"
                                       "L1,D1,P1,1,500\nL2,D2,P1,1,100\nL3,D3,P1,1,50\n")
    write(tmp_path / "activities.csv", (
        "activity_id,account_id,kind,occurred_at,deal_id\n"
        "T1,A1,call,2024-03-10T23:30:00Z,D1\nT2,A1,call,2024-05-02T10:00:00Z,D1\n"
        "T3,A1,call,2024-06-30T09:00:00Z,\n"))
    import_paths(store, [tmp_path])


def plan_with(tmp_path: Path, fallback: str, timezone: str = "UTC"):
    return load_plan(write(tmp_path / f"plan-{fallback}-{timezone.replace('/', '-')}.yaml", (
        f"as_of: 2024-06-30\ntimezone: {timezone}\n"
        f"deals: {{created_at_fallback: {fallback}}}\n")))


def test_fallback_fills_created_at_from_the_earliest_activity(store, tmp_path):
    fallback_store(store, tmp_path)
    got = deals(store, plan_with(tmp_path, "earliest_activity")).select(
        "deal_id", "created_at").order_by("deal_id").to_pyarrow().to_pylist()
    assert [(r["deal_id"], r["created_at"]) for r in got] == [
        ("D1", dt.datetime(2024, 3, 10, 23, 30)), ("D2", dt.datetime(2024, 2, 1)), ("D3", None)]
    if "created_at_is_date" in store.columns("deals"):
        flags = deals(store, plan_with(tmp_path, "earliest_activity")).order_by("deal_id")
        assert flags.created_at_is_date.to_pyarrow().to_pylist() == [False, True, None]
    plain = deals(store, plan_with(tmp_path, "none"))
    assert plain.created_at.isnull().sum().to_pyarrow().as_py() == 2


@pytest.mark.parametrize(("fallback", "timezone", "expected"), [
    # open_deals on 03-10, 03-11, 04-15, 06-30: D2 alone, then D1 from its first activity
    ("none", "UTC", [1, 1, 0, 0]),
    ("earliest_activity", "UTC", [2, 2, 1, 1]),
    ("earliest_activity", "Asia/Tokyo", [1, 2, 1, 1]),  # T1 is 2024-03-11 08:30 in Tokyo
])
def test_open_deals_fact_with_the_fallback(store, tmp_path, fallback, timezone, expected):
    fallback_store(store, tmp_path)
    days = [dt.date(2024, 3, 10), dt.date(2024, 3, 11), dt.date(2024, 4, 15),
            dt.date(2024, 6, 30)]
    facts = derived_facts(store, plan_with(tmp_path, fallback, timezone), days,
                          facts={"open_deals"})
    got = facts.order_by("eval_date").open_deals.to_pyarrow().to_pylist()
    assert got == expected


@pytest.mark.parametrize(("fallback", "deals_in_cell"), [("none", 1), ("earliest_activity", 2)])
def test_map_counts_the_deal_opened_by_its_activity(store, tmp_path, fallback, deals_in_cell):
    fallback_store(store, tmp_path)
    result = build_map(store, plan_with(tmp_path, fallback))
    cell = result.cells.filter((result.cells.complexity == "simple")
                               & (result.cells.value == "low")).to_pyarrow().to_pylist()[0]
    assert (cell["deals"], cell["won_deals"], cell["closed_deals"], cell["revenue"]) == (
        deals_in_cell, 1, 1, 100.0)


def test_created_warning_with_and_without_fallback(store, tmp_path):
    fallback_store(store, tmp_path)
    assert [str(w) for w in data_warnings(store, plan_with(tmp_path, "none"))] == [
        "2 open deals have no created date, so they never count as open: " + CREATED_FIX]
    assert [str(w) for w in data_warnings(store, plan_with(tmp_path, "earliest_activity"))] == [
        "1 open deal has no created date, so it never counts as open: it has no activity "
        "linked by deal_id either; map `created_at` in the plan's sources"]


def test_coverage_map_and_status_print_the_warning(runner, store_path, tmp_path):
    with open_store(store_path) as s:
        fallback_store(s, tmp_path)
    plan = plan_with(tmp_path, "none")
    plan_file = tmp_path / "plan-none-UTC.yaml"
    assert plan.deals.created_at_fallback == "none"
    line = "Warning: 2 open deals have no created date, so they never count as open: " + \
        CREATED_FIX
    for command in ("coverage", "map", "status"):
        result = invoke(runner, command, "--store", store_path, "--plan", plan_file)
        assert result.exit_code == 0, result.output
        assert line in result.output.splitlines(), (command, result.output)
    covered = invoke(runner, "coverage", "--store", store_path, "--plan", plan_file).output
    # under the header, with the window warning the engine gives (activities start 03-10)
    assert covered.splitlines()[2] == line
    mapped = invoke(runner, "map", "--store", store_path, "--plan", plan_file).output
    assert mapped.splitlines()[0] == line  # the first line of the output
