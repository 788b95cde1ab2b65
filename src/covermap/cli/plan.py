"""`covermap init` and `covermap plan check`: write a starter plan, check one against the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from covermap.cli.options import StoreOption, console
from covermap.errors import PlanError
from covermap.plan import load_plan, template_text
from covermap.plan.load import TEMPLATES
from covermap.plan.rules import check_plan_rules, plan_origin
from covermap.store.connect import DEFAULT_STORE, open_store

plan_app = typer.Typer(help="Check plan files.", no_args_is_help=True)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the plan.")] = Path("plan.yaml"),
    template: Annotated[str, typer.Option(help=f"Template: {', '.join(TEMPLATES)}.")] = "default",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter plan: the 9-state coverage standard (English and Japanese
    labels), activity kinds, and the 3x3 coverage-map grid.

    Example: covermap init plan.yaml
    """
    if path.exists() and not force:
        raise PlanError(f"{path} exists already; pass --force to overwrite it")
    path.write_text(template_text(template), "utf-8")
    console.print(f"Wrote {path}. Edit it, then run: covermap plan check {path}")


@plan_app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="The plan file to check.")] = Path("plan.yaml"),
    store: StoreOption = DEFAULT_STORE,
    as_of: Annotated[dt.datetime | None, typer.Option(
        "--as-of", formats=["%Y-%m-%d"], help="Date to classify accounts on.")] = None,
) -> None:
    """Validate a plan against the store and show how many accounts each state's rule
    matches today (states are tried in order; the first match wins).

    Example: covermap plan check plan.yaml --store covermap.duckdb
    """
    from covermap.engine.states import count_current_states

    plan = load_plan(path)
    with open_store(store) as s:
        file, lines = plan_origin(plan)
        check_plan_rules(plan, file=file, lines=lines, store_columns=s.columns("accounts"),
                         unknown_names_ok=False)
        counts = count_current_states(s, plan, as_of=as_of.date() if as_of else None)
    table = Table(title=f"{path}: valid — accounts per state as of {counts.as_of}")
    for col in ("#", "state", "label", "rule", "accounts", "standard"):
        table.add_column(col, justify="right" if col in ("#", "accounts") else "left")
    for i, state in enumerate(plan.states, 1):
        standard = "; ".join(e.describe() for e in state.standard) or "no standard"
        table.add_row(str(i), state.id, state.label.en, state.rule,
                      f"{counts.by_state.get(state.id, 0):,}", standard)
    table.add_row("", "unclassified", "no rule matches", "", f"{counts.unclassified:,}", "")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.add_typer(plan_app, name="plan")
