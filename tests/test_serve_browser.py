"""covermap serve end to end (issue 13, tests): a real server process and Debian's Chromium
driven by Playwright (executable_path; no browser download). Sign in, open every page with
its charts drawn by the app's own plotly.min.js while every request off this machine is
refused, click a coverage-map cell, change a what-if control and see the number change;
a screenshot of each page goes to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_serve_app import PASSWORDS, copy_of, prepared, top_owner, users_file

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
PAGES = {"overview": "/", "coverage": "/coverage", "map": "/map", "team": "/team",
         "capacity": "/capacity", "value": "/value", "worklist": "/worklist", "plan": "/plan",
         "groups": "/groups", "territories": "/territories"}

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("COVERMAP_REQUIRE_CHROMIUM"),
    reason="no chromium on this machine (CI installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log, env=None):
    """``covermap serve ARGS`` on a free port, its output to ``log``: (process, port)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "covermap", "serve", *args, "--port",
                             str(port)], env={**os.environ, **(env or {})}, stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, port


def _wait(proc, port: int, log_path) -> None:
    """Until the server answers its sign-in page (the test fails if it exits or takes 90 s)."""
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"covermap serve did not start: {log_path.read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``covermap serve`` in a process of its own, with a users file, on a free port."""
    folder = tmp_path_factory.mktemp("browser")
    store, plan = copy_of(prepared(tmp_path_factory), folder)
    users = users_file(folder, top_owner(store))
    log = folder / "serve.log"
    with log.open("w") as out:
        proc, port = _start(["--store", str(store), "--plan", str(plan), "--users", str(users)],
                            out, {"COVERMAP_SECRET": "browser-test"})
    _wait(proc, port, log)
    base = f"http://127.0.0.1:{port}"
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside: list[str] = []

        def only_this_machine(route) -> None:
            if route.request.url.startswith(server):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_machine)
        yield page, outside
        browser.close()


def test_sign_in_and_every_page_with_its_charts(server, browser_page):
    page, outside = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{server}/coverage")
    assert page.url.startswith(f"{server}/login?next=")  # signing in comes first
    page.fill("input[name=username]", "ed")
    page.fill("input[name=password]", PASSWORDS["ed"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/coverage")
    for name, path in PAGES.items():
        page.goto(f"{server}{path}")
        assert page.locator("h1").first.inner_text()
        charts = page.locator("div.chart").count()
        if charts:  # every chart drawn by Plotly, loaded from the app itself
            page.wait_for_function(
                f"document.querySelectorAll('div.chart .main-svg').length >= {charts}")
        page.screenshot(path=str(ARTIFACTS / f"serve-{name}.png"), full_page=True)
    page.goto(f"{server}/worklist")
    aid = page.locator("#worklist a").first.inner_text()
    page.locator("#worklist a").first.click()
    page.wait_for_selector("#chart-timeline .main-svg")
    assert aid in page.locator("table.data").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "serve-account.png"), full_page=True)
    assert outside == []


def test_clicking_a_map_cell_shows_its_deals_and_accounts(server, browser_page):
    page, _ = browser_page
    page.goto(f"{server}/map")
    cell = page.locator("a.cell").first
    name = cell.get_attribute("data-cell")
    cell.click()
    page.wait_for_selector("#drill")
    assert page.url.endswith(f"/map?cell={name}")
    assert page.locator("#drill h2").inner_text().startswith(name.replace("/", " / "))
    deals, accounts = (int(x.split()[0]) for x in
                       page.locator("#drill-count").inner_text().split(", "))
    assert page.locator("#drill-deals tbody tr").count() == deals
    assert page.locator("#drill-accounts tbody tr").count() == accounts
    page.screenshot(path=str(ARTIFACTS / "serve-map-cell.png"), full_page=True)


def test_a_what_if_control_changes_the_number(server, browser_page):
    page, _ = browser_page
    page.goto(f"{server}/capacity")
    base = float(page.locator("#base-standard").inner_text())
    assert base > 0
    page.fill("input[name=working_weeks]", "23")  # half the plan's 46
    page.click("#whatif button[type=submit]")
    page.wait_for_selector("#whatif-standard")
    after = float(page.locator("#whatif-standard").inner_text())
    assert after != base and after == pytest.approx(2 * base, abs=0.2)
    page.screenshot(path=str(ARTIFACTS / "serve-what-if.png"), full_page=True)


def test_a_group_page_from_the_groups_list(server, browser_page):
    """A customer group (issue 16): from the list to its page, its accounts and chart."""
    page, outside = browser_page
    page.goto(f"{server}/groups?order=accounts")
    first = page.locator("#groups a").first
    name = first.inner_text()
    first.click()
    page.wait_for_selector("#group-accounts")
    assert page.locator("h1").inner_text() == f"Group {name}"
    # the editor sees the accounts of the group in her book (the plan's row_level)
    rows = page.locator("#group-accounts tbody tr").count()
    assert 1 <= rows <= int(page.locator("#group-summary tbody td").nth(1).inner_text())
    if page.locator("#chart-group").count():
        page.wait_for_selector("#chart-group .main-svg")
    page.screenshot(path=str(ARTIFACTS / "serve-group.png"), full_page=True)
    assert outside == []
