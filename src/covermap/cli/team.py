"""``covermap team`` and ``covermap team check``: the account coverage model.

``team`` calls :func:`covermap.team.tables.measure_team` and formats what it returns;
``team check`` calls :mod:`covermap.team.checks` on the plan (and the store's roles).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.coverage import DEFAULT_MEMORY, MemoryOption
from covermap.cli.options import (
    DEFAULT_STORE,
    AsOfOption,
    ForceOption,
    PlanOption,
    StoreOption,
    WindowOption,
    analysis_store,
    console,
    literal,
    plan_in_use,
    resolve_plan,
)

team_app = typer.Typer(invoke_without_command=True)


class By(enum.StrEnum):
    stage = "stage"
    segment = "segment"
    role = "role"
    owner = "owner"
    group = "group"          # customer groups (covermap.team.rollups)
    territory = "territory"


EXPORTS = "team_accounts.csv, team_findings.csv, team_handoffs.csv, team_summary.csv, " \
          "team_effort.csv and team_followed.csv"


@team_app.callback()
def team(
    ctx: typer.Context,
    by: Annotated[By, typer.Option("--by", help=(
        "Rows of the summary table. group: customer groups (an account's top-most parent); "
        "territory: the plan's territories, each with those below it."))] = By.stage,
    account: Annotated[str | None, typer.Option(
        "--account", help="Also print this account's phase-in/out timeline.",
        show_default=False)] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help=f"Write {EXPORTS} to this folder (with --by group or territory, "
                         "also team_groups.csv or team_territories.csv).",
        show_default=False)] = None,
    as_of: AsOfOption = None,
    window_months: WindowOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    memory_limit: MemoryOption = DEFAULT_MEMORY,
    force: ForceOption = False,
) -> None:
    """Who covers each account at its journey stage: gaps, duplicates, over-coverage,
    silent members, hand-offs and phase-in/out, against the plan's journey and RACI.

    --export replaces the CSV files an earlier export wrote there; any other file of the
    same name only with --force.

    Example: covermap team --by segment --export team-out
    """
    if ctx.invoked_subcommand is not None:
        return
    from covermap.cli.data import print_data_warnings
    from covermap.render import Formats, user_names
    from covermap.reports.export import export_tables
    from covermap.reports.targets import Targets
    from covermap.store.arrow import to_pylist
    from covermap.store.health import data_warnings
    from covermap.team.queries import group_scoped
    from covermap.team.render import (
        effort_view,
        findings_line,
        followed_view,
        summary_view,
        timeline_view,
    )
    from covermap.team.tables import finding_counts, measure_team, team_tables
    from covermap.team.timeline import account_phases, account_timeline, check_account

    p = resolve_plan(plan)
    with analysis_store(store, memory_limit) as s:
        if account is not None:
            check_account(s, account)
        targets = Targets.of("--export", force=force, store=s, plan=plan_in_use(plan))
        if export is not None:
            targets.folder(export)
        result = measure_team(s, p, as_of=as_of, window_months=window_months)
        w = result.window
        console.print(f"[bold]{literal(p.name)}[/bold] — team as of {w.as_of}, window "
                      f"{w.start} to {w.end}", highlight=False)
        print_data_warnings(data_warnings(s, p))
        if not p.journey.stages:
            console.print("[yellow]Warning:[/yellow] the plan has no journey stages, so no "
                          "account has team checks; add journey:, raci: and handoffs: "
                          "(see `covermap init`)", highlight=False)
        formats = Formats.for_plan(p, user_names(s))
        labels = {st.id: st.label.en for st in p.journey.stages}
        tables = team_tables(result)
        if by.value in ("group", "territory"):
            from covermap.engine.rollups import kept, table_name
            from covermap.render.rollups import rollup_view
            from covermap.team.rollups import rollup

            name = table_name("team", by.value)
            table = tables[name] = kept(result.store, rollup(result, by.value), name)
            console.print(rollup_view(table, name, by.value, formats, [
                "key", "accounts", "customers", "with_gap", "with_duplicate", "with_silent",
                "handoffs", "late", "dropped"]))
        else:
            rows = to_pylist(result.summary)
            console.print(summary_view(rows, by.value, formats, labels))
        console.print(literal(findings_line(finding_counts(result), group_scoped(p))),
                      highlight=False)
        effort = effort_view(to_pylist(result.effort), formats, labels)
        if effort is not None:
            console.print(effort)
        followed = followed_view(to_pylist(result.followed), formats)
        if followed is not None:
            console.print(followed)
        if account is not None:
            console.print(timeline_view(account, account_timeline(result, account),
                                        account_phases(result, account), formats))
        if export is not None:
            paths = export_tables(tables, export, targets=targets)
            console.print(f"Wrote {len(paths)} files to {literal(export)}", highlight=False)


@team_app.command("check")
def check(
    path: Annotated[Path | None, typer.Argument(
        help="The plan file to check. Default: plan.yaml here if present, else the "
             "built-in default plan.", show_default=False)] = None,
    store: Annotated[str | None, typer.Option(
        "--store", help="Also list account-team roles in this store that the plan does "
                        "not define.", show_default=False)] = None,
) -> None:
    """Check the plan's journey and RACI: every required skill held by a role that is R or
    A at its stage, exactly one A per stage (and per segment override), roles with no R or
    A anywhere; with --store, account-team roles the plan does not define and segment
    overrides no account has. Each finding
    names the plan key and line; exit 1 when there is one.

    Example: covermap team check plan.yaml --store covermap.duckdb
    """
    from covermap.team.checks import check_team_plan, plan_lines, store_findings
    from covermap.team.queries import group_scoped
    from covermap.team.render import group_scope_text

    file = plan_in_use(path)
    plan = resolve_plan(path)
    lines = plan_lines(file)
    findings = check_team_plan(plan, lines)
    if store is not None:
        from covermap.store.connect import open_store

        with open_store(store, read_only=True) as s:
            findings += store_findings(s, plan, lines)
    name = str(file) if file is not None else "<default plan>"
    stages = len(plan.journey.stages)
    per_group = group_scoped(plan)
    scope = f"; {group_scope_text(per_group)} (single_holder_scope: group)" \
        if per_group else ""
    if not findings:
        console.print(f"{literal(name)}: the account coverage model is sound — {stages} "
                      f"stage{'s' if stages != 1 else ''}, {len(plan.handoffs)} hand-off "
                      f"rule{'s' if len(plan.handoffs) != 1 else ''}{literal(scope)}",
                      highlight=False)
        return
    if per_group:
        console.print(literal(f"Duplicates: {group_scope_text(per_group)} (a group's "
                              f"accounts together hold at most one person of the role)"),
                      highlight=False)
    for f in findings:
        console.print(f"[yellow]Finding:[/yellow] {literal(f.text(name))}", highlight=False,
                      soft_wrap=True)
    console.print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}",
                  highlight=False)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(team_app, name="team")
