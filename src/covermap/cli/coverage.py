"""``covermap coverage`` and ``covermap worklist``: render a coverage measurement.

Both call :func:`covermap.coverage.measure.measure_coverage` and only format what
it returns; nothing is computed here.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covermap.cli.options import (
    DEFAULT_STORE,
    AsOfOption,
    ForceOption,
    PlanOption,
    StoreOption,
    WindowOption,
    analysis_store,
    console,
    plan_in_use,
    resolve_plan,
)

if TYPE_CHECKING:  # the engine, the store and render are imported where a command runs
    from covermap.coverage.measure import CoverageResult
    from covermap.plan import Plan
    from covermap.render import Formats
    from covermap.store.connect import Store


class Group(enum.StrEnum):
    state = "state"
    segment = "segment"
    owner = "owner"
    role = "role"
    month = "month"
    group = "group"          # customer groups (covermap.coverage.rollups)
    territory = "territory"


def _memory(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B|B)?", value.strip(), re.IGNORECASE):
        raise typer.BadParameter(f"{value!r} is not an amount of memory; use e.g. 1200MB or 4GB")
    return value.strip()


MemoryOption = Annotated[str, typer.Option(
    "--memory-limit", callback=_memory,
    help="DuckDB memory limit; intermediates beyond it spill to disk. The default keeps a "
         "million accounts under 2 GiB of memory.")]
DEFAULT_MEMORY = "1200MB"


@contextmanager
def _measured(store: str, plan_path: Path | None, as_of: dt.date | None,
              window_months: int | None, memory_limit: str,
              check: Callable[[Store, Plan], None] | None = None) -> Iterator[CoverageResult]:
    """The measurement, valid while the store stays open (its tables live on the connection).
    ``check(store, plan)`` runs first, so a bad option fails before the measurement."""
    from covermap.coverage.measure import measure_coverage

    plan = resolve_plan(plan_path)
    with analysis_store(store, memory_limit) as s:
        if check is not None:
            check(s, plan)
        yield measure_coverage(s, plan, as_of=as_of, window_months=window_months)


def _header(result: CoverageResult) -> None:
    from covermap.cli.data import print_data_warnings
    from covermap.render.terminal import literal
    from covermap.store.health import data_warnings

    w = result.window
    console.print(f"[bold]{literal(result.plan.name)}[/bold] — as of {w.as_of.isoformat()}, "
                  f"window {w.start.isoformat()} to {w.end.isoformat()} ({w.months} "
                  f"month{'s' if w.months != 1 else ''})", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]Warning:[/yellow] {literal(warning)}", highlight=False)
    print_data_warnings(data_warnings(result.store, result.plan))


def _formats(result: CoverageResult) -> Formats:
    from covermap.render import Formats, user_names

    return Formats.for_plan(result.plan, user_names(result.store))


def coverage(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    by: Annotated[Group, typer.Option("--by", help=(
        "Rows of the table. group: customer groups (an account's top-most parent); "
        "territory: the plan's territories, each with those below it."))] = Group.state,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write coverage_accounts.csv, coverage_checks.csv, "
                         "coverage_summary.csv, coverage_depth.csv, worklist.csv and "
                         "transitions.csv (with --outcomes, coverage_outcomes.csv; with "
                         "--by group or territory, coverage_groups.csv or "
                         "coverage_territories.csv) to this folder.", show_default=False)] = None,
    outcomes: Annotated[bool, typer.Option(
        "--outcomes", help="Also relate compliance over an earlier window to retention, "
                           "expansion, conversion and win rate (measures a second window).")
    ] = False,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    memory_limit: MemoryOption = DEFAULT_MEMORY,
    force: ForceOption = False,
) -> None:
    """Measure every account against its coverage standard: compliance and breadth.

    --export replaces the CSV files an earlier export wrote there; any other file of the
    same name only with --force.

    Example: covermap coverage --by segment --outcomes --export coverage-out
    """
    from covermap.coverage.measure import coverage_tables
    from covermap.render import Column, Kind, result_table
    from covermap.render.terminal import literal
    from covermap.reports.export import export_tables
    from covermap.reports.targets import Targets
    from covermap.store.arrow import to_pylist

    key_kinds = {"state": Kind.state, "owner": Kind.user}  # how --by GROUP shows its keys
    targets = Targets("--export", force)

    def check(s: Store, p: Plan) -> None:  # before the measurement: a bad --export fails fast
        nonlocal targets
        targets = Targets.of("--export", force=force, store=s, plan=plan_in_use(plan))
        if export is not None:
            targets.folder(export)

    with _measured(store, plan, as_of, window_months, memory_limit, check) as result:
        _header(result)
        if by.value in ROLLUPS:
            _print_rollup(result, by.value, export, targets, outcomes)
            return
        records = to_pylist(result.summary.filter(result.summary.group.isin([by.value, "all"])))
        records = [r for r in records if r["group"] == by.value] + \
            [{**r, "key": "Total"} for r in records if r["group"] == "all"]
        for r in records:
            if r["group"] == "state" and not r["has_standard"]:
                r["compliance"] = "no standard"
        key = Column(key_kinds.get(by.value, Kind.text), by.value.capitalize(), "(none)")
        table = result_table(
            records, "coverage_summary", _formats(result), overrides={"key": key},
            columns=["key", "accounts", "accounts_with_checks", "checks", "passed",
                     "compliance", "breadth"],
            row_style=lambda r: "bold" if r["group"] == "all" else None)
        console.print(table)
        if outcomes:
            _print_outcomes(result)
        if export is not None:
            paths = export_tables(coverage_tables(result, outcomes=outcomes), export,
                                  targets=targets)
            console.print(f"Wrote {len(paths)} files to {literal(export)}", highlight=False)


ROLLUPS = ("group", "territory")


def _print_rollup(result: CoverageResult, by: str, export: Path | None, targets,
                  outcomes: bool) -> None:
    """``--by group|territory``: the roll-up table; ``--export`` writes it beside the rest."""
    from covermap.coverage.measure import coverage_tables
    from covermap.coverage.rollups import rollup
    from covermap.engine.rollups import kept, table_name
    from covermap.render.rollups import rollup_view
    from covermap.render.terminal import literal
    from covermap.reports.export import export_tables

    name = table_name("coverage", by)
    table = kept(result.store, rollup(result, by), name)
    console.print(rollup_view(table, name, by, _formats(result), [
        "key", "accounts", "customers", "arr", "compliance", "breadth"]))
    if outcomes:
        _print_outcomes(result)
    if export is not None:
        paths = export_tables({**coverage_tables(result, outcomes=outcomes), name: table},
                              export, targets=targets)
        console.print(f"Wrote {len(paths)} files to {literal(export)}", highlight=False)


def _print_outcomes(result: CoverageResult) -> None:
    from covermap.render import result_table
    from covermap.store.arrow import to_pylist

    rows = to_pylist(result.outcomes)
    if not rows:
        return
    first = rows[0]
    console.print(f"Outcomes: compliance {first['measured_from']:%Y-%m-%d} to "
                  f"{first['measured_to']:%Y-%m-%d}, what followed to "
                  f"{first['followed_to']:%Y-%m-%d}", highlight=False)
    for r in rows:
        r["measure"] = r["measure"].replace("_", " ")
    table = result_table(rows, "coverage_outcomes", _formats(result),
                         columns=["band", "cohort", "measure", "count", "total", "rate"])
    console.print(table)


def worklist(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    owner: Annotated[str | None, typer.Option(
        help="Only this owner (a user id, or a user's exact name).")] = None,
    role: Annotated[str | None, typer.Option(
        help="Only entries due by this role (`anyone`: entries naming no role).")] = None,
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    state: Annotated[str | None, typer.Option(help="Only this state id.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to print.")] = 20,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write the whole (filtered) worklist to this CSV file.",
        show_default=False)] = None,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    memory_limit: MemoryOption = DEFAULT_MEMORY,
    force: ForceOption = False,
) -> None:
    """Accounts below their coverage standard now, ranked by value at risk.

    --export replaces a worklist an earlier export wrote; any other existing file only
    with --force.

    Example: covermap worklist --role csm --export worklist.csv
    """
    from covermap.coverage.worklist import check_filters, filter_worklist
    from covermap.render import result_table
    from covermap.render.terminal import literal
    from covermap.reports.export import export_table
    from covermap.reports.targets import Targets
    from covermap.store.arrow import scalar, to_arrow

    filters: dict[str, str | None] = {}
    targets = Targets("--export", force)

    def check(s: Store, p: Plan) -> None:
        nonlocal targets
        targets = Targets.of("--export", force=force, store=s, plan=plan_in_use(plan))
        if export is not None:
            targets.file(export, early=True)
        filters.update(check_filters(s, p, owner=owner, role=role, segment=segment,
                                     state=state))

    with _measured(store, plan, as_of, window_months, memory_limit, check) as result:
        _header(result)
        wl = filter_worklist(result.worklist, **filters)
        total = scalar(wl.count())
        console.print(f"{total:,} entr{'y' if total == 1 else 'ies'} below standard now",
                      highlight=False)
        table = result_table(
            to_arrow(wl.limit(limit)), "worklist", _formats(result),
            columns=["rank", "account_id", "state", "owner_id", "missing", "reason",
                     "due_date", "value", "days_since_human_touch"])
        console.print(table)
        if total > limit:
            console.print(f"Showing the first {limit:,} of {total:,}; pass --limit N for more, "
                          f"or --export FILE for every row.", highlight=False)
        if export is not None:
            export_table(wl, export, targets=targets)
            console.print(f"Wrote {literal(export)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("coverage")(coverage)
    app.command("worklist")(worklist)
