"""Checks of the ``segments``, ``capacity`` and ``assign`` sections, each naming the plan
file, line and key: errors (a reference to an unknown segment, stage or role; a segment rule
that does not type-check; a role whose engagement hours are zero) and journey findings (a
stage with no touchpoint for a segment; a touchpoint whose role is not R or A there)."""

from __future__ import annotations

from dataclasses import dataclass

from covermap.errors import PlanError, RuleError, did_you_mean
from covermap.plan.load import rule_line
from covermap.plan.model import Plan
from covermap.plan.rules import account_column_types, check_rule, plan_origin
from covermap.team.model import RESPONSIBLE


def _key(path: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path) \
        .replace(".[", "[")


def engagement_hours(plan: Plan, role: str) -> float:
    """A person's engagement hours a year: hours_per_week × working_weeks × share."""
    r = next(r for r in plan.roles if r.id == role)
    return (r.hours_per_week or 0.0) * plan.capacity.working_weeks * (r.engagement_share or 0.0)


def capacity_roles(plan: Plan) -> list[str]:
    """Roles capacity counts people for: journey roles, then benchmark roles (plan order)."""
    used = {tp.role for tps in plan.capacity.journeys.values() for tp in tps}
    used |= set(plan.capacity.benchmark.arr_per_person)
    used |= set(plan.capacity.benchmark.customers_per_person)
    return [r.id for r in plan.roles if r.id in used]


def capacity_problems(plan: Plan, store_columns: dict[str, str] | None = None,
                      store_segments: list[str] | None = None) -> list[PlanError]:
    """Every error of the three sections (module doc), in plan order. ``store_segments``:
    the segment column's values, the segments when the plan defines none."""
    file, lines = plan_origin(plan)
    out: list[PlanError] = []

    def add(path: tuple, message: str) -> None:
        out.append(PlanError(message, file=file, line=rule_line(lines, path), key=_key(path)))

    types = account_column_types(store_columns)
    for i, seg in enumerate(plan.segments):
        try:
            check_rule(seg.rule, types)
        except RuleError as e:
            add(("segments", i, "rule"), e.reason)
    segments = [s.id for s in plan.segments] if plan.segments else store_segments
    stages = [s.id for s in plan.journey.stages]
    roles = [r.id for r in plan.roles]
    for seg, tps in plan.capacity.journeys.items():
        if segments is not None and seg not in segments:
            add(("capacity", "journeys", seg), f"unknown segment {seg!r};"
                f"{did_you_mean(seg, segments)} segments are: {', '.join(segments) or '(none)'}")
        for j, tp in enumerate(tps):
            if tp.stage not in stages:
                add(("capacity", "journeys", seg, j, "stage"), f"unknown stage {tp.stage!r};"
                    f"{did_you_mean(tp.stage, stages)} journey stages are: "
                    f"{', '.join(stages) or '(none: add journey.stages)'}")
            if tp.role not in roles:
                add(("capacity", "journeys", seg, j, "role"), f"unknown role {tp.role!r};"
                    f"{did_you_mean(tp.role, roles)} roles are: {', '.join(roles)}")
    for i, st in enumerate(plan.capacity.stages or ()):
        if st not in stages:
            add(("capacity", "stages", i), f"unknown stage {st!r};{did_you_mean(st, stages)} "
                f"journey stages are: {', '.join(stages) or '(none: add journey.stages)'}")
    bench = plan.capacity.benchmark
    for key in ("arr_per_person", "customers_per_person"):
        for role in getattr(bench, key):
            if role not in roles:
                add(("capacity", "benchmark", key, role), f"unknown role {role!r};"
                    f"{did_you_mean(role, roles)} roles are: {', '.join(roles)}")
    for user, segs in plan.assign.specialists.items():
        for s in segs:
            if segments is not None and s not in segments:
                add(("assign", "specialists", user), f"unknown segment {s!r};"
                    f"{did_you_mean(s, segments)} segments are: {', '.join(segments)}")
    if out:
        return out
    for role in capacity_roles(plan):
        if engagement_hours(plan, role) <= 0:
            i = roles.index(role)
            r = plan.roles[i]
            field = "hours_per_week" if not r.hours_per_week else "engagement_share"
            add(("roles", i, field), f"role {role!r} has zero engagement hours a year "
                f"(hours_per_week × capacity.working_weeks × engagement_share), so capacity "
                f"cannot count its people; set {field} above 0")
    return out


@dataclass(frozen=True)
class JourneyFinding:
    """A journey gap: the plan key, its line and what is missing."""

    key: str
    line: int | None
    message: str


def journey_findings(plan: Plan) -> list[JourneyFinding]:
    """Per segment with a journey: stages the journeys cover (``capacity.stages``, default:
    the stages any segment's journey has a touchpoint at) with no touchpoint, and
    touchpoints whose role is not R or A at their stage (after the segment's RACI
    override)."""
    _, lines = plan_origin(plan)
    out: list[JourneyFinding] = []
    stages = [s.id for s in plan.journey.stages]
    covered = plan.capacity.covered_stages(stages)
    for seg, tps in plan.capacity.journeys.items():
        path = ("capacity", "journeys", seg)
        for st in covered:
            if not any(tp.stage == st for tp in tps):
                out.append(JourneyFinding(_key(path), rule_line(lines, path),
                                          f"stage {st!r} has no touchpoint for segment {seg!r}"))
        for j, tp in enumerate(tps):
            letter = plan.raci.letters(tp.stage, seg).get(tp.role)
            if tp.stage in stages and letter not in RESPONSIBLE:
                p = (*path, j, "role")
                out.append(JourneyFinding(_key(p), rule_line(lines, p),
                                          f"touchpoint {tp.name!r}: role {tp.role!r} is "
                                          f"{letter or 'not in the RACI'} at stage "
                                          f"{tp.stage!r}, not R or A"))
    return out
