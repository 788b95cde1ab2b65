"""`covermap demo` end to end, and its HTML report opened offline in a real headless Chromium."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from built_once import built_once
from typer.testing import CliRunner

from covermap.cli.main import app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def demo_company(tmp_path_factory) -> tuple[Path, str]:
    """(the folder, the terminal output) of `covermap demo` on 1,200 accounts, run once per
    test run (tests/test_report_layout.py lays out its report); read it only."""
    def build(out: Path) -> None:
        result = CliRunner().invoke(app, ["demo", "--out", str(out), "--accounts", "1200",
                                          "--seed", "7"])
        assert result.exit_code == 0, result.output
        (out.parent / f"{out.name}.output").write_text(result.output, "utf-8")

    out = built_once(tmp_path_factory, "demo1200", build)
    return out, (out.parent / f"{out.name}.output").read_text("utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    return demo_company(tmp_path_factory)


def test_demo_writes_store_results_and_report(demo):
    out, output = demo
    assert (out / "covermap.duckdb").exists()
    assert (out / "sample" / "activities.csv").exists()
    assert "Coverage as of" in output and "all accounts" in output
    assert f"Report: {out / 'report.html'}" in output.replace("\n", "")
    for name, header in {
        "coverage_accounts": "account_id,state,segment,owner_id,checks,passed,compliance,"
                             "human_touches,digital_touches,weighted_touches,contacts_touched,"
                             "days_since_human_touch,touched",
        "coverage_checks": "account_id,bucket_start,bucket_end,per,state,channel,by,min,count,"
                           "passed",
        "coverage_summary": "group,key,accounts,accounts_with_checks,checks,passed,compliance,"
                            "breadth",
        "map_cells": "complexity,value,intended_channel,revenue,revenue_share,accounts,deals,"
                     "won_deals,closed_deals,win_rate,avg_deal,median_cycle_days,"
                     "touch_minutes_per_won_deal,misaligned_revenue,priority_rank",
        "map_channels": "complexity,value,channel,revenue,deals",
    }.items():
        with open(out / "results" / f"{name}.csv", encoding="utf-8") as f:
            assert f.readline().strip().startswith(header), name
    with open(out / "results" / "coverage_summary.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    overall = next(r for r in rows if r["group"] == "all")
    assert int(overall["accounts"]) == 1200
    assert 0 < float(overall["compliance"]) < 1


def test_report_is_self_contained(demo):
    html = (demo[0] / "report.html").read_text("utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']https?:", html)
    assert "Customer coverage map" in html and "Worklist" in html


# .ci/run installs Debian's chromium and sets COVERMAP_REQUIRE_CHROMIUM, so CI never skips;
# the README's test command on a machine with only python3 does.
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("COVERMAP_REQUIRE_CHROMIUM"),
                    reason="no chromium on this machine (CI installs it)")
def test_report_renders_its_charts_offline_in_chromium(demo, tmp_path):
    # DNS is mapped to nowhere: a chart that needed the network would not render.
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
         "--dump-dom", (demo[0] / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    # twelve charts: compliance by state and month, breadth by state and segment, the map,
    # the hand-off funnel, one account's phase-in/out timeline, people needed vs in place,
    # the key players' reach, the content stages per state, compliance and breadth by
    # territory and the largest customer groups
    assert dom.count('class="plot-container plotly"') == 12
    assert dom.count('class="main-svg"') >= 12
