"""Options shared by every command that reads or writes the store or needs a plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from covermap.plan import Plan, default_plan, load_plan
from covermap.store.connect import DEFAULT_STORE

console = Console()

StoreOption = Annotated[
    str,
    typer.Option("--store", help="Store: a DuckDB file path (created if missing).",
                 show_default=True),
]
PlanOption = Annotated[
    Path | None,
    typer.Option("--plan", help="Plan YAML. Default: plan.yaml here if present, else the "
                                "built-in default plan.", show_default=False),
]
DEFAULT_STORE_PATH = DEFAULT_STORE


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


def resolve_plan(path: Path | None) -> Plan:
    """The plan at ``path``; else ./plan.yaml when it exists; else the built-in default."""
    if path is not None:
        return load_plan(path)
    if Path("plan.yaml").exists():
        return load_plan(Path("plan.yaml"))
    return default_plan()
