"""The PostgreSQL store: the same import and analyses as DuckDB, on a real server the
tests start themselves (tests/postgres_cluster.py), parametrized over both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from export_files import EXPORTS
from postgres_cluster import REQUIRE, connect, new_schema, pg_server, pg_url  # noqa: F401

if not REQUIRE:  # CI installs the postgres extra (the test extra pulls it in)
    pytest.importorskip("psycopg", reason="pip install 'covermap[postgres]' to test the "
                                          "PostgreSQL store")
from test_coverage import records
from test_coverage_company import AS_OF, build, plan
from test_map import EXPECTED as MAP_CELLS
from test_map import rows as map_rows

from covermap.cli.main import app
from covermap.coverage.measure import measure_coverage
from covermap.errors import BackendUnsupported, StoreError
from covermap.sample import generate_company
from covermap.store import capabilities
from covermap.store.connect import open_store

D = dt.date
ANALYSES = EXPORTS


@pytest.fixture(params=["duckdb", "postgres"])
def backend_url(request, tmp_path) -> str:
    """A new store's URL on each backend: a DuckDB file, a new PostgreSQL database."""
    if request.param == "duckdb":
        return str(tmp_path / "covermap.duckdb")
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="module")
def sample_stores(tmp_path_factory, pg_server):  # noqa: F811
    """The sample company imported by `covermap import` into a DuckDB file and into a
    PostgreSQL database."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("pg_sample")
    generate_company(folder / "csv", accounts=60, seed=5, as_of=D(2026, 11, 15))
    stores = {"duckdb": str(folder / "covermap.duckdb"), "postgres": new_schema(pg_server)}
    for url in stores.values():
        res = CliRunner().invoke(app, ["import", str(folder / "csv"), "--store", url])
        assert res.exit_code == 0, res.output
    return stores


@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_every_export_is_byte_identical_on_both_backends(sample_stores, analysis, tmp_path,
                                                         runner):
    for name, url in sample_stores.items():
        res = runner.invoke(app, [analysis, "--store", url, "--export", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    lines = 0
    for file in ANALYSES[analysis]:
        duck = (tmp_path / "duckdb" / file).read_bytes()
        assert (tmp_path / "postgres" / file).read_bytes() == duck, file
        lines += duck.count(b"\n") - 1
    assert lines > 10  # rows, not only headers


@pytest.mark.parametrize("command", ["status", "value match", "worklist"])
def test_terminal_output_is_the_same_on_both_backends(sample_stores, command, runner):
    outs = []
    for url in sample_stores.values():
        res = runner.invoke(app, [*command.split(), "--store", url])
        assert res.exit_code == 0, res.output
        # the store's name differs, and so does the padding of the title that holds it
        outs.append([line.strip() for line in res.output.replace(url, "STORE").splitlines()])
    assert outs[0] == outs[1]
    assert len(outs[0]) > 5


def test_hand_made_company_measures_the_same_on_both_backends(backend_url):
    """tests/test_coverage.py's hand-worked numbers, on each backend."""
    with open_store(backend_url) as s:
        build(s)
        result = measure_coverage(s, plan(), as_of=AS_OF)
        summary = [(r["group"], r["key"], r["accounts"], r["checks"], r["passed"])
                   for r in records(result.summary)][:5]
        assert summary == [("all", "all", 6, 29, 5), ("state", "customer", 2, 4, 2),
                           ("state", "prospect", 2, 25, 3), ("state", "target", 1, 0, 0),
                           ("state", "unclassified", 1, 0, 0)]
        ch = result.checks
        c1 = [(r["bucket_start"], r["count"], r["passed"])
              for r in records(ch.filter(ch.account_id == "C1"), "bucket_start")]
        assert c1 == [(D(2026, 4, 1), 1, True), (D(2026, 5, 1), 0, False),
                      (D(2026, 6, 1), 0, False)]
        acc = {r["account_id"]: (r["weighted_touches"], r["days_since_human_touch"])
               for r in records(result.accounts)}
        assert acc["C1"] == (7.5, 13) and acc["P1"] == (5.0, 86) and acc["U1"] == (0.0, None)


def test_hand_made_map_is_the_same_on_both_backends(backend_url):
    """tests/test_map.py's hand-computed grid, on each backend."""
    import test_map_data as fx

    from covermap.map.measure import build_map

    with open_store(backend_url) as s:
        fx.insert(s)
        result = build_map(s, fx.plan(), as_of=fx.AS_OF)
        assert map_rows(result.cells) == MAP_CELLS


def _accounts_file(folder: Path, rows: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "accounts.csv").write_text("account_id,name,arr\n" + rows, "utf-8")
    return folder / "accounts.csv"


def _count(url: str, sql: str) -> int:
    with connect(url) as con:
        return con.execute(sql).fetchone()[0]


