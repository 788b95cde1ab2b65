"""The group page and territory breakdown (issue 16, point 4) in the dashboard and the
report, and row-level visibility by territory (point 3), by hand on the coverage test
company (tests/test_coverage_company.py): C1 > P1 > P2 is one group three levels deep; smb
(C1, P2, N1) and ent (P1, T1) both roll into the territory all; U1 is in none.

Per account (tests/test_coverage.py): C1 3 checks, 1 passed; P1 13, 3; P2 8, 1; N1 5, 0;
T1 and U1 none. C1 and P2 are customers (ARR 100 + 50).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from covermap.plan import parse_plan
from covermap.serve.app import create_app
from covermap.serve.service import Service
from covermap.serve.users import hash_password, load_users
from covermap.store import groups
from covermap.store.connect import open_store
from test_coverage_company import AS_OF, PLAN_YAML, build, insert

PARENTS = [("P1", "C1"), ("P2", "P1"), ("T1", "ZZ")]
TERRITORIES = """territories:
  - {id: smb, label: {en: Small business}, rule: "segment == 'smb'", parent: all}
  - {id: ent, label: {en: Enterprise}, rule: "segment == 'ent'", parent: all}
  - {id: all, label: {en: Every segment}, rule: "segment == 'every'"}
"""
PLAN = (PLAN_YAML.replace("timezone: UTC", f"timezone: UTC\nas_of: {AS_OF}") + TERRITORIES
        + "dashboard:\n  row_level: territory\n")
TEAM = [("C1", "u1", "csm", "2025-01-01"), ("C1", "u2", "account_executive", None),
        ("P1", "u2", "account_executive", None), ("P2", "u2", "csm", "2026-08-01")]
#: user -> (role, territories)
USERS = {"sam": ("viewer", ["smb"]), "eve": ("viewer", ["ent"]), "pat": ("editor", ["all"]),
         "nob": ("viewer", []), "ada": ("admin", [])}
TOKENS = {name: f"token-of-{name}" for name in USERS}


def make_store(path) -> None:
    with open_store(path) as s:
        build(s)
        for child, parent in PARENTS:
            s.duckdb.execute("UPDATE accounts SET parent_account_id = ? WHERE account_id = ?",
                             [parent, child])
        insert(s, "account_team", "account_id, user_id, role, start_date", TEAM)
        groups.rebuild(s.duckdb)  # as an import does


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import hashlib

    folder = tmp_path_factory.mktemp("groups")
    store, plan = folder / "covermap.duckdb", folder / "plan.yaml"
    make_store(store)
    plan.write_text(PLAN, "utf-8")
    service = Service(str(store), plan)
    service.prepare(timeout=120)
    lines = []
    for name, (role, places) in USERS.items():
        lines += [f"[users.{name}]", f'role = "{role}"',
                  f'token_sha256 = "{hashlib.sha256(TOKENS[name].encode()).hexdigest()}"',
                  f"territories = {places!r}".replace("'", '"')]
    (folder / "users.toml").write_text("\n".join(lines) + "\n", "utf-8")
    app = create_app(service, users=load_users(folder / "users.toml"), secret="s")
    with TestClient(app) as c:
        yield c, folder


def get(site, who: str, path: str):
    return site[0].get(path, headers={"Authorization": f"Bearer {TOKENS[who]}"})


def test_the_largest_groups_and_a_groups_page_by_hand(site):
    d = get(site, "ada", "/api/groups").json()
    # arr first, then accounts, then the key; C1's group: C1 and P2 are customers
    assert [(g["key"], g["name"], g["accounts"], g["customers"], g["arr"]) for g in
            d["groups"]] == [("C1", "Cedar", 3, 2, 150.0), ("N1", "Nutmeg", 1, 0, 0.0),
                             ("T1", "Teak", 1, 0, 0.0), ("U1", "Umber", 1, 0, 0.0)]
    assert d["total"] == 4
    assert [g["key"] for g in get(site, "ada", "/api/groups?order=accounts").json()[
        "groups"]] == ["C1", "N1", "T1", "U1"]
    g = get(site, "ada", "/api/groups/C1").json()
    # checks 3 + 13 + 8, passed 1 + 3 + 1: the micro-average 5 / 24; every account touched
    assert {k: g["group"][k] for k in ("checks", "passed", "compliance", "touched",
                                       "breadth", "state_mix")} == {
        "checks": 24, "passed": 5, "compliance": 5 / 24, "touched": 3, "breadth": 1.0,
        "state_mix": "customer 2, prospect 1"}
    assert g["accounts_total"] == 3
    assert [(a["account_id"], a["name"], a["territory"], a["state"], a["compliance"],
             a["team"]) for a in g["accounts"]] == [
        ("C1", "Cedar", "smb", "customer", 1 / 3, "Bob (account_executive); Ann (csm)"),
        ("P1", "Pine", "ent", "prospect", 3 / 13, "Bob (account_executive)"),
        ("P2", "Palm", "smb", "customer", 1 / 8, None)]  # P2's csm starts after as_of
    assert g["team"]["with_gap"] == 0 and g["team"]["handoffs"] == 0
    html = get(site, "ada", "/groups/C1").text
    for text in ("Group Cedar", "Pine (P1)", "Palm (P2)", "20.8%", "USD 150",
                 "Bob (account_executive); Ann (csm)", 'data-chart="chart-group"'):
        assert text in html, text
    listing = get(site, "ada", "/groups").text
    assert 'href="/groups/C1"' in listing and "4 groups" in listing
    missing = get(site, "ada", "/api/groups/ZZ")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no group 'ZZ'", "parameter": "group_id"}
    bad = get(site, "ada", "/api/groups?order=name")
    assert bad.status_code == 404 and bad.json()["parameter"] == "order"


def test_the_territory_breakdown_rolls_up_the_tree(site):
    d = get(site, "ada", "/api/territories").json()
    # the plan's tree order: all, then smb and ent inside it; U1 matches no rule
    assert [(t["key"], t["parent"], t["accounts"], t["customers"], t["arr"], t["checks"],
             t["passed"], t["compliance"], t["breadth"]) for t in d["coverage"]] == [
        ("all", None, 5, 2, 150.0, 29, 5, 5 / 29, 4 / 5),
        ("smb", "all", 3, 2, 150.0, 16, 2, 2 / 16, 2 / 3),
        ("ent", "all", 2, 0, 0.0, 13, 3, 3 / 13, 1.0),
        (None, None, 1, 0, 0.0, 0, 0, None, 0.0)]
    assert [t["key"] for t in d["team"]] == ["all", "smb", "ent", None]
    html = get(site, "ada", "/territories").text
    for text in ("Every segment", "Small business", "Enterprise", "17.2%", "66.7%",
                 'data-chart="chart-territories"'):
        assert text in html, text


def _csv_ids(text: str) -> list[str]:
    return [row["account_id"] for row in csv.DictReader(io.StringIO(text))]


def test_a_territory_limited_user_sees_only_its_territories_accounts(site):
    """sam sees smb (C1, P2, N1), eve ent (P1, T1), pat all (both, inside it), nob none;
    through the group page, the JSON API and every CSV export. A group is keyed and named
    by its top account: eve, who sees P1 but not its group's top C1, does not see C1's
    group at all."""
    seen = {"sam": ["C1", "N1", "P2"], "eve": ["P1", "T1"],
            "pat": ["C1", "N1", "P1", "P2", "T1"], "nob": []}
    for who, ids in seen.items():
        cov = get(site, who, "/api/coverage").json()
        assert sorted(a["account_id"] for a in cov["accounts"]) == ids, who
        assert sorted(_csv_ids(get(site, who, "/api/worklist.csv").text)) == sorted(
            x for x in _csv_ids(get(site, "ada", "/api/worklist.csv").text) if x in ids)
        for aid in ("C1", "P1", "P2", "N1", "T1", "U1"):
            status = get(site, who, f"/api/accounts/{aid}").status_code
            assert status == (200 if aid in ids else 404), (who, aid)
    for who, ids in (("sam", ["C1", "P2"]), ("pat", ["C1", "P1", "P2"])):
        g = get(site, who, "/api/groups/C1").json()
        assert [a["account_id"] for a in g["accounts"]] == ids and g["accounts_total"] == \
            len(ids)
        assert _csv_ids(get(site, who, "/api/groups/C1/accounts.csv").text) == ids
        # the page's account rows; the group itself is named by its top account, C1,
        # and its roll-up is the whole group's, as the coverage page's summary is
        html = get(site, who, "/groups/C1").text
        for aid in ("C1", "P1", "P2"):
            assert (f'href="/accounts/{aid}"' in html) == (aid in ids), (who, aid)
    # a group whose top account is not the user's is not found, in every form
    for path in ("/api/groups/N1", "/groups/N1", "/api/groups/N1/accounts.csv",
                 "/api/groups/C1", "/groups/C1", "/api/groups/C1/accounts.csv"):
        r = get(site, "eve", path)
        assert r.status_code == 404 and "Cedar" not in r.text and "Pine" not in r.text, path
    assert [g["key"] for g in get(site, "eve", "/api/groups").json()["groups"]] == ["T1"]
    assert "Cedar" not in get(site, "eve", "/groups").text
    assert get(site, "nob", "/api/groups").json()["total"] == 0
    assert get(site, "ada", "/api/groups/U1").status_code == 200


def test_users_file_territories_must_be_a_list(tmp_path):
    from covermap.errors import PlanError

    path = tmp_path / "users.toml"
    path.write_text(f'[users.sam]\nrole = "viewer"\npassword_hash = "{hash_password("x")}"\n'
                    'territories = "smb"\n', "utf-8")
    with pytest.raises(PlanError) as e:
        load_users(path)
    assert e.value.key == "users.sam.territories"
    assert 'a list of territory ids, e.g. territories = ["emea"]' in str(e.value)
    assert parse_plan(PLAN, "plan.yaml").dashboard.row_level_by == "territory"
    assert parse_plan(PLAN_YAML + "dashboard: {row_level: true}\n",
                      "plan.yaml").dashboard.row_level_by == "book"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """`covermap report` on the company: the HTML page and the CSV export (the workbook
    gets a sheet per exported table, the same dict: tests/test_report_formats.py)."""
    from typer.testing import CliRunner

    from covermap.cli.main import app

    folder = tmp_path_factory.mktemp("group-report")
    make_store(folder / "covermap.duckdb")
    (folder / "plan.yaml").write_text(PLAN, "utf-8")
    args = ["report", "--store", str(folder / "covermap.duckdb"), "--plan",
            str(folder / "plan.yaml")]
    result = CliRunner().invoke(app, [*args, "--out", str(folder / "report.html"),
                                      "--export", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder


def test_the_reports_territory_breakdown_and_groups(report):
    html = (report / "report.html").read_text("utf-8")
    territories = html[html.index('<section id="territories">'):html.index(
        '<section id="groups">')]
    # inner territories indented under the one they roll into; names, not ids
    cells = re.findall(r"<tr><td class=\"col-key\">([^<]+)</td><td class=\"col-parent\">"
                       r"([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>"
                       r"<td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>"
                       r"<td[^>]*>([^<]*)</td>", territories)
    assert cells == [
        ("Every segment", "", "5", "2", "USD 150", "29", "17.2%", "80.0%"),
        ("· Small business", "Every segment", "3", "2", "USD 150", "16", "12.5%", "66.7%"),
        ("· Enterprise", "Every segment", "2", "0", "USD 0", "13", "23.1%", "100.0%"),
        ("(no territory)", "", "1", "0", "USD 0", "0", "", "0.0%")]
    assert ("Compliance was highest in Enterprise (23.1% of 13 checks) and lowest in "
            "Small business (12.5% of 16 checks).") in territories
    groups = html[html.index('<section id="groups">'):html.index('<section id="worklist">')]
    assert "Cedar is the largest group: 3 accounts and USD 150 ARR, 100.0% of all " \
           "groups&#x27; ARR." in groups
    assert groups.count('class="plot-container plotly"') + groups.count(
        '<div id="chart-') == 1
    for text in ("Cedar (C1)", "20.8%", "Pine (P1)", "Palm (P2)", "Enterprise",
                 "Bob (account_executive); Ann (csm)", "(nobody)"):
        assert text in groups, text
    rows = list(csv.DictReader(io.StringIO(
        (report / "out" / "coverage_territories.csv").read_text("utf-8"))))
    assert [(r["key"], r["parent"], r["accounts"], r["checks"], r["passed"]) for r in rows] \
        == [("all", "", "5", "29", "5"), ("ent", "all", "2", "13", "3"),
            ("smb", "all", "3", "16", "2"), ("", "", "1", "0", "0")]
    assert (report / "out" / "coverage_groups.csv").read_text().splitlines()[1].startswith(
        "C1,Cedar,,3,2,150")


def test_the_workbook_has_the_territory_and_group_sheets(report, tmp_path):
    import openpyxl

    from covermap.coverage.measure import measure_coverage
    from covermap.render import Formats
    from covermap.reports.group_section import report_tables
    from covermap.reports.xlsx_report import write_workbook

    plan = parse_plan(PLAN, "plan.yaml")
    with open_store(report / "covermap.duckdb", read_only=True) as s:
        cov = measure_coverage(s, plan)
        write_workbook(tmp_path / "r.xlsx", report_tables(cov), store=s, plan_name=plan.name,
                       formats=Formats.for_plan(plan, {}), window=cov.window)
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = book["coverage_territories"]
    assert [c.value for c in ws[1]][:6] == ["Territory", "Name", "Rolls into", "Accounts",
                                            "Customers", "ARR"]
    assert [tuple(c.value for c in row[:4]) for row in ws.iter_rows(min_row=2)] == [
        ("all", "Every segment", None, 5), ("ent", "Enterprise", "all", 2),
        ("smb", "Small business", "all", 3), (None, None, None, 1)]
    groups = book["coverage_groups"]
    assert [c.value for c in groups[2]][:6] == ["C1", "Cedar", None, 3, 2, 150]


def test_serve_checks_the_users_territories_against_the_plan(site, runner):
    from covermap.cli.main import app

    folder = site[1]
    users = folder / "typo.toml"
    users.write_text('[users.sam]\nrole = "viewer"\ntoken_sha256 = "' + "0" * 64 + '"\n'
                     'territories = ["smb", "emea"]\n', "utf-8")
    args = ["serve", "--store", str(folder / "covermap.duckdb"), "--users", str(users)]
    r = runner.invoke(app, [*args, "--plan", str(folder / "plan.yaml")])
    assert r.exit_code == 1
    assert f"{users}: users.sam.territories: territory 'emea' is not in the plan; " \
           "territories are: smb, ent, all" in " ".join(r.output.split())
    bare = folder / "bare.yaml"
    bare.write_text(PLAN_YAML + "territories: []\ndashboard: {row_level: territory}\n",
                    "utf-8")
    r = runner.invoke(app, [*args, "--plan", str(bare)])
    assert r.exit_code == 1
    assert "dashboard.row_level: row_level is territory, but the plan has no territories[]; " \
           "add them, or set row_level: book" in " ".join(r.output.split())
