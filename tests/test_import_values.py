"""Values that used to load silently wrong (issue 8, points 6, 7 and 12): two-digit and
implausible years, the epoch glitch, whole numbers, ids with spaces, the same id in two
files of one import, workbook sheets, bad plan source options and JSON Lines lines."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from covermap.errors import PlanInvalid
from covermap.importing import import_paths
from covermap.plan import parse_plan


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def quarantined(store) -> list[tuple]:
    return store.duckdb.execute(
        'SELECT line, "column", value, reason FROM quarantine ORDER BY file, line, reason'
    ).fetchall()


def account(folder: Path) -> Path:
    """accounts.csv with account A1, for the deals and activities to refer to."""
    return write(folder / "accounts.csv", "account_id,name\nA1,Acme\n")


def rows(store, sql: str) -> list[tuple]:
    return store.duckdb.execute(sql).fetchall()


PLAN = parse_plan("as_of: 2024-06-30\n")
RANGE = ("is outside the plausible dates 1900-01-01 to 2034-06-30 (the plan's import: "
         "dates: sets them)")
TWO_DIGIT = ("has a two-digit year: set date_format for this file in the plan's sources: "
             "(e.g. '%m/%d/%y'; %y reads 00-68 as 20xx, 69-99 as 19xx)")


# --- point 7: dates -------------------------------------------------------------------

def test_two_digit_years_are_quarantined_not_stored_as_24_ad(store, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,close_date
        D1,A1,24-03-04
        D2,A1,3/4/24
        D3,A1,2024-03-04
        D4,A1,24-3-4 10:00
        """)
    r = import_paths(store, [account(tmp_path), f], plan=PLAN)
    assert (r.loaded, r.quarantined) == (2, 3)
    assert rows(store, "SELECT deal_id, close_date FROM deals") == [("D3", dt.date(2024, 3, 4))]
    assert quarantined(store) == [
        (2, "close_date", "24-03-04", f"close_date {TWO_DIGIT}"),
        (3, "close_date", "3/4/24", f"close_date {TWO_DIGIT}"),
        (5, "close_date", "24-3-4 10:00", f"close_date {TWO_DIGIT}"),
    ]
    stem = "close_date has a two-digit year: set date_format for this file in the plan's sources:"
    assert r.files[1].reasons == ((stem, 3),)


def test_a_date_format_with_y_reads_two_digit_years_by_its_pivot(store, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,close_date
        D1,A1,3/4/24
        D2,A1,12/31/69
        """)
    plan = parse_plan("as_of: 2024-06-30\nsources:\n"
                      "  - {file: deals.csv, table: deals, date_format: '%m/%d/%y'}\n")
    r = import_paths(store, [account(tmp_path), f], plan=plan)
    assert (r.loaded, r.quarantined) == (3, 0)
    assert rows(store, "SELECT deal_id, close_date FROM deals ORDER BY 1") == [
        ("D1", dt.date(2024, 3, 4)), ("D2", dt.date(1969, 12, 31))]


def test_dates_outside_the_plausible_range_are_quarantined(store, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,close_date
        D1,A1,9999-12-31
        D2,A1,1899-12-31
        D3,A1,1900-01-01
        D4,A1,2034-06-30
        D5,A1,2034-07-01
        D6,A1,0024-03-04
        """)
    r = import_paths(store, [account(tmp_path), f], plan=PLAN)
    assert (r.loaded, r.quarantined) == (3, 4)
    assert rows(store, "SELECT deal_id FROM deals ORDER BY 1") == [("D3",), ("D4",)]
    assert quarantined(store) == [
        (2, "close_date", "9999-12-31", f"close_date {RANGE}"),
        (3, "close_date", "1899-12-31", f"close_date {RANGE}"),
        (6, "close_date", "2034-07-01", f"close_date {RANGE}"),
        (7, "close_date", "0024-03-04", f"close_date {RANGE}"),
    ]


def test_the_range_is_set_by_the_plan(store, tmp_path):
    f = write(tmp_path / "accounts.csv", """
        account_id,name,created_at
        A1,Acme,1949-12-31
        A2,Beta,1950-01-01
        A3,Gamma,2026-06-30
        A4,Delta,2026-07-01 09:00
        """)
    plan = parse_plan("as_of: 2024-06-30\nimport:\n  dates: {earliest: 1950-01-01, "
                      "latest_years_after_as_of: 2}\n")
    r = import_paths(store, [f], plan=plan)
    assert rows(store, "SELECT account_id FROM accounts ORDER BY 1") == [("A2",), ("A3",)]
    reason = ("created_at is outside the plausible dates 1950-01-01 to 2026-06-30 (the "
              "plan's import: dates: sets them)")
    assert quarantined(store) == [(2, "created_at", "1949-12-31", reason),
                                  (5, "created_at", "2026-07-01 09:00", reason)]
    assert r.quarantined == 2


