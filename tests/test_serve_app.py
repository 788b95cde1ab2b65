"""covermap serve in-process (issue 13, points 2-4): every route through the real ASGI app
over a real store of the sample company, the results kept in the store, the JSON error
shape, sign-in, CSRF, roles and row-level visibility.

The store (300 sample accounts) and its cached results are built once per test session by
:func:`prepared` and copied where a test changes it; test_serve_browser.py uses it too.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from built_once import built_once
from fastapi.testclient import TestClient

from covermap.importing import import_paths
from covermap.plan import parse_plan
from covermap.plan.load import template_text
from covermap.sample import generate_company
from covermap.serve.app import create_app
from covermap.serve.service import Service
from covermap.serve.users import hash_password
from covermap.store.connect import open_store

ACCOUNTS = 300
#: the built-in plan, asking for row-level visibility (a viewer sees their own book)
PLAN = template_text("default") + "\ndashboard:\n  row_level: true\n"
PASSWORDS = {"vera": "viewer-pw", "ed": "editor-pw", "ada": "admin-pw"}
TOKEN = "t0ken-for-scripts"
_BUILT: dict[str, tuple[Path, Path]] = {}


def prepared(tmp_path_factory, accounts: int = ACCOUNTS) -> tuple[Path, Path]:
    """(store, plan file) of the sample company with its results saved in the store; built
    once per run and size (tests/built_once.py), copied once per worker."""
    name = f"serve{accounts}"
    if name not in _BUILT:
        def build(folder: Path) -> None:
            generate_company(folder / "data", accounts=accounts, seed=42)
            (folder / "plan.yaml").write_text(PLAN, "utf-8")
            with open_store(folder / "covermap.duckdb") as s:
                import_paths(s, sorted((folder / "data").glob("*.csv")), plan=parse_plan(PLAN))
            Service(str(folder / "covermap.duckdb"), folder / "plan.yaml").prepare(timeout=300)

        shared = built_once(tmp_path_factory, name, build)
        _BUILT[name] = copy_of((shared / "covermap.duckdb", shared / "plan.yaml"),
                               tmp_path_factory.mktemp(name))
    return _BUILT[name]


def copy_of(src: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    store, plan = folder / "covermap.duckdb", folder / "plan.yaml"
    shutil.copyfile(src[0], store)
    shutil.copyfile(src[1], plan)
    return store, plan


def top_owner(store: Path) -> str:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute("SELECT owner_id FROM accounts WHERE owner_id IS NOT NULL "
                           "GROUP BY ALL ORDER BY count(*) DESC, owner_id LIMIT 1").fetchone()[0]


def users_file(folder: Path, owner: str) -> Path:
    path = folder / "users.toml"
    lines = []
    for name, role in (("vera", "viewer"), ("ed", "editor"), ("ada", "admin")):
        lines += [f"[users.{name}]", f'role = "{role}"',
                  f'password_hash = "{hash_password(PASSWORDS[name])}"']
        if name != "ada":  # viewer and editor see the owner's book (the plan's row_level)
            lines.append(f'user_id = "{owner}"')
        if name == "vera":
            lines.append(f'token_sha256 = "{hashlib.sha256(TOKEN.encode()).hexdigest()}"')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, name: str) -> TestClient:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": name, "password": PASSWORDS[name],
                                    "csrf_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return prepared(tmp_path_factory)


@pytest.fixture(scope="module")
def local(built):
    """The dashboard on the loopback address without a users file: everyone is an admin."""
    store, plan = built
    with TestClient(create_app(Service(str(store), plan))) as c:
        yield c


@pytest.fixture(scope="module")
def signed(built, tmp_path_factory):
    """A dashboard with a users file, and a signed-in client per role (None: anonymous)."""
    store, plan = built
    folder = tmp_path_factory.mktemp("signed")
    app = create_app(Service(str(store), plan), users=_users(folder, store), secret="s3cret")
    clients = {role: TestClient(app) for role in ("anonymous", "viewer", "editor", "admin")}
    for role, name in (("viewer", "vera"), ("editor", "ed"), ("admin", "ada")):
        sign_in(clients[role], name)
    yield clients, top_owner(store)
    for c in clients.values():
        c.close()


def _users(folder: Path, store: Path):
    from covermap.serve.users import load_users

    return load_users(users_file(folder, top_owner(store)))


# -- pages and their JSON, against the analyses' own results -----------------------------

PAGES = ("/", "/coverage", "/map", "/map?cell=customised/high", "/team", "/capacity",
         "/value", "/worklist", "/plan", "/import")


@pytest.fixture(scope="module")
def expected(built):
    """The analyses' results computed directly on the store (what the pages must show)."""
    from covermap import build_map, measure_coverage
    from covermap.coverage.worklist import filter_worklist

    store, plan = built
    p = parse_plan(PLAN)
    with open_store(store, read_only=True) as s:
        cov = measure_coverage(s, p)
        owner = top_owner(store)
        return {
            "summary": cov.summary.execute().to_dict("records"),
            "worklist": cov.worklist.execute()["account_id"].tolist(),
            "owner": owner,
            "owner_worklist": filter_worklist(cov.worklist, owner=owner)
            .execute()["account_id"].tolist(),
            "cells": build_map(s, p).cells.execute().to_dict("records"),
        }


