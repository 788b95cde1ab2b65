"""covermap serve speed (issue 13, point 4): results computed once per (store contents,
plan) and kept in the store's serve_cache schema; pages read them; the first page after an
import or a plan change shows the computation's progress, and the next key's results
replace the old ones. A small company (60 accounts) keeps the recomputations quick."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest
from fastapi.testclient import TestClient
from test_serve_app import copy_of, csrf_of, prepared

from covermap.serve.app import create_app
from covermap.serve.cache import KEEP, SCHEMA
from covermap.serve.service import Service

ACCOUNTS = 60


def _runs(store) -> list[str]:
    with duckdb.connect(str(store), read_only=True) as con:
        return [r[0] for r in con.execute(f"SELECT key FROM {SCHEMA}.runs ORDER BY saved_at")
                .fetchall()]


def _wait_ready(c: TestClient, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not c.get("/api/status").json()["ready"]:
        assert time.monotonic() < deadline, "the results were not computed in time"
        time.sleep(0.3)


@pytest.fixture
def small(tmp_path_factory, tmp_path):
    return copy_of(prepared(tmp_path_factory, ACCOUNTS), tmp_path / "small")


def test_results_are_kept_in_the_store_and_read_by_a_new_server(small):
    store, plan = small
    [key] = _runs(store)
    with duckdb.connect(str(store), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [SCHEMA]).fetchall()}
    assert {f"k{key}_{n}" for n in ("coverage_summary", "coverage_accounts", "worklist",
                                    "map_cells", "map_cell_deals", "team_findings",
                                    "value_summary", "capacity_segments", "book")} <= tables
    service = Service(str(store), plan)
    with TestClient(create_app(service)) as c:
        assert c.get("/api/status").json() == {"ready": True, "progress": None}
        assert c.get("/api/overview").status_code == 200
    assert service.progress() is None  # nothing was computed: the saved tables answered


def test_an_import_and_a_plan_edit_make_the_next_page_show_progress_then_new_results(small):
    store, plan = small
    [old] = _runs(store)
    with TestClient(create_app(Service(str(store), plan))) as c:
        before = c.get("/api/coverage").json()["accounts_total"]
        token = csrf_of(c.get("/import").text)
        csv = b"account_id,name,segment\nNEW-1,Brand New Ltd,smb\n"
        r = c.post("/import", data={"csrf_token": token},
                   files={"files": ("accounts.csv", csv, "text/csv")})
        assert r.status_code == 200 and 'id="imported"' in r.text
        bad = c.post("/plan", data={"csrf_token": token, "text": "window_months: 0\n"})
        assert bad.status_code == 422 and "window_months" in bad.text
        assert plan.read_text("utf-8").endswith("row_level: true\n")  # nothing written
        text = plan.read_text("utf-8").replace("window_months: 6", "window_months: 3")
        assert text != plan.read_text("utf-8")
        r = c.post("/plan", data={"csrf_token": token, "text": text}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/plan?saved=true"
        assert plan.read_text("utf-8") == text
        page = c.get("/coverage")
        assert page.status_code == 503 and page.headers["retry-after"] == "2"
        assert '<meta http-equiv="refresh" content="2">' in page.text
        assert "being computed: step" in page.text
        body = c.get("/api/coverage").json()
        assert body["parameter"] is None and "being computed: step" in body["error"]
        _wait_ready(c)
        after = c.get("/api/coverage").json()
        assert after["accounts_total"] == before + 1
        assert after["window"]["months"] == 3
        assert c.get("/api/accounts/NEW-1").json()["account"]["name"] == "Brand New Ltd"
    runs = _runs(store)
    assert len(runs) == 2 and runs[0] == old and len(runs) <= KEEP


def test_viewers_do_not_block_an_import_by_another_process(small, tmp_path):
    """The shared read-only connection closes once nobody reads, so `covermap import` in
    another process gets the store's lock; the next page then measures the new contents."""
    store, plan = small
    service = Service(str(store), plan)
    csv = tmp_path / "accounts.csv"
    csv.write_text("account_id,name,segment\nEXT-1,Outside Import Ltd,smb\n", "utf-8")
    with TestClient(create_app(service)) as c:
        assert c.get("/api/overview").status_code == 200  # the connection is open now
        time.sleep(service.reader.idle + 1.5)
        r = subprocess.run([sys.executable, "-m", "covermap", "import", str(csv), "--store",
                            str(store), "--plan", str(plan)], capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        assert c.get("/api/status").json()["ready"] is False
        _wait_ready(c)
        assert c.get("/api/accounts/EXT-1").json()["account"]["name"] == "Outside Import Ltd"
