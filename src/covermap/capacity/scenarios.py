"""What-if scenarios (``covermap capacity --scenario FILE``): overrides of the plan and of
the customer counts, measured beside the base.

A scenario file (YAML; every key optional)::

    name: Enterprise grows 20%
    customers: {ent: 1.2}             # factor on a segment's customers (rounded) and ARR
    remove_touchpoints: {ent: [qbr]}  # touchpoints taken out of a segment's journey
    roles: {csm: {engagement_share: 0.7, hours_per_week: 38}}
    working_weeks: 44
    benchmark: {arr_per_person: {csm: 1500000}}   # replaces the plan's benchmark
    standard: [{state: customer, entry: 0, per: month, min: 1}]  # an entry changed

An unknown segment, touchpoint, role, state or entry is an error naming the file and line.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.table import Table

from covermap.capacity.model import Benchmark
from covermap.errors import PlanError, PlanInvalid, did_you_mean
from covermap.plan.limits import compose
from covermap.plan.model import Per, Plan
from covermap.plan.rules import plan_origin
from covermap.plan.validation import Locations, line_of
from covermap.render.terminal import literal


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoleOverride(_Frozen):
    hours_per_week: float | None = Field(None, gt=0, le=168)
    engagement_share: float | None = Field(None, ge=0, le=1)


class EntryOverride(_Frozen):
    state: str
    entry: int = Field(0, ge=0)
    per: Per | None = None
    min: int | None = Field(None, ge=1)


class Scenario(_Frozen):
    """One scenario file (module doc); ``file`` and ``lines`` locate its keys."""

    name: str = ""
    customers: dict[str, float] = {}
    remove_touchpoints: dict[str, tuple[str, ...]] = {}
    roles: dict[str, RoleOverride] = {}
    working_weeks: float | None = Field(None, gt=0, le=53)
    benchmark: Benchmark | None = None
    standard: tuple[EntryOverride, ...] = ()
    file: str = ""
    lines: dict[tuple, int] = {}


def _key(path: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path) \
        .replace(".[", "[")


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file (shape only; names are checked against the plan
    by :func:`apply_scenario`)."""
    file = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except OSError as e:
        raise PlanError(f"cannot read the scenario file: {e.strerror}", file=file) from None
    try:
        node, data = compose(text)
    except Exception as e:  # yaml's own errors carry the line
        mark = getattr(e, "problem_mark", None)
        raise PlanError(f"not valid YAML: {getattr(e, 'problem', e)}", file=file,
                        line=mark.line + 1 if mark else None) from None
    lines = Locations(node).lines
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlanError("a scenario file is a mapping of overrides (name:, customers:, "
                        "remove_touchpoints:, roles:, working_weeks:, benchmark:, standard:)",
                        file=file, line=1)
    try:
        s = Scenario.model_validate({k: v for k, v in data.items()
                                     if k not in ("file", "lines")})
    except ValidationError as e:
        raise PlanInvalid([PlanError(err["msg"], file=file,
                                     line=line_of(lines, tuple(err["loc"])),
                                     key=_key(tuple(err["loc"]))) for err in e.errors()]) \
            from None
    return s.model_copy(update={"name": s.name or Path(path).stem, "file": file,
                                "lines": lines})


