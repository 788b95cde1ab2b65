"""Bad input, one case each: the exact message (file, line, column), and a store that
lost nothing. Also --strict and atomicity (a failing last file, a killed process)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from covermap.errors import ImportProblem, MissingColumn, RejectedRows, UnknownTable
from covermap.importing import import_paths
from covermap.plan import parse_plan
from covermap.store.connect import open_store

INPUTS = Path(__file__).parent / "data" / "inputs"


def snapshot(store) -> dict:
    """Every table of the store: its columns and its rows (sorted)."""
    con = store.duckdb
    names = [n for (n,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "ORDER BY 1").fetchall()]
    return {n: (store.columns(n), sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(),
                                         key=repr)) for n in names}


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def seeded(store, tmp_path):
    """A store holding one account, one deal and one activity already."""
    src = tmp_path / "seed"
    src.mkdir()
    write(src / "accounts.csv", "account_id,name\nA1,Acme\n")
    write(src / "deals.csv", "deal_id,account_id,amount\nD0,A1,10\n")
    write(src / "activities.csv",
          "activity_id,account_id,kind,occurred_at\nX0,A1,call,2024-01-01 09:00:00\n")
    import_paths(store, [src])
    return store


def quarantine(store) -> list[tuple]:
    return store.duckdb.execute(
        'SELECT line, "column", value, reason FROM quarantine WHERE import_id = '
        "(SELECT max(import_id) FROM quarantine) ORDER BY line, reason").fetchall()


def test_missing_required_column(seeded, tmp_path):
    f = write(tmp_path / "deals.csv", "deal_id,amount\nD1,5\n")
    before = snapshot(seeded)
    with pytest.raises(MissingColumn) as e:
        import_paths(seeded, [f])
    assert str(e.value) == (
        f"{f}, column 'account_id': table deals needs column account_id, and none of this "
        "file's columns is recognised as it (columns: deal_id, amount). Name the column "
        "account_id or map it in a plan passed with --plan: sources: [{file: \"deals.csv\", "
        "table: deals, columns: {account_id: <column in the file>}}]")
    assert (e.value.file, e.value.column) == (str(f), "account_id")
    assert snapshot(seeded) == before


def test_unknown_table(seeded, tmp_path):
    f = write(tmp_path / "stuff.csv", "foo,bar\n1,2\n")
    before = snapshot(seeded)
    with pytest.raises(UnknownTable) as e:
        import_paths(seeded, [f])
    assert str(e.value) == (
        f"{f}: cannot tell which table this file is: its name matches no table and its "
        "columns (foo, bar) do not single one out. Tables and the columns they need: users "
        "(user_id, name); accounts (account_id, name); contacts (contact_id); products "
        "(product_id, name); deals (deal_id, account_id); deal_lines (line_id, deal_id); "
        "account_team (account_id, user_id, role); deal_contacts (deal_id, contact_id); "
        "activities (activity_id, account_id, kind, occurred_at). Rename the file after its "
        "table (e.g. deals.csv) or map it in a plan passed with --plan: sources: [{file: "
        "\"stuff.csv\", table: deals, columns: {deal_id: <column in the file>, account_id: "
        "<column in the file>}}]")
    assert snapshot(seeded) == before


def test_plan_maps_a_column_the_file_lacks(seeded, tmp_path):
    f = write(tmp_path / "opps.csv", "Opp,Customer\nD1,A1\n")
    plan = parse_plan("sources:\n  - {file: opps.csv, table: deals, "
                      "columns: {deal_id: Opp, account_id: Client}}\n")
    with pytest.raises(MissingColumn, match=r"opps\.csv, column 'Client': the plan maps "
                                            r"deals\.account_id to column 'Client', which this "
                                            r"file does not have; its columns are: Opp, Customer"):
        import_paths(seeded, [f], plan=plan)


def test_empty_file(seeded, tmp_path):
    f = tmp_path / "accounts.csv"
    f.write_bytes(b"")
    before = snapshot(seeded)
    with pytest.raises(ImportProblem) as e:
        import_paths(seeded, [f])
    assert str(e.value) == (f"{f}: the file is empty: it has no header line, so its columns "
                            "are unknown; export it again with a header row, or leave it out")
    assert snapshot(seeded) == before


def test_header_only_file_is_zero_rows(seeded, tmp_path):
    f = write(tmp_path / "accounts.csv", "account_id,name\n")
    report = import_paths(seeded, [f])
    assert (report.rows_read, report.loaded, report.quarantined) == (0, 0, 0)
    assert seeded.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (1,)


def test_no_such_file(seeded, tmp_path):
    with pytest.raises(ImportProblem, match=r"nope\.csv: no such file or folder$"):
        import_paths(seeded, [tmp_path / "nope.csv"])


def test_malformed_csv_lines(seeded):
    """A line with too many fields and one with too few are quarantined with the lines a
    text editor shows (the quoted value spanning lines 2-3 is one record)."""
    report = import_paths(seeded, [INPUTS / "malformed-activities.csv"])
    (f,) = report.files
    assert (f.rows_read, f.loaded, f.quarantined, f.malformed) == (5, 3, 2, 2)
    assert quarantine(seeded) == [
        (4, None, None, "malformed CSV line (too many columns: Expected Number of Columns: 5 "
                        "Found: 6)"),
        (6, "occurred_at", None, "short row: only its first 3 of 5 cells (none from "
                                 "occurred_at on)"),
    ]
    record = seeded.duckdb.execute("SELECT record FROM quarantine WHERE line = 4").fetchone()[0]
    assert record == '"T2,A1,call,2024-01-03 10:00:00,ok,EXTRA"'
    assert seeded.duckdb.execute(
        "SELECT activity_id, subject FROM activities WHERE activity_id LIKE 'T%' ORDER BY 1"
    ).fetchall() == [("T1", "first\nsecond line"), ("T3", "fine"), ("T5", "last")]


def test_unparseable_date(seeded, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,close_date,amount
        D1,A1,2024-01-31,1
        D2,A1,31/01/2024,2
        D3,A1,,3
    """)
    report = import_paths(seeded, [f])
    assert (report.loaded, report.quarantined) == (2, 1)
    assert quarantine(seeded) == [(3, "close_date", "31/01/2024", "close_date is not a date")]
    row = seeded.duckdb.execute("SELECT record FROM quarantine").fetchone()[0]
    assert row == '{"deal_id":"D2","account_id":"A1","close_date":"31/01/2024","amount":"2"}'


