"""Where `covermap team --export` spends its time: wall and CPU seconds of each table
``measure_team`` keeps (spans, touches, findings, ...) and of each exported file.

    python benchmarks/profile_team.py STORE OUT_DIR [--profile DIR]

runs ``covermap team --store STORE --export OUT_DIR --force`` in this process and prints one
line per step, then the total (start-up, the printed tables and the plan checks are the
total's remainder). CPU seconds are the process's (every DuckDB thread), steadier than wall
time on a shared machine. With ``--profile DIR`` each kept table's query also writes
DuckDB's JSON profile (operators, their time and row counts) to ``DIR/<step>.json``.

It wraps ``covermap.team.tables._keeper`` and ``covermap.reports.export._write``, so it
measures exactly what the command runs. Open the store read-only or on a copy.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from covermap.reports import export
from covermap.team import tables

STEPS: list[tuple[str, float, float]] = []


def _timed(name: str, run: Callable[[], object]) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    STEPS.append((name, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def _install(profile_dir: Path | None) -> None:
    keeper, write = tables._keeper, export._write

    def timed_keeper(store):
        keep = keeper(store)

        def run(expr, name):
            con = store.duckdb
            if profile_dir is not None:
                con.execute("PRAGMA enable_profiling = 'json'")
                target = str(profile_dir / f"{name}.json").replace("'", "''")
                con.execute(f"PRAGMA profiling_output = '{target}'")
            try:
                return _timed(name, lambda: keep(expr, name))
            finally:
                if profile_dir is not None:
                    con.execute("PRAGMA disable_profiling")
        return run

    tables._keeper = timed_keeper
    export._write = lambda t, p: _timed(f"write {Path(p).name}", lambda: write(t, p))


def main(argv: list[str]) -> None:
    profile_dir = None
    if "--profile" in argv:
        i = argv.index("--profile")
        profile_dir = Path(argv[i + 1])
        profile_dir.mkdir(parents=True, exist_ok=True)
        del argv[i:i + 2]
    store, out_dir = argv
    _install(profile_dir)
    from covermap.cli.main import app

    wall, cpu = time.perf_counter(), time.process_time()
    app(["team", "--store", store, "--export", out_dir, "--force"], standalone_mode=False)
    for name, w, c in STEPS:
        print(f"{name:28s} wall {w:7.2f} s  CPU {c:7.2f} s", file=sys.stderr)
    print(f"{'total':28s} wall {time.perf_counter() - wall:7.2f} s  CPU "
          f"{time.process_time() - cpu:7.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
