"""Every public data set in tests/data/realdata imports; counts checked against the
data's own documented facts (NOTICE.md) or an independent DuckDB query of the file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from covermap.importing import import_paths
from covermap.plan import load_plan
from covermap.store.quarantine import TableStatus, quarantined_rows, store_status

EXAMPLES = Path(__file__).parents[1] / "examples"


def rows(store, sql: str) -> list[tuple]:
    return store.duckdb.execute(sql).fetchall()


def oracle(sql: str):
    """An independent answer, straight from the CSV with DuckDB's own reader."""
    return duckdb.execute(sql).fetchone()[0]


def by_file(report) -> dict[tuple[str, str], tuple[int, int, int]]:
    return {(Path(f.file).name, f.table): (f.rows_read, f.loaded, f.quarantined)
            for f in report.files}


def test_maven_crm(store, realdata):
    folder = realdata / "maven-crm-sales-opportunities"
    report = import_paths(store, [folder], plan=load_plan(EXAMPLES / "maven-crm-plan.yaml"))
    assert by_file(report) == {
        ("sales_teams.csv", "users"): (35, 35, 0),
        ("accounts.csv", "accounts"): (85, 85, 0),
        ("products.csv", "products"): (7, 7, 0),
        ("sales_pipeline.csv", "deals"): (8800, 7375, 1425),
        ("sales_pipeline.csv", "deal_lines"): (8800, 7375, 1425),
    }
    assert [Path(s.file).name for s in report.skipped] == ["data_dictionary.csv"]
    pipeline = folder / "sales_pipeline.csv"
    assert oracle(f"SELECT count(*) FROM '{pipeline}' WHERE account IS NULL") == 1425
    deals, lines = report.files[3], report.files[4]
    assert deals.reasons == (("account_id is required", 1425),)
    # the lines of those deals say why they cannot load
    assert lines.reasons == (("deal … was quarantined: account_id is required", 1425),)
    # "GTXPro" vs "GTX Pro": the lines of loaded deals whose product is not in products.csv
    assert lines.unresolved == {"product_id": oracle(
        f"SELECT count(*) FROM '{pipeline}' WHERE account IS NOT NULL AND product NOT IN "
        f"(SELECT product FROM '{folder / 'products.csv'}')")} == {"product_id": 1258}
    assert rows(store, "SELECT sum(amount) FROM deals WHERE is_won") == [(Decimal("10005534.00"),)]
    stages = duckdb.execute(f"SELECT deal_stage, count(*), count(*) FILTER (WHERE deal_stage IN "
                            f"('Won', 'Lost')) FROM '{pipeline}' WHERE account IS NOT NULL "
                            f"GROUP BY ALL ORDER BY 1").fetchall()
    assert rows(store, "SELECT stage, count(*), count(*) FILTER (WHERE is_closed) FROM deals "
                       "GROUP BY ALL ORDER BY 1") == stages
    assert (stages[1], stages[3]) == (("Lost", 2473, 2473), ("Won", 4238, 4238))
    assert rows(store, "SELECT min(close_date), max(close_date) FROM deals") == [
        (dt.date(2017, 3, 1), dt.date(2017, 12, 31))]
    assert store.columns("accounts")["revenue_musd"] == "DOUBLE"
    assert store.columns("accounts")["year_established"] == "BIGINT"
    assert rows(store, "SELECT count(*) FROM accounts WHERE parent_account_id IS NOT NULL") == [
        (15,)]
    assert rows(store, "SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM deals d "
                       "WHERE d.owner_id = u.user_id)") == [(5,)]
    assert rows(store, "SELECT region, count(*) FROM users GROUP BY 1 ORDER BY 1") == [
        ("Central", 11), ("East", 12), ("West", 12)]

    status = {t.table: t for t in store_status(store)}
    assert status["deals"] == TableStatus(
        "deals", 7375, "close_date", dt.date(2017, 3, 1), dt.date(2017, 12, 31), 1425,
        (("account_id is required", 1425),), ())
    assert status["deal_lines"].unresolved == (("product_id", 1258),)
    assert (status["accounts"].rows, status["accounts"].quarantined) == (85, 0)
    first = quarantined_rows(store, "deals", limit=1)[0]
    assert (Path(first.file).name, first.line, first.column, first.value, first.reason) == (
        "sales_pipeline.csv", oracle(
            f"SELECT min(n) + 1 FROM (SELECT row_number() OVER () AS n, account FROM "
            f"'{pipeline}') WHERE account IS NULL"), "account", None, "account_id is required")