def test_duplicate_ids_keep_the_first(seeded, tmp_path):
    f = write(tmp_path / "deals.csv", """
        deal_id,account_id,amount
        D1,A1,100
        D2,A1,200
        D1,A1,300
        D1,A1,400
    """)
    report = import_paths(seeded, [f])
    assert (report.rows_read, report.loaded, report.quarantined) == (4, 2, 2)
    assert quarantine(seeded) == [(4, "deal_id", "D1", "duplicate deal_id (first on line 2)"),
                                  (5, "deal_id", "D1", "duplicate deal_id (first on line 2)")]
    assert report.files[0].reasons == (("duplicate deal_id", 2),)
    assert seeded.duckdb.execute(
        "SELECT deal_id, amount FROM deals ORDER BY 1").fetchall() == [
        ("D0", 10), ("D1", 100), ("D2", 200)]


def test_negative_amount(seeded, tmp_path):
    f = write(tmp_path / "deals.csv", "deal_id,account_id,amount\nD1,A1,-5\nD2,A1,5\n")
    report = import_paths(seeded, [f])
    assert report.loaded == 1
    assert quarantine(seeded) == [(2, "amount", "-5", "amount is negative")]


def test_activity_after_as_of(seeded, tmp_path):
    f = write(tmp_path / "activities.csv", """
        activity_id,account_id,kind,occurred_at
        T1,A1,call,2024-06-30 23:59:59
        T2,A1,call,2024-07-01 00:00:00
        T3,A1,call,2024-06-30T20:00:00-05:00
    """)
    plan = parse_plan("as_of: 2024-06-30\n")
    report = import_paths(seeded, [f], plan=plan)
    assert report.loaded == 1
    assert quarantine(seeded) == [
        (3, "occurred_at", "2024-07-01 00:00:00", "occurred_at is after as_of 2024-06-30"),
        (4, "occurred_at", "2024-06-30T20:00:00-05:00", "occurred_at is after as_of 2024-06-30"),
    ]