@pytest.mark.parametrize("text, message", [
    ("import:\n  dates: {earliest: soon}\n", "import.dates.earliest"),
    ("import:\n  dates: {latest_years_after_as_of: -1}\n",
     "import.dates.latest_years_after_as_of"),
    ("import:\n  dates: {latest: 2030-01-01}\n", "import.dates.latest"),
])
def test_the_range_keys_are_validated(text, message):
    with pytest.raises(PlanInvalid) as e:
        parse_plan(text, "plan.yaml")
    assert "plan.yaml" in str(e.value) and message in str(e.value)
    assert "line 2" in str(e.value)


def test_only_january_1970_is_an_epoch_glitch(store, tmp_path):
    account(tmp_path)
    write(tmp_path / "activities.csv", """
        activity_id,account_id,kind,occurred_at
        X1,A1,call,1965-05-01 10:00
        X2,A1,call,1970-01-01 00:00:00
        X3,A1,call,1970-01-31 23:59:59
        X4,A1,call,1970-02-01
        X5,A1,call,1899-06-01
        X6,A1,call,2024-06-01
        """)
    r = import_paths(store, [tmp_path], plan=PLAN)
    assert rows(store, "SELECT activity_id FROM activities ORDER BY 1") == [
        ("X1",), ("X4",), ("X6",)]
    epoch = "occurred_at is in January 1970, a Unix-epoch glitch"
    assert [q[0::3] for q in quarantined(store)] == [
        (3, epoch), (4, epoch), (6, f"occurred_at {RANGE}")]
    assert r.quarantined == 3


def test_a_far_future_activity_has_the_range_reason_only(store, tmp_path):
    account(tmp_path)
    write(tmp_path / "activities.csv", """
        activity_id,account_id,kind,occurred_at
        X1,A1,call,9999-12-31
        X2,A1,call,2024-07-01
        """)
    import_paths(store, [tmp_path], plan=PLAN)
    assert [q[0::3] for q in quarantined(store)] == [
        (2, f"occurred_at {RANGE}"), (3, "occurred_at is after as_of 2024-06-30")]


# --- point 7: numbers and ids ----------------------------------------------------------

def test_whole_numbers_are_never_rounded_or_read_as_hex(store, tmp_path):
    f = write(tmp_path / "accounts.csv", """
        account_id,name,employees,annual_revenue
        A1,Acme,12.7,12.7
        A2,Beta,0x10,100
        A3,Gamma,"1,200",nan
        A4,Delta,12.0,"$1,234.50"
        A5,Eps,0b101,inf
        A6,Zeta,"1,234.5",5
        """)
    r = import_paths(store, [f], plan=PLAN)
    assert rows(store, "SELECT account_id, employees, CAST(annual_revenue AS DOUBLE) "
                       "FROM accounts ORDER BY 1") == [("A4", 12, 1234.5)]
    whole = "employees is not a whole number"
    assert quarantined(store) == [
        (2, "employees", "12.7", whole), (3, "employees", "0x10", whole),
        (4, "annual_revenue", "nan", "annual_revenue is not a number"),
        (6, "annual_revenue", "inf", "annual_revenue is not a number"),
        (6, "employees", "0b101", whole), (7, "employees", "1,234.5", whole),
    ]
    assert r.quarantined == 5


def test_a_number_column_refuses_nan(store, tmp_path):
    f = write(tmp_path / "contacts.csv", "contact_id,lead_score\nC1,nan\nC2,7.5\nC3,-inf\n")
    r = import_paths(store, [f], plan=PLAN)
    assert rows(store, "SELECT contact_id, lead_score FROM contacts") == [("C2", 7.5)]
    assert r.quarantined == 2


