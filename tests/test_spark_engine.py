"""``covermap --engine spark``'s store: ``covermap export-store`` writes a store's tables as
the Parquet files it reads, and what it refuses (writing, a folder that is not a store's)
is said before Spark starts, naming the capability and what to do."""

from __future__ import annotations

import datetime as dt

import pytest

from covermap.cli.main import app
from covermap.sample import generate_company


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample company imported into a DuckDB file and written as Parquet files by
    `covermap export-store`."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("spark_sample")
    generate_company(folder / "csv", accounts=40, seed=5, as_of=dt.date(2026, 11, 15))
    duck = str(folder / "covermap.duckdb")
    runner = CliRunner()
    res = runner.invoke(app, ["import", str(folder / "csv"), "--store", duck])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["export-store", "--store", duck, "--out", str(folder / "pq")])
    assert res.exit_code == 0, res.output
    assert "Wrote 15 tables" in res.output
    return duck, str(folder / "pq")


def test_export_store_writes_every_table_as_parquet(sample):
    import duckdb

    duck, parquet = sample
    con = duckdb.connect()
    counts = {t: con.execute(f"SELECT count(*) FROM '{parquet}/{t}.parquet'").fetchone()[0]
              for t in ("accounts", "activities", "imports", "account_groups")}
    src = duckdb.connect(duck, read_only=True)
    assert counts == {t: src.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                      for t in counts}
    assert counts["accounts"] == 40 and counts["activities"] > 1000


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
