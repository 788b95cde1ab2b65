"""The same record from two files of one import is kept once (issue 7, point 8)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from covermap.cli.main import app
from covermap.errors import PlanError
from covermap.importing import import_paths
from covermap.plan import load_plan
from covermap.store.connect import open_store

EXAMPLES = Path(__file__).parents[1] / "examples"


def write_two_exports(d: Path) -> None:
    """One CRM exported twice: a.csv (ids A1, A2) and b.csv (ids B1, B2, B3)."""
    (d / "accounts_a.csv").write_text("account_id,name,website\nA1,Acme,https://www.acme.com/x\n"
                                      "A2,Beta,\n")
    (d / "accounts_b.csv").write_text("account_id,name,domain\nB1,ACME,acme.com\nB2,Beta,\n"
                                      "B3,Gamma,gamma.io\n")
    (d / "deals_a.csv").write_text("deal_id,account_id,name,amount,close_date,stage\n"
                                   "D1,A1,Renewal,100,2024-03-01,Closed Won\n"
                                   "D2,A1,Renewal,100,2024-03-01,Closed Won\n")
    (d / "deals_b.csv").write_text("deal_id,account_id,name,amount,close_date,stage\n"
                                   "X9,A1,renewal,100,2024-03-01,Closed Won\n"
                                   "X8,B3,New,50,2024-04-01,Closed Won\n")


def test_copies_are_quarantined_and_revenue_counted_once(tmp_path, store):
    write_two_exports(tmp_path)
    report = import_paths(store, [tmp_path])
    con = store.duckdb
    files = {Path(f.file).name: (f.loaded, f.quarantined, f.same_records) for f in report.files}
    # b's ACME (same domain as a's website host) and Beta (no domain in either) are a's
    assert files == {"accounts_a.csv": (2, 0, 0), "accounts_b.csv": (1, 2, 2),
                     "deals_a.csv": (2, 0, 0), "deals_b.csv": (1, 1, 1)}
    assert con.execute("SELECT account_id FROM accounts ORDER BY 1").fetchall() == [
        ("A1",), ("A2",), ("B3",)]
    # D1 and D2 are two deals of one file: both stay; X9 is a copy of them and goes
    assert con.execute("SELECT deal_id FROM deals ORDER BY 1").fetchall() == [
        ("D1",), ("D2",), ("X8",)]
    assert con.execute("SELECT sum(amount) FROM deals").fetchone() == (Decimal("250.00"),)
    assert con.execute("SELECT line, value, reason FROM quarantine WHERE table_name = 'accounts'"
                       " ORDER BY line").fetchall() == [
        (2, "name ACME, domain acme.com",
         "same record as accounts_a.csv line 2 (name ACME, domain acme.com)"),
        (3, "name Beta", "same record as accounts_a.csv line 3 (name Beta)")]
    assert con.execute("SELECT line, reason FROM quarantine WHERE table_name = 'deals'"
                       ).fetchall() == [
        (2, "same record as deals_a.csv line 2 (name renewal, account A1, amount 100.00, "
            "close date 2024-03-01)")]
    # importing again changes nothing
    again = import_paths(store, [tmp_path])
    assert (again.loaded, again.quarantined) == (report.loaded, report.quarantined)
    assert con.execute("SELECT count(*) FROM deals").fetchone() == (3,)


def test_the_plan_picks_the_file(tmp_path, store):
    write_two_exports(tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text("duplicates:\n  accounts: {prefer: accounts_b.csv}\n")
    import_paths(store, [tmp_path / "accounts_a.csv", tmp_path / "accounts_b.csv"],
                 plan=load_plan(plan))
    assert store.duckdb.execute("SELECT account_id FROM accounts ORDER BY 1").fetchall() == [
        ("B1",), ("B2",), ("B3",)]


def test_an_unknown_duplicates_table_is_a_plan_error(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("duplicates:\n  acounts: {prefer: a.csv}\n")
    with pytest.raises(PlanError, match="did you mean 'accounts'"):
        load_plan(plan)


def test_apex_folder_counts_each_deal_once(runner, store_path, realdata):
    """The apex recipes hold every record twice (JSON with ids, CSV without)."""
    folder = realdata / "salesforce-apex-recipes"
    result = runner.invoke(app, ["import", str(folder), "--store", str(store_path), "--plan",
                                 str(EXAMPLES / "salesforce-apex-recipes-plan.yaml")])
    assert result.exit_code == 0, result.output
    assert "Same records: 50 deals rows of Opportunities.csv hold the records of " \
        "Opportunities.json under other ids" \
        in result.output
    with open_store(store_path, read_only=True) as s:
        # the three won deals of Opportunities.json: 620,440.88 + 789,007.48 + 715,534.24
        assert s.duckdb.execute("SELECT count(*), count(*) FILTER (WHERE is_won), sum(amount) "
                                "FILTER (WHERE is_won) FROM deals").fetchone() == (
            50, 3, Decimal("2124982.60"))
        assert s.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (50,)
        assert s.duckdb.execute("SELECT count(*) FROM contacts").fetchone() == (150,)
    status = runner.invoke(app, ["status", "--store", str(store_path)])
    assert status.exit_code == 0, status.output
    assert "Same records: 50 accounts rows of Accounts.csv hold the records of Accounts.json " \
           "under other ids; kept once, the copies quarantined (e.g. name Zoonoodle 37, domain " \
           "1688.com;" in status.output
    assert "same record as Contacts.json (150)" in status.output


def test_a_later_import_of_a_copy_is_quarantined(tmp_path, store):
    """Two commands instead of one: the stored rows are a source too, and they stay."""
    write_two_exports(tmp_path)
    import_paths(store, [tmp_path / "accounts_a.csv", tmp_path / "deals_a.csv"])
    report = import_paths(store, [tmp_path / "accounts_b.csv", tmp_path / "deals_b.csv"])
    assert [(f.loaded, f.quarantined) for f in report.files] == [(1, 2), (1, 1)]
    con = store.duckdb
    assert con.execute("SELECT sum(amount) FROM deals").fetchone() == (Decimal("250.00"),)
    assert con.execute("SELECT reason FROM quarantine WHERE table_name = 'accounts' AND line = 2"
                       ).fetchone() == ("same record as one already in the store (account_id "
                                        "A1; name ACME, domain acme.com)",)
    # re-importing a file that is itself stored is an upsert, not a copy
    again = import_paths(store, [tmp_path / "accounts_a.csv"])
    assert (again.loaded, again.quarantined) == (2, 0)


# sample-*.yaml plans are for `covermap sample`'s company (tests/test_examples.py runs them)
@pytest.mark.parametrize("plan", sorted(p.name for p in EXAMPLES.glob("*.yaml")
                                        if not p.name.startswith("sample-")))
def test_no_example_plan_keys_records_by_a_value_that_repeats(plan, tmp_path, realdata):
    """Every record of the data an example plan names loads or is quarantined for a
    reason other than a repeated id (the apex plan once keyed deals by their names)."""
    folder = {"maven": "maven-crm-sales-opportunities",
              "salesforce-apex": "salesforce-apex-recipes",
              "salesforce-lwc": "salesforce-lwc-recipes"}
    name = next(v for k, v in folder.items() if plan.startswith(k))
    with open_store(tmp_path / "x.duckdb") as s:
        import_paths(s, [realdata / name], plan=load_plan(EXAMPLES / plan))
        assert s.duckdb.execute("SELECT count(*) FROM quarantine WHERE reason LIKE "
                                "'duplicate %'").fetchone() == (0,)