def test_fivetran_salesforce_seeds(store, realdata):
    report = import_paths(store, [realdata / "fivetran-salesforce-seeds"])
    assert by_file(report) == {
        ("sf_user_data.csv", "users"): (10, 10, 0),
        ("sf_account_data.csv", "accounts"): (10, 10, 0),
        ("sf_contact_data.csv", "contacts"): (4, 4, 0),
        ("sf_lead_data.csv", "contacts"): (1, 1, 0),
        ("sf_product_2_data.csv", "products"): (2, 2, 0),
        # the seeds' ids do not join across files (NOTICE.md): all quarantined
        ("sf_opportunity_data.csv", "deals"): (10, 0, 10),
        ("sf_opportunity_line_item_data.csv", "deal_lines"): (10, 0, 10),
        ("sf_event_data.csv", "activities"): (10, 0, 10),
        ("sf_task_data.csv", "activities"): (10, 0, 10),
    }
    assert sorted(Path(s.file).name for s in report.skipped) == [
        "sf_account_history_data.csv", "sf_contact_history_data.csv",
        "sf_opportunity_history_data.csv", "sf_order_data.csv"]
    # UserRole names users' roles (tests/test_roles.py); no seed user's role id is in it
    assert [Path(f).name for f, _ in report.associations] == ["sf_user_role_data.csv"]
    files = {Path(f.file).name: f for f in report.files}
    # 368 and 382 columns: the canonical ones mapped, the rest reported
    assert len(files["sf_contact_data.csv"].ignored_columns) == 368 - 6
    assert len(files["sf_lead_data.csv"].ignored_columns) == 382 - 6
    assert len(files["sf_account_data.csv"].extra_columns) == 39
    assert files["sf_task_data.csv"].reasons == (("account_id not found in accounts", 9),
                                                ("account_id is required", 1))
    assert files["sf_account_data.csv"].unresolved == {"owner_id": 10}
    assert rows(store, "SELECT count(*) FROM quarantine WHERE table_name = 'activities' AND "
                       "reason LIKE 'account_id%'") == [(20,)]
    # the event's record is kept whole (107+ columns) for inspection
    rec = rows(store, "SELECT record FROM quarantine WHERE file LIKE '%sf_event_data.csv' "
                      "ORDER BY line LIMIT 1")[0][0]
    assert rec.startswith('{"id":') and '"duration_in_minutes":' in rec


def test_fivetran_hubspot_seeds(store, realdata):
    folder = realdata / "fivetran-hubspot-seeds"
    report = import_paths(store, [folder])
    assert by_file(report) == {
        ("owner_data.csv", "users"): (100, 100, 0),
        ("company_data.csv", "accounts"): (24, 24, 0),
        ("contact_data.csv", "contacts"): (22, 22, 0),
        ("deal_data.csv", "deals"): (44, 0, 44),
        ("deal_contact_data.csv", "deal_contacts"): (11, 0, 11),
        ("engagement_call_data.csv", "activities"): (1, 0, 1),
        ("engagement_email_data.csv", "activities"): (1, 0, 1),
        ("engagement_meeting_data.csv", "activities"): (100, 0, 100),
        ("engagement_note_data.csv", "activities"): (1, 0, 1),
        ("engagement_task_data.csv", "activities"): (2, 0, 2),
    }
    assert sorted(Path(f).name for f, _ in report.associations) == [
        "deal_company_data.csv", "deal_pipeline_stage_data.csv",  # stage metadata
        "engagement_company_data.csv", "engagement_contact_data.csv",
        "engagement_data.csv", "engagement_deal_data.csv"]
    files = {Path(f.file).name: f for f in report.files}
    # no engagement or deal here has a company association in the seeds
    assert files["deal_data.csv"].reasons == (("account_id is required", 44),)
    meetings = folder / "engagement_meeting_data.csv"
    glitch = oracle(f"SELECT count(*) FROM '{meetings}' WHERE start_time < '1970-02-01'")
    assert glitch == 7
    assert files["engagement_meeting_data.csv"].reasons == (
        ("account_id is required", 100),
        ("occurred_at is in January 1970, a Unix-epoch glitch", glitch))
    # lines as `grep -n 1970` shows them
    assert rows(store, "SELECT line, \"column\", value FROM quarantine WHERE reason LIKE "
                       "'%epoch%' ORDER BY line LIMIT 2") == [
        (32, "start_time", "1970-01-19 07:51:57.600"),
        (37, "start_time", "1970-01-19 07:11:34.800")]
    # HubSpot property names: property_name -> name, property_annualrevenue -> annual_revenue
    assert rows(store, "SELECT count(*), count(name), sum(annual_revenue) > 0 FROM accounts"
                       ) == [(24, 24, True)]
    assert rows(store, "SELECT name FROM users WHERE user_id = '44023296'") == [
        ("1B2M2Y8AsgTpgAmY7PhCfg== 1B2M2Y8AsgTpgAmY7PhCfg==",)]
    assert "hs_all_funky_a9384_syntax" in store.columns("accounts")


