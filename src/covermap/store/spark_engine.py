"""Which engine runs the analyses: ``duckdb`` (the store's own) or ``spark``, chosen by
``covermap --engine``. Kept apart from ``store.spark`` so that choosing loads neither
PySpark nor Ibis (``covermap --help`` stays fast).

>>> with engine("spark"):
...     selected()
'spark'
>>> selected()
'duckdb'
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

DUCKDB = "duckdb"
SPARK = "spark"
ENGINES = (DUCKDB, SPARK)
#: the analyses whose every export on Spark equals DuckDB's (tests/test_spark_engine.py)
ANALYSES = ("coverage", "map", "team", "value", "capacity", "assign")
#: the other commands --engine spark lets through: import (refused by the store: WRITE)
COMMANDS = frozenset({*ANALYSES, "import"})

_ENGINE: ContextVar[str] = ContextVar("covermap_engine", default=DUCKDB)


def selected() -> str:
    """The engine ``open_store`` opens stores with."""
    return _ENGINE.get()


def require_command(command: str | None) -> None:
    """Raise ``BackendUnsupported`` unless ``covermap --engine spark COMMAND`` is one that
    runs on Spark (``COMMANDS``), before Spark or the store is opened."""
    if command is not None and command not in COMMANDS:
        from covermap.store import capabilities

        raise capabilities.unsupported_on_spark(command)


def choose(name: str) -> Callable[[], None]:
    """Open stores with engine ``name`` until the returned function is called (what
    ``covermap --engine`` does for one command)."""
    token = _ENGINE.set(name)
    return lambda: _ENGINE.reset(token)


@contextlib.contextmanager
def engine(name: str) -> Iterator[None]:
    """Open stores with engine ``name`` inside the block."""
    token = _ENGINE.set(name)
    try:
        yield
    finally:
        _ENGINE.reset(token)
