"""`covermap import` and `covermap status` on a real store file, reopened afterwards."""

from __future__ import annotations

from pathlib import Path

from covermap.cli.main import app
from covermap.store.connect import open_store

EXAMPLES = Path(__file__).parents[1] / "examples"
WIDE = {"COLUMNS": "200"}


def invoke(runner, *args: str):
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def test_import_then_status(runner, store_path, realdata):
    folder = realdata / "maven-crm-sales-opportunities"
    result = invoke(runner, "import", folder, "--store", store_path, "--plan",
                    EXAMPLES / "maven-crm-plan.yaml")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "sales_pipeline.csv │ deal_lines │ utf-8    │  8,800 │  7,375 │       1,425" in out
    assert "unresolved: product_id 1,258" in out
    assert "skipped" in out and "data_dictionary.csv" in out
    assert "2,850 rows quarantined; top reasons:" in out
    assert "1,425  account_id is required" in out
    assert f"Inspect them: covermap status --quarantined --store {store_path}" in out
    with open_store(store_path) as s:
        assert s.duckdb.execute("SELECT count(*) FROM deals").fetchone() == (7375,)

    status = invoke(runner, "status", "--store", store_path)
    assert status.exit_code == 0, status.output
    assert "deals         │ 7,375 │ close_date: 2017-03-01 … 2017-12-31 │       1,425 │ " \
           "account_id is required (1,425)" in status.output
    assert "activities    │     0 │" in status.output
    assert "product_id 1,258" in status.output

    listing = invoke(runner, "status", "--store", store_path, "--quarantined", "--table",
                     "deals", "--limit", "2")
    assert listing.exit_code == 0, listing.output
    assert "Quarantined rows of deals" in listing.output
    assert listing.output.count("account_id is required") == 2


def test_errors_are_one_red_line_and_exit_1(runner, store_path, tmp_path):
    f = tmp_path / "stuff.csv"
    f.write_text("foo,bar\n1,2\n")
    result = invoke(runner, "import", f, "--store", store_path)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {f}: cannot tell which table this file is")
    assert "Traceback" not in result.output


def test_strict_exits_1_and_imports_nothing(runner, store_path, tmp_path):
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,\n")
    result = invoke(runner, "import", tmp_path / "accounts.csv", "--store", store_path,
                    "--strict")
    assert result.exit_code == 1
    assert "1 row(s) would be quarantined, so nothing was imported (--strict)" in result.output
    with open_store(store_path) as s:
        assert s.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (0,)


def test_status_of_a_missing_store(runner, tmp_path):
    result = invoke(runner, "status", "--store", tmp_path / "none.duckdb")
    assert result.exit_code == 1
    assert "no store here yet; run `covermap import FILES --store" in result.output


def test_help_ends_with_an_example(runner):
    for command in ("import", "status"):
        result = invoke(runner, command, "--help")
        assert result.exit_code == 0
        assert "Example: covermap " + command in result.output
