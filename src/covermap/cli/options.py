"""Options shared by every command that reads or writes the store or needs a plan."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from covermap.errors import PlanError

if TYPE_CHECKING:
    from covermap.plan import Plan
    from covermap.store.connect import Store

#: the store a command uses without --store; covermap.store.connect.DEFAULT_STORE, kept
#: here so that declaring the options loads neither DuckDB nor Ibis (a test keeps the two
#: equal)
DEFAULT_STORE = "covermap.duckdb"

# emoji=False: a value such as ":warning:" from the data is printed as it is (markup
# brackets are escaped by covermap.render.terminal.literal)
console = Console(emoji=False)

StoreOption = Annotated[
    str,
    typer.Option("--store", help="Store: a covermap DuckDB file (created if missing; never a "
                                 "data file or someone else's database).",
                 show_default=True),
]
PlanOption = Annotated[
    Path | None,
    typer.Option("--plan", help="Plan YAML. Default: plan.yaml here if present, else the "
                                "built-in default plan.", show_default=False),
]
DEFAULT_STORE_PATH = DEFAULT_STORE
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace existing files covermap did not write (never a store, a plan or "
                    "an imported file).")]


def literal(value: object) -> str:
    """:func:`covermap.render.terminal.literal`, imported on first use (importing
    covermap.render loads the engine, which `--help` does not need)."""
    from covermap.render.terminal import literal as text

    return text(value)


def parse_date(value: str | dt.date | None) -> dt.date | None:
    """An ISO date from the command line (``typer.BadParameter``, exit 2, when it is not)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-06-30") \
            from None


# The window every analysis runs over: the same two options on coverage, worklist, map
# and report (issue 7, point 11).
AsOfOption = Annotated[dt.date | None, typer.Option(
    "--as-of", parser=parse_date, metavar="YYYY-MM-DD",
    help="Measure as of this date. Default: the plan's as_of, else the date of the latest "
         "activity.", show_default=False)]
WindowOption = Annotated[int | None, typer.Option(
    "--window-months", min=1, max=120, help="Window length in complete calendar months. "
                                            "Default: the plan's window_months.",
    show_default=False)]


def plan_in_use(path: Path | None) -> Path | None:
    """The plan file a command with ``--plan path`` reads (None: the built-in plan)."""
    if path is not None:
        return path
    return Path("plan.yaml") if Path("plan.yaml").is_file() else None


def resolve_plan(path: Path | None) -> Plan:
    """The plan at ``path``; else ./plan.yaml when it exists; else the built-in default."""
    from covermap.plan import default_plan, load_plan

    if path is not None:
        if path.is_dir():
            raise PlanError(f"{path}: is a folder; --plan takes a plan file, e.g. "
                            f"{path / 'plan.yaml'} (write one with `covermap init`)")
        return load_plan(path)
    if Path("plan.yaml").exists():
        return load_plan(Path("plan.yaml"))
    return default_plan()


@contextlib.contextmanager
def analysis_store(store: str, memory_limit: str | None) -> Iterator[Store]:
    """The store opened read-only for an analysis: DuckDB spills into a folder of this run's
    own (its default, next to the store, is shared by every process reading the same store,
    and two runs spilling there corrupt each other), prints no progress bar of its own (it
    would print into our tables), and Ibis compiles without merging SELECTs
    (``store.lazy_ibis.unfused_selects``)."""
    from covermap.store.connect import open_store
    from covermap.store.lazy_ibis import unfused_selects

    with tempfile.TemporaryDirectory(prefix="covermap-spill-") as spill, unfused_selects(), \
            open_store(store, read_only=True, memory_limit=memory_limit) as s:
        s.duckdb.execute(f"SET temp_directory = '{spill.replace(chr(39), chr(39) * 2)}'")
        s.duckdb.execute("SET enable_progress_bar = false")
        yield s
