"""Names covermap recognises without a plan (issue 7, point 7): Maven's name-keyed star
schema and Salesforce report-export headers."""

from __future__ import annotations

from pathlib import Path

import ibis

from covermap.importing import import_paths
from covermap.plan import load_plan
from covermap.store.connect import open_store

EXAMPLES = Path(__file__).parents[1] / "examples"

#: table -> the columns compared, as SQL over the store ("revenue" is the unit-named
#: revenue_musd of the plan's store; complexity and GTXPro are what the map plan adds)
COMPARED = {
    "users": "user_id, name, email, role, team, region, hours_per_week, active",
    "accounts": "account_id, name, industry, country, employees, annual_revenue, "
                "parent_account_id, year_established, {revenue}",
    "products": "product_id, name, family, list_price",
    "deals": "deal_id, account_id, name, stage, is_closed, is_won, amount, currency, "
             "created_at, close_date, owner_id",
    "deal_lines": "line_id, deal_id, {product}, quantity, amount",
}


def _rows(path: Path, table: str, plan_store: bool) -> list[tuple]:
    cols = COMPARED[table].format(
        revenue="revenue_musd" if plan_store else "revenue",
        product="replace(product_id, 'GTX Pro', 'GTXPro')" if plan_store else "product_id")
    with open_store(path, read_only=True) as s:
        if table == "accounts":  # with its extra columns (store.extras)
            names = [c.strip() for c in cols.split(",")]
            rel = f"({ibis.to_sql(s.accounts(names).select(*names), dialect='duckdb')})"
        else:
            rel = table
        return s.duckdb.execute(f"SELECT {cols} FROM {rel} ORDER BY ALL").fetchall()


def test_maven_needs_no_plan(tmp_path, realdata):
    folder = realdata / "maven-crm-sales-opportunities"
    bare, mapped = tmp_path / "bare.duckdb", tmp_path / "mapped.duckdb"
    with open_store(bare) as s:
        report = import_paths(s, [folder])
        won = s.duckdb.execute("SELECT count(*), sum(amount) FROM deals WHERE is_won").fetchone()
        assert s.columns("accounts")["revenue"] == "DOUBLE"  # millions: never annual_revenue
        assert s.duckdb.execute("SELECT count(annual_revenue), count(country), "
                                "count(parent_account_id) FROM accounts").fetchone() == (0, 85, 15)
    with open_store(mapped) as s:
        import_paths(s, [folder], plan=load_plan(EXAMPLES / "maven-crm-map.yaml"))
    assert won == (4238, 10005534)
    files = {(Path(f.file).name, f.table): f for f in report.files}
    assert {k: (f.rows_read, f.loaded, f.quarantined) for k, f in files.items()} == {
        ("sales_teams.csv", "users"): (35, 35, 0),
        ("accounts.csv", "accounts"): (85, 85, 0),
        ("products.csv", "products"): (7, 7, 0),
        ("sales_pipeline.csv", "deals"): (8800, 7375, 1425),
        ("sales_pipeline.csv", "deal_lines"): (8800, 7375, 1425),
    }
    # the misspelt product stays visible: lines of loaded deals naming "GTXPro"
    assert files["sales_pipeline.csv", "deal_lines"].unresolved == {"product_id": 1258}
    assert [(Path(s.file).name, s.reason.split(" (")[0]) for s in report.skipped] == [
        ("data_dictionary.csv", "a data dictionary")]
    for table in COMPARED:
        assert _rows(bare, table, False) == _rows(mapped, table, True), table
    assert len(_rows(bare, "deal_lines", False)) == 7375


def test_maven_mapping_columns(tmp_path, realdata):
    """What each Maven column became, as a user reads it in the store."""
    with open_store(tmp_path / "m.duckdb") as s:
        import_paths(s, [realdata / "maven-crm-sales-opportunities"])
        con = s.duckdb
        assert con.execute("SELECT account_id, name, industry, country, parent_account_id "
                           "FROM accounts WHERE account_id = 'Codehow'").fetchone() == (
            "Codehow", "Codehow", "software", "United States", "Acme Corporation")
        assert con.execute("SELECT user_id, name, team, region FROM users WHERE user_id = "
                           "'Anna Snelling'").fetchone() == (
            "Anna Snelling", "Anna Snelling", "Dustin Brinkmann", "Central")
        assert con.execute("SELECT deal_id, account_id, owner_id, stage, CAST(created_at AS DATE),"
                           " close_date, amount FROM deals WHERE deal_id = '1C1I7A6R'"
                           ).fetchone()[:4] == ("1C1I7A6R", "Cancity", "Moses Frase", "Won")
        assert con.execute("SELECT line_id, deal_id, product_id, amount FROM deal_lines WHERE "
                           "deal_id = 'Z063OYW0'").fetchone() == (
            "Z063OYW0", "Z063OYW0", "GTXPro", 4514)


