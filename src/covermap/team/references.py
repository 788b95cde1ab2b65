"""The team sections' references, checked on a plan file's data when it loads: every stage,
state and role that ``journey``, ``raci`` and ``handoffs`` name is one the plan defines, and
every state is in at most one stage. Each problem names the file, line and key.

Checked on the YAML's data (as ``covermap.plan.load`` checks state and role references),
so they are found even when other keys are invalid.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from covermap.errors import PlanError, did_you_mean
from covermap.plan.validation import dotted, line_of

TEAM_KEYS = ("journey", "raci", "handoffs")


def team_defaults(merged: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The built-in template's journey, RACI and hand-offs name its own states and roles:
    a plan file that defines its own ``states`` or ``roles`` takes none of them (no journey,
    so no team checks) unless it gives them itself."""
    if "states" not in data and "roles" not in data:
        return merged
    return {k: v for k, v in merged.items() if k not in TEAM_KEYS or k in data}


def _seq(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _map(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _ids(items: Any) -> list[str]:
    ids = [_map(x).get("id") for x in _seq(items)]
    return list(dict.fromkeys(i for i in ids if isinstance(i, str)))


class _Problems:
    def __init__(self, file: str, lines: dict[tuple, int]) -> None:
        self.file, self.lines, self.found = file, lines, []

    def add(self, path: tuple, message: str) -> None:
        self.found.append(PlanError(message, file=self.file, line=line_of(self.lines, path),
                                    key=dotted(path)))

    def unknown(self, path: tuple, what: str, value: Any, known: list[str], fix: str) -> None:
        if isinstance(value, Hashable) and value not in known:
            self.add(path, f"unknown {what} {value!r};{did_you_mean(value, known)} {what}s "
                           f"are: {', '.join(known) or '(none)'} ({fix})")


def reference_problems(data: dict[str, Any], file: str,
                       lines: dict[tuple, int]) -> list[PlanError]:
    """Problems of the ``journey``, ``raci`` and ``handoffs`` sections' references."""
    out = _Problems(file, lines)
    states, roles = _ids(data.get("states")), _ids(data.get("roles"))
    stage_list = _seq(_map(data.get("journey")).get("stages"))
    stages = _ids(stage_list)
    first_stage: dict[str, int] = {}
    holder: dict[Any, tuple[int, Any]] = {}
    for i, stage in enumerate(stage_list):
        sid = _map(stage).get("id")
        if isinstance(sid, str) and first_stage.setdefault(sid, i) != i:
            out.add(("journey", "stages", i, "id"), f"duplicate stage id {sid!r} (first at "
                    f"journey.stages[{first_stage[sid]}]); every stage needs its own id")
        for j, state in enumerate(_seq(_map(stage).get("states"))):
            path = ("journey", "stages", i, "states", j)
            if isinstance(state, Hashable) and state not in states:
                out.unknown(path, "state", state, states, "add it under `states:`")
            elif isinstance(state, Hashable) and state in holder and holder[state][0] != i:
                k, other = holder[state]
                out.add(path, f"state {state!r} is already in stage {other!r} "
                              f"(journey.stages[{k}]); a state belongs to at most one stage")
            elif isinstance(state, Hashable):
                holder.setdefault(state, (i, sid))
    fix_stage, fix_role = "add it under `journey: stages:`", "add it under `roles:`"
    raci = _map(data.get("raci"))
    for stage, letters in raci.items():
        if stage == "segments":
            continue
        out.unknown(("raci", stage, "[key]"), "stage", stage, stages, fix_stage)
        for role in _map(letters):
            out.unknown(("raci", stage, role, "[key]"), "role", role, roles, fix_role)
    for segment, by_stage in _map(raci.get("segments")).items():
        for stage, letters in _map(by_stage).items():
            path = ("raci", "segments", segment, stage)
            out.unknown((*path, "[key]"), "stage", stage, stages, fix_stage)
            for role in _map(letters):
                out.unknown((*path, role, "[key]"), "role", role, roles, fix_role)
    first_rule: dict[str, int] = {}
    for i, rule in enumerate(_seq(data.get("handoffs"))):
        rule = _map(rule)
        rid = rule.get("id")
        if isinstance(rid, str) and first_rule.setdefault(rid, i) != i:
            out.add(("handoffs", i, "id"), f"duplicate hand-off id {rid!r} (first at "
                    f"handoffs[{first_rule[rid]}]); every hand-off needs its own id")
        when = _map(rule.get("when"))
        if isinstance(when.get("state"), str):
            out.unknown(("handoffs", i, "when", "state"), "state", when["state"], states,
                        "add it under `states:`")
        if isinstance(when.get("stage"), str):
            out.unknown(("handoffs", i, "when", "stage"), "stage", when["stage"], stages,
                        fix_stage)
        for key in ("from", "to"):
            if isinstance(rule.get(key), str):
                out.unknown(("handoffs", i, key), "role", rule[key], roles, fix_role)
    return out.found