def _same(a, b) -> bool:
    if a is None or b is None or math.isnan(b):  # NaN from pandas is an empty value
        return a is None and (b is None or math.isnan(b))
    return a == pytest.approx(b)


def test_every_page_renders_with_its_charts_and_no_cdn(local):
    for url in PAGES:
        r = local.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        assert "text/html" in r.headers["content-type"]
        assert "http://" not in r.text and "https://" not in r.text, url  # nothing remote
        assert '<script src="/static/plotly.min.js">' in r.text
        for fig in re.findall(r'<script type="application/json" data-chart="[^"]+">(.*?)'
                              r'</script>', r.text, flags=re.DOTALL):
            assert json.loads(fig)["data"], url  # every chart is a figure with its traces
    js = local.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 1_000_000  # the whole library, from the plotly package


def test_overview_shows_the_coverage_summary_row_for_row(local, expected):
    d = local.get("/api/overview").json()
    want = [r for r in expected["summary"] if r["group"] == "state"]
    assert [r["key"] for r in d["by_state"]] == [r["key"] for r in want]
    for got, row in zip(d["by_state"], want, strict=True):
        for k in ("accounts", "checks", "passed", "compliance", "breadth"):
            assert _same(got[k], row[k]), (row["key"], k)
    kpis = {k["key"]: k for k in d["kpis"]}
    total = next(r for r in expected["summary"] if r["group"] == "all")
    assert kpis["compliance"]["value"] == pytest.approx(total["passed"] / total["checks"])
    assert kpis["below_standard"]["value"] == len(set(expected["worklist"]))
    assert d["window"] == {"as_of": "2026-11-15", "start": "2026-05-01", "end": "2026-10-31",
                           "months": 6}


def test_coverage_filters_give_each_filters_rollup(local, expected):
    summary = expected["summary"]
    month = next(r for r in summary if r["group"] == "month")
    d = local.get("/api/coverage", params={"segment": "smb", "state": "loyal",
                                           "month": month["key"]}).json()
    assert [(r["group"], r["key"]) for r in d["rollups"]] == [
        ("all", "all"), ("segment", "smb"), ("state", "loyal"), ("month", month["key"])]
    smb = next(r for r in summary if r["group"] == "segment" and r["key"] == "smb")
    assert d["rollups"][1]["checks"] == smb["checks"]
    assert d["rollups"][3]["compliance"] == pytest.approx(month["compliance"])
    assert all(a["segment"] == "smb" and a["state"] == "loyal" for a in d["accounts"])
    assert d["accounts_total"] == len(d["accounts"]) > 0
    assert [t["key"] for t in d["trend"]] == sorted(r["key"] for r in summary
                                                    if r["group"] == "month")


def test_map_cells_and_a_cells_drill_down(local, expected):
    d = local.get("/api/map").json()
    by = {(c["complexity"], c["value"]): c for c in d["cells"]}
    for row in expected["cells"]:
        got = by[(row["complexity"], row["value"])]
        assert got["revenue"] == pytest.approx(row["revenue"])
        assert got["accounts"] == row["accounts"]
    cell = max(expected["cells"], key=lambda c: c["accounts"])
    drill = local.get(f"/api/map/cells/{cell['complexity']}/{cell['value']}").json()
    assert len({x["account_id"] for x in drill["deals"]}) == cell["accounts"] \
        == len(drill["accounts"])
    assert sum(x["revenue"] for x in drill["deals"]) == pytest.approx(cell["revenue"])
    page = local.get(f"/map?cell={cell['complexity']}/{cell['value']}").text
    assert 'id="drill-deals"' in page and drill["deals"][0]["deal_id"] in page


def test_worklist_filter_and_csv_export(local, expected):
    owner = expected["owner"]
    d = local.get("/api/worklist", params={"owner": owner}).json()
    assert d["total"] == len(expected["owner_worklist"])
    assert [r["account_id"] for r in d["rows"]] == expected["owner_worklist"][:100]
    csv = local.get("/api/worklist.csv", params={"owner": owner})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("rank,account_id,name,state,segment,owner_id")
    assert [x.split(",")[1] for x in lines[1:]] == expected["owner_worklist"]
    everything = local.get("/api/worklist.csv").text.strip().splitlines()
    assert len(everything) - 1 == len(expected["worklist"])


