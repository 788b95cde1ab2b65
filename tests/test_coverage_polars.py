"""The benchmark's Polars peer (benchmarks/coverage_polars.py) equals covermap's
coverage_accounts.csv and coverage_checks.csv row for row on the sample company, plus an
account whose calls have blank outcomes of every kind."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covermap.cli.main import app
from covermap.store.connect import open_store

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import coverage_polars

# the first four count: blank is ASCII whitespace only, so not an ideographic space (U+3000)
BLANKS = ["", "  ", "\t\r\n", None, " \u3000", "x "]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("polars")
    store = folder / "covermap.duckdb"
    runner = CliRunner()
    for argv in (["sample", "--accounts", "300", "--seed", "5", "--out", str(folder / "csv")],
                 ["import", str(folder / "csv"), "--store", str(store)]):
        res = runner.invoke(app, argv)
        assert res.exit_code == 0, res.output
    with open_store(store) as s:
        s.duckdb.execute("INSERT INTO accounts (account_id, name, segment, owner_id, is_target) "
                         "VALUES ('ZZ-BLANK', 'Blank outcomes', 'smb', ' ', true)")
        for i, outcome in enumerate(BLANKS):
            s.duckdb.execute("INSERT INTO activities (activity_id, account_id, kind, occurred_at, "
                             "outcome) VALUES (?, 'ZZ-BLANK', 'call', ?, ?)",
                             [f"zz-{i}", dt.datetime(2026, 10, 25 + i, 9), outcome])
        s.duckdb.execute("INSERT INTO activities (activity_id, account_id, kind, occurred_at) "
                         "VALUES ('zz-n', 'ZZ-BLANK', 'newsletter', TIMESTAMP '2026-10-01 08:00')")
    res = runner.invoke(app, ["coverage", "--store", str(store), "--window-months", "6",
                              "--export", str(folder / "out")])
    assert res.exit_code == 0, res.output
    coverage_polars.run(store, folder / "out")
    return folder / "out"


def rows(path: Path, width: int | None = None) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [r[:width] for r in csv.reader(f)]


@pytest.mark.parametrize("table", ["accounts", "checks"])
def test_the_polars_peer_equals_the_export_row_for_row(out, table):
    theirs = rows(out / f"polars_{table}.csv")
    # covermap's accounts end with group_id and territory, which the peer leaves out
    ours = rows(out / f"coverage_{table}.csv", len(theirs[0]))
    assert ours[0] == theirs[0]
    assert len(ours) == len(theirs) > 300
    assert sorted(ours) == sorted(theirs)


def test_every_state_and_a_blank_outcome_count_as_covermap_counts_them(out):
    accounts = {r[0]: r for r in rows(out / "polars_accounts.csv")}
    assert {r[1] for r in accounts.values()} >= {
        "loyal", "active", "new", "churned", "in_deal", "hot_lead", "potential_lead", "lead",
        "target"}
    # 4 counting calls (empty, spaces, tab-CR-LF, no outcome) + 1 newsletter;
    # the last counting call is on 2026-10-28, 18 days before as_of (the sample's last day)
    days = str((dt.date(2026, 11, 15) - dt.date(2026, 10, 28)).days)
    assert days == "18"
    assert accounts["ZZ-BLANK"] == [
        "ZZ-BLANK", "target", "smb", "", "0", "0", "", "4", "1", "4.1", "0", days, "true", "",
        "", "Blank outcomes", "Target with no lead", "false", "0", "0.6666666666666666",
        "0.16666666666666666"]
