"""The engine against the benchmark's hand-written SQL (benchmarks/bench_map.py) on a
synthetic store: two independent formulations of the same 9-cell table must agree."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from covermap.map.measure import CELL_COLUMNS, build_map
from covermap.plan import default_plan
from covermap.store.connect import open_store

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

from bench_map import BASELINE_SQL, build_store  # noqa: E402


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9)
    return a == b


def test_engine_matches_the_hand_written_baseline(tmp_path):
    path = build_store(tmp_path / "synthetic.duckdb", 800)
    with open_store(path, read_only=True) as s:
        ours = build_map(s, default_plan()).cells.select(*CELL_COLUMNS).to_pyarrow().to_pylist()
        cursor = s.duckdb.execute(BASELINE_SQL)
        names = [c[0] for c in cursor.description]
        theirs = [dict(zip(names, row)) for row in cursor.fetchall()]
    assert names == list(CELL_COLUMNS)
    assert sum(r["won_deals"] for r in ours) > 50  # the data exercises every measure
    assert sum(r["misaligned_revenue"] for r in ours) > 0
    for mine, base in zip(ours, theirs, strict=True):
        diff = {k: (mine[k], base[k]) for k in CELL_COLUMNS if not same(mine[k], base[k])}
        assert not diff, (mine["complexity"], mine["value"], diff)
