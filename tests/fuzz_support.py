"""What the fuzz tests (tests/test_fuzz_*.py, issue 15 point 2) share: the Hypothesis
settings profiles, the count of cases each test ran, and the guard that proves a plan's
loading and rule compilation open no file, socket or process and run no code.

Profiles (``COVERMAP_FUZZ`` picks one; default ``ci``): ``ci`` runs the counts the
closing note states (10,030 cases in all: plans 3,000, rules 3,000, values 2,500, readers
1,500, end-to-end imports 30; about 90 s of CPU, half that on two cores with xdist);
``quick`` a tenth of them, for editing the tests; ``deep`` ten times more, for a long
run by hand. Every profile is derandomized: CI sees the same cases on every run, and a
failure reproduces with the same command (Hypothesis prints the minimal example).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

PROFILE = os.environ.get("COVERMAP_FUZZ", "ci")
SCALE = {"quick": 0.1, "ci": 1.0, "deep": 10.0}[PROFILE]

for _name, _scale in (("quick", 0.1), ("ci", 1.0), ("deep", 10.0)):
    # deadline None: the machine is shared, a slow example is not a failure; no example
    # database: nothing is written beside the tests, and derandomize makes it unneeded
    settings.register_profile(
        f"covermap-fuzz-{_name}", deadline=None, derandomize=True, database=None,
        print_blob=False, phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much, HealthCheck.large_base_example])


def fuzz_settings(ci_examples: int) -> settings:
    """The settings of one fuzz test: the profile's, with ``ci_examples`` scaled to it."""
    return settings(settings.get_profile(f"covermap-fuzz-{PROFILE}"),
                    max_examples=max(1, round(ci_examples * SCALE)))


def floor(ci_examples: int) -> int:
    """The fewest cases a test must have run under the current profile."""
    return max(1, round(ci_examples * SCALE))


class Counter:
    """Cases a test's property ran to the end (each passed every assertion)."""

    def __init__(self) -> None:
        self.n = 0

    def done(self) -> None:
        self.n += 1

    def report(self, record_property, layer: str, ci_examples: int) -> None:
        """Assert the test ran its share, and record the count for fuzz_count.py."""
        assert self.n >= floor(ci_examples), (layer, self.n, floor(ci_examples))
        record_property("fuzz_cases", self.n)
        record_property("fuzz_layer", layer)


# --- the guard ------------------------------------------------------------------

#: audit events that read or write files, open sockets, start processes, load native
#: code or compile and run Python code (https://docs.python.org/3/library/audit_events.html)
WATCHED = ("open", "os.", "shutil.", "glob.", "tempfile.", "socket.", "subprocess.",
           "ctypes.", "urllib.", "http.", "ftplib.", "smtplib.", "imaplib.", "poplib.",
           "telnetlib.", "webbrowser.", "exec", "compile", "import", "pickle.",
           "marshal.", "builtins.input", "sqlite3.", "mmap.", "fcntl.", "code.__new__")
#: where time-zone rules are read from: validating ``timezone:`` reads the tz database
#: (read only), the one file a plan's loading may open
_TZ_DIRS = tuple(str(Path(p).resolve()) for p in zoneinfo.TZPATH)
# the tzdata package, which zoneinfo reads when the system has no such zone (its keys
# cannot leave it: zoneinfo refuses absolute paths and ..)
_tzdata = importlib.util.find_spec("tzdata")
if _tzdata is not None and _tzdata.submodule_search_locations:
    _TZ_DIRS += tuple(os.path.realpath(p) for p in _tzdata.submodule_search_locations)
_events: list[tuple[str, str]] | None = None


def _tz_read(event: str, args: tuple) -> bool:
    if event == "import":
        return str(args[0]).split(".")[0] == "tzdata"
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return False
    mode = args[1] if len(args) > 1 else "r"
    path = os.path.realpath(os.fsdecode(args[0]))
    return (mode in (None, "r", "rb") and any(path.startswith(d + os.sep) for d in _TZ_DIRS))


def _hook(event: str, args: tuple) -> None:
    if _events is None or not event.startswith(WATCHED) or _tz_read(event, args):
        return
    _events.append((event, repr(args)[:300]))


# An audit hook cannot be removed: it is installed once per process and records only
# inside ``no_io()`` (one test at a time per process; xdist workers are processes).
sys.addaudithook(_hook)


@contextmanager
def no_io() -> Iterator[list[tuple[str, str]]]:
    """Record every watched audit event inside the block; the caller asserts it is empty."""
    global _events
    seen: list[tuple[str, str]] = []
    _events = seen
    try:
        yield seen
    finally:
        _events = None