def test_report_export_headers(tmp_path, realdata):
    """A Salesforce report export: the row's own object's fields by their names, another
    object's fields as references to it ("Account: Account ID" is account_id)."""
    (tmp_path / "accounts.csv").write_text("Account: Account ID,Account: Account Name\n"
                                           "001A,Alpha\n001B,Beta\n")
    (tmp_path / "contacts.csv").write_text(
        "Account: Account ID,Account: Type,Contact: Contact ID,Contact: First Name,"
        "Contact: Last Name,Contact: Email\n001A,Customer,003X,Amy,Taylor,amy@demo.net\n")
    with open_store(tmp_path / "r.duckdb") as s:
        report = import_paths(s, [tmp_path / "accounts.csv", tmp_path / "contacts.csv"])
        assert s.duckdb.execute("SELECT account_id, name FROM accounts ORDER BY 1").fetchall() \
            == [("001A", "Alpha"), ("001B", "Beta")]
        assert s.duckdb.execute("SELECT contact_id, account_id, name, email FROM contacts"
                                ).fetchall() == [("003X", "001A", "Amy Taylor", "amy@demo.net")]
    assert report.files[1].ignored_columns == ("Account: Type",)
    # the lwc recipes' export names its account: the plan only says what the id is
    plan = load_plan(EXAMPLES / "salesforce-lwc-recipes-plan.yaml")
    assert dict(plan.sources[1].columns) == {"contact_id": "Contact: Email"}
    folder = realdata / "salesforce-lwc-recipes"
    with open_store(tmp_path / "lwc.duckdb") as s:
        report = import_paths(s, [folder / "Accounts.json", folder / "Accounts-Contacts.csv"],
                              plan=plan)
        export = report.files[1]
        assert (export.loaded, export.unresolved) == (6, {"account_id": 6})
        assert export.unresolved_examples == {"account_id": ("Alpha Dynamics",
                                                             "Madison Investments")}
        assert s.duckdb.execute("SELECT account_id FROM contacts WHERE contact_id = "
                                "'amy@demo.net'").fetchone() == ("Alpha Dynamics",)


def test_a_report_export_without_ids_is_skipped_with_the_fix(tmp_path, realdata):
    """In a folder import without a plan, the lwc export (no Contact ID column) is named
    as a contacts report and skipped with the mapping it needs; the rest imports."""
    with open_store(tmp_path / "lwc.duckdb") as s:
        report = import_paths(s, [realdata / "salesforce-lwc-recipes"])
    skipped = {Path(x.file).name: x.reason for x in report.skipped}
    assert skipped["Accounts-Contacts.csv"].startswith(
        "a Salesforce report export: table contacts needs column contact_id")
    assert 'columns: {contact_id: <column in the file>}' in skipped["Accounts-Contacts.csv"]
    assert sorted(Path(f.file).name for f in report.files) == [
        "Accounts.json", "Contacts.json", "Opportunities.json"]


def test_deal_lines_come_from_a_line_items_file_when_there_is_one(tmp_path):
    """A deals file's product column gives lines only when no line-items file does, so
    no deal's amount is counted twice."""
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Acme\n")
    (tmp_path / "products.csv").write_text("product_id,name\nP1,Widget\nP2,Gadget\n")
    (tmp_path / "deals.csv").write_text("deal_id,account_id,product,amount\nD1,A1,P1,100\n")
    with open_store(tmp_path / "one.duckdb") as s:
        import_paths(s, [tmp_path])
        assert s.duckdb.execute("SELECT line_id, deal_id, product_id, amount FROM deal_lines"
                                ).fetchall() == [("D1", "D1", "P1", 100)]
    (tmp_path / "deal_lines.csv").write_text("line_id,deal_id,product_id,amount\n"
                                             "L1,D1,P1,60\nL2,D1,P2,40\n")
    with open_store(tmp_path / "two.duckdb") as s:
        import_paths(s, [tmp_path])
        assert s.duckdb.execute("SELECT line_id, amount FROM deal_lines ORDER BY 1").fetchall() \
            == [("L1", 60), ("L2", 40)]
