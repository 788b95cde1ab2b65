"""``covermap team check``: the plan's account coverage model checked for sense.

- every skill a stage requires is held by a role that is R or A there (for each segment
  override too);
- exactly one A per stage (and per segment override);
- roles with no R or A at any stage, in any segment;
- with a store: roles that account-team rows have but the plan does not define, and RACI
  segment overrides that no account's segment matches.

Each finding names the plan key and its line (read from the plan file's text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from covermap.plan.limits import compose
from covermap.plan.load import template_text
from covermap.plan.model import Plan
from covermap.plan.validation import Locations, line_of
from covermap.store.arrow import to_pylist


@dataclass(frozen=True)
class PlanFinding:
    """One finding: the plan key it concerns, its line (None: not in the file) and what."""

    key: str
    line: int | None
    message: str

    def text(self, file: str) -> str:
        where = f"{file}, line {self.line}" if self.line is not None else file
        return f"{where}: {self.key}: {self.message}"


def plan_lines(path: Path | None) -> dict[tuple, int]:
    """Key path -> line of the plan file at ``path`` (None: the built-in template)."""
    text = path.read_text("utf-8") if path is not None else template_text("default")
    node, _ = compose(text)
    return Locations(node).lines


def _segments(plan: Plan) -> list[str | None]:
    return [None, *sorted(plan.raci.segments)]


def check_team_plan(plan: Plan, lines: dict[tuple, int]) -> list[PlanFinding]:
    """The plan findings (module doc), in stage order then role order."""
    out: list[PlanFinding] = []
    skills = {r.id: set(r.skills) for r in plan.roles}

    def add(path: tuple, message: str) -> None:
        key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path)
        out.append(PlanFinding(key.replace(".[", "["), line_of(lines, path), message))

    for i, stage in enumerate(plan.journey.stages):
        for segment in _segments(plan):
            if segment is not None and stage.id not in plan.raci.segments[segment]:
                continue
            letters = plan.raci.letters(stage.id, segment)
            who = f" for segment {segment}" if segment is not None else ""
            where = (("raci", "segments", segment, stage.id) if segment is not None
                     else ("raci", stage.id) if stage.id in plan.raci.stages
                     else ("journey", "stages", i, "id"))
            resp = [r for r, x in letters.items() if x in ("R", "A")]
            for j, skill in enumerate(stage.skills):
                if not any(skill in skills.get(r, set()) for r in resp):
                    holders = [r for r, s in skills.items() if skill in s]
                    add(("journey", "stages", i, "skills", j) if segment is None else where,
                        f"stage {stage.id}{who} requires skill {skill!r}, but no role that "
                        f"is R or A there has it (R/A: {', '.join(resp) or 'none'}); roles "
                        f"with it: {', '.join(holders) or 'none'} (roles: skills)")
            accountable = [r for r, x in letters.items() if x == "A"]
            if len(accountable) != 1:
                add(where, f"stage {stage.id}{who} has "
                           f"{len(accountable) or 'no'} accountable role"
                           f"{'s' if len(accountable) > 1 else ''}"
                           f"{' (' + ', '.join(accountable) + ')' if accountable else ''}; "
                           f"exactly one role is A at each stage")
    if plan.journey.stages:
        responsible = {r for s in plan.journey.stages for seg in _segments(plan)
                       for r, x in plan.raci.letters(s.id, seg).items() if x in ("R", "A")}
        for i, role in enumerate(plan.roles):
            if role.id not in responsible:
                add(("roles", i, "id"), f"role {role.id} is R or A at no stage; give it a "
                                        f"responsibility in raci, or remove the role")
    return sorted(out, key=lambda f: (f.line is None, f.line or 0))


def store_findings(store, plan: Plan, lines: dict[tuple, int]) -> list[PlanFinding]:
    """Account-team roles in the store that the plan does not define, then segment
    overrides no account has."""
    out = store_role_findings(store, plan, lines)
    if plan.raci.segments:
        from covermap.engine.segments import segment_ids

        known = segment_ids(store, plan)
        where = "the plan's segments" if plan.segments else "segments in the store"
        for seg in plan.raci.segments:
            if seg not in known:
                out.append(PlanFinding(
                    f"raci.segments.{seg}", line_of(lines, ("raci", "segments", seg)),
                    f"no account has segment {seg!r}, so this override applies to none; "
                    f"{where}: {', '.join(known) or 'none'}"))
    return out


def store_role_findings(store, plan: Plan, lines: dict[tuple, int]) -> list[PlanFinding]:
    """Account-team roles in the store that the plan does not define."""
    t = store.table("account_team")
    known = [r.id for r in plan.roles]
    t = t.filter(t.role.notnull() & ~t.role.isin(known)) if known else t
    rows = to_pylist(t.group_by("role").aggregate(n=t.count()).order_by("role"))
    return [PlanFinding("roles", line_of(lines, ("roles",)),
                        f"account-team rows have role {r['role']!r} ({r['n']:,} "
                        f"row{'s' if r['n'] != 1 else ''}), which the plan does not define; "
                        f"add it under roles:, or map it with role_names and import the "
                        f"account team again") for r in rows]
