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
    """A line with too many fields and one with too few are quarantined with DuckDB's
    line numbers; a quoted value spanning two lines counts as one line."""
    report = import_paths(seeded, [INPUTS / "malformed-activities.csv"])
    (f,) = report.files
    assert (f.rows_read, f.loaded, f.quarantined, f.malformed) == (5, 3, 2, 2)
    assert quarantine(seeded) == [
        (3, None, None, "malformed CSV line (too many columns: Expected Number of Columns: 5 "
                        "Found: 6)"),
        (5, "occurred_at", None, "short row: only its first 3 of 5 cells (none from "
                                 "occurred_at on)"),
    ]
    record = seeded.duckdb.execute("SELECT record FROM quarantine WHERE line = 3").fetchone()[0]
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
