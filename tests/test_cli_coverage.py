"""`covermap coverage` and `covermap worklist` on a real store file, through the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from test_coverage_company import PLAN_YAML, build

from covermap.cli.main import app
from covermap.store.connect import open_store

WIDE = {"COLUMNS": "200"}  # Rich wraps table cells at the terminal's width
LEADING = {
    "coverage_accounts.csv": ["account_id", "state", "segment", "owner_id", "checks", "passed",
                              "compliance", "human_touches", "digital_touches",
                              "weighted_touches", "contacts_touched", "days_since_human_touch",
                              "touched"],
    "coverage_checks.csv": ["account_id", "bucket_start", "bucket_end", "per", "state",
                            "channel", "by", "min", "count", "passed"],
    "coverage_summary.csv": ["group", "key", "accounts", "accounts_with_checks", "checks",
                             "passed", "compliance", "breadth"],
    "worklist.csv": ["account_id", "name", "state", "owner_id", "segment", "channel", "per",
                     "by", "min", "count", "missing", "reason", "due_date", "value",
                     "days_since_human_touch"],
    "transitions.csv": ["account_id", "from_state", "to_state", "date"],
    "coverage_outcomes.csv": ["band", "cohort", "measure", "count", "total", "rate"],
}


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    store_path = folder / "covermap.duckdb"
    with open_store(store_path) as s:
        build(s)
    plan_path = folder / "plan.yaml"
    plan_path.write_text(PLAN_YAML, "utf-8")
    return store_path, plan_path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_coverage_export(runner, company, tmp_path):
    store_path, plan_path = company
    out = tmp_path / "out"
    res = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15", "--outcomes", "--export", str(out)],
                        env=WIDE)
    assert res.exit_code == 0, res.output
    assert "as of 2026-07-15, window 2026-04-01 to 2026-06-30 (3 months)" in res.output
    assert "no standard" in res.output and "Unclassified" in res.output
    assert "Outcomes: compliance 2025-10-01 to 2025-12-31, what followed to 2026-06-30" \
        in res.output
    assert sorted(p.name for p in out.iterdir()) == sorted([*LEADING, "coverage_depth.csv"])
    for name, columns in LEADING.items():
        with (out / name).open(encoding="utf-8") as f:
            header = f.readline().strip().split(",")
        assert header[:len(columns)] == columns, name
    accounts = {r["account_id"]: r for r in read(out / "coverage_accounts.csv")}
    assert (accounts["C1"]["compliance"], accounts["C1"]["days_since_human_touch"],
            accounts["C1"]["touched"]) == ("0.3333333333333333", "13", "true")
    assert (accounts["T1"]["compliance"], accounts["T1"]["checks"]) == ("", "0")
    assert accounts["U1"]["days_since_human_touch"] == ""
    summary = read(out / "coverage_summary.csv")
    assert [(r["group"], r["key"], r["checks"], r["passed"], r["compliance"]) for r in summary
            if r["group"] in ("all", "month")] == [
        ("all", "all", "29", "5", "0.1724137931034483"),
        ("month", "2026-04", "7", "3", "0.42857142857142855"),
        ("month", "2026-05", "10", "0", "0.0"),
        ("month", "2026-06", "12", "2", "0.16666666666666666")]
    checks = sorted(read(out / "coverage_checks.csv"),
                    key=lambda r: (r["account_id"], r["bucket_start"], r["per"]))
    assert len(checks) == 29
    assert checks[0] == {"account_id": "C1", "bucket_start": "2026-04-01",
                         "bucket_end": "2026-04-30", "per": "month", "state": "customer",
                         "channel": "human", "by": "csm", "min": "1", "count": "1",
                         "passed": "true", "entry": "1"}
    assert read(out / "transitions.csv") == [
        {"account_id": "P2", "from_state": "prospect", "to_state": "customer",
         "date": "2026-05-17", "group_id": "P2", "territory": ""}]


def test_coverage_by_role(runner, company, tmp_path):
    store_path, plan_path = company
    res = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15", "--by", "role", "--export",
                              str(tmp_path)], env=WIDE)
    assert res.exit_code == 0, res.output
    assert "Outcomes" not in res.output
    assert not (tmp_path / "coverage_outcomes.csv").exists()
    lines = [line for line in res.output.splitlines() if "csm" in line or "Total" in line]
    assert len(lines) == 2
    assert [c.strip() for c in lines[0].split("│")[1:-1]] == [
        "csm", "6", "2", "4", "2", "50.0%", "33.3%"]
    assert [c.strip() for c in lines[1].split("│")[1:-1]] == [
        "Total", "6", "4", "29", "5", "17.2%", "66.7%"]


def test_worklist_export_with_a_filter(runner, company, tmp_path):
    store_path, plan_path = company
    target = tmp_path / "worklist.csv"
    res = runner.invoke(app, ["worklist", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15", "--role", "csm", "--export", str(target)],
                        env=WIDE)
    assert res.exit_code == 0, res.output
    assert "2 entries below standard now" in res.output
    rows = read(target)
    # C1 failed June (below standard now, DESIGN.md) though July's touch is made
    assert [(r["account_id"], r["missing"], r["due_date"], r["value"]) for r in rows] == [
        ("C1", "met this month", "2026-07-31", "100.00"),
        ("P2", "1 human touch by csm this month", "2026-07-31", "50.00")]


def cells(output: str, first: str) -> list[str]:
    """The cells of the table row of ``output`` whose first cell is ``first``."""
    line = next(li for li in output.splitlines() if li.startswith(("│ ", "┃ "))
                and li[2:].split("│")[0].split("┃")[0].strip() == first)
    return [c.strip() for c in line.replace("┃", "│").split("│")[1:-1]]


def test_worklist_table_reads_as_words_money_and_names(runner, company):
    store_path, plan_path = company
    res = runner.invoke(app, ["worklist", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15"], env=WIDE)
    assert res.exit_code == 0, res.output
    assert "6 entries below standard now" in res.output
    assert cells(res.output, "Rank (by ARR)") == [
        "Rank (by ARR)", "Account", "State", "Owner", "Due now", "Why", "Due by", "ARR",
        "Days since last human touch"]
    assert cells(res.output, "1") == [
        "1", "Cedar (C1)", "Customer", "Ann (u1)", "met this month",
        "last month failed (0 of 1)", "2026-07-31", "USD 100", "13"]
    assert cells(res.output, "2") == [
        "2", "Palm (P2)", "Customer", "Ann (u1)", "1 human touch by csm this month",
        "behind pace (0 so far, 16 days left)", "2026-07-31", "USD 50", "30"]
    assert cells(res.output, "5") == [
        "5", "Pine (P1)", "Prospect", "Bob (u2)", "1 human touch this week",
        "last week failed (0 of 1); behind pace (0 so far, 4 days left)", "2026-07-19", "",
        "86"]
    assert cells(res.output, "3")[-1] == "never"
    assert "Showing the first" not in res.output
    res = runner.invoke(app, ["worklist", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15", "--limit", "2"], env=WIDE)
    assert res.exit_code == 0, res.output
    assert cells(res.output, "2")[1] == "Palm (P2)"
    assert len([li for li in res.output.splitlines() if li.startswith("│ ")]) == 2
    assert ("Showing the first 2 of 6; pass --limit N for more, or --export FILE for every "
            "row.") in res.output
    for empty in ("nan", "None", "NaT"):
        assert empty not in res.output


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--state", "custmer", "Error: unknown --state 'custmer'; did you mean 'customer'? The "
                           "states are: customer, prospect, target"),
    ("--role", "cms", "Error: unknown --role 'cms'; did you mean 'csm'? The roles are: "
                      "account_executive, csm, executive, inside_sales, marketing, anyone"),
    ("--segment", "SMB", "Error: unknown --segment 'SMB'; did you mean 'smb'? The segments "
                         "are: ent, smb"),
    ("--owner", "Bobby", "Error: unknown --owner 'Bobby'; did you mean 'Bob'? The owners "
                         "are: u1 (Ann), u2 (Bob)"),
])
def test_worklist_unknown_filter_is_one_red_line(runner, company, option, value, message):
    store_path, plan_path = company
    res = runner.invoke(app, ["worklist", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15", option, value], env=WIDE)
    assert res.exit_code == 1
    assert res.output == message + "\n"
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_worklist_owner_by_name(runner, company):
    store_path, plan_path = company
    res = runner.invoke(app, ["worklist", "--store", str(store_path), "--plan", str(plan_path),
                              "--as-of", "2026-07-15", "--owner", "Bob"], env=WIDE)
    assert res.exit_code == 0, res.output
    assert "2 entries below standard now" in res.output
    assert "Bob (u2)" in res.output and "Ann (u1)" not in res.output


def test_errors_are_one_line(runner, company, tmp_path):
    store_path, _ = company
    res = runner.invoke(app, ["coverage", "--store", str(store_path), "--as-of", "2026-13-01"],
                        env=WIDE)
    assert res.exit_code == 2
    assert "'2026-13-01' is not a date; use YYYY-MM-DD" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN_YAML.replace("rule: lead_count > 0", "rule: leads > 0"), "utf-8")
    res = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(bad),
                              "--as-of", "2026-07-15"], env=WIDE)
    assert res.exit_code == 1
    assert res.output.startswith(f"Error: {bad}, line 17: states[1].rule: unknown column 'leads'")
    empty = tmp_path / "empty.duckdb"
    open_store(empty).close()
    res = runner.invoke(app, ["coverage", "--store", str(empty)], env=WIDE)
    assert res.exit_code == 1
    assert res.output.startswith("Error: the store has no activities, so there is no default "
                                 "as_of; import activities or pass --as-of YYYY-MM-DD")
    missing = tmp_path / "nowhere.duckdb"
    res = runner.invoke(app, ["coverage", "--store", str(missing)], env=WIDE)
    assert res.exit_code == 1
    assert "no store here yet" in res.output
