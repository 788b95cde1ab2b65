"""A killed import leaves the store identical (issue 15, point 1): SIGKILL a real
`covermap import` subprocess at random moments (seeded) and check, after each, every
table's row count and an order-independent checksum of its rows against the store before.

    python benchmarks/bench_store_kill.py --work /tmp/V/kill            # 100k accounts, 20 trials
    python benchmarks/bench_store_kill.py --work /tmp/V/kill --copy /work/bench1m/covermap.duckdb

The store is copied into --work (the benchmark's own store is only read). The import is
its accounts file again with every name changed, so a finished import changes every
account. --copy also times what every import of that store pays first: copying it to its
next version. tests/test_store_versions.py runs the same trials on a 600-account store.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

#: when an import ran, which two runs of the same import differ by
CLOCK = ("imported_at", "quarantined_at")
HERE = Path(__file__).parent
Spawn = Callable[[list[str]], tuple[Callable[[], bool], Callable[[], None]]]


def checksums(store: Path) -> dict[str, tuple[int, int]]:
    """(rows, order-independent checksum of every row but its clock columns) per table, in
    every schema of the store."""
    with duckdb.connect(str(store), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name, list(column_name) FROM duckdb_columns() "
            "JOIN duckdb_tables() USING (database_name, schema_name, table_name) "
            "WHERE database_name = current_database() GROUP BY ALL ORDER BY ALL").fetchall()
        out = {}
        for schema, table, columns in tables:
            clock = [c for c in CLOCK if c in columns]
            rows = (f'(SELECT * EXCLUDE ({", ".join(clock)}) FROM "{schema}"."{table}")'
                    if clock else f'"{schema}"."{table}"')
            out[f"{schema}.{table}"] = con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {rows} AS t").fetchone()
        return out


def kill_trials(store: Path, files: list[Path], trials: int, seed: int,
                spawn: Spawn) -> dict[str, float]:
    """Kill ``trials`` imports of ``files`` into ``store`` at random moments of their run
    (seeded, uniform over 1.05 times a whole import's time); after each the store must be
    exactly as before, or exactly as after a whole import (then it is put back). ``spawn``
    starts `covermap import ARGS`, returning (is it running, kill it)."""
    pristine = store.with_name("pristine.duckdb")
    shutil.copyfile(store, pristine)
    before = checksums(store)
    started = time.monotonic()
    alive, _ = spawn([*map(str, files), "--store", str(store)])
    while alive():
        time.sleep(0.01)
    duration = time.monotonic() - started
    after = checksums(store)
    if after == before:
        raise AssertionError("the import changed nothing, so a kill could not show")
    rng, outcome = random.Random(seed), {"before": 0, "after": 0}
    for trial in range(trials):
        shutil.copyfile(pristine, store.with_name("reset.duckdb"))
        os.replace(store.with_name("reset.duckdb"), store)
        alive, kill = spawn([*map(str, files), "--store", str(store)])
        time.sleep(rng.uniform(0, duration * 1.05))
        kill()
        state = checksums(store)
        if state not in (before, after):
            changed = sorted(t for t in before if state.get(t) != before[t])
            raise AssertionError(f"trial {trial}: the killed import left a store that is "
                                 f"neither the one before nor the one after: {changed}")
        if Path(f"{store}.wal").exists():
            raise AssertionError(f"trial {trial}: a write-ahead log was left beside the store")
        outcome["before" if state == before else "after"] += 1
    from covermap.store.connect import open_store

    with open_store(store):  # the next writer takes the lock and removes the leftovers
        pass
    left = [p.name for p in store.parent.glob(".*covermap-*")]
    if left:
        raise AssertionError(f"files left beside the store: {left}")
    pristine.unlink()
    return {**outcome, "seconds_per_import": round(duration, 2)}


def subprocess_spawn(args: list[str]):
    """`python -m covermap import ARGS` as a child process."""
    p = subprocess.Popen([sys.executable, "-m", "covermap", "import", *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill() -> None:
        p.kill()
        p.wait()
    return (lambda: p.poll() is None), kill


def renamed_accounts(data: Path, target: Path) -> Path:
    """The accounts file of ``data`` with every account's name changed."""
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * REPLACE (name || ' (renamed)' AS name) FROM "
                    f"read_csv('{data / 'accounts.csv'}', all_varchar = true)) "
                    f"TO '{target}' (HEADER)")
    return target


def time_copy(store: Path, work: Path) -> str:
    """Seconds to copy ``store`` to a next version (median of 3), and its size."""
    from covermap.store import versions

    times = []
    for _ in range(3):
        target = work / "copy.duckdb"
        t = time.perf_counter()
        versions.copy_current(store, target)
        times.append(time.perf_counter() - t)
        target.unlink()
    size = store.stat().st_size / 2**30
    return f"copy of {store} ({size:.2f} GiB): median {sorted(times)[1]:.1f} s of 3"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=HERE / "out/100000/covermap.duckdb")
    ap.add_argument("--data", type=Path, default=None, help="its CSVs (default: beside it)")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--copy", type=Path, default=None, help="a store to time copying")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    print("load average:", os.getloadavg())
    if a.copy:
        print(time_copy(a.copy, a.work), "| load average:", os.getloadavg())
    store = a.work / "store" / "covermap.duckdb"
    store.parent.mkdir(exist_ok=True)
    shutil.copyfile(a.store, store)
    accounts = renamed_accounts(a.data or a.store.parent / "data", a.work / "accounts.csv")
    t = time.perf_counter()
    result = kill_trials(store, [accounts], a.trials, a.seed, subprocess_spawn)
    print(f"{a.trials} trials in {time.perf_counter() - t:.0f} s: {result} | load average:",
          os.getloadavg())


if __name__ == "__main__":
    main()
