"""The report's summary KPIs and its charts' readings on the two hand-made companies
(tests/test_coverage_company.py, tests/test_team_data.py), every number worked out by hand
from their docstrings; and the same store and plan give a byte-identical HTML file.

Coverage company (as_of 2026-07-15, window April-June): 29 checks, 5 passed. April: C1's
monthly csm check passes (a01), P1 passes 2 of its 3 April weeks, P2 none: 3 of 7. June:
C1 fails (a05 has no user), P2 (a customer from June) passes (a20); P1 and N1 fail their
four June weeks, P1's quarter passes (a11, a13), P2's fails: 2 of 12. The customer state
fell the most, from 1 of 1 to 1 of 2. Both contacts matching a persona (k1, k4: cfo) had a
human touch in the window: reach 2 of 2.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pandas as pd
import pytest
import test_coverage_company as cc
import test_team_data as tt
from typer.testing import CliRunner

from covermap.cli.main import app
from covermap.render import Formats
from covermap.reports import readings
from covermap.store.connect import open_store


def _report(folder: Path, module, plan_yaml: str, name: str = "report.html") -> Path:
    store = folder / "covermap.duckdb"
    if not store.exists():
        with open_store(store) as s:
            module.build(s)
        (folder / "plan.yaml").write_text(plan_yaml, "utf-8")
    result = CliRunner().invoke(app, ["report", "--store", str(store), "--plan",
                                      str(folder / "plan.yaml"), "--out", str(folder / name),
                                      "--export", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / name


@pytest.fixture(scope="module")
def coverage_company(tmp_path_factory) -> Path:
    return _report(tmp_path_factory.mktemp("summary-coverage"), cc,
                   cc.PLAN_YAML + "as_of: 2026-07-15\n")


@pytest.fixture(scope="module")
def team_company(tmp_path_factory) -> Path:
    return _report(tmp_path_factory.mktemp("summary-team"), tt, tt.PLAN_YAML)


def kpis(report: Path) -> dict[str, tuple[str, str]]:
    """KPI key -> (value, detail) as the page shows them."""
    page = report.read_text("utf-8")
    found = re.findall(r'<div class="kpi" id="kpi-(.*?)"><b>(.*?)</b><span>.*?</span>'
                       r'(?:<small>(.*?)</small>)?</div>', page)
    return {k: (html.unescape(v), html.unescape(d)) for k, v, d in found}


def reading_texts(report: Path) -> list[str]:
    return [html.unescape(r) for r in
            re.findall(r'<p class="reading">(.*?)</p>', report.read_text("utf-8"))]


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_kpis_of_the_coverage_company(coverage_company):
    got = kpis(coverage_company)
    assert list(got) == ["compliance", "breadth", "below_standard", "misaligned_revenue",
                         "team_gaps", "headcount_gap", "key_player_reach"]
    assert got["compliance"] == ("17.2%", "5 of 29 checks passed")
    assert got["breadth"] == ("66.7%", "4 of 6 accounts")
    assert got["misaligned_revenue"] == ("USD 0", "no won revenue placed on the map")
    assert got["team_gaps"] == ("0", "0 missing roles of 6 accounts")  # no journey
    assert got["headcount_gap"] == (
        "not planned", "the plan's capacity journeys give no hours per customer")
    assert got["key_player_reach"] == ("100.0%", "2 of 2 accounts with the player")
    # the figures are the result tables' own
    out = coverage_company.parent / "out"
    total = next(r for r in _csv(out / "coverage_summary.csv") if r["group"] == "all")
    assert got["compliance"][0] == f"{float(total['compliance']):.1%}"
    worklist = _csv(out / "worklist.csv")
    assert got["below_standard"] == (str(len({r["account_id"] for r in worklist})),
                                     f"{len(worklist)} worklist items")


def test_kpis_of_the_team_company(team_company):
    got = kpis(team_company)
    # gaps: A (marketing, sdr), C (marketing starts after as_of), G and H (no ae)
    assert got["team_gaps"] == ("4", "5 missing roles of 10 accounts")
    assert got["compliance"] == ("0.0%", "0 of 4 checks passed")
    assert got["key_player_reach"] == ("no key players", "0 of 0 accounts with the player")


def test_monthly_compliance_reading(coverage_company):
    texts = reading_texts(coverage_company)
    assert ("Compliance fell from 42.9% in April to 16.7% in June; the largest drop was in "
            "Customer (100.0% to 50.0%).") in texts
    assert ("Customer met its standard most often (50.0% of 4 checks) and Prospect least "
            "often (12.0% of 25); 17.2% of all 29 checks passed.") in texts


def test_handoff_and_timeline_readings(team_company):
    texts = reading_texts(team_company)
    # D, F and H on time (5, 2, 0 days), E's csm late (8), E's ae dropped, G pending
    assert ("Of 6 hand-offs, 3 (50.0%) had the first touch on time, 1 (16.7%) late, "
            "1 (16.7%) was dropped and 1 (16.7%) is pending; the median wait for a first "
            "touch was 3.5 days.") in texts
    assert ("D was at Nurture → Sell in the window, with 3 team members; phase findings: "
            "late join (ae), stayed on (marketing).") in texts


def test_same_store_and_plan_give_the_same_html(team_company):
    again = _report(team_company.parent, tt, tt.PLAN_YAML, "again.html")
    assert again.read_bytes() == team_company.read_bytes()


def test_readings_follow_the_numbers():
    f = Formats(states={"a": "Alpha", "b": "Beta"})
    months = pd.DataFrame({"group": ["month"] * 3, "key": ["2025-12", "2026-01", "2026-02"],
                           "checks": [10, 0, 20], "passed": [2, 0, 10],
                           "compliance": [0.2, None, 0.5]})
    by_state = [{"state": "a", "month": "2025-12", "checks": 5, "passed": 1},
                {"state": "a", "month": "2026-02", "checks": 10, "passed": 9},
                {"state": "b", "month": "2025-12", "checks": 5, "passed": 1},
                {"state": "b", "month": "2026-02", "checks": 10, "passed": 1}]
    assert readings.compliance_by_month(months, by_state, f) == (
        "Compliance rose from 20.0% in December 2025 to 50.0% in February 2026; the largest "
        "rise was in Alpha (20.0% to 90.0%).")
    flat = months.assign(passed=[5, 0, 10])
    flat["compliance"] = [0.5, None, 0.5]
    assert readings.compliance_by_month(flat, by_state, f) == (
        "Compliance stayed at 50.0% from December 2025 to February 2026.")
    summary = pd.DataFrame({"group": ["all", "segment", "segment", "segment"],
                            "key": ["all", "ent", None, "smb"], "accounts": [6, 1, 2, 3],
                            "breadth": [0.5, 1.0, 0.0, 2 / 3]})
    assert readings.breadth_by(summary, "segment", f, "(no segment)") == (
        "Breadth was highest in ent (100.0% of 1 account) and lowest in (no segment) "
        "(0.0% of 2); 50.0% of all 6 accounts were touched in the window.")
