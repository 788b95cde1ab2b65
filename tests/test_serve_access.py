"""covermap serve access (issue 13, point 3): every route for anonymous, viewer, editor and
admin; sign-in and out, signed HttpOnly SameSite session cookies, CSRF on every form, bearer
tokens, the users file, the address rule, and row-level visibility (the plan's
dashboard.row_level: a viewer sees only the accounts of their own book)."""

from __future__ import annotations

import re

import duckdb
import pytest
from test_serve_app import PASSWORDS, TOKEN, csrf_of, prepared, sign_in, top_owner, users_file

from covermap.cli.main import app as cli
from covermap.errors import PlanError
from covermap.serve.app import create_app
from covermap.serve.service import Service
from covermap.serve.users import load_users

ROLES = ("anonymous", "viewer", "editor", "admin")
RANK = {r: i for i, r in enumerate(ROLES)}
#: (method, path, body, the least role, the status once allowed): POSTs send a body that
#: passes sign-in and CSRF but fails validation, so the access test changes nothing
ROUTES = [
    ("GET", "/", None, "viewer", 200),
    ("GET", "/coverage", None, "viewer", 200),
    ("GET", "/map", None, "viewer", 200),
    ("GET", "/map?cell=simple/high", None, "viewer", 200),
    ("GET", "/team", None, "viewer", 200),
    ("GET", "/capacity", None, "viewer", 200),
    ("GET", "/value", None, "viewer", 200),
    ("GET", "/worklist", None, "viewer", 200),
    ("GET", "/accounts/{aid}", None, "viewer", 200),
    ("GET", "/groups", None, "viewer", 200),
    ("GET", "/groups/{group_id}", None, "viewer", 404),  # no such group, once allowed
    ("GET", "/territories", None, "viewer", 200),
    ("GET", "/plan", None, "viewer", 200),
    ("GET", "/import", None, "admin", 200),
    ("GET", "/api/overview", None, "viewer", 200),
    ("GET", "/api/coverage", None, "viewer", 200),
    ("GET", "/api/map", None, "viewer", 200),
    ("GET", "/api/map/cells/simple/high", None, "viewer", 200),
    ("GET", "/api/team", None, "viewer", 200),
    ("GET", "/api/capacity", None, "viewer", 200),
    ("GET", "/api/value", None, "viewer", 200),
    ("GET", "/api/worklist", None, "viewer", 200),
    ("GET", "/api/worklist.csv", None, "viewer", 200),
    ("GET", "/api/accounts/{aid}", None, "viewer", 200),
    ("GET", "/api/groups", None, "viewer", 200),
    ("GET", "/api/groups/{group_id}", None, "viewer", 404),
    ("GET", "/api/groups/{group_id}/accounts.csv", None, "viewer", 404),
    ("GET", "/api/territories", None, "viewer", 200),
    ("GET", "/api/plan", None, "viewer", 200),
    ("GET", "/api/status", None, "viewer", 200),
    ("POST", "/capacity", {"working_weeks": "0"}, "editor", 422),
    ("POST", "/api/capacity/what-if", {"json": {"working_weeks": 0}}, "editor", 422),
    ("POST", "/plan", {"text": "states: 3"}, "editor", 422),
    ("POST", "/import", {}, "admin", 422),
    ("POST", "/api/import", {}, "admin", 422),
    ("GET", "/login", None, "anonymous", 200),
    ("POST", "/login", {"username": "nobody", "password": "x"}, "anonymous", 401),
    ("POST", "/logout", {}, "anonymous", 303),
    ("GET", "/openapi.json", None, "anonymous", 200),
    ("GET", "/static/plotly.min.js", None, "anonymous", 200),
    ("GET", "/static/app.css", None, "anonymous", 200),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store, plan = prepared(tmp_path_factory)
    folder = tmp_path_factory.mktemp("access")
    owner = top_owner(store)
    users = load_users(users_file(folder, owner))
    app = create_app(Service(str(store), plan), users=users, secret="s3cret")
    with duckdb.connect(str(store), read_only=True) as con:
        book = {r[0] for r in con.execute(
            "SELECT account_id FROM accounts WHERE owner_id = ? UNION SELECT account_id FROM "
            "account_team WHERE user_id = ? AND (start_date IS NULL OR CAST(start_date AS DATE)"
            " <= DATE '2026-11-15') AND (end_date IS NULL OR CAST(end_date AS DATE) >= "
            "DATE '2026-11-15')", [owner, owner]).fetchall()}
        outside = con.execute("SELECT min(account_id) FROM accounts WHERE account_id NOT IN "
                              "(SELECT unnest(?::VARCHAR[]))", [sorted(book)]).fetchone()[0]
    return app, book, outside


def _client(app, role: str):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    if role != "anonymous":
        sign_in(c, {"viewer": "vera", "editor": "ed", "admin": "ada"}[role])
    return c


@pytest.fixture(scope="module")
def clients(site):
    app = site[0]
    out = {role: _client(app, role) for role in ROLES}
    yield out
    for c in out.values():
        c.close()


def _call(c, method: str, path: str, body):
    if method == "GET":
        return c.get(path, follow_redirects=False)
    token = csrf_of(c.get("/login").text)
    if body and "json" in body:
        return c.post(path, json=body["json"], headers={"X-CSRF-Token": token},
                      follow_redirects=False)
    return c.post(path, data={**(body or {}), "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "least", "status"), ROUTES,
                         ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_every_route_for_every_role(site, clients, role, method, path, body, least, status):
    path = path.replace("{aid}", sorted(site[1])[0])
    # signing out ends the session: a client of its own, so the others stay signed in
    client = _client(site[0], role) if path == "/logout" else clients[role]
    r = _call(client, method, path, body)
    if RANK[role] >= RANK[least]:
        assert r.status_code == status, (r.status_code, r.text[:300])
    elif role == "anonymous" and path.startswith("/api/"):
        assert r.status_code == 401
        assert r.json() == {"error": "sign in first (POST /login) or send Authorization: "
                                     "Bearer TOKEN", "parameter": None}
    elif role == "anonymous":
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login?next=%2F")
    else:
        assert r.status_code == 403
        assert f"needs the {least} role" in r.text


def test_every_route_of_the_app_is_in_the_access_table(site):
    listed = {re.sub(r"\?.*", "", p).replace("{aid}", "{account_id}")
              .replace("/cells/simple/high", "/cells/{complexity}/{value}")
              for _, p, *_ in ROUTES}
    def paths(routes):  # FastAPI keeps an included router whole (original_router)
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                yield from paths(inner.routes)
            elif getattr(r, "path", "/static") != "/static":
                yield r.path

    assert set(paths(site[0].routes)) == listed - {"/static/app.css"}  # the /static mount


def test_the_session_cookie_is_signed_httponly_and_samesite(site):
    from fastapi.testclient import TestClient

    c = TestClient(site[0])
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "vera", "password": PASSWORDS["vera"],
                               "csrf_token": token}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("covermap_session=") and "httponly" in cookie
    assert "samesite=lax" in cookie
    assert c.get("/api/overview").status_code == 200
    value = c.cookies["covermap_session"]
    forged = TestClient(site[0], cookies={
        "covermap_session": value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB")})
    assert forged.get("/api/overview").status_code == 401  # a changed signature: no session


def test_sign_in_failures_logout_and_no_open_redirect(site):
    from fastapi.testclient import TestClient

    c = TestClient(site[0])
    token = csrf_of(c.get("/login").text)
    bad = c.post("/login", data={"username": "vera", "password": "nope", "csrf_token": token})
    assert bad.status_code == 401 and "Wrong user name or password." in bad.text
    nobody = c.post("/login", data={"username": "zed", "password": "x", "csrf_token": token})
    assert nobody.status_code == 401
    r = c.post("/login", data={"username": "ed", "password": PASSWORDS["ed"],
                               "csrf_token": token, "next": "//evil.example/x"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert c.get("/api/overview").status_code == 200
    out = c.post("/logout", data={"csrf_token": csrf_of(c.get("/plan").text)},
                 follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert c.get("/api/overview").status_code == 401


def test_every_form_needs_its_csrf_token(clients):
    editor = clients["editor"]
    for path, data in (("/capacity", {"working_weeks": "20"}), ("/plan", {"text": "x"}),
                       ("/logout", {})):
        for token in (None, "forged"):
            sent = {**data, **({"csrf_token": token} if token else {})}
            r = editor.post(path, data=sent, follow_redirects=False)
            assert r.status_code == 403, path
            assert "CSRF token is missing or stale" in r.text
    r = editor.post("/api/capacity/what-if", json={"working_weeks": 20})
    assert r.status_code == 403 and r.json()["parameter"] == "csrf_token"
    login = clients["anonymous"].post("/login", data={"username": "vera",
                                                      "password": PASSWORDS["vera"]})
    assert login.status_code == 403


def test_a_bearer_token_reads_with_its_users_role_and_needs_no_csrf(site):
    from fastapi.testclient import TestClient

    c = TestClient(site[0], headers={"Authorization": f"Bearer {TOKEN}"})
    assert c.get("/api/overview").status_code == 200
    r = c.post("/api/capacity/what-if", json={"working_weeks": 20})
    assert r.status_code == 403 and "vera is a viewer" in r.json()["error"]
    wrong = TestClient(site[0], headers={"Authorization": "Bearer wrong"})
    assert wrong.get("/api/overview").status_code == 401


def test_row_level_visibility_limits_pages_json_and_csv_to_the_book(site, clients):
    _, book, outside = site
    viewer, admin = clients["viewer"], clients["admin"]
    everything = admin.get("/api/worklist.csv").text.strip().splitlines()[1:]
    mine = [x for x in everything if x.split(",")[1] in book]
    assert 0 < len(mine) < len(everything)
    assert viewer.get("/api/worklist.csv").text.strip().splitlines()[1:] == mine
    assert viewer.get("/api/worklist").json()["total"] == len(mine)
    accounts = viewer.get("/api/coverage").json()
    assert accounts["accounts_total"] == len(book)
    assert {a["account_id"] for a in accounts["accounts"]} <= book
    team = viewer.get("/api/team").json()
    assert {f["account_id"] for f in team["findings"]} <= book
    assert viewer.get(f"/api/accounts/{outside}").json() == {
        "error": f"no account {outside!r}", "parameter": "account_id"}
    assert viewer.get(f"/accounts/{outside}").status_code == 404
    assert admin.get(f"/api/accounts/{outside}").status_code == 200
    cells = admin.get("/api/map").json()["cells"]
    cell = max(cells, key=lambda c: c["accounts"])
    url = f"/api/map/cells/{cell['complexity']}/{cell['value']}"
    assert {d["account_id"] for d in viewer.get(url).json()["deals"]} <= book
    assert len(admin.get(url).json()["accounts"]) == cell["accounts"]


def test_users_file_problems_name_the_user_and_key(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text("users:\n  bob:\n    role: viewer\n    password_hash: hunter2\n", "utf-8")
    with pytest.raises(PlanError) as e:
        load_users(path)
    assert e.value.key == "users.bob.password_hash" and "never a plain password" in str(e.value)
    path.write_text("users:\n  bob:\n    role: boss\n    password_hash: $argon2id$x\n")
    with pytest.raises(PlanError, match="role 'boss' is not one of viewer, editor, admin"):
        load_users(path)


def test_serve_refuses_an_outside_address_without_users_and_hashes_passwords(runner, tmp_path,
                                                                            tmp_path_factory):
    from argon2 import PasswordHasher

    store, _ = prepared(tmp_path_factory)
    r = runner.invoke(cli, ["serve", "--store", str(store), "--host", "0.0.0.0"])
    assert r.exit_code == 1
    assert "--host 0.0.0.0 listens beyond this machine, so it needs sign-in" in r.output
    r = runner.invoke(cli, ["serve", "--store", str(tmp_path / "none.duckdb")])
    assert r.exit_code == 1 and "no store here yet" in r.output
    r = runner.invoke(cli, ["serve", "hash-password"], input="pw1\npw1\n")
    assert r.exit_code == 0
    assert PasswordHasher().verify(r.output.strip().splitlines()[-1], "pw1")
