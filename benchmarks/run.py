"""covermap's benchmark: one command, one table.

    python benchmarks/run.py --accounts 1000000

Generates the sample company (about 50 activities per account), imports it, runs the
coverage and coverage-map analyses, and runs hand-written DuckDB baselines for each in
the same run. Every step is a separate process, so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure  # noqa: E402

PAIRS = (  # (covermap step, baseline step, target ratio)
    ("import", "read_csv baseline", 2.0),
    ("coverage --export", "coverage SQL baseline", 1.5),
    ("map --export", "map SQL baseline", 1.5),
    ("team --export", "team SQL baseline", 1.5),
    ("value --export", "value SQL baseline", 1.5),
    ("coverage --by group", "coverage --by segment", 1.2),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--wide", type=int, nargs="*", metavar="COLUMNS",
                        help="also import wide accounts files of these many columns x "
                             "10,000 rows (default 1000 5000)")
    args = parser.parse_args()

    import bench_capacity
    import bench_coverage
    import bench_groups
    import bench_import
    import bench_map
    import bench_team
    import bench_value
    import bench_wide

    work = args.workdir / f"{args.accounts}"
    shutil.rmtree(work, ignore_errors=True)
    data, store, out = work / "data", work / "covermap.duckdb", work / "results"
    covermap = [sys.executable, "-m", "covermap"]
    results: list[Measurement] = [
        measure("generate sample", [*covermap, "sample", "--accounts", str(args.accounts),
                                    "--seed", str(args.seed), "--out", str(data)],
                rows=args.accounts, note="rows = accounts"),
    ]
    results += bench_import.steps(work, data, store)
    results += bench_coverage.steps(store, out)
    results += bench_map.steps(store, out)
    results += bench_team.steps(store, out)
    results += bench_value.steps(store, out)
    results += bench_groups.steps(store, out)
    results += bench_capacity.steps(work)  # its own synthetic 100,000 x 300 store
    if args.wide is not None:
        results += bench_wide.steps(work, args.wide or [1000, 5000], 10_000)
    print_table(results, args.accounts)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def print_table(results: list[Measurement], accounts: int) -> None:
    table = Table(title=f"covermap benchmark — {accounts:,} accounts")
    for col in ("step", "seconds", "rows", "rows/s", "peak MiB", "note"):
        table.add_column(col, justify="left" if col in ("step", "note") else "right")
    for m in results:
        rps = m.rows_per_second
        table.add_row(m.step, f"{m.seconds:,.1f}", f"{m.rows:,}" if m.rows else "",
                      f"{rps:,.0f}" if rps else "", f"{m.peak_mib:,.0f}", m.note)
    console = Console()
    console.print(table)
    by_step = {m.step: m for m in results}
    for ours, base, target in PAIRS:
        if ours in by_step and base in by_step:
            ratio = by_step[ours].seconds / by_step[base].seconds
            verdict = "[green]met[/green]" if ratio <= target else "[red]missed[/red]"
            console.print(f"{ours}: {ratio:.2f}x the baseline's time (target ≤ {target}x) "
                          f"{verdict}; peak {by_step[ours].peak_mib:,.0f} MiB (target < 2048)")


if __name__ == "__main__":
    main()
