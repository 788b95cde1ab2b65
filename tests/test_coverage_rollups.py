"""Coverage per customer group and per territory (issue 16, points 2-3), by hand on the
test company (tests/test_coverage_company.py; per-account values in test_coverage.py)."""

from __future__ import annotations

import pytest

from covermap.cli.main import app
from covermap.coverage.measure import measure_coverage
from covermap.coverage.rollups import COLUMNS, rollup
from covermap.plan import parse_plan
from covermap.store import groups
from covermap.store.connect import open_store
from test_coverage_company import AS_OF, PLAN_YAML, build

# C1 > P1 > P2 is one group three levels deep; T1's parent ZZ is not in the store
PARENTS = [("P1", "C1"), ("P2", "P1"), ("T1", "ZZ")]
# smb rolls into named; listed first, so an smb account is smb (first match wins)
TERRITORIES = """territories:
  - {id: smb, rule: "segment == 'smb'", parent: named}
  - {id: named, label: {en: Named accounts}, rule: "segment == 'ent'"}
"""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("rollups") / "covermap.duckdb"
    with open_store(path) as s:
        build(s)
        for child, parent in PARENTS:
            s.duckdb.execute("UPDATE accounts SET parent_account_id = ? WHERE account_id = ?",
                             [parent, child])
        groups.rebuild(s.duckdb)  # as an import does
    return path


@pytest.fixture(scope="module")
def result(store_path):
    with open_store(store_path, read_only=True) as s:
        yield measure_coverage(s, parse_plan(PLAN_YAML + TERRITORIES, "plan.yaml"),
                               as_of=AS_OF)


def _rows(table):
    return [tuple(r[c] for c in COLUMNS) for r in table.to_pyarrow().to_pylist()]


def test_by_group(result):
    assert _rows(rollup(result, "group")) == [
        # key, name, parent, accounts, customers, arr, checks, passed, compliance, touched,
        # breadth, state mix. C1 and P2 are customers (arr 100 + 50); P1 is not (0)
        ("C1", "Cedar", None, 3, 2, 150.0, 24, 5, 5 / 24, 3, 1.0, "customer 2, prospect 1"),
        ("N1", "Nutmeg", None, 1, 0, 0.0, 5, 0, 0.0, 0, 0.0, "prospect 1"),
        ("T1", "Teak", None, 1, 0, 0.0, 0, 0, None, 1, 1.0, "target 1"),
        ("U1", "Umber", None, 1, 0, 0.0, 0, 0, None, 0, 0.0, "unclassified 1"),
    ]


def test_by_territory_rolls_up_the_tree(result):
    assert _rows(rollup(result, "territory")) == [
        # named: its own P1 and T1, and smb's C1, P2 and N1
        ("named", "Named accounts", None, 5, 2, 150.0, 29, 5, 5 / 29, 4, 0.8,
         "customer 2, prospect 2, target 1"),
        ("smb", "smb", "named", 3, 2, 150.0, 16, 2, 2 / 16, 2, 2 / 3,
         "customer 2, prospect 1"),
        (None, None, None, 1, 0, 0.0, 0, 0, None, 0, 0.0, "unclassified 1"),
    ]


def test_cli_by_group_and_territory(runner, store_path, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_YAML.replace("timezone: UTC", "timezone: UTC\nas_of: 2026-07-15")
                    + TERRITORIES)
    out = tmp_path / "out"
    r = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(plan),
                            "--by", "group", "--export", str(out)])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "Cedar (C1)" in text and "4 groups, largest first" in text
    lines = (out / "coverage_groups.csv").read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1].startswith("C1,Cedar,,3,2,150")
    r = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(plan),
                            "--by", "territory", "--export", str(out)])
    assert r.exit_code == 0, r.output
    assert "Named accounts" in r.output
    assert (out / "coverage_territories.csv").read_text().splitlines()[1].startswith(
        "named,Named accounts,,5,2,150")


def test_a_territory_rule_reads_account_columns_only(runner, store_path, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_YAML + "territories:\n  - {id: paying, rule: is_customer}\n")
    r = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(plan),
                            "--by", "territory"])
    assert r.exit_code != 0
    assert "territories[0].rule: a territory rule reads account columns, not derived facts " \
           "(is_customer)" in " ".join(r.output.split())


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """The 500-account sample company, imported as a user would."""
    from typer.testing import CliRunner

    from covermap.sample import generate_company

    work = tmp_path_factory.mktemp("sample")
    data, path = work / "exports", work / "crm.duckdb"
    generate_company(data, accounts=500)
    r = CliRunner().invoke(app, ["import", str(data), "--store", str(path)])
    assert r.exit_code == 0, r.output
    return path


def test_the_default_plans_territories_on_the_sample(sample_store):
    """The built-in plan's territories on the 500-account sample: regions, and DACH and
    Japan inside EMEA and APAC (counts checked against the accounts' columns)."""
    from covermap.plan import default_plan

    with open_store(sample_store, read_only=True) as s:
        result = measure_coverage(s, default_plan())
        got = {row[0]: (row[2], row[3]) for row in _rows(rollup(result, "territory"))}
        count = s.duckdb.execute
        regions = dict(count("SELECT region, count(*) FROM accounts GROUP BY 1").fetchall())
        dach = count("SELECT count(*) FROM accounts WHERE country IN "
                     "('Germany', 'Austria', 'Switzerland')").fetchone()[0]
        japan = count("SELECT count(*) FROM accounts WHERE country = 'Japan'").fetchone()[0]
    assert got == {"emea": (None, regions["EMEA"]), "apac": (None, regions["APAC"]),
                   "north_america": (None, regions["North America"]),
                   "latam": (None, regions["LATAM"]), "dach": ("emea", dach),
                   "japan": ("apac", japan)}
    assert 0 < dach < regions["EMEA"] and 0 < japan < regions["APAC"]


def test_map_rollups_add_up_to_the_maps_total(sample_store):
    """Top-level territories and all groups each hold every account, every won deal and
    the map's whole won revenue (placed and unplaced; 1,381,400 on this sample)."""
    from covermap.map.measure import build_map
    from covermap.map.rollups import rollup as map_rollup
    from covermap.plan import default_plan

    plan = default_plan()
    with open_store(sample_store, read_only=True) as s:
        result = build_map(s, plan)
        for by in ("territory", "group"):
            rows = map_rollup(s, plan, result.window, by).to_pyarrow().to_pylist()
            top = [r for r in rows if r["parent"] is None]
            assert sum(r["accounts"] for r in top) == 500
            assert sum(r["won_deals"] for r in top) == result.won_deals
            # each row is rounded to the cent, the map's total once
            assert abs(sum(r["won_revenue"] for r in top) - result.won_revenue) \
                <= 0.005 * len(top) + 1e-6
