"""Benchmark the group roll-up: ``covermap coverage --by group --export`` beside ``coverage
--by segment --export`` on the same store (issue 16's target: within 1.2x), alternating,
``COVERMAP_BENCH_ROUNDS`` rounds (default 3), medians.

``--by segment`` exports coverage's six tables; ``--by group`` exports them and
``coverage_groups.csv`` (each account's group was computed at import, so the roll-up is
one more pass over the accounts).

    .venv/bin/python benchmarks/bench_groups.py STORE
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure  # noqa: E402


def steps(store: Path, out_dir: Path) -> list[Measurement]:
    """Time `coverage --by segment` and `coverage --by group`, alternating; medians."""
    runs: dict[str, list[Measurement]] = {"segment": [], "group": []}
    for _ in range(int(os.environ.get("COVERMAP_BENCH_ROUNDS", "3"))):
        for by in runs:
            folder = Path(out_dir) / f"by-{by}"
            runs[by].append(measure(f"coverage --by {by}", [
                sys.executable, "-m", "covermap", "coverage", "--store", str(store),
                "--by", by, "--export", str(folder), "--force"]))
    out = []
    for by, ms in runs.items():
        times = ", ".join(f"{m.seconds:.1f}" for m in ms)
        out.append(Measurement(ms[0].step, statistics.median(m.seconds for m in ms),
                               max(m.peak_mib for m in ms), None,
                               f"median of {len(ms)} runs ({times} s), highest peak"))
    return out


if __name__ == "__main__":
    from run import print_table

    print_table(steps(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2
                      else Path(__file__).parent / "out" / "groups"), 0)
