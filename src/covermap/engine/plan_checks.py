"""A plan checked against a store: every rule's names exist, and the store's activity kinds
are the ones the plan maps.

The plan alone is checked when it loads (``covermap.plan.load``); these checks need the
data, so ``covermap plan check --store`` runs them.
"""

from __future__ import annotations

from covermap.errors import PlanError, did_you_mean
from covermap.plan import rules
from covermap.plan.load import in_file_order, rule_line
from covermap.plan.model import Plan
from covermap.store.arrow import to_pylist


def plan_problems(store, plan: Plan) -> list[PlanError]:
    """Every rule name and the worklist measure against the store's account columns, in file
    order (each names the plan file, line and key)."""
    file, lines = rules.plan_origin(plan)
    columns = store.columns("accounts")
    problems: list[PlanError] = []
    rules.check_plan_rules(plan, file=file, lines=lines, store_columns=columns,
                           unknown_names_ok=False, problems=problems)
    measure = plan.worklist.value_measure
    if measure not in columns:
        problems.append(PlanError(
            f"unknown account column {measure!r};{did_you_mean(measure, columns)} account "
            f"columns are: {', '.join(columns)}", file=file,
            line=rule_line(lines, ("worklist", "value_measure")), key="worklist.value_measure"))
    return in_file_order(problems)


def unmapped_kinds(store, plan: Plan) -> list[str]:
    """One warning per activity kind in the store that ``activity_kinds`` does not name (such
    activities are never touches), most frequent first, with the closest plan kind."""
    act = store.table("activities")
    act = act.filter(act.kind.notnull())
    if plan.activity_kinds:
        act = act.filter(~act.kind.isin(list(plan.activity_kinds)))
    counts = act.group_by("kind").aggregate(n=act.count())
    rows = to_pylist(counts.order_by([counts.n.desc(), counts.kind]))
    fix = "add the kind under `activity_kinds` with its channel (human, digital or none)"
    out = []
    for r in rows:
        hint = did_you_mean(r["kind"], plan.activity_kinds)
        out.append(f"{r['n']:,} activities of kind {r['kind']!r} are not in the plan's "
                   f"`activity_kinds`, so they never count as touches;"
                   + (f"{hint} If not, {fix}" if hint else f" {fix}"))
    return out
