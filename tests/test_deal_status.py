"""Deals' is_won / is_closed from their stage at import (issue 7, point 2): the real
data sets' stages, HubSpot's pipeline-stage metadata, the plan's deal_stages, and the
rule that a deal's own is_won/is_closed value wins over its stage."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from covermap.errors import PlanError
from covermap.importing import import_paths
from covermap.importing.stages import LOST, OPEN, WON, stage_key_sql
from covermap.plan import default_plan, load_plan
from covermap.plan.model import stage_key

HUBSPOT = "fivetran-hubspot-seeds"


def status(store) -> dict[str, tuple]:
    rows = store.duckdb.execute(
        "SELECT deal_id, stage, is_won, is_closed FROM deals ORDER BY deal_id").fetchall()
    return {r[0]: r[1:] for r in rows}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_maven_without_a_plan(store, realdata):
    """Maven's deal_stage Won/Lost: 4,238 won, 2,473 lost, the rest (Engaging,
    Prospecting) open; the won total is the README's 10,005,534."""
    import_paths(store, [realdata / "maven-crm-sales-opportunities"])
    rows = store.duckdb.execute(
        "SELECT count(*) FILTER (WHERE is_won), count(*) FILTER (WHERE is_closed AND NOT is_won),"
        " count(*) FILTER (WHERE NOT coalesce(is_closed, false)), count(*), "
        "sum(amount) FILTER (WHERE is_won) FROM deals").fetchone()
    assert rows == (4238, 2473, 664, 7375, Decimal("10005534.00"))
    # the open ones are exactly the loaded Engaging and Prospecting rows of the file
    pipeline = realdata / "maven-crm-sales-opportunities" / "sales_pipeline.csv"
    assert duckdb.execute(f"SELECT count(*) FROM '{pipeline}' WHERE account IS NOT NULL AND "
                          f"deal_stage IN ('Engaging', 'Prospecting')").fetchone() == (664,)
    by_stage = store.duckdb.execute(
        "SELECT stage, is_won, is_closed, count(*) FROM deals GROUP BY ALL ORDER BY 1").fetchall()
    assert by_stage == [("Engaging", None, None, 501), ("Lost", False, True, 2473),
                        ("Prospecting", False, False, 163), ("Won", True, True, 4238)]


def test_salesforce_seed_is_won_and_is_closed(store, realdata, tmp_path):
    """sf_opportunity_data.csv sets IsWon/IsClosed (its stage names are hashed): 5 won
    (probability 100/1000), 4 lost (closed, probability 0), 1 open (65). The seed's
    accounts do not hold the ids its opportunities name, so the accounts come from them."""
    opp = realdata / "fivetran-salesforce-seeds" / "sf_opportunity_data.csv"
    with opp.open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    ids = sorted({r["account_id"] for r in records})
    write(tmp_path / "accounts.csv", "account_id,name\n" + "".join(f"{a},{a}\n" for a in ids))
    shutil.copy(opp, tmp_path / opp.name)
    import_paths(store, [tmp_path / "accounts.csv", tmp_path / opp.name])
    got = status(store)
    assert {k: (w, c) for k, (_, w, c) in got.items()} == {
        r["id"]: (r["is_won"] == "true", r["is_closed"] == "true") for r in records}
    won = [k for k, (_, w, _) in got.items() if w]
    lost = [k for k, (_, w, c) in got.items() if c and not w]
    assert (len(got), len(won), len(lost)) == (10, 5, 4)


def test_hubspot_seed_stage_file_is_read_as_metadata(store, realdata):
    """The seed's deal_pipeline_stage_data.csv is stage metadata, not a skipped file. (Its
    deals carry no stage id and no company, so none of them loads.)"""
    report = import_paths(store, [realdata / HUBSPOT])
    stage_file = str(realdata / HUBSPOT / "deal_pipeline_stage_data.csv")
    assert (stage_file, 71) in report.associations
    assert stage_file not in [s.file for s in report.skipped]


def _hubspot_folder(tmp_path: Path, realdata: Path) -> Path:
    folder = tmp_path / "hubspot"
    folder.mkdir()
    shutil.copy(realdata / HUBSPOT / "deal_pipeline_stage_data.csv", folder)
    write(folder / "company_data.csv", "id,property_name\nC1,Acme\n")
    # stage ids from the real metadata file (closed_won, is_closed, probability):
    #   /n0+plNHbWErNq8Ek+NM3g==  TRUE  TRUE  1.0   -> won
    #   hVXu1Iul7Cc7DcPuxQpOfg==  FALSE FALSE 0.0   -> open (is_closed says so)
    #   fQXVZHvq6nRBO5G2jluSrw==  FALSE FALSE 0.8   -> open
    #   G/ttVj7y2Me0xcu0rJdzrw==  TRUE  TRUE  1.0   -> won, but D6's own value says not won
    #   B/OFEVwLVVUw4q7QB1Jffw==  FALSE FALSE 0.6   (a deleted stage) -> open
    write(folder / "deal_data.csv", (
        "deal_id,deal_pipeline_stage_id,property_dealname,property_hs_is_closed_won\n"
        "D1,/n0+plNHbWErNq8Ek+NM3g==,a,\n"
        "D2,hVXu1Iul7Cc7DcPuxQpOfg==,b,\n"
        "D3,fQXVZHvq6nRBO5G2jluSrw==,c,\n"
        "D4,closedwon,d,\n"
        "D5,closedlost,e,\n"
        "D6,G/ttVj7y2Me0xcu0rJdzrw==,f,false\n"
        "D7,B/OFEVwLVVUw4q7QB1Jffw==,g,\n"
        "D8,appointmentscheduled,h,\n"
        "D9,not-a-stage-id,i,\n"))
    write(folder / "deal_company_data.csv",
          "deal_id,company_id\n" + "".join(f"D{i},C1\n" for i in range(1, 10)))
    return folder


