"""`covermap report --format xlsx|pdf`: the workbook read back with openpyxl (sheets,
headers, frozen panes, number formats, values equal to the CSV export, the coloured map
grid and RACI matrix), the PDF printed by headless Chromium read back with pypdf, and the
rules every output follows (what may be replaced, byte-identical output)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import ibis
import openpyxl
import pytest
import test_team_data as tt
from typer.testing import CliRunner

from covermap.cli.main import app
from covermap.render import Formats
from covermap.reports.targets import same_output
from covermap.reports.xlsx_report import RACI_FILLS, write_workbook
from covermap.store.connect import open_store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("COVERMAP_REQUIRE_CHROMIUM"),
    reason="no chromium on this machine (CI installs it)")
HEADER_FILL = "FF1F3B57"


def _run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["report", *args], env=env)


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _stored(text: str) -> float | None:
    """A CSV number as a workbook stores it: 16 significant digits (Excel shows 15)."""
    return float(f"{float(text):.16G}") if text else None


def _fill(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample company (120 accounts): its store and results/ CSV export."""
    out = tmp_path_factory.mktemp("formats-sample")
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--accounts", "120",
                                      "--seed", "5"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def book(sample):
    path = sample / "report.xlsx"
    result = _run("--store", str(sample / "covermap.duckdb"), "--format", "xlsx",
                  "--out", str(path))
    assert result.exit_code == 0, result.output
    assert f"Report: {path}" in result.output.replace("\n", "")
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    """The hand-made team company (tests/test_team_data.py) and its plan."""
    d = tmp_path_factory.mktemp("formats-team")
    with open_store(d / "covermap.duckdb") as s:
        tt.build(s)
    (d / "plan.yaml").write_text(tt.PLAN_YAML, "utf-8")
    return d


def _team_args(team: Path) -> list[str]:
    return ["--store", str(team / "covermap.duckdb"), "--plan", str(team / "plan.yaml")]


def test_one_sheet_per_result_table(book, sample):
    tables = [p.stem for p in sorted((sample / "results").glob("*.csv"))]
    assert book.sheetnames[:3] == ["contents", "coverage_map", "raci"]
    assert sorted(book.sheetnames[3:]) == sorted(
        [*tables, "capacity_segments", "capacity_summary", "capacity_reality"])
    # the contents sheet lists every table with its rows (all shown at this size)
    listed = {r[0]: (r[1], r[2]) for r in book["contents"].iter_rows(min_row=5, values_only=True)}
    for name in tables:
        rows = len(_csv(sample / "results" / f"{name}.csv"))
        assert listed[name] == (rows, rows), name
        assert book[name].max_row == rows + 1, name


def test_headers_frozen_panes_and_number_formats(book):
    ws = book["worklist"]
    head = ws["A1"]
    assert head.value == "Account" and head.font.b and _fill(head) == HEADER_FILL
    assert head.font.color.rgb == "FFFFFFFF"
    assert [c.value for c in ws[1]][:4] == ["Account", "Name", "State", "Owner"]
    assert ws.freeze_panes == "B2"  # the header row and the account column stay in view
    assert book["coverage_summary"].freeze_panes == "A2"
    assert ws.column_dimensions["B"].width > 8
    cells = book["map_cells"]
    formats = {}  # per column, the format of its first value (an empty cell has none)
    for row in cells.iter_rows(min_row=2):
        for h, c in zip(cells[1], row, strict=True):
            if c.value is not None:
                formats.setdefault(h.value, c.number_format)
    assert formats["Revenue"] == '"USD "#,##0'
    assert formats["Share of revenue"] == "0.0%"
    assert formats["Won deals"] == "#,##0"
    assert formats["Median cycle (days)"] == "#,##0"
    assert formats["Complexity"] == "General"
    checks = book["coverage_checks"]
    assert checks["C1"].value == "Bucket start" and checks["C2"].number_format == "yyyy-mm-dd"
    assert isinstance(checks["C2"].value, dt.datetime)
    assert book["worklist"]["N2"].number_format == '"USD "#,##0'  # value: the ARR


