"""covermap serve web security (issue 15, point 3), in-process through the real ASGI app
over the 300-account sample store: every (method, route) of the app against the access
table for anonymous, viewer, editor and admin; CSRF on every state-changing route;
session cookies; the sign-in limiter; security headers and no inline script; body size
limits; argon2 hashes; row-level visibility through every JSON route, page and the CSV.

The access table is test_serve_access.ROUTES (one table for both modules): a route the app
gains without a row there fails here, whatever its method."""

from __future__ import annotations

import re

import duckdb
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from test_serve_access import RANK, ROLES, ROUTES
from test_serve_app import PASSWORDS, TOKEN, csrf_of, prepared, sign_in, top_owner, users_file

from covermap.serve.app import create_app
from covermap.serve.auth import check_csrf
from covermap.serve.security import CSP, LoginLimiter
from covermap.serve.service import Service
from covermap.serve.users import load_users

NAMES = {"viewer": "vera", "editor": "ed", "admin": "ada"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
ACCOUNT = re.compile(r"\bACC-\d+\b")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store, plan = prepared(tmp_path_factory)
    folder = tmp_path_factory.mktemp("security")
    owner = top_owner(store)
    users = load_users(users_file(folder, owner))
    clock = Clock()
    app = create_app(Service(str(store), plan), users=users, secret="s3cret",
                     max_body=4096, max_upload=64 * 1024,
                     login_limiter=LoginLimiter(per_user=3, per_address=5, window=60,
                                                clock=clock))
    with duckdb.connect(str(store), read_only=True) as con:
        book = {r[0] for r in con.execute(
            "SELECT account_id FROM accounts WHERE owner_id = ? UNION SELECT account_id FROM "
            "account_team WHERE user_id = ? AND (start_date IS NULL OR CAST(start_date AS DATE)"
            " <= DATE '2026-11-15') AND (end_date IS NULL OR CAST(end_date AS DATE) >= "
            "DATE '2026-11-15')", [owner, owner]).fetchall()}
        every = {r[0] for r in con.execute("SELECT account_id FROM accounts").fetchall()}
        other = con.execute("SELECT owner_id FROM accounts WHERE owner_id <> ? GROUP BY ALL "
                            "ORDER BY count(*) DESC, owner_id LIMIT 1", [owner]).fetchone()[0]
    return {"app": app, "book": book, "outside": sorted(every - book), "other": other,
            "clock": clock, "limiter": app.state.login_limiter}


@pytest.fixture(scope="module")
def clients(site):
    out = {"anonymous": TestClient(site["app"])}
    for role, name in NAMES.items():
        out[role] = sign_in(TestClient(site["app"]), name)
    yield out
    for c in out.values():
        c.close()


def app_routes(app) -> list[tuple[str, str, object]]:
    """(method, path, route) of every route and method the app answers."""
    def walk(routes):
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
            elif hasattr(r, "methods") and r.methods:
                for m in sorted(r.methods):
                    yield m, r.path, r

    return list(walk(app.routes))


def rule_of(method: str, path: str):
    """The access table's row for ``method path`` (HEAD: its GET's), else None."""
    want = "GET" if method == "HEAD" else method
    for m, example, body, least, status in ROUTES:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", path) + r"(\?.*)?"
        if m == want and re.fullmatch(pattern, example.replace("{aid}", "ACC-0000001")):
            return example, body, least, status
    return None


def test_every_method_of_every_route_has_an_access_rule(site):
    routes = app_routes(site["app"])
    missing = [f"{m} {p}" for m, p, _ in routes if rule_of(m, p) is None]
    assert missing == [], ("routes without an access rule; add them to "
                           f"test_serve_access.ROUTES: {missing}")
    assert {m for m, *_ in routes} <= {"GET", "HEAD", "POST"}  # the table knows no others
    assert len(routes) >= 30


@pytest.mark.parametrize("role", ROLES)
def test_a_method_a_route_lacks_is_refused_before_sign_in(site, clients, role):
    """HEAD, PUT, PATCH and DELETE on every route that lacks them: 405 for everyone (and
    a HEAD a route has follows its GET's rule)."""
    c = clients[role]
    methods: dict[str, set[str]] = {}
    for method, path, _ in app_routes(site["app"]):
        methods.setdefault(path, set()).add(method)
    for path, have in methods.items():
        url = re.sub(r"\{[^}]+\}", "x", path)
        # HEAD under /static falls through to the static mount (no such file there)
        lacking = {"PUT", "PATCH", "DELETE"} | ({"HEAD"} if "/static/" not in path else set())
        for method in sorted(lacking - have):
            r = c.request(method, url, follow_redirects=False)
            assert r.status_code == 405, (role, method, url, r.status_code)
            if method != "HEAD":
                assert f"{method} is not allowed on" in r.text
        if "HEAD" in have:
            example, _, least, status = rule_of("HEAD", path)
            r = c.head(example, follow_redirects=False)
            assert r.status_code == (status if RANK[role] >= RANK[least] else 303)
            assert r.content == b""


def _csrf_dependency(route) -> bool:
    def walk(dep):
        return dep.call is check_csrf or any(walk(d) for d in dep.dependencies)

    return walk(route.dependant)


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(site, clients):
    editor = clients["editor"]
    other = csrf_of(editor.get("/login").text)  # a real token, of another session
    changing = [(m, p, r) for m, p, r in app_routes(site["app"]) if m in STATE_CHANGING]
    assert len(changing) >= 6
    for method, path, route in changing:
        assert isinstance(route, APIRoute) and _csrf_dependency(route), path
        admin = sign_in(TestClient(site["app"]), "ada")  # of its own: /logout ends it
        example, body, _, _ = rule_of(method, path)
        json_body = (body or {}).get("json")
        form = {k: v for k, v in (body or {}).items() if k != "json"}
        for token in (None, "forged", other):
            if json_body is not None:
                r = admin.post(example, json=json_body,
                               headers={"X-CSRF-Token": token} if token else {})
            else:
                r = admin.post(example, data={**form, **({"csrf_token": token} if token
                                                          else {})}, follow_redirects=False)
            assert r.status_code == 403, (path, token, r.status_code)
            assert "CSRF token is missing or stale" in r.text
        # a made-up bearer token does not skip the check (only a valid one does)
        r = admin.post(example, data=form, headers={"Authorization": "Bearer nonsense"},
                       follow_redirects=False)
        assert r.status_code in (401, 403) or (
            r.status_code == 303 and r.headers["location"].startswith("/login")), path
        # with its own token the same request gets past the check
        token = csrf_of(admin.get("/login").text)
        r = (admin.post(example, json=json_body, headers={"X-CSRF-Token": token})
             if json_body is not None else
             admin.post(example, data={**form, "csrf_token": token}, follow_redirects=False))
        assert r.status_code != 403, path


def test_the_session_cookie_is_secure_over_https_only(site):
    for base, secure in (("https://testserver", True), ("http://testserver", False)):
        c = TestClient(site["app"], base_url=base)
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "vera", "password": PASSWORDS["vera"],
                                   "csrf_token": token}, follow_redirects=False)
        attrs = [a.strip().lower() for a in r.headers["set-cookie"].split(";")]
        assert attrs[0].startswith("covermap_session=")
        assert {"httponly", "samesite=lax", "path=/"} <= set(attrs)
        assert ("secure" in attrs) is secure, base
        assert ("strict-transport-security" in r.headers) is secure