def test_as_of_defaults_to_today_in_the_plan_zone(seeded, tmp_path):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    f = write(tmp_path / "activities.csv",
              f"activity_id,account_id,kind,occurred_at\nT1,A1,call,{tomorrow}\n")
    report = import_paths(seeded, [f])
    assert report.files[0].reasons[0][0].startswith("occurred_at is after as_of ")


def test_required_reference_and_missing_value(seeded, tmp_path):
    f = write(tmp_path / "activities.csv", """
        activity_id,account_id,kind,occurred_at
        T1,NOPE,call,2024-01-01
        T2,,call,2024-01-01
        T3,A1,,2024-01-01
    """)
    import_paths(seeded, [f])
    assert quarantine(seeded) == [(2, "account_id", "NOPE", "account_id not found in accounts"),
                                  (3, "account_id", None, "account_id is required"),
                                  (4, "kind", None, "kind is required")]


def test_strict_commits_nothing(seeded, tmp_path):
    good = write(tmp_path / "accounts.csv", "account_id,name\nA2,Beta\n")
    bad = write(tmp_path / "deals.csv", "deal_id,account_id,amount\nD1,A1,5\nD2,A1,-1\n")
    before = snapshot(seeded)
    with pytest.raises(RejectedRows) as e:
        import_paths(seeded, [good, bad], strict=True)
    assert str(e.value) == (
        "1 row(s) would be quarantined, so nothing was imported (--strict). First: deals.csv "
        "line 3 column 'amount': amount is negative. Fix them, or import without --strict and "
        "inspect them with `covermap status --quarantined`")
    assert snapshot(seeded) == before


def test_a_failing_last_file_leaves_the_store_as_it_was(seeded, tmp_path):
    write(tmp_path / "accounts.csv", "account_id,name\nA2,Beta\n")
    write(tmp_path / "deals.csv", "deal_id,account_id,amount\nD9,A2,5\n")
    write(tmp_path / "activities.csv", "activity_id,account_id,kind\nT1,A2,call\n")
    before = snapshot(seeded)
    with pytest.raises(MissingColumn, match="needs column occurred_at"):
        import_paths(seeded, [tmp_path])
    assert snapshot(seeded) == before


def test_a_killed_import_leaves_the_store_as_it_was(store_path, tmp_path):
    """The child loads accounts inside the transaction, then is killed (SIGKILL) while
    on the next file; the store reopened afterwards is exactly as before."""
    seed = tmp_path / "seed"
    seed.mkdir()
    write(seed / "accounts.csv", "account_id,name\nA1,Acme\n")
    with open_store(store_path) as s:
        import_paths(s, [seed])
        before = snapshot(s)
    data = tmp_path / "data"
    data.mkdir()
    rows = "\n".join(f"B{i},Name {i}" for i in range(200_000))
    write(data / "accounts.csv", "account_id,name\n" + rows + "\n")
    write(data / "deals.csv", "deal_id,account_id,amount\nD1,B1,5\n")
    child = textwrap.dedent(f"""
        import os, signal
        from covermap.importing import import_paths
        from covermap.store.connect import open_store
        def progress(message, done, total):
            if total and done == 1:  # accounts loaded (not committed); deals next
                os.kill(os.getpid(), signal.SIGKILL)
        with open_store({str(store_path)!r}) as s:
            import_paths(s, [{str(data)!r}], progress=progress)
    """)
    # the killed child cannot remove its temporary folder: keep it inside tmp_path
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, env=env)
    assert proc.returncode == -9, proc.stderr.decode()
    with open_store(store_path) as s:
        assert snapshot(s) == before


# -- quoting and line endings (issue 8, points 1, 6 and 8) ------------------------------

