"""``covermap --engine spark``: the analyses run on PySpark in local mode (``local[2]``)
over the Parquet files ``covermap export-store`` writes (coverage over the same files
registered as a Spark catalog database), and each export equals DuckDB's byte for byte.
What Spark refuses (writing, a folder that is not a store's) is said before Spark starts,
naming the capability and what to do."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from export_files import EXPORTS

from covermap.cli.main import app
from covermap.sample import generate_company

#: with COVERMAP_REQUIRE_SPARK=1 a missing Java or spark extra fails instead of skipping
#: (CI does not run this module: .ci/run says why and how to run it)
REQUIRE = os.environ.get("COVERMAP_REQUIRE_SPARK") == "1"
if not REQUIRE:
    pytest.importorskip("pyspark", reason="pip install 'covermap[spark]' to test --engine spark")
    if shutil.which("java") is None:
        pytest.skip("--engine spark needs Java 17 or later (Debian: default-jre-headless)",
                    allow_module_level=True)

# py4j leaves its sockets to the Spark JVM to close when the session stops
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

EXAMPLES = Path(__file__).parents[1] / "examples"
#: capacity on the sample's capacity plan (journeys, benchmark) with a what-if scenario
CAPACITY = ["--plan", str(EXAMPLES / "sample-capacity.yaml"),
            "--scenario", str(EXAMPLES / "scenarios" / "enterprise-grows.yaml")]
#: each analysis --engine spark runs: its options and the files it exports
ANALYSES = {**{a: ([], files) for a, files in EXPORTS.items()},
            "capacity": (CAPACITY, [*EXPORTS["capacity"], "capacity_scenarios.csv"])}
ASSIGNED = ["assignment.csv", "assignment_load.csv"]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One local Spark session for the module (covermap uses the active one)."""
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark_warehouse")
    session = (SparkSession.builder.master("local[2]").appName("covermap-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample company imported into a DuckDB file and written as Parquet files by
    `covermap export-store`."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("spark_sample")
    generate_company(folder / "csv", accounts=20, seed=5, as_of=dt.date(2026, 11, 15))
    duck = str(folder / "covermap.duckdb")
    runner = CliRunner()
    res = runner.invoke(app, ["import", str(folder / "csv"), "--store", duck])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["export-store", "--store", duck, "--out", str(folder / "pq")])
    assert res.exit_code == 0, res.output
    assert "Wrote 15 tables" in res.output
    return duck, str(folder / "pq")


def same_exports(runner, command: list[str], duck: str, store: str, files: list[str],
                 folder: Path) -> None:
    """Run ``command`` on the DuckDB store ``duck`` and with --engine spark on ``store``
    (its Parquet files or a catalog database of them); every export is the same bytes."""
    res = runner.invoke(app, [*command, "--store", duck, "--export",
                              str(folder / "duckdb")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["--engine", "spark", *command, "--store", store,
                              "--export", str(folder / "spark")])
    assert res.exit_code == 0, res.output
    lines = 0
    for file in files:
        expected = (folder / "duckdb" / file).read_bytes()
        assert (folder / "spark" / file).read_bytes() == expected, file
        lines += expected.count(b"\n") - 1
    assert lines > 5  # rows, not only headers


@pytest.fixture(scope="module")
def catalog(spark, sample) -> tuple[str, str]:
    """The sample's Parquet files registered as tables of a Spark catalog database, as a
    warehouse's tables would be: ``catalog:crm``."""
    duck, parquet = sample
    spark.sql("CREATE DATABASE IF NOT EXISTS crm")
    for file in sorted(Path(parquet).glob("*.parquet")):
        spark.sql(f"CREATE TABLE crm.{file.stem} USING parquet LOCATION '{file}'")
    return duck, "catalog:crm"


@pytest.mark.parametrize("analysis", [a for a in ANALYSES if a != "coverage"])
def test_every_export_on_spark_is_byte_identical_to_duckdb(spark, sample, analysis, tmp_path,
                                                           runner):
    options, files = ANALYSES[analysis]
    same_exports(runner, [analysis, *options], *sample, files, tmp_path)


def test_coverage_over_a_spark_catalog_database_is_byte_identical(catalog, tmp_path, runner):
    """--store catalog:DATABASE (the reader differs from a folder's only in where each
    table comes from, so coverage runs here and not over the folder too)."""
    options, files = ANALYSES["coverage"]
    same_exports(runner, ["coverage", *options], *catalog, files, tmp_path)


@pytest.mark.parametrize("people_per_account", [1, 2])
def test_assign_on_spark_is_byte_identical_to_duckdb(spark, sample, people_per_account,
                                                     tmp_path, runner):
    """The solver gets the same group counts, and the accounts get the same people: one
    csm per account, or two (every account of the sample, csm no single holder)."""
    plan = (EXAMPLES / "sample-capacity.yaml").read_text("utf-8")
    if people_per_account == 2:
        plan = plan.replace("move_penalty: 0.01}", "move_penalty: 0.01, people_per_account: 2, "
                            "scope: all}") + TWO_CSM_ROLES
    (tmp_path / "plan.yaml").write_text(plan, "utf-8")
    same_exports(runner, ["assign", "--role", "csm", "--plan", str(tmp_path / "plan.yaml")],
                 *sample, ASSIGNED, tmp_path)


#: the built-in roles, csm not a single holder (people_per_account: 2 needs it)
TWO_CSM_ROLES = """
roles:
  - {id: csm, label: CSM, single_holder: false, hours_per_week: 40, engagement_share: 0.6}
  - {id: account_executive, label: AE, hours_per_week: 40, engagement_share: 0.5}
  - {id: inside_sales, label: ISR, hours_per_week: 40, engagement_share: 0.7}
  - {id: marketing, label: Marketing, single_holder: false, hours_per_week: 40,
     engagement_share: 0.2}
  - {id: executive, label: Executive, hours_per_week: 50, engagement_share: 0.1}
"""


def test_export_store_writes_every_table_as_parquet(sample):
    import duckdb

    duck, parquet = sample
    con = duckdb.connect()
    counts = {t: con.execute(f"SELECT count(*) FROM '{parquet}/{t}.parquet'").fetchone()[0]
              for t in ("accounts", "activities", "imports", "account_groups")}
    src = duckdb.connect(duck, read_only=True)
    assert counts == {t: src.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                      for t in counts}
    assert counts["accounts"] == 20 and counts["activities"] > 500


def test_import_is_refused_naming_the_capability(sample, tmp_path, runner):
    _, parquet = sample
    res = runner.invoke(app, ["--engine", "spark", "import", str(tmp_path), "--store", parquet])
    assert res.exit_code == 1
    assert "Spark store: no writing" in res.output
    assert "covermap export-store" in res.output and "Traceback" not in res.output


def test_a_folder_without_a_store_says_how_to_make_one(tmp_path, runner):
    (tmp_path / "accounts.parquet").write_bytes(b"")
    res = runner.invoke(app, ["--engine", "spark", "coverage", "--store", str(tmp_path)])
    assert res.exit_code == 1
    assert "not a covermap store's Parquet folder (no quarantine.parquet)" in res.output
    assert "covermap export-store --store covermap.duckdb" in res.output


def test_a_command_not_checked_on_spark_is_refused_by_name(tmp_path, runner):
    res = runner.invoke(app, ["--engine", "spark", "worklist", "--store", str(tmp_path)])
    assert res.exit_code == 1
    assert ("Spark store: no `covermap worklist` (the commands that run on Spark: coverage, "
            "map, team, value, capacity, assign); run `covermap worklist` without --engine "
            "spark") in res.output
    assert "Traceback" not in res.output


def test_an_operation_ibis_cannot_compile_for_spark_is_refused_not_a_traceback():
    from ibis.common.exceptions import UnsupportedOperationError

    from covermap.errors import BackendUnsupported
    from covermap.store.spark import _refused

    def compile_fails():
        raise UnsupportedOperationError("GroupConcat with order_by is not supported")

    with pytest.raises(BackendUnsupported) as caught:
        _refused(compile_fails)()
    assert ("query Spark can run here (Spark: GroupConcat with order_by is not supported)"
            in str(caught.value))
