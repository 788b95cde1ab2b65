"""Commands never destroy what they did not write (issue 8, points 3, 4, 5 and the command
parts of 12): the demo keeps to a folder of its own; no output replaces a store, a plan or
an imported file, and another existing file only with --force; --store is a covermap
DuckDB file, a new path or a URL; bad targets end in one red line, never a traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from covermap.cli.main import app
from covermap.store import schema
from covermap.store.connect import open_store

FILES = {
    "accounts.csv": "account_id,name,owner_id,segment,created_at\n"
                    "A1,Acme,U1,smb,2025-01-01\nA2,Globex,U1,smb,2025-01-01\n",
    "users.csv": "user_id,name,role\nU1,Hana Sato,csm\n",
    "deals.csv": "deal_id,account_id,stage,is_closed,is_won,amount,created_at,close_date\n"
                 "D1,A1,won,true,true,1000,2025-02-01,2025-03-01\n",
    "activities.csv": "activity_id,account_id,kind,occurred_at,user_id\n"
                      "X1,A1,call,2026-05-01,U1\nX2,A2,call,2026-06-02,U1\n",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_line(result) -> str:
    """The one red line a refused command prints (and nothing like a traceback)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0].removeprefix("Error: ")


@pytest.fixture(scope="module")
def crm(tmp_path_factory) -> tuple[Path, Path]:
    """(the exports folder, a store that imported it)."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("safety")
    exports = folder / "exports"
    exports.mkdir()
    for name, text in FILES.items():
        (exports / name).write_text(text, "utf-8")
    store = folder / "crm.duckdb"
    result = CliRunner().invoke(app, ["import", str(exports), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return exports, store


@pytest.fixture
def work(crm, tmp_path, monkeypatch) -> Path:
    """A working folder holding a copy of the store as crm.duckdb (and the exports it
    imported, under their original paths)."""
    shutil.copyfile(crm[1], tmp_path / "crm.duckdb")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- point 3: the demo writes only into a folder of its own --------------------------------

def test_demo_leaves_the_users_store_and_files_alone(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store(tmp_path / "covermap.duckdb") as s:
        s.duckdb.execute("INSERT INTO accounts (account_id, name) VALUES ('MINE', 'Mine')")
    (tmp_path / "report.html").write_text("my report", "utf-8")
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "accounts.csv").write_text("mine\n", "utf-8")
    before = {p: digest(p) for p in tmp_path.rglob("*") if p.is_file()}

    first = runner.invoke(app, ["demo", "--accounts", "40", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert {p: digest(p) for p in before} == before  # the default --out is covermap-demo/
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "covermap-demo", "covermap.duckdb", "report.html", "sample"]
    demo = tmp_path / "covermap-demo"
    assert sorted(p.name for p in demo.iterdir()) == [
        ".covermap-demo", "covermap.duckdb", "report.html", "results", "sample"]
    # run again: the demo replaces its own files (a new store of the same company)
    again = runner.invoke(app, ["demo", "--accounts", "40", "--seed", "3"])
    assert again.exit_code == 0, again.output
    with open_store(demo / "covermap.duckdb", read_only=True) as s:
        assert s.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (40,)
    with open_store(tmp_path / "covermap.duckdb", read_only=True) as s:
        assert s.duckdb.execute("SELECT account_id FROM accounts").fetchall() == [("MINE",)]


def test_demo_refuses_a_folder_it_did_not_write(runner, work):
    before = {p: digest(p) for p in work.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["demo", "--out", ".", "--accounts", "40"])
    assert error_line(result) == (
        ".: this folder holds files covermap demo did not write, and the demo writes only "
        "into a new or empty folder (or one an earlier demo wrote); pass --out a new "
        "folder, e.g. --out covermap-demo")
    assert {p: digest(p) for p in work.rglob("*") if p.is_file()} == before
    assert error_line(runner.invoke(app, ["demo", "--out", "crm.duckdb"])) == (
        "crm.duckdb: is a file; covermap demo writes into a folder of its own: pass --out a "
        "new folder, e.g. --out covermap-demo")


# -- point 4: no output replaces a store, a plan or an input -------------------------------

@pytest.mark.parametrize("command", [
    ["worklist", "--export", "crm.duckdb"],
    ["worklist", "--export", "crm.duckdb", "--force"],
    ["report", "--out", "crm.duckdb", "--force"],
])
def test_an_output_never_replaces_the_store(runner, work, command):
    before = digest(work / "crm.duckdb")
    result = runner.invoke(app, [*command, "--store", "crm.duckdb"])
    option = command[1]
    assert error_line(result) == (
        f"crm.duckdb: is a DuckDB database (a store); covermap never writes an output onto "
        f"it; choose another file for {option}")
    assert digest(work / "crm.duckdb") == before


def test_a_duckdb_file_under_any_name_is_never_replaced(runner, work):
    """A store is known by its magic bytes, not its name."""
    (work / "out").mkdir()
    shutil.copyfile(work / "crm.duckdb", work / "out" / "map_cells.csv")
    before = digest(work / "out" / "map_cells.csv")
    result = runner.invoke(app, ["map", "--store", "crm.duckdb", "--export", "out", "--force"])
    assert error_line(result) == (
        "out/map_cells.csv: is a DuckDB database (a store); covermap never writes an output "
        "onto it; choose another file for --export")
    assert digest(work / "out" / "map_cells.csv") == before
    # every target is checked before any is written
    assert sorted(p.name for p in (work / "out").iterdir()) == ["map_cells.csv"]


def test_an_output_never_replaces_an_imported_file_or_a_plan(runner, work, crm):
    imported = crm[0] / "accounts.csv"
    before = digest(imported)
    result = runner.invoke(app, ["worklist", "--store", "crm.duckdb", "--export",
                                 str(imported), "--force"])
    assert error_line(result) == (
        f"{imported}: is a file the store imported; covermap never writes an output onto it; "
        f"choose another file for --export")
    assert digest(imported) == before
    (work / "plan.yaml").write_text("as_of: 2026-06-30\n", "utf-8")
    result = runner.invoke(app, ["report", "--store", "crm.duckdb", "--out", "plan.yaml",
                                 "--force"])
    assert error_line(result) == (
        "plan.yaml: is the plan of this command; covermap never writes an output onto it; "
        "choose another file for --out")
    (work / "team.yml").write_text("name: x\n", "utf-8")
    result = runner.invoke(app, ["worklist", "--store", "crm.duckdb", "--export", "team.yml",
                                 "--force"])
    assert error_line(result) == (
        "team.yml: is a plan; covermap never writes an output onto it; choose another file "
        "for --export")
    assert (work / "team.yml").read_text("utf-8") == "name: x\n"


def test_init_never_replaces_a_store_or_an_imported_file(runner, work, crm):
    shutil.copyfile(work / "crm.duckdb", work / "covermap.duckdb")  # the default store
    for target, what in [("crm.duckdb", "a DuckDB database (a store)"),
                         (str(crm[0] / "users.csv"), "a file the store imported")]:
        before = digest(Path(target))
        result = runner.invoke(app, ["init", target, "--force"])
        assert error_line(result) == (
            f"{target}: is {what}; covermap never writes an output onto it; choose another "
            f"file for PATH")
        assert digest(Path(target)) == before


def test_an_existing_file_is_replaced_only_when_covermap_wrote_it_or_with_force(runner, work):
    store = ["--store", "crm.duckdb"]
    (work / "notes.csv").write_text("my,own\n1,2\n", "utf-8")
    result = runner.invoke(app, ["worklist", *store, "--export", "notes.csv"])
    assert error_line(result) == (
        "notes.csv exists already and covermap did not write it; pass --force to overwrite "
        "it, or choose another file for --export")
    assert (work / "notes.csv").read_text("utf-8") == "my,own\n1,2\n"
    assert runner.invoke(app, ["worklist", *store, "--export", "notes.csv",
                               "--force"]).exit_code == 0
    header = (work / "notes.csv").read_text("utf-8").splitlines()[0]
    assert header.startswith("account_id,name,state,owner_id,segment,channel,per,by,min,")
    # now it is a worklist covermap wrote: replaced without --force
    again = runner.invoke(app, ["worklist", *store, "--export", "notes.csv"])
    assert again.exit_code == 0, again.output
    # the same for a report and for a folder of results
    (work / "mine.html").write_text("<html>mine</html>", "utf-8")
    result = runner.invoke(app, ["report", *store, "--out", "mine.html"])
    assert error_line(result) == (
        "mine.html exists already and covermap did not write it; pass --force to overwrite "
        "it, or choose another file for --out")
    for _ in range(2):
        result = runner.invoke(app, ["report", *store, "--out", "report.html", "--export",
                                     "results"])
        assert result.exit_code == 0, result.output
    (work / "results" / "coverage_checks.csv").write_text("mine\n", "utf-8")
    result = runner.invoke(app, ["coverage", *store, "--export", "results"])
    assert error_line(result) == (
        "results/coverage_checks.csv exists already and covermap did not write it; pass "
        "--force to overwrite it, or choose another file for --export")
    assert (work / "results" / "coverage_checks.csv").read_text("utf-8") == "mine\n"


def test_sample_replaces_only_a_samples_files(runner, tmp_path):
    out = tmp_path / "exports"
    args = ["sample", "--accounts", "20", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0  # its own files: replaced
    (out / "deals.csv").write_text("deal_id,account_id\nMINE,A1\n", "utf-8")
    assert error_line(runner.invoke(app, args)) == (
        f"{out / 'deals.csv'} exists already and covermap did not write it; pass --force to "
        f"overwrite it, or choose another file for --out")
    assert (out / "deals.csv").read_text("utf-8") == "deal_id,account_id\nMINE,A1\n"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.name}.csv"
                                                           for t in schema.TABLES)


# -- point 5: what a store path may be -----------------------------------------------------

@pytest.mark.parametrize("command", [["import", "exports"], ["status"], ["coverage"]])
def test_a_data_file_is_not_a_store(runner, work, crm, command):
    shutil.copytree(crm[0], work / "exports")
    before = digest(work / "exports" / "accounts.csv")
    result = runner.invoke(app, [*command, "--store", "exports/accounts.csv"])
    assert error_line(result) == (
        "exports/accounts.csv: is not a DuckDB file, so it cannot be a store; to load its "
        "rows run `covermap import exports/accounts.csv --store covermap.duckdb`")
    assert digest(work / "exports" / "accounts.csv") == before


def test_a_store_is_a_duckdb_file_a_new_path_or_a_url(runner, work, crm):
    exports = str(crm[0])
    cases = {
        "new.csv": "new.csv: a store is a DuckDB file, and .csv names a data, plan or report "
                   "file; pass --store new.duckdb",
        "s3://bucket/crm": "s3://bucket/crm: not a kind of store covermap knows; --store "
                           "takes a DuckDB file path such as covermap.duckdb (or "
                           "duckdb://PATH)",
        ".": ".: is a folder; --store takes a DuckDB file, e.g. --store covermap.duckdb",
    }
    for store, message in cases.items():
        for dry_run in ([], ["--dry-run"]):
            result = runner.invoke(app, ["import", exports, "--store", store, *dry_run])
            assert error_line(result) == message
    assert not (work / "new.csv").exists()
    result = runner.invoke(app, ["import", exports, "--store", "duckdb://fresh.duckdb"])
    assert result.exit_code == 0, result.output
    with open_store(work / "fresh.duckdb", read_only=True) as s:
        assert s.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (2,)


def test_a_duckdb_file_that_is_not_a_covermap_store_is_left_as_it_is(runner, work, crm):
    con = duckdb.connect(str(work / "other.duckdb"))
    con.execute("CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (1)")
    con.close()
    result = runner.invoke(app, ["import", str(crm[0]), "--store", "other.duckdb"])
    assert error_line(result) == (
        "other.duckdb: a DuckDB database but not a covermap store (it holds tables "
        "invoices); covermap leaves it as it is: pass --store a new file or a covermap store")
    con = duckdb.connect(str(work / "other.duckdb"), read_only=True)
    assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [
        ("invoices",)]
    con.close()
    # an empty DuckDB file holds nothing to lose: it becomes a store
    duckdb.connect(str(work / "empty.duckdb")).close()
    assert runner.invoke(app, ["import", str(crm[0]), "--store", "empty.duckdb"]).exit_code == 0


# -- point 12: bad places end in covermap's own error --------------------------------------

@pytest.mark.parametrize("command", [
    ["coverage"], ["worklist"], ["map"], ["report"], ["status"], ["import", "crm.duckdb"]])
def test_plan_pointing_at_a_folder(runner, work, command):
    (work / "plans").mkdir()
    result = runner.invoke(app, [*command, "--store", "crm.duckdb", "--plan", "plans"])
    assert error_line(result) == (
        "plans: is a folder; --plan takes a plan file, e.g. plans/plan.yaml (write one with "
        "`covermap init`)")


def test_plan_check_of_a_folder(runner, work):
    assert error_line(runner.invoke(app, ["plan", "check", "."])) == (
        ".: is a folder; --plan takes a plan file, e.g. plan.yaml (write one with "
        "`covermap init`)")


def test_targets_of_the_wrong_kind(runner, work):
    store = ["--store", "crm.duckdb"]
    (work / "afile").write_text("x", "utf-8")
    (work / "afolder").mkdir()
    cases = [
        (["coverage", *store, "--export", "afile"],
         ("afile: is a file, and --export takes a folder; choose a folder (new or existing) "
          "for --export")),
        (["map", *store, "--export", "afile"],
         ("afile: is a file, and --export takes a folder; choose a folder (new or existing) "
          "for --export")),
        (["report", *store, "--export", "afile"],
         ("afile: is a file, and --export takes a folder; choose a folder (new or existing) "
          "for --export")),
        (["sample", "--out", "afile"],
         ("afile: is a file, and --out takes a folder; choose a folder (new or existing) "
          "for --out")),
        (["worklist", *store, "--export", "afolder"],
         ("afolder: is a folder, and --export takes a file; choose a file name for --export, "
          "e.g. afolder/NAME")),
        (["report", *store, "--out", "afolder"],
         ("afolder: is a folder, and --out takes a file; choose a file name for --out, e.g. "
          "afolder/NAME")),
        (["init", "afolder"],
         ("afolder: is a folder, and PATH takes a file; choose a file name for PATH, e.g. "
          "afolder/NAME")),
        (["worklist", *store, "--export", "afile/w.csv"],
         ("afile/w.csv: cannot be created, afile is a file; choose a file in a folder for "
          "--export")),
        (["coverage", *store, "--export", "afile/sub/results"],
         ("afile/sub/results: cannot create this folder (Not a directory); choose a folder "
          "you can write to for --export")),
        (["worklist", *store, "--export", "w.duckdb"],
         ("w.duckdb: .duckdb names a store or a plan, not an output; choose a file named "
          ".csv, .parquet or .html for --export")),
    ]
    for command, message in cases:
        assert error_line(runner.invoke(app, command)) == message, command
    assert (work / "afile").read_text("utf-8") == "x"


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write in: a chmod'ed one, or for root (who may write
    anywhere else) the read-only /sys."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    return Path("/sys")


def test_a_read_only_place(runner, work):
    folder = _read_only_folder(work)
    store = ["--store", "crm.duckdb"]
    for command, option in [(["worklist", *store, "--export", str(folder / "w.csv")],
                             "--export"),
                            (["report", *store, "--out", str(folder / "r.html")], "--out")]:
        message = error_line(runner.invoke(app, command))
        assert message.startswith(f"{folder}: cannot write in this folder (")
        assert message.endswith(f"); choose a folder you can write to for {option}")
    message = error_line(runner.invoke(app, ["coverage", *store, "--export",
                                             str(folder / "results")]))
    assert message.startswith(f"{folder / 'results'}: cannot create this folder (")


def test_a_parquet_worklist_is_known_by_its_columns(runner, work):
    store = ["--store", "crm.duckdb"]
    for _ in range(2):  # the second run replaces the first's file
        result = runner.invoke(app, ["worklist", *store, "--export", "w.parquet"])
        assert result.exit_code == 0, result.output
    con = duckdb.connect()
    con.execute("COPY (SELECT 1 AS mine) TO 'other.parquet' (FORMAT parquet)")
    assert error_line(runner.invoke(app, ["worklist", *store, "--export", "other.parquet"])) \
        == ("other.parquet exists already and covermap did not write it; pass --force to "
            "overwrite it, or choose another file for --export")
    assert con.execute("SELECT * FROM 'other.parquet'").fetchall() == [(1,)]
