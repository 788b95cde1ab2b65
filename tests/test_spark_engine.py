"""``covermap --engine spark``: the analyses run on PySpark in local mode (``local[2]``)
over the Parquet files ``covermap export-store`` writes, and each export equals DuckDB's
byte for byte. What Spark refuses (writing, a folder that is not a store's) is said
before Spark starts, naming the capability and what to do."""

from __future__ import annotations

import datetime as dt
import os
import shutil

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

#: the analyses --engine spark runs (capacity is refused), and the files each exports
ANALYSES = {a: files for a, files in EXPORTS.items() if a != "capacity"}


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


@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_every_export_on_spark_is_byte_identical_to_duckdb(spark, sample, analysis, tmp_path,
                                                           runner):
    duck, parquet = sample
    res = runner.invoke(app, [analysis, "--store", duck, "--export", str(tmp_path / "duckdb")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["--engine", "spark", analysis, "--store", parquet,
                              "--export", str(tmp_path / "spark")])
    assert res.exit_code == 0, res.output
    lines = 0
    for file in ANALYSES[analysis]:
        expected = (tmp_path / "duckdb" / file).read_bytes()
        assert (tmp_path / "spark" / file).read_bytes() == expected, file
        lines += expected.count(b"\n") - 1
    assert lines > 5  # rows, not only headers


def test_a_spark_catalog_database_is_read_like_the_folder(spark, sample):
    """--store catalog:DATABASE: the same tables saved in a Spark catalog database."""
    from covermap.store import spark_engine
    from covermap.store.connect import open_store

    _, parquet = sample
    spark.sql("CREATE DATABASE IF NOT EXISTS crm")
    for name in ("accounts", "activities", "deals", "imports", "quarantine"):
        spark.read.parquet(f"{parquet}/{name}.parquet").write.saveAsTable(f"crm.{name}")
    counts = {}
    with spark_engine.engine(spark_engine.SPARK):
        for url in (parquet, "catalog:crm"):
            with open_store(url, read_only=True) as s:
                counts[url] = ([s.table(t).count().to_pyarrow().as_py()
                                for t in ("accounts", "activities", "deals")],
                               s.table("activities").schema())
    assert counts[parquet] == counts["catalog:crm"]
    assert counts[parquet][0][0] == 20


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
    res = runner.invoke(app, ["--engine", "spark", "capacity", "--store", str(tmp_path)])
    assert res.exit_code == 1
    assert ("Spark store: no `covermap capacity` (the commands that run on Spark: coverage, "
            "map, team, value); run `covermap capacity` without --engine spark") in res.output
    assert "Traceback" not in res.output
