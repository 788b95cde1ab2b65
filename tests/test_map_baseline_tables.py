"""`covermap map --export` against the benchmark's plain-SQL baseline (benchmarks/bench_map.py)
on a synthetic store: all three tables, file for file. The store has lines in every cell,
lines without an exchange rate (SEK), without a product complexity and without a value
measure, deals without lines and won deals without a channel."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from covermap.cli.main import app

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

from bench_map import baseline_script, build_store, same_tables

TABLES = ("map_cells", "map_channels", "map_unplaced")


def test_the_baseline_writes_covermaps_three_tables(tmp_path, runner):
    store = build_store(tmp_path / "synthetic.duckdb", 800)
    out = tmp_path / "out"
    res = runner.invoke(app, ["map", "--store", str(store), "--export", str(out)])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(store), read_only=True)
    for statement in baseline_script(out):
        con.execute(statement)
    con.close()
    unplaced = (out / "map_unplaced.csv").read_text("utf-8")
    assert "no exchange rate for SEK" in unplaced and "no value measure" in unplaced
    assert len((out / "map_channels.csv").read_text("utf-8").splitlines()) > 9
    assert same_tables(out) == 0
    for table in TABLES:
        assert (out / f"{table}.csv").read_bytes() == (out / f"baseline_{table}.csv").read_bytes()