def test_ids_are_trimmed_in_keys_and_references(store, tmp_path):
    write(tmp_path / "accounts.csv", 'account_id,name\n" A1 ",Acme\n"A2\t",Beta\n"  ",Blank\n')
    write(tmp_path / "contacts.csv", 'contact_id,account_id\n C1,A1 \nC2," A2"\n')
    write(tmp_path / "deals.csv", 'deal_id,account_id,owner_id\nD1 , A1,\n')
    r = import_paths(store, [tmp_path], plan=PLAN)
    assert rows(store, "SELECT account_id FROM accounts ORDER BY 1") == [("A1",), ("A2",)]
    assert rows(store, "SELECT contact_id, account_id FROM contacts ORDER BY 1") == [
        ("C1", "A1"), ("C2", "A2")]
    assert rows(store, "SELECT deal_id, account_id, owner_id FROM deals") == [
        ("D1", "A1", None)]
    assert quarantined(store) == [(4, "account_id", "  ", "account_id is required")]
    assert r.quarantined == 1
    # importing again with the ids written without spaces replaces, not adds
    write(tmp_path / "accounts.csv", "account_id,name\nA1,Acme 2\nA2,Beta\n")
    import_paths(store, [tmp_path / "accounts.csv"], plan=PLAN)
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("A1", "Acme 2"), ("A2", "Beta")]


# --- point 12: plan source options ------------------------------------------------------

@pytest.mark.parametrize("option, message", [
    ("encoding: klingon", "unknown encoding 'klingon'"),
    ("encoding: rot13", "unknown encoding 'rot13'"),
    ("delimiter: ';;'", "delimiter must be one character"),
    ("delimiter: ''", "delimiter must be one character"),
])
def test_bad_source_options_are_plan_errors_with_their_line(option, message):
    text = f"as_of: 2024-06-30\nsources:\n  - file: a.csv\n    table: accounts\n    {option}\n"
    with pytest.raises(PlanInvalid) as e:
        parse_plan(text, "plan.yaml")
    text = str(e.value)
    assert "plan.yaml" in text and "line 5" in text and message in text
    assert "sources" in text and "Traceback" not in text


# --- point 6: the same id in two files of one import -------------------------------------

def test_the_same_id_in_two_files_keeps_the_first_and_quarantines_the_later(store, tmp_path):
    write(tmp_path / "accounts.csv", "account_id,name\nA0,Zero\nA1,Acme\n")
    write(tmp_path / "accounts2.csv", "account_id,name\nA2,Beta\n A1 ,Acme Two\n")
    r = import_paths(store, [tmp_path], plan=PLAN)
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("A0", "Zero"), ("A1", "Acme"), ("A2", "Beta")]
    second = next(f for f in r.files if f.file.endswith("accounts2.csv"))
    assert (second.rows_read, second.loaded, second.quarantined) == (2, 1, 1)
    assert second.reasons == (("duplicate account_id, already loaded from accounts.csv", 1),)
    assert (r.rows_read, r.loaded, r.quarantined) == (4, 3, 1)
    (q,) = store.duckdb.execute('SELECT file, line, "column", value, reason, record '
                                "FROM quarantine").fetchall()
    assert q[:5] == (str((tmp_path / "accounts2.csv").resolve()), 3, "account_id", " A1 ",
                     ("duplicate account_id, already loaded from accounts.csv (line 3; that "
                      "row is kept)"))
    assert "Acme Two" in q[5]  # the record is kept, nothing is lost
    # importing the same files again changes nothing
    again = import_paths(store, [tmp_path], plan=PLAN)
    assert (again.loaded, again.quarantined) == (3, 1)
    assert rows(store, "SELECT count(*) FROM accounts") == [(3,)]


def test_files_named_in_a_command_load_in_that_order(store, tmp_path):
    a = write(tmp_path / "a.csv", "account_id,name\nA1,From a\n")
    b = write(tmp_path / "b.csv", "account_id,name\nA1,From b\n")
    plan = parse_plan("as_of: 2024-06-30\nsources:\n  - {file: '*.csv', table: accounts}\n")
    r = import_paths(store, [b, a], plan=plan)
    assert rows(store, "SELECT name FROM accounts") == [("From b",)]
    assert r.reasons() == [("duplicate account_id, already loaded from b.csv", 1)]


def test_the_plans_preferred_file_wins_for_the_same_id_too(store, tmp_path):
    write(tmp_path / "Accounts.csv", "account_id,name\nA1,Old\n")
    write(tmp_path / "Accounts.json",
          '{"records": [{"attributes": {"type": "Account", "referenceId": "r1"}, '
          '"account_id": "A1", "name": "New"}]}')
    plan = parse_plan("as_of: 2024-06-30\nduplicates:\n  accounts: {prefer: Accounts.json}\n")
    r = import_paths(store, [tmp_path], plan=plan)
    assert rows(store, "SELECT account_id, name FROM accounts") == [("A1", "New")]
    assert r.reasons() == [("duplicate account_id, already loaded from Accounts.json", 1)]