def test_hubspot_stage_ids_through_pipeline_stage_metadata(store, realdata, tmp_path):
    import_paths(store, [_hubspot_folder(tmp_path, realdata)])
    assert {k: v[1:] for k, v in status(store).items()} == {
        "D1": (True, True), "D2": (False, False), "D3": (False, False),
        "D4": (True, True), "D5": (False, True),  # HubSpot's default ids, no metadata rows
        "D6": (False, True),  # its own hs_is_closed_won wins; closed from the stage
        "D7": (False, False), "D8": (False, False), "D9": (None, None)}


def test_stage_metadata_from_probability_alone(store, tmp_path):
    """A stage file without closed_won/is_closed: probability 1 is won, 0 is lost, a
    percentage (Salesforce's DefaultProbability) is read as one."""
    write(tmp_path / "opportunity_stage.csv",
          "ApiName,MasterLabel,DefaultProbability\nS-won,Signed,100\nS-dead,Dead,0\n"
          "S-mid,Talking,40\n")
    write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme\n")
    write(tmp_path / "deals.csv", "deal_id,account_id,stage\nX1,A1,S-won\nX2,A1,Dead\n"
                                  "X3,A1,Talking\nX4,A1,S-dead\n")
    report = import_paths(store, [tmp_path])
    assert (str(tmp_path / "opportunity_stage.csv"), 3) in report.associations
    assert {k: v[1:] for k, v in status(store).items()} == {
        "X1": (True, True), "X2": (False, True), "X3": (False, False), "X4": (False, True)}


def test_apex_recipes_closed_slash_won(store, realdata):
    """The apex recipes' Mockaroo stages: "Closed/Won" is won, "Closed Lost" lost, the
    Salesforce standard stages open, "Assigned dynamically" unknown."""
    folder = realdata / "salesforce-apex-recipes"
    import_paths(store, [folder / "Accounts.json", folder / "Opportunities.json"])
    rows = store.duckdb.execute(
        "SELECT stage, is_won, is_closed, count(*) FROM deals GROUP BY ALL ORDER BY 1").fetchall()
    assert rows[:3] == [("Assigned dynamically", None, None, 8), ("Closed Lost", False, True, 1),
                        ("Closed/Won", True, True, 3)]
    assert all(r[1:3] == (False, False) for r in rows[3:]) and sum(r[3] for r in rows[3:]) == 38


def _stage_files(tmp_path: Path) -> list[Path]:
    return [write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme\n"),
            write(tmp_path / "deals.csv", (
                "deal_id,account_id,stage,is_won\n"
                "X1,A1,Signed,\n"
                "X2,A1,  signed ,\n"
                "X3,A1,Dead,\n"
                "X4,A1,No  Decision,\n"
                "X5,A1,Signed,false\n"   # its own value wins over the stage
                "X6,A1,Engaging,\n"
                "X7,A1,Won,\n"
                "X8,A1,Talking,\n"))]


def test_plan_deal_stages(store, tmp_path):
    plan_file = write(tmp_path / "plan.yaml", (
        "deal_stages:\n  won: [Signed]\n  lost: [Dead, No decision]\n  open: [engaging]\n"))
    import_paths(store, _stage_files(tmp_path), plan=load_plan(plan_file))
    assert {k: v[1:] for k, v in status(store).items()} == {
        "X1": (True, True), "X2": (True, True), "X3": (False, True), "X4": (False, True),
        "X5": (False, True), "X6": (False, False), "X7": (True, True), "X8": (None, None)}


def test_without_plan_stages_stay_unknown(store, tmp_path):
    import_paths(store, _stage_files(tmp_path))
    assert {k: v[1:] for k, v in status(store).items()} == {
        "X1": (None, None), "X2": (None, None), "X3": (None, None), "X4": (None, None),
        "X5": (False, None), "X6": (None, None), "X7": (True, True), "X8": (None, None)}


def test_plan_can_override_a_built_in_stage(store, tmp_path):
    plan_file = write(tmp_path / "plan.yaml", "deal_stages: {open: [Won]}\n")
    import_paths(store, _stage_files(tmp_path), plan=load_plan(plan_file))
    assert status(store)["X7"] == ("Won", False, False)


def test_a_stage_listed_twice_is_a_plan_error(tmp_path):
    plan_file = write(tmp_path / "plan.yaml", "deal_stages:\n  won: [Signed]\n  lost: [SIGNED]\n")
    with pytest.raises(PlanError) as e:
        load_plan(plan_file)
    assert str(e.value) == (f"{plan_file}, line 1: deal_stages: stage 'SIGNED' is listed under "
                            f"both won and lost; list it once")


def test_default_plan_lists_no_stages():
    stages = default_plan().deal_stages
    assert (stages.won, stages.lost, stages.open) == ((), (), ())


@pytest.mark.parametrize("value", [*WON, *LOST, *OPEN, "Closed/Won", " CLOSED_won ",
                                   "Proposal / Price Quote", "受注\u3000済", "a\tb-c.d(e)"])
def test_stage_key_is_the_same_in_python_and_sql(value):
    sql = duckdb.execute(f"SELECT {stage_key_sql('v')} FROM (SELECT ? AS v)",
                         [value]).fetchone()[0]
    assert sql == stage_key(value)
