"""`covermap init` and `covermap plan check`: write a starter plan, check one against the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from covermap.cli.options import DEFAULT_STORE, StoreOption, console, literal, resolve_plan
from covermap.errors import OutputError, PlanInvalid, StoreError

if TYPE_CHECKING:
    from covermap.engine.states import StateCounts
    from covermap.plan import Plan

#: covermap.plan.load.TEMPLATES, kept here so that declaring --template loads neither
#: pydantic nor the plan models (a test keeps the two equal)
TEMPLATES = ("default",)

plan_app = typer.Typer(help="Check plan files.", no_args_is_help=True)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the plan.")] = Path("plan.yaml"),
    template: Annotated[str, typer.Option(help=f"Template: {', '.join(TEMPLATES)}.")] = "default",
    force: Annotated[bool, typer.Option(
        help="Overwrite an existing file (never a store or an imported file).")] = False,
) -> None:
    """Write a commented starter plan: the 9-state coverage standard (English and Japanese
    labels), activity kinds, and the 3x3 coverage-map grid.

    Example: covermap init plan.yaml
    """
    from covermap.plan import template_text
    from covermap.reports.targets import Targets

    Targets.of("PATH", force=force, imported=_default_store_inputs()).file(path, plan=True)
    text = template_text(template)
    try:
        path.write_text(text, "utf-8")
    except OSError as e:
        raise OutputError(f"{path}: cannot write this file ({e.strerror}); choose a "
                          f"place you can write to for PATH") from e
    console.print(f"Wrote {literal(path)}. Edit it, then run: covermap plan check "
                  f"{literal(path)}", highlight=False)


def _default_store_inputs() -> frozenset[Path]:
    """The files the store in this folder imported (init has no --store; a plan must not
    replace one of them)."""
    from covermap.reports.targets import imported_files
    from covermap.store.connect import is_duckdb_file, open_store

    if not is_duckdb_file(DEFAULT_STORE):
        return frozenset()
    try:
        with open_store(DEFAULT_STORE, read_only=True) as s:
            return imported_files(s)
    except StoreError:  # someone else's database, or locked: it imported nothing we know
        return frozenset()


@plan_app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="The plan file to check.")] = Path("plan.yaml"),
    store: StoreOption = DEFAULT_STORE,
    as_of: Annotated[dt.datetime | None, typer.Option(
        "--as-of", formats=["%Y-%m-%d"], help="Date to classify accounts on.")] = None,
) -> None:
    """Validate a plan and report every problem at once (file, line and key of each). With
    a store, also check its rules against the store's columns and show how many accounts
    each state's rule matches today (states are tried in order; the first match wins).
    Without a store (the file does not exist), the plan is checked alone and no file is
    created.

    Example: covermap plan check plan.yaml --store covermap.duckdb
    """
    plan = resolve_plan(path)
    if not _store_exists(store):
        _print_states(plan, f"{literal(path)}: valid — {len(plan.states)} states", None)
        console.print(f"No store at {literal(store)}, so the plan was checked alone. To see "
                      f"how many accounts each state matches: covermap import FILES --store "
                      f"{literal(store)}",
                      highlight=False)
        return
    from covermap.engine.plan_checks import plan_problems, unmapped_kinds
    from covermap.engine.states import count_current_states
    from covermap.plan.store_checks import owner_warnings, role_warnings
    from covermap.store.connect import open_store

    # an existing store is only read (an import meanwhile is not waited for)
    with open_store(store, read_only=Path(store.removeprefix("duckdb://")).exists()) as s:
        problems = plan_problems(s, plan)
        if problems:
            raise PlanInvalid(problems)
        counts = count_current_states(s, plan, as_of=as_of.date() if as_of else None)
        warnings = [*unmapped_kinds(s, plan), *role_warnings(s, plan),
                    *owner_warnings(s, plan, counts.as_of)]
    _print_states(plan, f"{literal(path)}: valid — accounts per state as of {counts.as_of}",
                  counts)
    for w in warnings:
        console.print(f"[yellow]Warning:[/yellow] {literal(w)}", highlight=False)


def _store_exists(store: str) -> bool:
    path = store.removeprefix("duckdb://")
    return path == ":memory:" or "://" in path or Path(path).exists()


def _print_states(plan: Plan, title: str, counts: StateCounts | None) -> None:
    table = Table(title=title)
    columns = ("#", "state", "label", "rule", *(("accounts",) if counts else ()), "standard")
    for col in columns:
        table.add_column(col, justify="right" if col in ("#", "accounts") else "left")
    for i, state in enumerate(plan.states, 1):
        standard = "; ".join(e.describe() for e in state.standard) or "no standard"
        n = (f"{counts.by_state.get(state.id, 0):,}",) if counts else ()
        table.add_row(str(i), literal(state.id), literal(state.label.en), literal(state.rule),
                      *n, literal(standard))
    if counts:
        table.add_row("", "unclassified", "no rule matches", "", f"{counts.unclassified:,}", "")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.add_typer(plan_app, name="plan")