def test_the_same_link_row_in_two_files(store, tmp_path):
    write(tmp_path / "users.csv", "user_id,name\nU1,Ann\n")
    account(tmp_path)
    write(tmp_path / "account_team.csv", "account_id,user_id,role\nA1,U1,csm\n")
    write(tmp_path / "account_team_2.csv", "account_id,user_id,role\nA1,U1,csm\nA1,U1,ae\n")
    r = import_paths(store, [tmp_path], plan=PLAN)
    assert rows(store, "SELECT role FROM account_team ORDER BY 1") == [("ae",), ("csm",)]
    assert quarantined(store) == [
        (2, "account_id / user_id / role", "A1 / U1 / csm",
         ("duplicate account_id / user_id / role, already loaded from account_team.csv "
          "(line 2; that row is kept)"))]
    assert r.quarantined == 1


# --- point 6: every sheet of a workbook; point 12: a damaged workbook ----------------------

def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, cells in sheets.items():
        ws = wb.create_sheet(name)
        for row in cells:
            ws.append(row)
    wb.save(path)
    return path


def test_every_sheet_that_maps_to_a_table_is_imported(store, tmp_path):
    f = workbook(tmp_path / "crm.xlsx", {
        "Sheet1": [["account_id", "name"], ["A1", "Acme"]],
        "Contacts": [["contact_id", "account_id"], ["C1", "A1"], ["C2", "A1"]],
        "Export 2": [["deal_id", "account_id", "amount"], ["D1", "A1", 5]],
        "Empty": [],
        "Read me": [["How this export was made"], ["by hand"]],
    })
    r = import_paths(store, [f], plan=PLAN)
    assert [(Path(x.file).name, x.table, x.encoding, x.loaded) for x in r.files] == [
        ("crm.xlsx", "accounts", "xlsx:Sheet1", 1),
        ("crm.xlsx#Contacts", "contacts", "xlsx:Contacts", 2),
        ("crm.xlsx#Export 2", "deals", "xlsx:Export 2", 1)]
    assert [(Path(s.file).name, s.reason) for s in r.skipped] == [
        ("crm.xlsx#Empty", "an empty sheet (no header row)"),
        ("crm.xlsx#Read me", ("matches no table by its name or columns; map it in the "
                              "plan's sources: (file: crm.xlsx, sheet: Read me) to import "
                              "it"))]
    assert rows(store, "SELECT count(*) FROM contacts") == [(2,)]
    assert rows(store, "SELECT file FROM imports ORDER BY 1") == [
        (str(f.resolve()),), (f"{f.resolve()}#Contacts",), (f"{f.resolve()}#Export 2",)]


def test_sheets_the_plan_does_not_map_are_named(store, tmp_path):
    account(tmp_path)
    f = workbook(tmp_path / "pipeline.xlsx", {
        "Notes": [["free text"]],
        "Deals": [["Opp", "Acct"], ["D1", "A1"]],
        "Lost": [["Opp", "Acct"], ["D2", "A1"]],
    })
    plan = parse_plan("as_of: 2024-06-30\nsources:\n  - {file: pipeline.xlsx, table: deals, "
                      "sheet: Deals, columns: {deal_id: Opp, account_id: Acct}}\n")
    r = import_paths(store, [tmp_path / "accounts.csv", f], plan=plan)
    assert rows(store, "SELECT deal_id FROM deals") == [("D1",)]
    why = ("the plan's sources: map only sheet 'Deals' of this workbook; add an entry with "
           "sheet: '{}' to import this one")
    assert [(Path(s.file).name, s.reason) for s in r.skipped] == [
        (f"pipeline.xlsx#{name}", why.format(name)) for name in ("Notes", "Lost")]


def test_two_plan_entries_read_two_sheets_of_one_workbook(store, tmp_path):
    f = workbook(tmp_path / "book.xlsx", {
        "Firms": [["Id", "Firm"], ["A1", "Acme"]],
        "People": [["Id", "Firm"], ["C1", "A1"]],
    })
    plan = parse_plan(
        "as_of: 2024-06-30\nsources:\n"
        "  - {file: book.xlsx, sheet: Firms, table: accounts, columns: {account_id: Id, "
        "name: Firm}}\n"
        "  - {file: book.xlsx, sheet: People, table: contacts, columns: {contact_id: Id, "
        "account_id: Firm}}\n")
    r = import_paths(store, [f], plan=plan)
    assert rows(store, "SELECT account_id, name FROM accounts") == [("A1", "Acme")]
    assert rows(store, "SELECT contact_id, account_id FROM contacts") == [("C1", "A1")]
    assert (r.loaded, r.quarantined, r.skipped) == (2, 0, ())


