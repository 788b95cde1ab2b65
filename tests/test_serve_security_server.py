"""covermap serve web security through real server processes (issue 15, point 3): what
only a real HTTP server shows. Request targets are sent byte for byte (http.client, no URL
normalising), so ``../``, ``%2e%2e``, absolute paths and NUL reach uvicorn as a client
would send them; X-Forwarded-Proto is believed only from a --trusted-proxy address; a
chunked body is cut off at the limit; upload file names never leave the upload's folder;
without sign-in only this machine's own Host names are answered; and Chromium loads every
page and its charts under the Content-Security-Policy with no violation reported.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from test_serve_app import PASSWORDS, copy_of, csrf_of, prepared, top_owner, users_file
from test_serve_browser import CHROMIUM, PAGES, _start, _wait

SECRETS = ("def create_app", "root:x:0:0", "DUCK", "[users.", "$argon2")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """``signed``: with a users file, 127.0.0.1 as its trusted proxy and a 1 MiB upload
    limit; ``local``: no users file (this machine only), no proxy believed."""
    folder = tmp_path_factory.mktemp("secserver")
    store, plan = copy_of(prepared(tmp_path_factory), folder)
    users = users_file(folder, top_owner(store))
    common = ["--store", str(store), "--plan", str(plan)]
    logs = {n: folder / f"{n}.log" for n in ("signed", "local")}
    with logs["signed"].open("w") as a, logs["local"].open("w") as b:
        signed = _start([*common, "--users", str(users), "--trusted-proxy", "127.0.0.1",
                         "--max-upload-mb", "1"], a, {"COVERMAP_SECRET": "sec-test"})
        local = _start(common, b)
    procs = {"signed": signed, "local": local}
    try:
        for name, (proc, port) in procs.items():
            _wait(proc, port, logs[name])
        yield {n: port for n, (_, port) in procs.items()} | {"folder": folder}
    finally:
        for proc, _ in procs.values():
            proc.terminate()
            proc.wait(10)


@contextmanager
def _signed_in(port: int, name: str = "ada") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": name, "password": PASSWORDS[name],
                                   "csrf_token": token})
        assert r.status_code == 303
        yield c


def _raw(port: int, method: str, target: str, headers: dict[str, str] | None = None,
         body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        con.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            con.putheader(k, v)
        if body is not None:
            con.putheader("Content-Length", str(len(body)))
        con.endheaders(body)
        r = con.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        con.close()


TRAVERSALS = [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/%2e%2e%2fapp.py",
    "/static/..%2fapp.py", "/static/..%5capp.py", "/static/....//app.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/app.css%00.js",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/plotly.min.js/../../app.py",
    "/accounts/..%2f..%2fetc%2fpasswd", "/accounts/%2e%2e", "/accounts/%00",
    "/api/accounts/..%2F..%2Fcovermap.duckdb", "/api/accounts/%2Fetc%2Fpasswd",
    "/api/accounts/%00", "/api/accounts/..", "/api/accounts/.%2e",
    "/api/accounts/x'%20OR%20'1'='1",
    "/api/worklist.csv?owner=../../etc/passwd", "/api/worklist.csv?segment=%2e%2e%2f",
    "/api/worklist.csv?state=%00", "/api/coverage?month=../../x",
    "/map?cell=../../etc/passwd", "/map?cell=%2e%2e%2f%2e%2e", "/api/map/cells/..%2f../x",
    "/api/map/cells/%00/high", "/login?next=/%09/evil.example",
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.fixture(scope="module")
def cookie(servers) -> str:
    with _signed_in(servers["signed"]) as c:
        return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal_through_any_parameter(servers, cookie, target):
    status, headers, body = _raw(servers["signed"], "GET", target, {"Cookie": cookie})
    assert status in (200, 400, 404, 422), (target, status, body[:200])
    text = body.decode("utf-8", "replace")
    assert not any(s in text for s in SECRETS), target
    if status == 200:  # an answer of the site's own: a page or JSON, never a file
        assert headers["content-type"].startswith(("text/html", "application/json")), target
        assert "evil.example" not in text.replace("/%09/evil.example", "")


def test_upload_file_names_stay_inside_the_uploads_folder(servers):
    folder = servers["folder"]
    with _signed_in(servers["signed"]) as c:
        _uploads(c, folder)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("pwned")) == []
    assert not any(p.name.startswith("pwned") for p in folder.parent.iterdir())


def _uploads(c, folder) -> None:
    token = csrf_of(c.get("/import").text)
    # each of these reaches the import (a name of its own, inside the upload's folder),
    # which refuses a file of no CRM table
    names = [f"../../../../{folder}/pwned1.csv", f"{folder}/pwned2.csv",
             f"..\\..\\..\\{folder}\\pwned3.csv"]
    for name in names:
        r = c.post("/api/import", files={"files": (name, b"a,b\n1,2\n", "text/csv")},
                   headers={"X-CSRF-Token": token})
        assert r.status_code == 422 and r.json()["parameter"] == "files", (name, r.text)
    for name in ("..", ".", ".hidden.csv", "x\x00.csv", "x\n.csv"):
        r = c.post("/api/import", files={"files": (name, b"a,b\n1,2\n", "text/csv")},
                   headers={"X-CSRF-Token": token})
        assert r.status_code in (400, 422), (name, r.status_code, r.text)


def test_bodies_over_the_limit_are_refused_declared_or_chunked(servers):
    with _signed_in(servers["signed"]) as c:
        _too_large(c)


def _too_large(c) -> None:
    token = csrf_of(c.get("/plan").text)

    def chunks():
        for _ in range(40):  # 2.5 MiB, sent without a Content-Length
            yield b"x" * 65536

    r = c.post("/api/capacity/what-if", content=chunks(),
               headers={"X-CSRF-Token": token, "content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == ("the request body is larger than 1,048,576 bytes, the most "
                                 "this dashboard accepts here")
    upload = {"files": ("accounts.csv", b"account_id\n" + b"ACC-0000001\n" * 100_000,
                        "text/csv")}  # 1.2 MB against --max-upload-mb 1
    r = c.post("/api/import", files=upload, headers={"X-CSRF-Token": token})
    assert r.status_code == 413 and "larger than 1,048,576 bytes" in r.json()["error"]


def test_secure_cookies_from_a_trusted_proxy_only(servers):
    for name, secure in (("signed", True), ("local", False)):
        status, headers, _ = _raw(servers[name], "GET", "/login",
                                  {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
        assert status == 200
        attrs = [a.strip().lower() for a in headers["set-cookie"].split(";")]
        assert ("secure" in attrs) is secure, name
        assert ("strict-transport-security" in headers) is secure, name
        plain = _raw(servers[name], "GET", "/login", {"Host": "127.0.0.1"})[1]
        assert "secure" not in plain["set-cookie"].lower(), name  # plain HTTP: no Secure


def test_without_sign_in_only_this_machines_names_are_answered(servers):
    port = servers["local"]
    for host, ok in ((f"127.0.0.1:{port}", True), (f"localhost:{port}", True),
                     ("evil.example", False), (f"rebound.example:{port}", False)):
        status, headers, body = _raw(port, "GET", "/api/overview", {"Host": host})
        assert (status != 400) is ok, host
        assert headers["x-frame-options"] == "DENY"
        if not ok:
            assert body == b"this dashboard answers only for 127.0.0.1, ::1, localhost"
    # with a users file any name is answered (the server has sign-in)
    assert _raw(servers["signed"], "GET", "/login", {"Host": "dash.example"})[0] == 200


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (CI installs it)")
def test_every_page_and_chart_loads_under_the_content_security_policy(servers):
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{servers['signed']}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" and not
                m.location.get("url", "").endswith("/favicon.ico") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "ed")
        page.fill("input[name=password]", PASSWORDS["ed"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for path in [*PAGES.values(), "/map?cell=customised/high"]:
            page.goto(f"{base}{path}")
            charts = page.locator("div.chart").count()
            if charts:  # drawn by plotly.min.js and app.js, both from /static
                page.wait_for_function(
                    f"document.querySelectorAll('div.chart .main-svg').length >= {charts}")
        browser.close()
    assert problems == []


def test_the_load_benchmark_runs_clean_on_a_small_store(servers, capsys):
    """A smoke test of benchmarks/bench_serve_load.py's load phase (the benchmark itself
    runs on the 1,000,000-account sample, not in the suite): two clients for at most two
    seconds over every route against the local server, zero errors."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_serve_load import Phase, routes_of

    base = f"http://127.0.0.1:{servers['local']}"
    routes = routes_of(base)
    phase = Phase(base, routes, clients=2, seconds=2, max_requests=2 * len(routes))
    phase.run()
    assert phase.table("smoke") == 0
    out = capsys.readouterr().out
    total = sum(len(t) for t in phase.times.values())
    assert 0 < total <= 2 * len(routes)
    assert f"{'all routes':38} {total:8}" in out