def apply_scenario(plan: Plan, s: Scenario, segments: list[str]) -> Plan:
    """The plan with the scenario's overrides; ``segments``: the segments that exist."""
    problems: list[PlanError] = []

    def bad(path: tuple, what: str, name: str, known: list[str]) -> None:
        problems.append(PlanError(f"unknown {what} {name!r};{did_you_mean(name, known)} "
                                  f"{what}s are: {', '.join(known) or '(none)'}", file=s.file,
                                  line=line_of(s.lines, path), key=_key(path)))

    for seg in s.customers:
        if seg not in segments:
            bad(("customers", seg), "segment", seg, segments)
    journeys = dict(plan.capacity.journeys)
    for seg, names in s.remove_touchpoints.items():
        if seg not in journeys:
            bad(("remove_touchpoints", seg), "segment", seg, list(journeys))
            continue
        have = [tp.name for tp in journeys[seg]]
        for i, n in enumerate(names):
            if n not in have:
                bad(("remove_touchpoints", seg, i), "touchpoint", n, have)
        journeys[seg] = tuple(tp for tp in journeys[seg] if tp.name not in names)
    role_ids = [r.id for r in plan.roles]
    for role in s.roles:
        if role not in role_ids:
            bad(("roles", role), "role", role, role_ids)
    if s.benchmark is not None:
        for key in ("arr_per_person", "customers_per_person"):
            for role in getattr(s.benchmark, key):
                if role not in role_ids:
                    bad(("benchmark", key, role), "role", role, role_ids)
    states = {st.id: st for st in plan.states}
    for i, e in enumerate(s.standard):
        st = states.get(e.state)
        if st is None:
            bad(("standard", i, "state"), "state", e.state, list(states))
        elif e.entry >= len(st.standard):
            problems.append(PlanError(
                f"state {e.state!r} has {len(st.standard)} standard entries (0 to "
                f"{len(st.standard) - 1}); there is no entry {e.entry}", file=s.file,
                line=line_of(s.lines, ("standard", i, "entry")), key=f"standard[{i}].entry"))
        else:
            entries = list(st.standard)
            entries[e.entry] = entries[e.entry].model_copy(update={
                k: v for k, v in (("per", e.per), ("min", e.min)) if v is not None})
            states[e.state] = st.model_copy(update={"standard": tuple(entries)})
    if problems:
        raise PlanInvalid(problems)
    roles = tuple(r.model_copy(update=s.roles[r.id].model_dump(exclude_none=True))
                  if r.id in s.roles else r for r in plan.roles)
    cap = plan.capacity.model_copy(update={
        "journeys": journeys,
        **({"working_weeks": s.working_weeks} if s.working_weeks is not None else {}),
        **({"benchmark": s.benchmark} if s.benchmark is not None else {})})
    new = plan.model_copy(update={"roles": roles, "capacity": cap,
                                  "states": tuple(states[st.id] for st in plan.states)})
    object.__setattr__(new, "_origin", plan_origin(plan))
    return new


def scenario_plans(plan: Plan, base, scenarios: list[Scenario]) -> list[tuple[Scenario, Plan]]:
    """Each scenario with its plan, every override checked against ``base``'s segments
    before anything is measured (all problems of a file are raised together)."""
    segments = [r["segment"] for r in base.summary if r["segment"] is not None]
    return [(s, apply_scenario(plan, s, segments)) for s in scenarios]


def run_scenarios(store, base, plans: list[tuple[Scenario, Plan]], **window) -> list[dict]:
    """Rows of ``capacity_scenarios``: the base's rows, then each scenario's, each with
    its ``scenario`` name; ``plans`` from :func:`scenario_plans`."""
    from covermap.capacity.tables import measure_capacity

    out = [{"scenario": "base", **r} for r in base.rows]
    for s, p in plans:
        result = measure_capacity(store, p, growth=dict(s.customers), **window)
        out += [{"scenario": s.name, **r} for r in result.rows]
    return out


def scenario_view(rows: list[dict]) -> Table:
    """Each scenario beside the base: people needed bottom-up / top-down / by standard per
    segment and role (its chart: ``covermap.capacity.render.scenario_chart``)."""
    names = list(dict.fromkeys(r["scenario"] for r in rows))
    t = Table(title="Scenarios: people needed (bottom-up / top-down / by standard)",
              title_justify="left")
    t.add_column("Segment")
    t.add_column("Role")
    for n in names:
        t.add_column(literal(n), justify="right")

    def cell(r: dict | None) -> str:
        if r is None:
            return "—"
        return " / ".join("—" if r[c] is None else f"{r[c]:,.2f}" for c in
                          ("needed_bottom_up", "needed_top_down", "needed_by_standard"))

    keys = list(dict.fromkeys((r["segment"], r["role"]) for r in rows))
    by = {(r["scenario"], r["segment"], r["role"]): r for r in rows}
    for seg, role in keys:
        t.add_row(literal(seg), literal(role), *(cell(by.get((n, seg, role))) for n in names))
    return t