def test_salesforce_lwc_recipes(store, realdata):
    plan = load_plan(EXAMPLES / "salesforce-lwc-recipes-plan.yaml")
    report = import_paths(store, [realdata / "salesforce-lwc-recipes"], plan=plan)
    assert by_file(report) == {
        ("Accounts.json", "accounts"): (10, 10, 0),
        ("Accounts-Contacts.csv", "contacts"): (14, 0, 14),
        ("Contacts.json", "contacts"): (6, 6, 0),
        ("Opportunities.json", "deals"): (20, 20, 0),
    }
    files = {Path(f.file).name: f for f in report.files}
    # a report export with a BOM; rows of accounts without contacts have 3 of 9 fields;
    # its six contacts are Contacts.json's, which the plan prefers
    assert files["Accounts-Contacts.csv"].encoding == "utf-8-sig"
    assert files["Accounts-Contacts.csv"].reasons == (
        ("short row: only its first 3 of 9 cells", 8), ("same record as Contacts.json", 6))
    assert rows(store, "SELECT contact_id, name, title FROM contacts WHERE email = "
                       "'amy@demo.net'") == [("ContactRef1", "Amy Taylor", "VP of Engineering")]
    assert rows(store, "SELECT line, reason FROM quarantine WHERE value = 'email amy@demo.net'"
                ) == [(2, "same record as Contacts.json line 1 (email amy@demo.net)")]
    assert rows(store, "SELECT count(*) FROM contacts c JOIN accounts a USING (account_id)") == [
        (6,)]
    assert rows(store, "SELECT count(*) FILTER (WHERE is_won), count(*) FILTER (WHERE is_closed)"
                       " FROM deals") == [(oracle(
        "SELECT count(*) FROM (SELECT unnest(records) r FROM read_json('"
        f"{realdata / 'salesforce-lwc-recipes/Opportunities.json'}')) WHERE r.StageName = "
        "'Closed Won'"), oracle(
        "SELECT count(*) FROM (SELECT unnest(records) r FROM read_json('"
        f"{realdata / 'salesforce-lwc-recipes/Opportunities.json'}')) WHERE r.StageName LIKE "
        "'Closed%'"))]


@pytest.mark.parametrize("part", ["json", "csv"])
def test_salesforce_apex_recipes(store, realdata, part):
    folder = realdata / "salesforce-apex-recipes"
    plan = load_plan(EXAMPLES / "salesforce-apex-recipes-plan.yaml")
    if part == "json":
        names = ("Accounts.json", "Contacts.json", "Opportunities.json")
        report = import_paths(store, [folder / n for n in names], plan=plan)
        assert by_file(report) == {
            ("Accounts.json", "accounts"): (50, 50, 0),
            ("Contacts.json", "contacts"): (150, 150, 0),
            ("Opportunities.json", "deals"): (50, 50, 0),
        }
    else:  # the CSVs refer to the referenceIds of Accounts.json
        files = [folder / "Accounts.json", *sorted(folder.glob("*.csv"))]
        with pytest.raises(Exception, match="Campaigns.csv"):
            import_paths(store, files, plan=plan)  # named explicitly: an unknown table fails
        files.remove(folder / "Campaigns.csv")
        report = import_paths(store, files, plan=plan)
        # Accounts.csv holds Accounts.json's records under other ids (their names)
        assert by_file(report) == {
            ("Accounts.json", "accounts"): (50, 50, 0),
            ("Accounts.csv", "accounts"): (50, 0, 50),
            ("Contacts.csv", "contacts"): (150, 150, 0),
            ("Opportunities.csv", "deals"): (50, 50, 0),
        }
        assert rows(store, "SELECT count(*), min(reason) FROM quarantine") == [
            (50, "same record as Accounts.json line 1 (name Zoonoodle 37, domain 1688.com)")]
        # two different deals are named "Dove, emerald-spotted wood": both are kept
        assert rows(store, "SELECT count(*) FROM deals WHERE name = 'Dove, emerald-spotted wood'"
                    ) == [(2,)]
        assert rows(store, "SELECT count(*) FROM contacts WHERE account_id IN (SELECT account_id"
                           " FROM accounts)") == [(150,)]
    # Mockaroo's "naughty" values: industry "n/a" is kept as text, Closed/Won is won
    assert rows(store, "SELECT count(*) FROM accounts WHERE industry = 'n/a'") == [(15,)]
    assert rows(store, "SELECT count(*) FROM deals WHERE is_won") == [(3,)]
