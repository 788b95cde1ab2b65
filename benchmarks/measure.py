"""Time a command and read its peak memory (the child's max RSS), for the benchmark table."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass
class Measurement:
    step: str
    seconds: float
    peak_mib: float
    rows: int | None = None
    note: str = ""

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows and self.seconds else None


def measure(step: str, argv: list[str], *, rows: int | None = None, note: str = "",
            allow_failure: bool = False) -> Measurement:
    """Run ``argv`` as a child process; its wall time and peak resident memory. With
    ``allow_failure``, exit code 1 (covermap's own error, e.g. a refused plan) is expected."""
    read, write = os.pipe()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(write), *argv],
                            stdout=subprocess.DEVNULL, pass_fds=(write,))
    os.close(write)
    code = proc.wait()
    with os.fdopen(read) as f:
        seconds, peak_kib = f.read().split()
    if code not in ((0, 1) if allow_failure else (0,)):
        raise SystemExit(f"benchmark step {step!r} failed: {' '.join(argv)}")
    return Measurement(step, float(seconds), int(peak_kib) / 1024, rows, note)


# A child's peak memory (ru_maxrss) starts from the resident size of the process it is
# forked from, and this runner grows as it compares exports (a map step measured after
# the coverage comparison showed 491 MiB for covermap and its baseline alike). So each
# step is started, timed and measured by a small launcher of its own.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
os.write(int(sys.argv[1]), f"{time.perf_counter() - start} {usage.ru_maxrss}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def python(code: str) -> list[str]:
    """argv that runs ``code`` in this interpreter (for hand-written baseline queries)."""
    return [sys.executable, "-c", code]
