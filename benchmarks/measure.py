"""Time a command and read its peak memory (the child's max RSS), for the benchmark table."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measurement:
    step: str
    seconds: float
    peak_mib: float
    rows: int | None = None
    note: str = ""
    #: the child's CPU seconds (user + sys)
    cpu: float | None = None

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows and self.seconds else None


def measure(step: str, argv: list[str], *, rows: int | None = None, note: str = "",
            allow_failure: bool = False) -> Measurement:
    """Run ``argv`` as a child process; its wall time, CPU time and peak resident memory. With
    ``allow_failure``, exit code 1 (covermap's own error, e.g. a refused plan) is expected."""
    read, write = os.pipe()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(write), *argv],
                            stdout=subprocess.DEVNULL, pass_fds=(write,))
    os.close(write)
    code = proc.wait()
    with os.fdopen(read) as f:
        seconds, cpu, peak_kib = f.read().split()
    if code not in ((0, 1) if allow_failure else (0,)):
        raise SystemExit(f"benchmark step {step!r} failed: {' '.join(argv)}")
    return Measurement(step, float(seconds), int(peak_kib) / 1024, rows, note, float(cpu))


# A child's peak memory (ru_maxrss) starts from the resident size of the process it is
# forked from, and this runner grows as it compares exports (a map step measured after
# the coverage comparison showed 491 MiB for covermap and its baseline alike). So each
# step is started, timed and measured by a small launcher of its own.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, u = os.wait4(pid, 0)
os.write(int(sys.argv[1]),
         f"{time.perf_counter() - start} {u.ru_utime + u.ru_stime} {u.ru_maxrss}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def pop_repeat(args: list[str], default: int = 3) -> int:
    """The rounds ``--repeat N`` asks for (taken out of ``args``), else ``default``."""
    if "--repeat" not in args:
        return default
    i = args.index("--repeat")
    n = int(args[i + 1])
    del args[i:i + 2]
    return n


def python(code: str) -> list[str]:
    """argv that runs ``code`` in this interpreter (for hand-written baseline queries)."""
    return [sys.executable, "-c", code]


def export_beside_baseline(command: str, store: Path, out_dir: Path,
                           baseline_code: Callable[[Path, Path], str], *, table: str,
                           key_columns: int) -> list[Measurement]:
    """Time ``covermap COMMAND --export`` (its six tables) and a hand-written baseline that
    writes ``table`` alone (``baseline_code(store, csv)``: Python source) on one store, and
    count the rows of ``table`` where the two differ (keyed by its first ``key_columns``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = measure(f"{command} --export", [sys.executable, "-m", "covermap", command, "--store",
                                           str(store), "--export", str(out_dir), "--force"],
                   note="6 tables")
    baseline_csv = out_dir / f"{command}_baseline.csv"
    base = measure(f"{command} SQL baseline", python(baseline_code(store, baseline_csv)),
                   note=f"{table} only")
    base.note += ("; rows differing from covermap's: "
                  f"{differing_rows(out_dir / f'{table}.csv', baseline_csv, key_columns)}")
    return [ours, base]


def differing_rows(ours_csv: Path, base_csv: Path, key_columns: int) -> int:
    """Rows where two CSV files differ, matched by their first ``key_columns`` columns, over
    the baseline's columns (covermap's exports end with group_id and territory, which the
    baselines leave out)."""
    def rows(path: Path, width: int | None = None) -> dict[tuple[str, ...], list[str]]:
        with path.open(newline="", encoding="utf-8") as f:
            return {tuple(r[:key_columns]): r[:width] for r in csv.reader(f)}

    base = rows(base_csv)
    ours = rows(ours_csv, max((len(r) for r in base.values()), default=None))
    return sum(ours.get(k) != v for k, v in base.items()) + abs(len(ours) - len(base))


def alternate(argv: dict[str, tuple[list[str], str]], repeat: int) -> list[Measurement]:
    """Run each step of ``argv`` (step -> (argv, note)) in turn, ``repeat`` rounds, and give
    per step the medians of wall time, peak memory and CPU time, with every round's wall and
    CPU seconds and the load average before each round in its note."""
    import statistics

    runs: dict[str, list[Measurement]] = {step: [] for step in argv}
    loads = []
    for _ in range(repeat):
        loads.append(", ".join(f"{x:.2f}" for x in os.getloadavg()))
        for step, (args, note) in argv.items():
            runs[step].append(measure(step, args, note=note))
    out = []
    for step, ms in runs.items():
        m = Measurement(step, statistics.median(x.seconds for x in ms),
                        statistics.median(x.peak_mib for x in ms), note=argv[step][1],
                        cpu=statistics.median(x.cpu for x in ms))
        m.note += (f"; wall {', '.join(f'{x.seconds:.2f}' for x in ms)} s, CPU "
                   f"{', '.join(f'{x.cpu:.2f}' for x in ms)} s; load {' / '.join(loads)}")
        out.append(m)
    return out
