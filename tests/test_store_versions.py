"""Reads never wait for an import (issue 15, point 1): an import writes the store's next
version beside it and switches atomically (covermap.store.versions). While one is held
half-way, `covermap coverage`, `covermap status` and `covermap serve` answer from the
version before; a second import waits for the first (or fails, saying who holds the store);
an import killed at any moment leaves the store identical, table by table."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from test_serve_app import copy_of, prepared

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from bench_store_kill import checksums, kill_trials, renamed_accounts

from covermap.cli.main import app
from covermap.importing import import_paths
from covermap.serve.app import create_app
from covermap.serve.service import Service
from covermap.store import versions
from covermap.store.connect import open_store

SERVE_ACCOUNTS = 60


class Held:
    """Pause the writer running on one thread at a point of store.versions until released;
    ``on_waiting`` runs when another writer starts waiting for the store."""

    def __init__(self, point: str = "publish") -> None:
        self.point, self.thread = point, None
        self.reached, self.release = threading.Event(), threading.Event()
        self.on_waiting = None

    def __call__(self, point: str, path: Path) -> None:
        if point == self.point and threading.current_thread() is self.thread:
            self.reached.set()
            assert self.release.wait(120), "the test never released the import"
        if point == "waiting" and self.on_waiting is not None:
            self.on_waiting()

    def start(self, target) -> threading.Thread:
        def run():
            try:
                target()
            except BaseException as e:  # noqa: BLE001 (re-raised by finish)
                self.error = e
                self.reached.set()
        self.error = None
        self.thread = threading.Thread(target=run, daemon=True)
        versions.hooks.append(self)
        self.thread.start()
        assert self.reached.wait(120), "the import never reached " + self.point
        return self.thread

    def finish(self) -> None:
        self.release.set()
        self.thread.join(120)
        versions.hooks.remove(self)
        if self.error is not None:
            raise self.error


def _import(store: Path, csv: Path, plan=None, **kw):
    def run():
        with open_store(store, **kw) as s:
            import_paths(s, [csv], plan=plan)
    return run


@pytest.fixture
def served(tmp_path_factory, tmp_path):
    store, plan = copy_of(prepared(tmp_path_factory, SERVE_ACCOUNTS), tmp_path / "s")
    csv = tmp_path / "accounts.csv"
    csv.write_text("account_id,name,segment\nEXT-1,Versioned Import Ltd,smb\n", "utf-8")
    return store, plan, csv


def _status_accounts(runner, store: Path) -> str:
    r = runner.invoke(app, ["status", "--store", str(store)])
    assert r.exit_code == 0, r.output
    return next(line.split("│")[2].strip() for line in r.output.splitlines()
                if line.startswith("│ accounts "))


def test_reads_answer_from_the_version_before_while_an_import_is_held(served, runner):
    store, plan, csv = served
    before = checksums(store)
    service = Service(str(store), plan)
    held = Held()
    with TestClient(create_app(service)) as c:
        total = c.get("/api/coverage").json()["accounts_total"]
        assert c.get("/api/accounts/EXT-1").status_code == 404
        held.start(_import(store, csv))  # written, checkpointed, not switched yet
        try:
            assert _status_accounts(runner, store) == f"{SERVE_ACCOUNTS}"
            r = runner.invoke(app, ["coverage", "--store", str(store), "--plan", str(plan)])
            assert r.exit_code == 0, r.output
            assert c.get("/api/coverage").json()["accounts_total"] == total
            assert c.get("/api/accounts/EXT-1").status_code == 404
            assert checksums(store) == before
        finally:
            held.finish()
        # the page's connection moves to the new version; the status command then opens it
        # (in one process DuckDB gives every connection to a path the database open there)
        assert c.get("/api/status").json()["ready"] is False  # the new version's key
        assert _status_accounts(runner, store) == f"{SERVE_ACCOUNTS + 1}"
        service.prepare(timeout=300)
        assert c.get("/api/accounts/EXT-1").json()["account"]["name"] == "Versioned Import Ltd"
    assert sorted(p.name for p in store.parent.iterdir()) == ["covermap.duckdb", "plan.yaml"]


def test_a_second_import_waits_for_the_first_then_runs(served, runner):
    store, _, csv = served
    second = csv.with_name("more_accounts.csv")
    second.write_text("account_id,name\nEXT-2,Second Import Ltd\n", "utf-8")
    held = Held()
    held.on_waiting = held.release.set  # the second import waiting lets the first go on
    held.start(_import(store, csv))
    try:
        r = runner.invoke(app, ["import", str(second), "--store", str(store), "--wait", "60"])
    finally:
        held.finish()
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert f"Waiting: process {os.getpid()} (covermap" in said
    assert f"is writing {store}; this import starts when it has finished" in said
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT list(account_id ORDER BY account_id) FROM accounts WHERE "
                           "account_id LIKE 'EXT-%'").fetchone()[0] == ["EXT-1", "EXT-2"]
        assert con.execute(  # the held import first, then the one that waited
            "SELECT list(regexp_extract(file, '[^/]+$') ORDER BY import_id) FROM imports "
            "WHERE import_id >= (SELECT max(import_id) - 1 FROM imports)").fetchone()[0] \
            == ["accounts.csv", "more_accounts.csv"]


def test_a_second_import_that_cannot_wait_fails_and_writes_nothing(served, runner):
    store, _, csv = served
    held = Held()
    held.start(_import(store, csv))
    try:
        before = checksums(store)
        r = runner.invoke(app, ["import", str(csv), "--store", str(store), "--wait", "0"])
        assert r.exit_code == 1
        assert f"Error: {store}: process {os.getpid()} (covermap" in " ".join(r.output.split())
        assert ("is writing the store, and it did not finish in 0 s; nothing was written. Run "
                "again once it has finished, or pass --wait with more seconds"
                ) in " ".join(r.output.split())
        assert checksums(store) == before
    finally:
        held.finish()


def test_a_failed_import_leaves_the_store_as_it_was_and_no_file_beside_it(served):
    store, _, csv = served
    before = checksums(store)
    with pytest.raises(KeyError), open_store(store) as s:
        import_paths(s, [csv])
        raise KeyError("a failure after the import's transaction committed")
    assert checksums(store) == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["covermap.duckdb", "plan.yaml"]


# -- SIGKILL at random moments --------------------------------------------------------------

def _cli_import(args: list[str]) -> None:
    """A forked process running `covermap import` (forkserver: covermap is loaded already)."""
    os.environ["COLUMNS"] = "200"
    app(["import", *args], prog_name="covermap")


def _forked(args: list[str] | None):
    """Start `covermap import args` in a process forked from a server that has loaded
    covermap (no interpreter start per trial); ``None``: a process doing nothing."""
    ctx = multiprocessing.get_context("forkserver")
    p = ctx.Process(target=_cli_import if args is not None else int, args=(args,) if args
                    is not None else ())
    p.start()

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):  # it may have finished
            os.kill(p.pid, signal.SIGKILL)
        p.join()
    return p.is_alive, kill


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """A 600-account sample company's store, and an accounts file changing every account."""
    from covermap.sample import generate_company

    folder = tmp_path_factory.mktemp("kill")
    generate_company(folder / "data", accounts=600, seed=7)
    store = folder / "store" / "covermap.duckdb"
    store.parent.mkdir()
    with open_store(store) as s:
        import_paths(s, sorted((folder / "data").glob("*.csv")))
    return store, renamed_accounts(folder / "data", folder / "accounts.csv")


