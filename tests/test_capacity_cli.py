"""``covermap capacity`` and ``covermap capacity segments`` through the CLI on the hand-made
three-segment company (tests/test_capacity_data.py): exports with the issue's columns,
scenarios beside the base, and bad scenario files named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_capacity_data as fx

from covermap.cli.main import app
from covermap.store.connect import open_store

SEGMENTS_CSV = """\
segment,role,customers,arr,hours_per_customer,engagement_hours,customers_per_person,\
needed_bottom_up,needed_top_down,needed_by_standard,in_place,gap
ent,csm,2,1000000.0,9.5,800.0,84.2105,0.0238,1.0,0.015,0.6667,-0.6429
mid,csm,1,200000.0,4.0,800.0,200.0,0.005,0.2,0.0075,1.3333,-1.3283
smb,csm,0,0.0,1.0,800.0,800.0,0.0,0.0,0.0,0.0,0.0
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    return store, plan


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def test_export_has_the_issues_columns(runner, files, tmp_path):
    store, plan = files
    out = tmp_path / "out"
    r = run(runner, "capacity", "--store", store, "--plan", plan, "--export", out)
    assert r.exit_code == 0, r.output
    assert (out / "capacity_segments.csv").read_text("utf-8") == SEGMENTS_CSV
    assert sorted(p.name for p in out.iterdir()) == [
        "capacity_reality.csv", "capacity_segments.csv", "capacity_summary.csv"]
    assert "Trade-off: ent / csm: the journey needs 0.0 people (1 rounded up), the " \
           "benchmark 1.0" in r.output
    assert "Journey gap: line 35: capacity.journeys.smb[0].role: touchpoint 'webinar'" \
        in r.output
    assert "csm: 1 active people with no accounts on 2026-06-30" in r.output
    assert "nan" not in r.output and "None" not in r.output


def test_segments_view(runner, files):
    store, plan = files
    r = run(runner, "capacity", "segments", "--store", store, "--plan", plan)
    assert r.exit_code == 0, r.output
    lines = [" ".join(line.replace("│", " ").split()) for line in r.output.splitlines()]
    assert "ent 2 2 1,000,000 83.3% 60 66.7%" in lines
    assert "mid 2 1 200,000 16.7% 30 33.3%" in lines
    assert "smb 1 0 0 0.0% 0 0.0%" in lines
    assert "(no segment) 1 0 0 0.0% 0 0.0%" in lines


def test_scenarios_beside_the_base(runner, files, tmp_path):
    store, plan = files
    growth = tmp_path / "growth.yaml"
    growth.write_text("name: ent grows\ncustomers: {ent: 1.5}\nremove_touchpoints: "
                      "{ent: [qbr]}\nroles: {csm: {engagement_share: 0.25}}\n"
                      "standard: [{state: customer, entry: 0, per: week}]\n", "utf-8")
    cheap = tmp_path / "cheap.yaml"
    cheap.write_text("benchmark: {customers_per_person: {csm: 2}}\n", "utf-8")
    out = tmp_path / "out"
    r = run(runner, "capacity", "--store", store, "--plan", plan, "--scenario", growth,
            "--scenario", cheap, "--export", out)
    assert r.exit_code == 0, r.output
    rows = (out / "capacity_scenarios.csv").read_text("utf-8").splitlines()
    # ent grows: 3 customers (2 × 1.5), ARR 1,500,000; kickoff only (1.5 h); 40 × 40 ×
    # 0.25 = 400 h; bottom-up 3 × 1.5 / 400; weekly standard 52 × 3 × 0.5 h / 400 = 0.195.
    # mid: 52 × 1 × 0.5 / 400 = 0.065. cheap: top-down customers / 2.
    assert rows[4:] == [
        "ent grows,ent,csm,3,1500000.0,1.5,400.0,266.6667,0.0112,1.5,0.195,0.6667,-0.6554",
        "ent grows,mid,csm,1,200000.0,4.0,400.0,100.0,0.01,0.2,0.065,1.3333,-1.3233",
        "ent grows,smb,csm,0,0.0,1.0,400.0,400.0,0.0,0.0,0.0,0.0,0.0",
        "cheap,ent,csm,2,1000000.0,9.5,800.0,84.2105,0.0238,1.0,0.015,0.6667,-0.6429",
        "cheap,mid,csm,1,200000.0,4.0,800.0,200.0,0.005,0.5,0.0075,1.3333,-1.3283",
        "cheap,smb,csm,0,0.0,1.0,800.0,800.0,0.0,0.0,0.0,0.0,0.0"]
    assert rows[0] == "scenario," + SEGMENTS_CSV.splitlines()[0]
    assert rows[1:4] == ["base," + line for line in SEGMENTS_CSV.splitlines()[1:]]
    lines = [" ".join(line.replace("│", " ").split()) for line in r.output.splitlines()]
    assert "ent csm 0.02 / 1.00 / 0.01 0.01 / 1.50 / 0.20 0.02 / 1.00 / 0.01" in lines
    # the chart: bottom-up people per scenario (0.0288, 0.0212, 0.0288) beside the 3
    # active csm (u1, u2 and u4, who has no accounts), with its reading
    bar = "█" * 32
    top = lines.index("Scenarios: people needed bottom-up vs in place")
    assert lines[top + 1:top + 7] == [
        "base · csm needed ▏ 0.03", f"in place {bar} 3.00",
        "ent grows · csm needed ▏ 0.02", f"in place {bar} 3.00",
        "cheap · csm needed ▏ 0.03", f"in place {bar} 3.00"]
    assert ("Bottom-up, the base needs 0.03 csm against 3.00 in place (2.97 spare); ent "
            "grows 0.02 (−0.01 on the base), cheap 0.03 (+0.00 on the base).") \
        in " ".join(r.output.split())


def test_a_scenario_naming_unknown_things_is_an_error_with_file_and_line(runner, files,
                                                                         tmp_path):
    store, plan = files
    bad = tmp_path / "bad.yaml"
    bad.write_text("customers: {entt: 1.2}\nremove_touchpoints:\n  ent: [qbrr]\n"
                   "roles: {cms: {engagement_share: 0.7}}\n"
                   "standard: [{state: customer, entry: 3}]\n", "utf-8")
    r = run(runner, "capacity", "--store", store, "--plan", plan, "--scenario", bad)
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        f"Error: {bad}, line 1: customers.entt: unknown segment 'entt'; did you mean "
        f"'ent'? segments are: ent, mid, smb",
        f"Error: {bad}, line 3: remove_touchpoints.ent[0]: unknown touchpoint 'qbrr'; did "
        f"you mean 'qbr'? touchpoints are: kickoff, qbr",
        f"Error: {bad}, line 4: roles.cms: unknown role 'cms'; did you mean 'csm'? roles "
        f"are: csm",
        f"Error: {bad}, line 5: standard[0].entry: state 'customer' has 1 standard entries "
        f"(0 to 0); there is no entry 3"]


def test_a_scenario_of_the_wrong_shape(runner, files, tmp_path):
    store, plan = files
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nworking_weeks: -3\n", "utf-8")
    r = run(runner, "capacity", "--store", store, "--plan", plan, "--scenario", bad)
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        f"Error: {bad}, line 2: working_weeks: Input should be greater than 0"]