def test_an_import_commits_whole_or_not_at_all(pg_url, tmp_path, runner):  # noqa: F811
    good = _accounts_file(tmp_path / "a", "A1,Acme,10\nA2,Beta,20\n")
    res = runner.invoke(app, ["import", str(good), "--store", pg_url])
    assert res.exit_code == 0, res.output
    again = runner.invoke(app, ["import", str(good), "--store", pg_url])  # upsert by id
    assert again.exit_code == 0, again.output
    assert _count(pg_url, "SELECT count(*) FROM accounts") == 2
    bad = _accounts_file(tmp_path / "b", "A3,Gamma,30\nA4,,40\n")  # A4 has no name
    res = runner.invoke(app, ["import", str(bad), "--store", pg_url, "--strict"])
    assert res.exit_code == 1
    assert "1 row(s) would be quarantined, so nothing was imported" in res.output
    assert _count(pg_url, "SELECT count(*) FROM accounts") == 2  # A3 did not land
    assert _count(pg_url, "SELECT count(*) FROM imports") == 2
    res = runner.invoke(app, ["import", str(bad), "--store", pg_url])
    assert res.exit_code == 0, res.output
    assert _count(pg_url, "SELECT count(*) FROM accounts") == 3
    assert _count(pg_url, "SELECT count(*) FROM quarantine WHERE reason LIKE 'name%'") == 1
    assert _count(pg_url, "SELECT sum(arr) FROM accounts") == 60


def test_a_database_that_is_not_a_store_is_left_alone(pg_url):  # noqa: F811
    with connect(pg_url) as con:
        con.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match="a PostgreSQL database but not a covermap store "
                                         r"\(it holds tables invoices\)"):
        open_store(pg_url)


def test_an_unreachable_server_is_a_store_error_without_the_password(pg_server):  # noqa: F811
    url = "postgresql://covermap:s3cret@127.0.0.1:1/covermap"
    with pytest.raises(StoreError, match=r"^postgresql://covermap:\*\*\*@127.0.0.1:1/covermap: "
                                         "cannot connect to PostgreSQL") as e:
        open_store(url)
    assert "s3cret" not in str(e.value)


def test_what_postgresql_cannot_do_is_a_named_capability(pg_url, runner):  # noqa: F811
    with open_store(pg_url) as s:
        assert capabilities.supports(s, capabilities.DUCKDB_SQL) is False
        with pytest.raises(BackendUnsupported) as e:
            s.duckdb.execute("SELECT * FROM read_csv('x.csv')")
        assert e.value.capability == capabilities.DUCKDB_SQL.name
    res = runner.invoke(app, ["serve", "--store", pg_url])
    assert res.exit_code == 1
    assert res.output.startswith("Error: PostgreSQL store: no snapshot file (the dashboard "
                                 "computes on a copy of the store's file); run `covermap "
                                 "serve` on a DuckDB store")


def test_a_second_import_upserts_the_same_on_both_backends(pg_url, tmp_path, runner):  # noqa: F811
    """Activities are upserted by key in PostgreSQL (never read back into the staging
    store): a changed row, a new one and a repeated id end as on DuckDB."""
    generate_company(tmp_path / "csv", accounts=5, seed=7, as_of=D(2026, 11, 15))
    lines = (tmp_path / "csv" / "activities.csv").read_text("utf-8").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    changed = dict(zip(header, first), kind="meeting", outcome="")
    new = dict(changed, activity_id="new-1")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "activities.csv").write_text("\n".join(
        [",".join(header)] + [",".join(r[c] for c in header) for r in (changed, new, new)])
        + "\n", "utf-8")
    duck = str(tmp_path / "covermap.duckdb")
    for url in (duck, pg_url):
        for folder in ("csv", "more"):
            res = runner.invoke(app, ["import", str(tmp_path / folder), "--store", url])
            assert res.exit_code == 0, res.output
    query = ("SELECT activity_id, kind, outcome, occurred_at FROM activities "
             "ORDER BY activity_id")
    with connect(pg_url) as con:
        in_postgres = con.execute(query).fetchall()
    with open_store(duck, read_only=True) as s:
        assert s.duckdb.execute(query).fetchall() == in_postgres
    assert len(in_postgres) == len(lines)  # every row of the first file, and new-1
    assert (first[0], "meeting", None) in {r[:3] for r in in_postgres}
    assert _count(pg_url, "SELECT count(*) FROM quarantine WHERE reason LIKE 'duplicate%'") == 1


def test_a_dry_run_is_checked_against_what_the_store_holds(pg_url, tmp_path, runner):  # noqa: F811
    empty = _accounts_file(tmp_path / "a", "A1,Acme,10\n")
    res = runner.invoke(app, ["import", str(empty), "--store", pg_url, "--dry-run"])
    assert res.exit_code == 0, res.output
    assert _count(pg_url, "SELECT count(*) FROM information_schema.tables WHERE "
                          "table_schema = current_schema()") == 0  # nothing created
    assert runner.invoke(app, ["import", str(empty), "--store", pg_url]).exit_code == 0
    copy = _accounts_file(tmp_path / "b", "A9,Acme,10\nA2,Beta,5\n")  # A9: Acme again
    res = runner.invoke(app, ["import", str(copy), "--store", pg_url, "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "1 rows would load and 1 be quarantined" in " ".join(res.output.split())
    assert _count(pg_url, "SELECT count(*) FROM accounts") == 1


def test_status_never_prints_the_password(sample_stores, runner):
    # the test cluster trusts every local connection, so any password is accepted
    url = sample_stores["postgres"].replace("covermap@", "covermap:s3cret@")
    res = runner.invoke(app, ["status", "--store", url])
    assert res.exit_code == 0, res.output
    assert "covermap:***@" in res.output and "s3cret" not in res.output