@pytest.mark.slow
def test_an_import_killed_at_random_moments_leaves_the_store_identical(sample_store):
    multiprocessing.set_forkserver_preload(["covermap.cli.main", "covermap.importing"])
    _forked(None)[1]()  # the server starts (and loads covermap) before the clock does
    store, accounts = sample_store
    result = kill_trials(store, [accounts], trials=20, seed=15, spawn=_forked)
    print("kill trials:", result)
    assert result["before"] >= 5, result  # most kills land before the switch


def test_a_log_left_by_a_killed_writer_is_carried_into_the_next_version(tmp_path):
    """A write-ahead log beside the store (a process writing the file itself was killed; or
    a writer was killed after moving the log aside, before its switch) holds committed rows:
    the next version has them, and no log is left beside it (DuckDB would replay a log onto
    whatever file has its name)."""
    store = tmp_path / "covermap.duckdb"
    with open_store(store):
        pass
    code = (f"import duckdb, os; c = duckdb.connect({str(store)!r}); "
            f"c.execute(\"SET checkpoint_threshold = '1TB'\"); "
            f"c.execute(\"INSERT INTO users (user_id, name) VALUES ('u1', 'Logged')\"); "
            f"os._exit(0)")
    subprocess.run([sys.executable, "-c", code], timeout=60, check=True)
    wal = Path(f"{store}.wal")
    assert wal.stat().st_size > 0
    aside = tmp_path / f".covermap.duckdb.covermap-wal-of-{store.stat().st_ino}"
    os.replace(wal, aside)  # where a writer killed before its switch leaves it
    with open_store(store) as s:
        s.duckdb.execute("INSERT INTO users (user_id, name) VALUES ('u2', 'Next')")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["covermap.duckdb"]
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT list(name ORDER BY user_id) FROM users").fetchone()[0] == [
            "Logged", "Next"]


def test_results_computed_on_a_version_an_import_replaced_are_not_saved(tmp_path):
    """The dashboard saves its results as a version of the store too, and only onto the
    version they were computed from: after an import they would belong to no current key."""
    from covermap.serve import cache

    store = tmp_path / "covermap.duckdb"
    with open_store(store):
        pass
    computed_on = versions.current(store)
    with open_store(store) as s:
        s.duckdb.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme')")
    assert not cache.save_version(str(store), computed_on, "k1", {}, {"window": {}})
    assert cache.save_version(str(store), versions.current(store), "k2", {}, {"window": {}})
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute(f"SELECT list(key) FROM {cache.SCHEMA}.runs").fetchone()[0] == ["k2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["covermap.duckdb"]