@pytest.mark.parametrize("content, why", [
    (b"account_id,name\nA1,Acme\n", "not a zip archive"),
    (b"PK\x03\x04" + b"\x00" * 200, "not a zip archive"),
])
def test_a_damaged_workbook_is_an_import_error(store, tmp_path, runner, content, why):
    from covermap.cli.main import app

    f = tmp_path / "accounts.xlsx"
    f.write_bytes(content)
    result = runner.invoke(app, ["import", str(f), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    out = " ".join(result.output.split())
    assert f"accounts.xlsx: cannot read this workbook ({why})" in out
    assert "save it as .xlsx again, or export its sheets as CSV" in out
    assert "Traceback" not in result.output


def test_a_workbook_whose_sheet_is_damaged_is_an_import_error(store, tmp_path):
    import zipfile

    from covermap.errors import ImportProblem

    good = workbook(tmp_path / "good.xlsx", {"Sheet1": [["account_id", "name"], ["A1", "x"]]})
    bad = tmp_path / "accounts.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"<worksheet><sheetData><row" if "worksheets/" in
                         item.filename else data)
    with pytest.raises(ImportProblem, match=r"accounts\.xlsx: cannot read this workbook "):
        import_paths(store, [bad], plan=PLAN)
    assert rows(store, "SELECT count(*) FROM accounts") == [(0,)]


# --- point 12: JSON Lines with a bad line or a byte order mark --------------------------

def test_a_bad_json_line_is_quarantined_with_its_line_and_the_rest_loads(store, tmp_path):
    f = tmp_path / "accounts.jsonl"
    f.write_text('{"account_id": "A1", "name": "Acme"}\n{"account_id": "A2", "name":\n\n'
                 '[1, 2]\n{"account_id": "A3", "name": "Gamma", "tags": {"x": 1}}\n',
                 encoding="utf-8")
    r = import_paths(store, [f], plan=PLAN)
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("A1", "Acme"), ("A3", "Gamma")]
    assert quarantined(store) == [
        (2, None, None, ("not valid JSON: fix or remove the line (Expecting value at "
                         "character 29)")),
        (4, None, None, "not a JSON object: fix or remove the line (an array)")]
    assert (r.rows_read, r.loaded, r.quarantined) == (4, 2, 2)
    assert r.files[0].reasons == (("not a JSON object: fix or remove the line", 1),
                                  ("not valid JSON: fix or remove the line", 1))
    (record,) = rows(store, "SELECT record FROM quarantine WHERE line = 2")[0]
    assert "A2" in record


def test_a_json_lines_file_with_a_byte_order_mark(store, tmp_path):
    f = tmp_path / "accounts.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"account_id": "A1", "name": "Acme"}\r\n'
                  b'{"account_id": "A2", "name": "Ren\xc3\xa9e"}\r\n')
    r = import_paths(store, [f], plan=PLAN)
    assert rows(store, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("A1", "Acme"), ("A2", "Renée")]
    assert (r.loaded, r.quarantined) == (2, 0)


def test_bad_json_lines_through_the_cli(tmp_path, runner):
    from covermap.cli.main import app

    f = tmp_path / "accounts.jsonl"
    f.write_bytes(b'{"account_id": "A1", "name": "Acme"}\n{"account_id": "A2", "name": "\xff"}\n'
                  b'{oops}\n')
    result = runner.invoke(app, ["import", str(f), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    out = " ".join(result.output.split())
    assert "2 rows quarantined" in out
    assert "not UTF-8 text: fix or remove the line" in out
    assert "not valid JSON: fix or remove the line" in out
    assert "Traceback" not in result.output


def test_a_json_lines_file_with_no_good_line_is_an_import_error(store, tmp_path):
    from covermap.errors import ImportProblem

    f = tmp_path / "accounts.jsonl"
    f.write_text("{oops\n[1]\n", encoding="utf-8")
    with pytest.raises(ImportProblem) as e:
        import_paths(store, [f], plan=PLAN)
    assert str(e.value) == (
        f"{f}: no line of this file is a JSON object (2 bad lines; line 1: not valid JSON: "
        f"fix or remove the line (Expecting property name enclosed in double quotes at "
        f"character 2)): JSON Lines hold one object per line")