AFTER_QUOTE = ('malformed CSV line (text after a closing quote in column name: a quote inside '
               'a quoted value must be doubled (""), a backslash does not escape it)')


def import_bytes(store, tmp_path, data: bytes):
    f = tmp_path / "accounts.csv"
    f.write_bytes(data)
    return import_paths(store, [f])


def names(store) -> list[tuple]:
    return store.duckdb.execute("SELECT account_id, name FROM accounts ORDER BY 1").fetchall()


def test_text_after_a_closing_quote(store, tmp_path):
    """printf 'account_id,name\\nA1,"x"y\\nA2,Gamma\\n': DuckDB's tolerant scan loses A2 too."""
    report = import_bytes(store, tmp_path, b'account_id,name\nA1,"x"y\nA2,Gamma\n')
    assert (report.rows_read, report.loaded, report.quarantined) == (2, 1, 1)
    assert names(store) == [("A2", "Gamma")]
    assert quarantine(store) == [(2, "name", None, AFTER_QUOTE)]
    record = store.duckdb.execute("SELECT record FROM quarantine").fetchone()[0]
    assert record == '"A1,\\"x\\"y"'


def test_backslash_escaped_quotes(store, tmp_path):
    report = import_bytes(store, tmp_path,
                          b'account_id,name\nA1,"Beta \\"Small\\" Co"\nA2,Gamma\nA3,"Ok ""Big"" Co"\n')
    assert (report.rows_read, report.loaded, report.quarantined) == (3, 2, 1)
    assert names(store) == [("A2", "Gamma"), ("A3", 'Ok "Big" Co')]
    assert quarantine(store) == [(2, "name", None, AFTER_QUOTE)]


def test_unescaped_inner_quotes(store, tmp_path):
    """Quotes inside an unquoted value are text; inside a quoted value they end it."""
    report = import_bytes(store, tmp_path, b'account_id,name\nA1,Beta "Small" Co\n'
                                           b'A2,"Beta "Small" Co"\nA3,Gamma\n')
    assert (report.rows_read, report.loaded, report.quarantined) == (3, 2, 1)
    assert names(store) == [("A1", 'Beta "Small" Co'), ("A3", "Gamma")]
    assert quarantine(store) == [(3, "name", None, AFTER_QUOTE)]


def test_every_good_row_of_a_messy_file_lands(store, tmp_path):
    """999 good rows and a bad quote every 50th line: DuckDB's tolerant scan kept far
    fewer good rows than its rejects table reported; the careful reader keeps all."""
    lines = [f'A{i},"x"y' if i % 50 == 7 else f"A{i},Name {i}" for i in range(1020)]
    report = import_bytes(store, tmp_path, ("account_id,name\n" + "\n".join(lines)).encode())
    assert (report.rows_read, report.loaded, report.quarantined) == (1020, 999, 21)
    assert store.duckdb.execute("SELECT count(*), min(name), max(name) FROM accounts "
                                "WHERE name = 'Name ' || substr(account_id, 2)").fetchone() \
        == (999, "Name 0", "Name 999")
    assert [ln for ln, *_ in quarantine(store)] == [i + 2 for i in range(7, 1020, 50)]


