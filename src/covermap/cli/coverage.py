"""``covermap coverage`` and ``covermap worklist``: render a coverage measurement.

Both call :func:`covermap.engine.coverage.measure_coverage` and only format what
it returns; nothing is computed here.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from covermap.cli.options import PlanOption, StoreOption, console, resolve_plan
from covermap.engine.coverage import CoverageResult, coverage_tables, measure_coverage
from covermap.engine.worklist import filter_worklist
from covermap.reports.export import export_table, export_tables
from covermap.store.connect import DEFAULT_STORE, open_store


class Group(enum.StrEnum):
    state = "state"
    segment = "segment"
    owner = "owner"
    role = "role"
    month = "month"


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-06-30") \
            from None


AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Measure as of this date (YYYY-MM-DD). Default: the plan's as_of, else "
                    "the date of the latest activity.", show_default=False)]
WindowOption = Annotated[int | None, typer.Option(
    "--window-months", min=1, max=120, help="Window length in complete calendar months. "
                                            "Default: the plan's window_months.",
    show_default=False)]


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
def _measured(store: str, plan_path: Path | None, as_of: str | None,
              window_months: int | None, memory_limit: str) -> Iterator[CoverageResult]:
    """The measurement, valid while the store stays open (its tables live on the connection)."""
    plan = resolve_plan(plan_path)
    day = _date(as_of)
    # A spill folder of our own: DuckDB's default (next to the store) is shared by every
    # process reading the same store, and two runs spilling there corrupt each other.
    with tempfile.TemporaryDirectory(prefix="covermap-spill-") as spill, \
            open_store(store, read_only=True, memory_limit=memory_limit) as s:
        s.duckdb.execute(f"SET temp_directory = '{spill.replace(chr(39), chr(39) * 2)}'")
        s.duckdb.execute("SET enable_progress_bar = false")  # it would print into our tables
        yield measure_coverage(s, plan, as_of=day, window_months=window_months)


def _header(result: CoverageResult) -> None:
    w = result.window
    console.print(f"[bold]{result.plan.name}[/bold] — as of {w.as_of.isoformat()}, window "
                  f"{w.start.isoformat()} to {w.end.isoformat()} ({w.months} "
                  f"month{'s' if w.months != 1 else ''})", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)


def _missing(value: object) -> bool:
    """An empty result value (None, NaN or NaT, as pandas returns them)."""
    return value is None or bool(pd.isna(value))


def _pct(value: object) -> str:
    if _missing(value):
        return "—"
    return f"{float(value):.1%}"


def _key(row: dict, group: str) -> str:
    if group == "state":
        return str(row["label"])
    key = row["key"]
    return "(none)" if _missing(key) else str(key)


def coverage(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    by: Annotated[Group, typer.Option("--by", help="Rows of the table.")] = Group.state,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write coverage_accounts.csv, coverage_checks.csv, "
                         "coverage_summary.csv, coverage_depth.csv, worklist.csv and "
                         "transitions.csv (with --outcomes, coverage_outcomes.csv) to this "
                         "folder.", show_default=False)] = None,
    outcomes: Annotated[bool, typer.Option(
        "--outcomes", help="Also relate compliance over an earlier window to retention, "
                           "expansion, conversion and win rate (measures a second window).")
    ] = False,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    memory_limit: MemoryOption = DEFAULT_MEMORY,
) -> None:
    """Measure every account against its coverage standard: compliance and breadth.

    Example: covermap coverage --by segment --outcomes --export coverage-out
    """
    with _measured(store, plan, as_of, window_months, memory_limit) as result:
        _header(result)
        rows = result.summary.filter(result.summary.group.isin([by.value, "all"])).execute()
        table = Table(by.value.capitalize(), "Accounts", "With checks", "Checks", "Passed",
                      "Compliance", "Breadth")
        for col in range(1, 7):
            table.columns[col].justify = "right"
        records = rows.to_dict("records")
        for row in [r for r in records if r["group"] == by.value] + \
                [r for r in records if r["group"] == "all"]:
            total = row["group"] == "all"
            compliance = _pct(row["compliance"])
            if row["group"] == "state" and not row["has_standard"]:
                compliance = "no standard"
            table.add_row("Total" if total else _key(row, by.value), f"{row['accounts']:,}",
                          f"{row['accounts_with_checks']:,}", f"{row['checks']:,}",
                          f"{row['passed']:,}", compliance, _pct(row["breadth"]),
                          style="bold" if total else None, end_section=False)
        console.print(table)
        if outcomes:
            _print_outcomes(result)
        if export is not None:
            paths = export_tables(coverage_tables(result, outcomes=outcomes), export)
            console.print(f"Wrote {len(paths)} files to {export}", highlight=False)


def _print_outcomes(result: CoverageResult) -> None:
    rows = result.outcomes.execute().to_dict("records")
    if not rows:
        return
    first = rows[0]
    console.print(f"Outcomes: compliance {first['measured_from']:%Y-%m-%d} to "
                  f"{first['measured_to']:%Y-%m-%d}, what followed to "
                  f"{first['followed_to']:%Y-%m-%d}", highlight=False)
    table = Table("Compliance", "Cohort", "Measure", "Count", "Of", "Rate")
    for col in range(3, 6):
        table.columns[col].justify = "right"
    for r in rows:
        table.add_row(r["band"], r["cohort"], r["measure"].replace("_", " "), f"{r['count']:,}",
                      f"{r['total']:,}", _pct(r["rate"]))
    console.print(table)


def worklist(
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner_id.")] = None,
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
) -> None:
    """Accounts below their coverage standard now, ranked by value at risk.

    Example: covermap worklist --role csm --export worklist.csv
    """
    with _measured(store, plan, as_of, window_months, memory_limit) as result:
        _header(result)
        wl = filter_worklist(result.worklist, owner=owner, role=role, segment=segment,
                             state=state)
        total = int(wl.count().execute())
        console.print(f"{total} entr{'y' if total == 1 else 'ies'} below standard", highlight=False)
        table = Table("#", "Account", "State", "Owner", "Missing", "Reason", "Due", "Value",
                      "Days since human touch")
        for row in wl.limit(limit).execute().to_dict("records"):
            label = result.plan.state(row["state"]).label.en
            days = row["days_since_human_touch"]
            value = row["value"]
            table.add_row(str(row["rank"]), f"{row['name']} ({row['account_id']})", label,
                          str(row["owner_id"] or ""), row["missing"], row["reason"],
                          row["due_date"].isoformat()[:10],
                          "" if _missing(value) else str(value),
                          "never" if _missing(days) else str(int(days)))
        console.print(table)
        if export is not None:
            export_table(wl, export)
            console.print(f"Wrote {export}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("coverage")(coverage)
    app.command("worklist")(worklist)
