"""Benchmark `covermap coverage` against the fastest plain DuckDB SQL we could write.

``steps(store, out_dir)`` is what ``benchmarks/run.py`` calls: it times
``covermap coverage --store STORE --window-months 6 --export OUT`` (six result
tables: accounts, checks, summary, depth, worklist, transitions; outcomes only
come with ``--outcomes``) and ``benchmarks/coverage_baseline.py`` (coverage_accounts and
coverage_checks, both written to CSV) side by side, alternating (covermap, baseline,
covermap, baseline, ...; ``COVERMAP_BENCH_ROUNDS`` rounds, default 3), and reports the
medians. The baseline must be equal to covermap's export row for row on both tables (the
note says how many rows differ) and must be neither slower nor hungrier than covermap;
when it is, it is a bad baseline to fix, not a success. A third peer,
``benchmarks/coverage_polars.py``, computes the same two tables in Polars (alternating
with the other two) from Parquet files the store is copied to once (timed on its own).
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure

BASELINE = Path(__file__).parent / "coverage_baseline.py"
POLARS = Path(__file__).parent / "coverage_polars.py"


def steps(store: Path, out_dir: Path) -> list[Measurement]:
    """Time `covermap coverage --export` and the baseline on the same store, alternating."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ours_argv = [sys.executable, "-m", "covermap", "coverage", "--store", str(store),
                 "--window-months", "6", "--export", str(out_dir)]
    base_argv = [sys.executable, str(BASELINE), str(store), str(out_dir)]
    # the Polars peer reads Parquet files written once from the store (timed on their own)
    parquet = measure("coverage Polars: store to Parquet",
                      [sys.executable, str(POLARS), "parquet", str(store),
                       str(out_dir / "parquet")],
                      note="DuckDB COPY of the columns the peer reads, once")
    peer_argv = [sys.executable, str(POLARS), "compute", str(out_dir / "parquet"), str(out_dir)]
    ours, base, peer = [], [], []
    for _ in range(int(os.environ.get("COVERMAP_BENCH_ROUNDS", "3"))):
        ours.append(measure("coverage --export", ours_argv))
        base.append(measure("coverage SQL baseline", base_argv))
        peer.append(measure("coverage Polars peer", peer_argv))
    differing = same_rows(out_dir)
    return [_median(ours, "6 tables, 1200MB DuckDB limit"),
            _median(base, f"accounts + checks; rows differing from covermap's: {differing}"),
            parquet,
            _median(peer, "accounts + checks from the Parquet files, lazy + streaming; rows "
                          f"differing from covermap's: {same_rows(out_dir, 'polars')}")]


def _median(runs: list[Measurement], note: str) -> Measurement:
    times = ", ".join(f"{m.seconds:.1f}" for m in runs)
    cpus = [m.cpu for m in runs if m.cpu is not None]
    return Measurement(runs[0].step, statistics.median(m.seconds for m in runs),
                       max(m.peak_mib for m in runs), None,
                       f"{note}; median of {len(runs)} runs ({times} s), highest peak",
                       cpu=statistics.median(cpus) if len(cpus) == len(runs) else None)


def same_rows(out_dir: Path, peer: str = "baseline") -> int:
    """Rows in which covermap's coverage_accounts.csv / coverage_checks.csv and the
    baseline's files (or ``peer``'s: polars) differ (as sets of lines: checks are written
    unsorted)."""
    differing = 0
    for ours, base in (("coverage_accounts.csv", f"{peer}_accounts.csv"),
                       ("coverage_checks.csv", f"{peer}_checks.csv")):
        with (out_dir / base).open(newline="", encoding="utf-8") as f:
            b = [tuple(r) for r in csv.reader(f)]
        # over the baseline's columns: covermap's accounts end with group_id and territory
        with (out_dir / ours).open(newline="", encoding="utf-8") as f:
            a = [tuple(r[:len(b[0])]) for r in csv.reader(f)]
        if a[:1] != b[:1]:
            return max(len(a), len(b))
        differing += len(set(a) ^ set(b)) + abs(len(a) - len(b))
    return differing
