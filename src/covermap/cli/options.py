"""Options shared by every command that reads or writes the store or needs a plan."""

from __future__ import annotations

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


def resolve_plan(path: Path | None) -> Plan:
    """The plan at ``path``; else ./plan.yaml when it exists; else the built-in default."""
    if path is not None:
        return load_plan(path)
    if Path("plan.yaml").exists():
        return load_plan(Path("plan.yaml"))
    return default_plan()