def test_a_session_cookie_with_a_forged_payload_is_no_session(site):
    import base64
    import json

    c = sign_in(TestClient(site["app"]), "vera")
    payload, _, signed = c.cookies["covermap_session"].partition(".")
    session = json.loads(base64.b64decode(payload))
    assert session["user"] == "vera"
    forged = base64.b64encode(json.dumps({**session, "user": "ada"}).encode()).decode()
    f = TestClient(site["app"], cookies={"covermap_session": f"{forged}.{signed}"})
    assert f.get("/api/overview").status_code == 401
    assert f.get("/import", follow_redirects=False).status_code == 303  # to sign in
    assert c.get("/import").status_code == 403  # vera herself is a viewer


def test_sign_in_is_limited_per_user_name_and_per_address(site):
    clock, limiter = site["clock"], site["limiter"]
    c = TestClient(site["app"])
    token = csrf_of(c.get("/login").text)

    def attempt(name: str, password: str):
        nonlocal token
        r = c.post("/login", data={"username": name, "password": password,
                                   "csrf_token": token}, follow_redirects=False)
        if r.status_code == 303:  # signing in starts a new session with a new token
            token = csrf_of(c.get("/login").text)
        return r

    start = clock.now = clock.now + 1000  # past every earlier test's failures
    for i in range(3):
        clock.now = start + i
        assert attempt("vera", "wrong").status_code == 401
    clock.now = start + 10
    r = attempt("vera", PASSWORDS["vera"])  # the right password, refused all the same
    assert r.status_code == 429 and r.headers["retry-after"] == "50"
    assert ("too many failed sign-ins for &#39;vera&#39; (3 within 1 minute); try again in "
            "50 s") in r.text
    # another user from the same address: two more failures fill the address's five
    for _ in range(2):
        assert attempt("ed", "wrong").status_code == 401
    r = attempt("ed", PASSWORDS["ed"])
    assert r.status_code == 429 and "too many failed sign-ins from testclient (5 within " \
                                    "1 minute); try again in 50 s" in r.text
    clock.now = start + 100  # every failure is older than the window
    assert attempt("vera", PASSWORDS["vera"]).status_code == 303
    assert not limiter._recent("user", "vera", clock.now)
    for _ in range(2):  # the success cleared vera's count: two failures do not lock her
        assert attempt("vera", "wrong").status_code == 401
    assert attempt("vera", PASSWORDS["vera"]).status_code == 303
    clock.now += 1000


