"""`covermap import --dry-run`, root causes first, and report rows named (issue 7, point 9)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from covermap.cli.main import app
from covermap.importing import import_paths
from covermap.store.connect import open_store
from covermap.store.quarantine import quarantined_rows, top_reasons


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_dry_run_writes_nothing(runner, store_path, realdata):
    folder = realdata / "maven-crm-sales-opportunities"
    args = ["import", str(folder), "--store", str(store_path), "--dry-run"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not store_path.exists()  # not even created
    out = result.output
    assert "sales_pipeline.csv → deal_lines (csv, utf-8): 8,800 rows, 7,375 would load, 1,425 " \
           "would be quarantined" in out
    assert "columns: opportunity_id → line_id, opportunity_id → deal_id, " \
           "product → product_id, " \
           "close_value → amount" in out
    assert "accounts.csv → accounts (csv, utf-8)" in out and "account → account_id" in out
    assert "extra columns kept: year_established, revenue" in out
    assert "unresolved product_id: 1,258 rows match nothing (e.g. 'GTXPro')" in out
    assert "would quarantine 1,425: account_id is required" in out
    assert "would quarantine 1,425: deal … was quarantined: account_id is required" in out
    assert "data_dictionary.csv: a data dictionary" in out
    assert f"Dry run: nothing was written; {store_path} is unchanged" in out

    # an existing store: byte for byte and mtime unchanged
    (store_path.parent / "accounts.csv").write_text("account_id,name,industry\nA1,Acme,x\n")
    assert runner.invoke(app, ["import", str(store_path.parent / "accounts.csv"), "--store",
                               str(store_path)]).exit_code == 0
    before = digest(store_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "85 would load" in result.output
    assert digest(store_path) == before
    with open_store(store_path, read_only=True) as s:
        assert s.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (1,)


def test_consequences_name_their_root_cause(store, tmp_path):
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Acme\n")
    (tmp_path / "deals.csv").write_text("deal_id,account_id,amount\nD-12,,100\nD-13,A1,50\n")
    (tmp_path / "deal_lines.csv").write_text("line_id,deal_id,amount\nL1,D-12,100\nL2,D-99,1\n"
                                             "L3,D-13,50\n")
    (tmp_path / "activities.csv").write_text("activity_id,account_id,kind,occurred_at\n"
                                             "X1,A9,call,2024-01-02\n")
    import_paths(store, [tmp_path])
    assert [(r.table, r.line, r.reason) for r in quarantined_rows(store)] == [
        ("activities", 2, "account_id not found in accounts"),
        ("deal_lines", 2, "deal D-12 was quarantined: account_id is required"),
        ("deal_lines", 3, "deal_id not found in deals"),
        ("deals", 2, "account_id is required")]
    # root causes first, then what they caused
    assert top_reasons(store, top=5) == [
        ("account_id is required", 1), ("account_id not found in accounts", 1),
        ("deal_id not found in deals", 1), ("deal … was quarantined: account_id is required", 1)]


def test_report_rows_are_named(store, tmp_path):
    """Salesforce report exports: group headers, totals and blank rows, with the full
    number of cells or fewer."""
    (tmp_path / "accounts.csv").write_text(
        "account_id,name,industry\nA1,Acme,Tech\nNorth,,\nGrand Total,,\n,,\nSouth\nTotal\n"
        "A2,Beta\n")
    report = import_paths(store, [tmp_path / "accounts.csv"])
    assert (report.loaded, report.quarantined) == (1, 6)
    assert [(r.line, r.column, r.reason) for r in quarantined_rows(store)] == [
        (3, "account_id", "report group row (only the first cell filled: North)"),
        (4, "account_id", "report total row (Grand Total)"),
        (5, "account_id", "blank row (every cell empty)"),
        (6, "name", "report group row (only the first cell filled: South)"),
        (7, "name", "report total row (Total)"),
        (8, "industry", "short row: only its first 2 of 3 cells (none from industry on)")]


def test_a_total_row_with_sums_is_no_record(store, tmp_path):
    """A name-keyed file's "Grand Total" row (with a sum beside it) is no account named
    Grand Total, and a deals export's "Total" row adds no revenue."""
    (tmp_path / "accounts.csv").write_text("account,sector,revenue\nAcme,tech,1\n"
                                           "Grand Total,,1\n")
    (tmp_path / "deals.csv").write_text("deal_id,account_id,amount\nD1,Acme,5\nTotal,,5\n")
    report = import_paths(store, [tmp_path])
    assert (report.loaded, report.quarantined) == (2, 2)
    assert store.duckdb.execute("SELECT account_id FROM accounts").fetchall() == [("Acme",)]
    assert [(r.table, r.line, r.reason) for r in quarantined_rows(store)] == [
        ("accounts", 3, "report total row (Grand Total)"),
        ("deals", 3, "report total row (Total)")]