def test_values_equal_the_csv_export(book, sample):
    results = sample / "results"
    summary = _csv(results / "coverage_summary.csv")
    ws = book["coverage_summary"]
    for row, r in zip(ws.iter_rows(min_row=2, values_only=True), summary, strict=True):
        assert row[:2] == (r["group"], r["key"])
        assert row[4] == int(r["checks"]) and row[5] == int(r["passed"])
        assert row[6] == _stored(r["compliance"]) and row[7] == _stored(r["breadth"])
    worklist = _csv(results / "worklist.csv")
    ws = book["worklist"]
    for row, r in zip(ws.iter_rows(min_row=2, max_row=6, values_only=True), worklist,
                      strict=False):
        assert row[0] == r["account_id"] and row[1] == r["name"]
        assert row[12] == dt.datetime.fromisoformat(r["due_date"])
        assert row[13] == float(r["value"])
    # names beside ids: team_findings has none of its own, so covermap adds them
    ws = book["team_findings"]
    assert [c.value for c in ws[1]] == ["Account", "Account name", "Stage", "Finding", "Role",
                                        "User", "User name", "Detail", "Group", "Group name",
                                        "Territory"]
    with open_store(sample / "covermap.duckdb", read_only=True) as s:
        users = dict(s.duckdb.execute("SELECT user_id, name FROM users").fetchall())
        accounts = dict(s.duckdb.execute("SELECT account_id, name FROM accounts").fetchall())
    findings = _csv(results / "team_findings.csv")
    for row, r in zip(ws.iter_rows(min_row=2, values_only=True), findings, strict=True):
        assert row[0] == r["account_id"] and row[1] == accounts[r["account_id"]]
        assert row[5] == (r["user_id"] or None)
        assert row[6] == (users[r["user_id"]] if r["user_id"] else None)


def test_coverage_map_grid_is_coloured_by_revenue(book, sample):
    cells = {(r["complexity"], r["value"]): float(r["revenue"] or 0)
             for r in _csv(sample / "results" / "map_cells.csv")}
    ws = book["coverage_map"]
    assert [c.value for c in ws[4]] == ["Value \\ complexity", "Simple", "Bundled",
                                        "Customised"]
    grid = {(cx, tier): ws.cell(row=5 + i, column=2 + j)
            for i, tier in enumerate(("high", "medium", "low"))
            for j, cx in enumerate(("simple", "bundled", "customised"))}
    assert {k: c.value for k, c in grid.items()} == cells
    top = max(cells.values())
    for key, cell in grid.items():
        assert cell.number_format == '"USD "#,##0'
        fill = _fill(cell)
        if cells[key] == top:
            assert fill == "FF1F5FA0" and cell.font.color.rgb == "FFFFFFFF"
        elif cells[key] == 0:
            assert fill == "FFEEF4FB"
        else:
            assert fill not in (None, "FF1F5FA0", "FFEEF4FB")
    assert [ws.cell(row=r, column=1).value for r in (5, 6, 7)] == ["High value",
                                                                   "Medium value", "Low value"]


def test_raci_matrix_is_coloured_by_letter(book):
    ws = book["raci"]
    assert ws["A1"].value == "Stage" and _fill(ws["A1"]) == HEADER_FILL
    letters = 0
    for row in ws.iter_rows(min_row=2, max_col=ws.max_column):
        if row[0].value is None or str(row[0].value).startswith("R responsible"):
            break
        for cell in row[1:]:
            if cell.value:
                letters += 1
                assert _fill(cell) == "FF" + RACI_FILLS[cell.value][0][1:].upper()
    assert letters >= 10


def test_a_sheet_is_capped_with_a_note(tmp_path):
    rows = {"rank": list(range(1, 13)), "account_id": [f"A{i}" for i in range(12)],
            "name": [f"Account {i}" for i in range(12)]}
    window = SimpleNamespace(as_of=dt.date(2026, 7, 15), start=dt.date(2026, 4, 1),
                             end=dt.date(2026, 6, 30))
    path = tmp_path / "capped.xlsx"
    notes = write_workbook(path, {"worklist": ibis.memtable(rows)},
                           formats=Formats(currency="USD"), window=window, plan_name="p",
                           store=None, max_rows=5)
    assert [(n.sheet, n.rows, n.written) for n in notes] == [("worklist", 12, 5)]
    wb = openpyxl.load_workbook(path)
    ws = wb["worklist"]
    assert [c.value for c in ws["B"]][1:6] == ["A0", "A1", "A2", "A3", "A4"]
    assert ws["A8"].value == ("7 more rows are not shown here; every row is in worklist.csv "
                              "(covermap report --export DIR).")
    assert next(wb["contents"].iter_rows(min_row=5, values_only=True)) == (
        "worklist", 12, 5,
        "7 rows left out; every row is in worklist.csv (covermap report --export DIR)")
    assert wb.properties.created == dt.datetime(2026, 7, 15)


