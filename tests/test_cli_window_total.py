"""The window options every analysis shares, the won revenue total a user checks against the
CRM (map and report), and ``covermap --version``, through the CLI on real DuckDB files."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

from covermap.cli.main import app
from covermap.importing import import_paths
from covermap.plan import load_plan
from covermap.store.connect import open_store

EXAMPLE = Path(__file__).parents[1] / "examples" / "maven-crm-map.yaml"
MAVEN_FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")
# Maven's own numbers (tests/data/realdata/README): every won deal closed in 2017
MAVEN_TOTAL = ("Won revenue 2017-01-01 – 2017-12-31: USD 10,005,534 over 4,238 won deals "
               "(in cells USD 10,005,534, unplaced USD 0)")


def test_version(runner):
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.output == f"covermap {importlib.metadata.version('covermap')}\n"
    assert re.fullmatch(r"covermap \d+\.\d+\.\d+\S*\n", res.output)


# Won and closed in January-February 2026 (tests/test_map_data.py): D1 1,000 and D3 500 in
# cells; D4 700 (no lines: unknown complexity), D14 80 (product without complexity) and
# D5 300 (account without a value) unplaced; D6 is in SEK, which has no rate.
JAN_FEB = ("Won revenue 2026-01-01 – 2026-02-28: USD 2,580 over 6 won deals (in cells "
           "USD 1,500, unplaced USD 1,080); 1 won line has no exchange rate and is not in "
           "the total")


def test_map_takes_the_shared_window_options(runner, map_files):
    store, plan = map_files
    res = runner.invoke(app, ["map", "--store", str(store), "--plan", str(plan),
                              "--as-of", "2026-02-28", "--window-months", "2"])
    assert res.exit_code == 0, res.output
    assert JAN_FEB in res.output


def test_report_takes_the_shared_window_options(runner, map_files, tmp_path):
    store, plan = map_files
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["report", "--store", str(store), "--plan", str(plan),
                              "--as-of", "2026-02-28", "--window-months", "2",
                              "--out", str(out), "--export", str(tmp_path / "results")])
    assert res.exit_code == 0, res.output
    assert "Coverage as of 2026-02-28 (window 2026-01-01 – 2026-02-28)" in res.output
    assert JAN_FEB in res.output
    html = out.read_text("utf-8")
    assert f'<p class="map-total">{JAN_FEB}</p>' in html
    assert "2026-02-28" in html
    # human headers and formatted cells, the same as in the terminal
    for header in ("Rank (by ARR)</th>", "Days since last human touch</th>",
                   "Share of revenue</th>", "Won lines</th>"):
        assert header in html
    assert re.search(r"<td[^>]*>Delta \(A4\)</td>", html)
    assert re.search(r"<td[^>]*>USD 1,000</td>", html)
    # the exported results are over the same window: deals D4, D14 and the open D15 have a
    # line of unknown complexity (D11's two products make it bundled)
    summary = (tmp_path / "results" / "map_unplaced.csv").read_text("utf-8").splitlines()
    assert summary == ["reason,lines,revenue,deals", "unknown product complexity,2,780.0,3",
                       "no exchange rate for SEK,1,,1", "no value measure,1,300.0,1"]


def test_bad_as_of_is_a_usage_error_on_every_analysis(runner, map_files):
    store, plan = map_files
    for command in ("coverage", "worklist", "map", "report"):
        res = runner.invoke(app, [command, "--store", str(store), "--plan", str(plan),
                                  "--as-of", "2026-02-30"])
        assert res.exit_code == 2, command
        assert "'2026-02-30' is not a date; use YYYY-MM-DD" in res.output, command


@pytest.fixture(scope="module")
def maven(tmp_path_factory, realdata) -> Path:
    store = tmp_path_factory.mktemp("maven") / "maven.duckdb"
    folder = realdata / "maven-crm-sales-opportunities"
    with open_store(store) as s:
        import_paths(s, [folder / f for f in MAVEN_FILES], plan=load_plan(EXAMPLE))
    return store


def test_map_total_matches_the_crm_on_maven(runner, maven):
    res = runner.invoke(app, ["map", "--store", str(maven), "--plan", str(EXAMPLE)])
    assert res.exit_code == 0, res.output
    assert MAVEN_TOTAL in res.output
    assert "Unplaced: none" in res.output


def test_report_total_matches_the_crm_on_maven(runner, maven, tmp_path):
    out = tmp_path / "maven.html"
    res = runner.invoke(app, ["report", "--store", str(maven), "--plan", str(EXAMPLE),
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert MAVEN_TOTAL in res.output
    assert f'<p class="map-total">{MAVEN_TOTAL}</p>' in out.read_text("utf-8")