def test_account_page_has_its_checks_team_deals_and_key_players(local, built):
    with duckdb.connect(str(built[0]), read_only=True) as con:
        aid, deals, team = con.execute(
            "SELECT a.account_id, (SELECT count(*) FROM deals d WHERE d.account_id = "
            "a.account_id), (SELECT count(*) FROM account_team t WHERE t.account_id = "
            "a.account_id) FROM accounts a ORDER BY 2 DESC, 3 DESC, 1 LIMIT 1").fetchone()
    d = local.get(f"/api/accounts/{aid}").json()
    assert d["account"]["account_id"] == aid
    assert len(d["deals"]) == deals and len(d["team"]) == team
    assert all(c["account_id"] == aid for c in d["checks"]) and d["checks"]
    assert all(c["passed"] == (c["count"] >= c["min"]) for c in d["checks"])
    assert local.get(f"/accounts/{aid}").status_code == 200


def test_what_if_recomputes_capacity(local):
    base = local.get("/api/capacity").json()
    token = csrf_of(local.get("/capacity").text)
    r = local.post("/api/capacity/what-if", json={"working_weeks": 23},
                   headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    rows = r.json()["scenario"]["rows"]
    before = {(x["segment"], x["role"]): x for x in base["rows"]}
    changed = [x for x in rows if x["needed_by_standard"]]
    assert changed
    for x in changed:  # the plan's 46 working weeks halved: twice the people the standard needs
        was = before[(x["segment"], x["role"])]
        assert x["engagement_hours"] == pytest.approx(was["engagement_hours"] / 2, rel=1e-3)
        assert x["needed_by_standard"] == pytest.approx(2 * was["needed_by_standard"], rel=1e-3)
    page = local.post("/capacity", data={"csrf_token": token, "working_weeks": "23"})
    assert page.status_code == 200
    total = r.json()["scenario"]["needed_by_standard"]
    assert total == pytest.approx(2 * sum(x["needed_by_standard"] or 0 for x in base["rows"]),
                                  rel=1e-3)
    assert f'<strong id="whatif-standard">{total:.1f}</strong>' in page.text


# -- errors: one JSON shape naming the parameter ---------------------------------------------

@pytest.mark.parametrize(("url", "status", "parameter"), [
    ("/api/coverage?segment=nowhere", 404, "segment"),
    ("/api/coverage?state=royal", 404, "state"),
    ("/api/coverage?owner=nobody", 404, "owner"),
    ("/api/coverage?role=pilot", 404, "role"),
    ("/api/coverage?month=2020-01", 404, "month"),
    ("/api/coverage?month=June", 422, "month"),
    ("/api/worklist?owner=nobody", 404, "owner"),
    ("/api/worklist?offset=-1", 422, "offset"),
    ("/api/accounts/NO-SUCH", 404, "account_id"),
    ("/api/map/cells/huge/high", 404, "complexity"),
    ("/api/map/cells/simple/extreme", 404, "value"),
    ("/api/no-such-thing", 404, None),
])
def test_errors_are_json_naming_the_parameter(local, url, status, parameter):
    r = local.get(url)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error", "parameter"} and body["parameter"] == parameter
    assert body["error"] and "Traceback" not in body["error"]


def test_an_unknown_value_lists_the_known_ones_and_pages_show_the_same_error(local):
    body = local.get("/api/coverage?segment=nowhere").json()
    assert body == {"error": "no segment 'nowhere'; known: enterprise, mid_market, smb",
                    "parameter": "segment"}
    page = local.get("/coverage?segment=nowhere")
    assert page.status_code == 404 and "no segment &#39;nowhere&#39;" in page.text
    assert local.post("/api/overview").json() == {
        "error": "POST is not allowed on /api/overview", "parameter": None}


def test_openapi_documents_every_json_endpoint_with_its_model(local):
    spec = local.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/overview", "/api/coverage", "/api/map",
                 "/api/map/cells/{complexity}/{value}", "/api/team", "/api/capacity",
                 "/api/capacity/what-if", "/api/value", "/api/worklist", "/api/worklist.csv",
                 "/api/accounts/{account_id}", "/api/plan", "/api/status", "/api/import"):
        assert path in paths, path
    ok = paths["/api/coverage"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/Coverage"}
    assert {"segment", "state", "owner", "role", "month"} <= {
        p["name"] for p in paths["/api/coverage"]["get"]["parameters"]}
    assert "compliance" in spec["components"]["schemas"]["SummaryRow"]["properties"]