def test_every_response_carries_the_security_headers(site, clients):
    app = TestClient(site["app"], raise_server_exceptions=False)

    @site["app"].get("/__boom", include_in_schema=False)  # a bug: the plain 500 page
    def _boom():
        raise RuntimeError("bug")

    try:
        admin = clients["admin"]
        aid = min(site["book"])
        seen = []
        for method, path, _ in app_routes(site["app"]):
            if method == "GET" and path != "/__boom":
                example, *_ = rule_of(method, path)
                seen.append(admin.get(example.replace("{aid}", aid), follow_redirects=False))
        seen += [app.get("/", follow_redirects=False), app.get("/api/overview"), admin.get("/no/such/page"),
                 admin.get("/api/accounts/nobody"), admin.put("/plan"),
                 admin.get("/api/coverage?month=13"), app.get("/__boom"),
                 admin.post("/plan", content=b"x" * 5000,
                            headers={"content-type": "application/x-www-form-urlencoded"}),
                 admin.get("/static/app.css"), admin.get("/static/nothing.js")]
        statuses = set()
        for r in seen:
            statuses.add(r.status_code)
            h = r.headers
            assert h["content-security-policy"] == CSP, r.url
            assert h["x-content-type-options"] == "nosniff"
            assert h["x-frame-options"] == "DENY"
            assert h["referrer-policy"] == "same-origin"
            if "/static/" not in str(r.url):
                assert h["cache-control"] == "no-store", r.url
        assert {200, 303, 401, 404, 405, 413, 422, 500} <= statuses
    finally:
        site["app"].router.routes.pop()
    policy = dict(p.strip().split(" ", 1) for p in CSP.split(";"))
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'none'"


def test_pages_have_no_inline_script_and_chart_data_cannot_end_its_block(site, clients):
    from covermap.serve.templating import figure

    admin = clients["admin"]
    aid = min(site["book"])
    pages = [rule_of(m, p)[0].replace("{aid}", aid) for m, p, _ in app_routes(site["app"])
             if m == "GET" and not p.startswith(("/api/", "/static", "/openapi"))]
    assert len(pages) >= 10
    for url in pages:
        html = admin.get(url).text
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL):
            src = re.search(r'src="([^"]+)"', attrs)
            if src:
                assert src.group(1).startswith("/static/") and not body.strip(), url
            else:  # data only: the page's own app.js reads it
                assert 'type="application/json"' in attrs, (url, attrs)
        assert not re.search(r"\son[a-z]+\s*=", html) and "javascript:" not in html, url
    evil = "</script><script>alert(1)</script>&<!--"
    text = figure([{"type": "bar", "x": [evil], "y": [1]}])
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text)["data"][0]["x"] == [evil]


