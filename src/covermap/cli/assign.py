"""``covermap assign --role ROLE``: which person of a role covers which account, solved with
HiGHS; calls :func:`covermap.capacity.assign.propose_assignment` and formats what it
returns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.options import (
    DEFAULT_STORE,
    AsOfOption,
    ForceOption,
    PlanOption,
    StoreOption,
    console,
    literal,
    plan_in_use,
    resolve_plan,
)

SHOWN = 20


def assign(
    role: Annotated[str, typer.Option("--role", help="The role whose people are assigned.")],
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write assignment.csv and assignment_load.csv to this folder.",
        show_default=False)] = None,
    as_of: AsOfOption = None,
    store: StoreOption = DEFAULT_STORE,
    plan: PlanOption = None,
    force: ForceOption = False,
) -> None:
    """Propose which person of ROLE covers each account in scope (or which
    assign.people_per_account people: assignment.csv then lists every account-person
    pair): within each person's
    capacity (the segment journey's hours per customer), load balanced (lowest maximum
    utilisation, then spread), existing relationships kept unless moving is needed, and
    the plan's assign: constraints (region, specialists, locked accounts, max_accounts).

    Example: covermap assign --role csm --export assign-out
    """
    from rich.table import Table

    from covermap.capacity.assign import ASSIGNMENT_COLUMNS, LOAD_COLUMNS, propose_assignment
    from covermap.engine.account_keys import account_keys, with_keys
    from covermap.render import Formats, Kind, format_value, user_names
    from covermap.reports.export import export_tables
    from covermap.reports.targets import Targets
    from covermap.store.arrow import memtable
    from covermap.store.connect import open_store

    p = resolve_plan(plan)
    with open_store(store, read_only=True) as s:
        targets = Targets.of("--export", force=force, store=s, plan=plan_in_use(plan))
        if export is not None:
            targets.folder(export)
        r = propose_assignment(s, p, role, as_of=as_of)
        sol = r.solution
        k = r.people_per_account
        accounts = f"{r.accounts:,} accounts" + (
            f" × {k} {literal(role)} ({sum(r.reasons.values()):,} pairs)" if k > 1 else "")
        console.print(f"[bold]{literal(p.name)}[/bold] — {literal(role)} assignment as of "
                      f"{r.as_of}: {accounts}, {len(r.load)} people; "
                      f"{r.moved:,} moved", highlight=False)
        for reason, n in r.reasons.items():
            console.print(f"  {n:,} {literal(reason)}", highlight=False)
        before = max((x["utilisation_before"] or 0.0 for x in r.load), default=0.0)
        if r.load and not any(x["hours"] for x in r.load):
            console.print(f"[yellow]Warning:[/yellow] the plan's journeys give "
                          f"{literal(role)} no hours per customer in any segment, so every "
                          f"account weighs 0 and the load cannot be balanced; add "
                          f"touchpoints of this role under capacity.journeys (see "
                          f"examples/sample-capacity.yaml)", highlight=False)
        console.print(f"Maximum utilisation {before:.1%} -> {sol.max_utilisation:.1%}, "
                      f"spread {sol.spread:.1%} (HiGHS: {sol.status}, "
                      f"{sol.seconds:.1f} s)", highlight=False)
        t = Table(title=f"Load per person (the {min(SHOWN, len(r.load))} most utilised)",
                  title_justify="left")
        for h in ("Person", "Accounts", "Hours", "Capacity", "Before", "After"):
            t.add_column(h, justify="left" if h == "Person" else "right")
        rows = sorted(r.load, key=lambda x: (-(x["utilisation_after"] or 0.0), x["user_id"]))
        f = Formats.for_plan(p, user_names(s))
        for x in rows[:SHOWN]:
            t.add_row(literal(format_value(x["user_id"], Kind.user, f)), f"{x['accounts']:,}",
                      f"{x['hours']:,.1f}",
                      f"{x['capacity']:,.1f}", f"{x['utilisation_before']:.1%}",
                      f"{x['utilisation_after']:.1%}")
        console.print(t)
        if export is not None:
            load = memtable({c: [x[c] for x in r.load] for c in LOAD_COLUMNS},
                            schema={"user_id": "string", "accounts": "int64",
                                    "hours": "float64", "capacity": "float64",
                                    "utilisation_before": "float64",
                                    "utilisation_after": "float64"})
            # group and territory appended (issue 16); the join needs the order again
            assigned = with_keys(r.assignment.select(*ASSIGNMENT_COLUMNS),
                                 account_keys(s, p)).order_by(["account_id", "user_id"])
            paths = export_tables({"assignment": assigned,
                                   "assignment_load": load}, export, targets=targets)
            console.print(f"Wrote {len(paths)} files to {literal(export)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("assign")(assign)