def test_names_beside_ids_over_many_batches(tmp_path, monkeypatch):
    """The names are looked up batch by batch while the table streams from the same store
    (a query on the streaming connection would end the stream early)."""
    from covermap.reports import xlsx_report

    monkeypatch.setattr(xlsx_report, "BATCH_ROWS", 4)
    window = SimpleNamespace(as_of=dt.date(2026, 7, 15), start=dt.date(2026, 4, 1),
                             end=dt.date(2026, 6, 30))
    with open_store(tmp_path / "covermap.duckdb") as s:
        s.duckdb.execute("INSERT INTO accounts (account_id, name) SELECT 'A' || i, 'Name ' || i "
                         "FROM range(10) t(i)")
        s.duckdb.execute("CREATE TABLE depth AS SELECT 'A' || (9 - i) AS account_id, i AS "
                         "human_touches FROM range(11) t(i) ORDER BY i")
        depth = s.table("depth").order_by("human_touches")
        notes = write_workbook(tmp_path / "d.xlsx", {"coverage_depth": depth},
                               formats=Formats(), window=window, plan_name="p", store=s)
    assert [(n.rows, n.written) for n in notes] == [(11, 11)]
    rows = list(openpyxl.load_workbook(tmp_path / "d.xlsx")["coverage_depth"].values)
    assert rows[0] == ("Account", "Account name", "Human touches")
    assert rows[1:] == [(f"A{9 - i}", f"Name {9 - i}" if i <= 9 else None, i)
                        for i in range(10)] + [("A-1", None, 10)]


def test_xlsx_is_byte_identical_and_replaced_only_when_covermap_wrote_it(team, tmp_path):
    book = team / "team.xlsx"
    written = []
    for _ in range(2):  # the second run replaces covermap's own workbook without --force
        result = _run(*_team_args(team), "--out", str(book))
        assert result.exit_code == 0, result.output
        written.append(book.read_bytes())
    assert written[0] == written[1]
    other = tmp_path / "mine.xlsx"
    openpyxl.Workbook().save(other)
    result = _run(*_team_args(team), "--out", str(other))
    assert result.exit_code == 1
    assert (f"{other} exists already and covermap did not write it; pass --force to "
            f"overwrite it, or choose another file for --out") in result.output.replace("\n", "")


def test_format_and_file_name_must_agree(team):
    result = _run(*_team_args(team), "--format", "pdf", "--out", str(team / "r.xlsx"))
    assert result.exit_code == 1
    assert (f"--out {team / 'r.xlsx'} names a .xlsx file, but --format is pdf; name the file "
            f"r.pdf or leave out --format") in result.output.replace("\n", "")
    result = _run(*_team_args(team), "--format", "docx")
    assert result.exit_code == 1
    assert "--format docx: not a report format; formats are: html, xlsx, pdf" in result.output


def test_pdf_without_chromium_says_what_to_install(team, tmp_path):
    out = tmp_path / "r.pdf"
    result = _run(*_team_args(team), "--format", "pdf", "--out", str(out),
                  env={"PATH": str(tmp_path), "COVERMAP_CHROMIUM": ""})
    assert result.exit_code == 1
    assert ("--format pdf prints the report with headless Chromium, and no chromium is on "
            "PATH; install it (Debian or Ubuntu: apt-get install chromium), or set "
            "COVERMAP_CHROMIUM to its path, or write --format html and print it from a "
            "browser") in result.output.replace("\n", "")
    assert not out.exists()


@needs_chromium
def test_pdf_is_printed_from_the_html(team, tmp_path):
    import pypdf

    out = team / "report.pdf"
    result = _run(*_team_args(team), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    reader = pypdf.PdfReader(out)
    assert reader.metadata.title == "covermap — customer coverage report"
    pages = [p.extract_text() for p in reader.pages]
    # each section starts on a page of its own, in the order
    sections = ["Summary", "Coverage against the standard", "Customer coverage map",
                "Account coverage model", "Capacity: people needed per segment and role",
                "Key players and value", "Coverage by territory", "Customer groups",
                "Worklist: accounts below standard now", "Data in the store"]
    starts = [p.split("\n", 1)[0] for p in pages]
    assert starts[0] == "covermap — customer coverage report"
    assert "Summary" in pages[0].split("\n")  # after the window's warning
    assert [s for s in starts[1:] if s in sections] == sections[1:]
    assert len(pages) == 13  # the coverage, team and value sections take two pages each
    assert "accounts with a team gap" in pages[0] and "5 missing roles" in pages[0]
    # the charts were drawn before printing: the hand-off funnel's bars have their labels
    team_page = pages[starts.index("Account coverage model")]
    assert "on time" in team_page and "3 (50.0%)" in team_page
    # covermap's own PDF is replaced without --force; another PDF is not
    assert same_output(out, report=True)
    other = tmp_path / "scan.pdf"
    other.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = _run(*_team_args(team), "--out", str(other))
    assert result.exit_code == 1 and "covermap did not write it" in result.output