def test_unterminated_quote_says_how_many_records_it_swallowed(runner, store_path):
    """Q2's quote never closes: it is quarantined, the reason and the import summary say it
    swallowed the next 2 records, and those two are read on their own."""
    from covermap.cli.main import app

    f = INPUTS / "unterminated-quote-accounts.csv"
    result = runner.invoke(app, ["import", str(f), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    reason = ("unterminated quote in column name swallows the next 2 records (lines 4-5: its "
              "quote never closes, so a reader would take them into this value; they were "
              "read again as records of their own)")
    assert "1 rows quarantined; top reasons:" in result.output
    assert "1  unterminated quote in column name swallows the next 2 records\n" in result.output
    with open_store(store_path) as s:
        assert names(s) == [("Q1", "Alpha"), ("Q3", "Gamma"), ("Q4", "Delta")]
        assert quarantine(s) == [(3, "name", None, reason)]
        assert s.duckdb.execute("SELECT record FROM quarantine").fetchone() == ('"Q2,\\"Beta,GB"',)


def test_a_quote_that_closes_lines_later(store, tmp_path):
    """A stray quote is closed by the next quoted value three lines on: the record in
    between is not lost, the reason names the lines it swallowed."""
    report = import_bytes(store, tmp_path, b'account_id,name\nA1,"Alpha\nA2,Beta\n'
                                           b'A3,"Gamma"\nA4,Delta\n')
    assert (report.rows_read, report.loaded, report.quarantined) == (4, 3, 1)
    assert names(store) == [("A2", "Beta"), ("A3", "Gamma"), ("A4", "Delta")]
    assert quarantine(store) == [(2, "name", None, (
        "unterminated quote in column name swallows the next 2 records (lines 3-4: its quote "
        "does not close properly, so a reader would take them into this value; they were "
        "read again as records of their own)"))]


def test_mixed_line_endings(store):
    """CRLF and LF in one file (and a CRLF inside a quoted value) are read, not rejected."""
    report = import_paths(store, [INPUTS / "mixed-newlines-accounts.csv"])
    assert (report.rows_read, report.loaded, report.quarantined) == (4, 4, 0)
    assert store.duckdb.execute("SELECT account_id, name, country FROM accounts ORDER BY 1"
                                ).fetchall() == [("M1", "Alpha GmbH", "DE"),
                                                 ("M2", "Beta Ltd", "GB"),
                                                 ("M3", "Gamma\r\nand Sons", "US"),
                                                 ("M4", "Delta SA", "FR")]


def test_bare_cr_line_endings(store):
    """Old Mac line endings: the sniffer reads the header, every record lands, lines count
    CR as a line break."""
    report = import_paths(store, [INPUTS / "bare-cr-accounts.csv"])
    assert (report.rows_read, report.loaded, report.quarantined) == (3, 3, 0)
    assert store.duckdb.execute("SELECT account_id, name FROM accounts ORDER BY 1").fetchall() \
        == [("R1", "Alpha"), ("R2", "Beta\rCo"), ("R3", "Gamma")]


def test_lines_are_physical_lines_after_blank_and_multiline_records(store, tmp_path):
    report = import_bytes(store, tmp_path, b'account_id,name,employees\n\nA1,"two\nlines",1\n'
                                           b'\nA2,Beta,x\nA3,Gamma\n')
    assert (report.rows_read, report.loaded, report.quarantined) == (3, 1, 2)
    assert quarantine(store) == [
        (6, "employees", "x", "employees is not a whole number"),
        (7, "employees", None, "short row: only its first 2 of 3 cells (none from employees "
                               "on)")]


def test_header_below_a_blank_line_is_not_a_record(store, tmp_path):
    """DuckDB would take the blank first line for the header and the header for a record."""
    report = import_bytes(store, tmp_path, b"\naccount_id,name\nA1,Alpha\n")
    assert (report.rows_read, report.loaded, report.quarantined) == (1, 1, 0)
    assert names(store) == [("A1", "Alpha")]


def test_a_stray_quote_closed_by_an_inch_mark(store, tmp_path):
    """The quote opened on line 2 closes at 27", on line 4: a record of the wrong width
    that spans lines is no record; its lines are read again. (Of the right width it would
    be a valid record with a value of three lines, as in any CSV reader.)"""
    report = import_bytes(store, tmp_path, b'account_id,name\nA1,"Alpha\nA2,Beta\n'
                                           b'A3,Monitor 27",Tech\nA4,Delta\n')
    assert (report.rows_read, report.loaded, report.quarantined) == (4, 2, 2)
    assert names(store) == [("A2", "Beta"), ("A4", "Delta")]
    assert [r[:2] for r in quarantine(store)] == [(2, "name"), (4, None)]
    assert quarantine(store)[0][3].startswith(
        "unterminated quote in column name swallows the next 2 records (lines 3-4: its quote "
        "does not close properly")
