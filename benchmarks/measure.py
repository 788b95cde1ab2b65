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
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ((0, 1) if allow_failure else (0,)):
        raise SystemExit(f"benchmark step {step!r} failed: {' '.join(argv)}")
    return Measurement(step, seconds, usage.ru_maxrss / 1024, rows, note)


def python(code: str) -> list[str]:
    """argv that runs ``code`` in this interpreter (for hand-written baseline queries)."""
    return [sys.executable, "-c", code]
