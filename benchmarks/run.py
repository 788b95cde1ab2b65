"""covermap's benchmark: one command, one table.

    python benchmarks/run.py --size S      # 100,000 accounts, about 5 M activities
    python benchmarks/run.py --size M      # 1,000,000 accounts, about 50 M activities
    python benchmarks/run.py --accounts 250000

Generates the sample company (about 50 activities per account), imports it, runs every
analysis, and runs hand-written DuckDB baselines for each in the same run. Every step is a
separate process, so its peak memory (max RSS) is its own. The table is printed and added
to benchmarks/RESULTS.md with the machine, the date and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
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
#: --size: accounts (the sample has about 50 activities per account)
SIZES = {"S": 100_000, "M": 1_000_000, "L": 2_000_000}
#: peak memory targets by size, MiB
PEAK_TARGET = {"S": 2048, "M": 2048, "L": 4096}
RESULTS = Path(__file__).parent / "RESULTS.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), help="S, M or L (sets --accounts)")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--wide", type=int, nargs="*", metavar="COLUMNS",
                        help="also import wide accounts files of these many columns x "
                             "10,000 rows (default 1000 5000)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="Markdown file the table is added to (default %(default)s)")
    args = parser.parse_args()
    if args.size:
        args.accounts = SIZES[args.size]
    load_before = os.getloadavg()[0]

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
    peak_target = PEAK_TARGET.get(args.size or "", 2048)
    lines = print_table(results, args.accounts, peak_target)
    append_results(args.results, results, args.accounts, lines,
                   (load_before, os.getloadavg()[0]))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def print_table(results: list[Measurement], accounts: int, peak_target: int) -> list[str]:
    """Print the table and the verdict per pair; the verdicts, as plain text."""
    table = Table(title=f"covermap benchmark — {accounts:,} accounts")
    for col in ("step", "seconds", "CPU s", "rows", "rows/s", "peak MiB", "note"):
        table.add_column(col, justify="left" if col in ("step", "note") else "right")
    for m in results:
        rps = m.rows_per_second
        table.add_row(m.step, f"{m.seconds:,.1f}", _cpu(m), f"{m.rows:,}" if m.rows else "",
                      f"{rps:,.0f}" if rps else "", f"{m.peak_mib:,.0f}", m.note)
    console = Console()
    console.print(table)
    by_step = {m.step: m for m in results}
    lines = []
    for ours, base, target in PAIRS:
        if ours in by_step and base in by_step:
            a, b = by_step[ours], by_step[base]
            ratio = a.seconds / b.seconds
            peak = a.peak_mib
            met = ratio <= target and peak < peak_target
            cpu = f" ({a.cpu / b.cpu:.2f}x its CPU time)" if a.cpu and b.cpu else ""
            lines.append(f"{ours}: {ratio:.2f}x the baseline's time{cpu} (target ≤ {target}x); "
                         f"peak {peak:,.0f} MiB (target < {peak_target:,}): "
                         f"{'met' if met else 'missed'}")
            console.print(lines[-1].replace(": met", ": [green]met[/green]")
                          .replace(": missed", ": [red]missed[/red]"))
    return lines


def _cpu(m: Measurement) -> str:
    return f"{m.cpu:,.1f}" if m.cpu is not None else ""


def append_results(path: Path, results: list[Measurement], accounts: int,
                   verdicts: list[str], load: tuple[float, float]) -> None:
    """Add this run's table to ``path`` (Markdown), under the machine and the date."""
    mem = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo")
                if line.startswith("MemTotal:")), 0) if Path("/proc/meminfo").exists() else 0
    rows = "\n".join(
        f"| {m.step} | {m.seconds:,.1f} | {_cpu(m)} | {f'{m.rows:,}' if m.rows else ''} | "
        f"{m.peak_mib:,.0f} | {m.note.replace('|', '/')} |" for m in results)
    section = (
        f"\n## {accounts:,} accounts, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, {mem:,} MiB; Python "
        f"{platform.python_version()}; load average {load[0]:.1f} before, {load[1]:.1f} "
        f"after. Seconds are wall time; CPU s is the process's user + system time, steadier under load."
        f"\n\n| step | seconds | CPU s | rows | peak MiB | note |\n|---|---:|---:|---:|---:|---|\n"
        f"{rows}\n\n" + "".join(f"- {v}\n" for v in verdicts))
    if not path.exists():
        path.write_text("# Benchmark results\n\nEach run of `python benchmarks/run.py` adds "
                        "a section (newest last).\n", "utf-8")
    with path.open("a", encoding="utf-8") as f:
        f.write(section)


if __name__ == "__main__":
    main()