def test_request_bodies_over_the_limit_are_refused(site, clients):
    admin = clients["admin"]
    token = csrf_of(admin.get("/login").text)
    r = admin.post("/plan", data={"text": "x" * 5000, "csrf_token": token})
    assert r.status_code == 413 and "larger than 4,096 bytes" in r.text
    r = admin.post("/api/capacity/what-if", content=b"{" + b" " * 5000 + b"}",
                   headers={"X-CSRF-Token": token, "content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"error": "the request body is larger than 4,096 bytes, the most this "
                                 "dashboard accepts here", "parameter": None}
    big = {"files": ("accounts.csv", b"account_id\n" + b"ACC-1\n" * 12_000, "text/csv")}
    r = admin.post("/api/import", files=big, headers={"X-CSRF-Token": token})
    assert r.status_code == 413 and "larger than 65,536 bytes" in r.json()["error"]
    small = {"files": ("notes.csv", b"a,b\n1,2\n" * 1000, "text/csv")}  # 8 kB: an upload
    r = admin.post("/api/import", files=small, headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and r.json()["parameter"] == "files"  # past the limit check


def test_passwords_are_argon2id_hashes_checked_by_the_library(tmp_path):
    from argon2 import PasswordHasher, extract_parameters

    from covermap.serve.users import check_password, hash_password

    a, b = hash_password("pw"), hash_password("pw")
    assert a != b and a.startswith("$argon2id$v=19$")  # salted: never the same twice
    p = extract_parameters(a)
    # at least OWASP's argon2id minimum (19 MiB, 2 passes)
    assert p.memory_cost >= 19 * 1024 and p.time_cost >= 2
    assert PasswordHasher().verify(a, "pw")
    users = load_users(users_file(tmp_path, "USR-1"))
    assert check_password(users, "vera", PASSWORDS["vera"]).name == "vera"
    assert check_password(users, "vera", PASSWORDS["ed"]) is None
    assert check_password(users, "nobody", PASSWORDS["vera"]) is None
    path = tmp_path / "bcrypt.toml"
    path.write_text('[users.bob]\nrole = "viewer"\npassword_hash = "$2b$12$abcdefghijkl"\n')
    from covermap.errors import PlanError

    with pytest.raises(PlanError, match="not an argon2 hash"):
        load_users(path)


def _leaks(text: str, book: set[str]) -> set[str]:
    return set(ACCOUNT.findall(text)) - book


def test_row_level_visibility_holds_on_every_get_route_json_page_and_csv(site, clients):
    """The viewer (and her bearer token) over every GET route of the app, with filters
    that name another owner and every map cell: no account id outside her book appears
    in any answer, and every account outside it answers 404."""
    book, other = site["book"], site["other"]
    token = TestClient(site["app"], headers={"Authorization": f"Bearer {TOKEN}"})
    cells = [f"{c}/{v}" for c in ("simple", "bundled", "customised")
             for v in ("low", "medium", "high")]
    urls = []
    for method, path, _ in app_routes(site["app"]):
        if method != "GET" or path.startswith(("/static", "/openapi", "/login")):
            continue
        example = rule_of(method, path)[0]
        if "{aid}" in example or "cells" in example or "cell=" in example:
            continue
        join = "&" if "?" in example else "?"
        urls += [example, f"{example}{join}owner={other}", f"{example}{join}owner={other}&offset=0"]
    urls += [f"/api/map/cells/{c}" for c in cells] + [f"/map?cell={c}" for c in cells]
    urls += [f"/api/accounts/{a}" for a in sorted(book)[:3]]
    admin_total = clients["admin"].get("/api/worklist.csv").text
    assert _leaks(admin_total, book)  # the admin sees accounts outside the book
    for client in (clients["viewer"], token):
        for url in urls:
            r = client.get(url)
            assert r.status_code in (200, 403, 404), (url, r.status_code)
            assert _leaks(r.text, book) == set(), url
        for aid in site["outside"][:20]:
            assert client.get(f"/api/accounts/{aid}").status_code == 404
            assert client.get(f"/accounts/{aid}").status_code == 404
    mine = clients["viewer"].get("/api/worklist.csv")
    assert set(ACCOUNT.findall(mine.text)) <= book and ACCOUNT.findall(mine.text)
    assert clients["viewer"].get(f"/api/worklist?owner={other}").json()["total"] == 0


def test_reflected_values_are_escaped_and_sign_in_never_leaves_the_site(site, clients):
    admin = clients["admin"]
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    from urllib.parse import quote

    for url in (f"/accounts/{quote(evil, safe='')}", f"/coverage?segment={quote(evil)}",
                f"/map?cell={quote(evil)}/high", f"/worklist?owner={quote(evil)}",
                f"/api/accounts/{quote(evil, safe='')}", f"/login?next=/{quote(evil)}"):
        r = admin.get(url)
        assert r.status_code in (200, 404, 422), url
        if url.startswith("/api/"):  # JSON, never sniffed as HTML
            assert r.headers["content-type"] == "application/json"
            assert r.headers["x-content-type-options"] == "nosniff"
        else:
            assert r.headers["content-type"].startswith("text/html")
            assert "<script>alert" not in r.text and "<img src=x" not in r.text, url
    c = TestClient(site["app"])
    for target in ("//evil.example", "/\\evil.example", "/\t/evil.example",
                   "/\n/evil.example", "https://evil.example/", "javascript:alert(1)"):
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "vera", "password": PASSWORDS["vera"],
                                   "csrf_token": token, "next": target},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target
