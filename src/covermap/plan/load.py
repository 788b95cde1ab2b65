"""Read a plan file: YAML -> validated ``Plan``, with errors that name the line and key.

A key left out of a plan file takes the built-in default's value, so a file
holding only ``sources:`` (a column mapping) is a whole plan.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from covermap.errors import PlanError, PlanInvalid, RuleError, did_you_mean
from covermap.plan.limits import BYTE_POSITIONS, check_file_size, check_shape, compose
from covermap.plan.model import Plan
from covermap.plan.validation import Locations, dotted, line_of, validation_problems

TEMPLATES = ("default",)


def template_text(name: str = "default") -> str:
    """The commented YAML of a built-in plan template."""
    if name not in TEMPLATES:
        raise PlanError(f"unknown template {name!r}; templates are: {', '.join(TEMPLATES)}")
    return resources.files("covermap.plan").joinpath("templates", f"{name}.yaml").read_text("utf-8")


def _parse(text: str, file: str) -> tuple[dict[str, Any], Locations]:
    try:
        check_shape(text, file)
        node, data = compose(text)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise PlanInvalid([PlanError(f"not valid YAML: {e.problem}; fix the syntax", file=file,
                                     line=line)]) from e
    except yaml.reader.ReaderError as e:  # a control character (no mark: found while reading)
        # libyaml's position counts the bytes of the UTF-8 text, PyYAML's the characters
        before = text.encode("utf-8")[:e.position] if BYTE_POSITIONS else text[:e.position]
        line = before.count(b"\n" if BYTE_POSITIONS else "\n") + 1
        raise PlanInvalid([PlanError(f"not valid YAML: the control character #x{e.character:04x} "
                                     f"is not allowed in YAML text; remove it", file=file,
                                     line=line)]) from e
    if data is None:
        return {}, Locations(None)
    if not isinstance(data, dict):
        raise PlanInvalid([PlanError("a plan is a mapping of keys (name, states, "
                                     "activity_kinds, ...)", file=file, line=1)])
    return data, Locations(node)


@cache
def _default_data() -> dict[str, Any]:
    # compose reads with libyaml where it is installed (PyYAML's own loader: ~0.1 s a command)
    return compose(template_text("default"))[1]


def parse_plan(text: str, file: str = "<plan>") -> Plan:
    """Validate plan YAML text; missing top-level keys take the default's values.

    Every problem is reported at once: a ``PlanInvalid`` lists them in file order, each
    with the file, line and key.
    """
    data, source = _parse(text, file)
    from covermap.team.references import reference_problems, team_defaults

    merged = team_defaults({**_default_data(), **data}, data)
    problems: list[PlanError] = []
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(merged)
    except ValidationError as e:
        problems += validation_problems(e, file, source, bool(data))
    problems += _reference_problems(merged, file, source.lines)
    problems += reference_problems(merged, file, source.lines)  # journey, raci, handoffs
    # Rules are checked here too, so a bad rule is reported when the plan loads.
    from covermap.plan.rules import check_plan_rules

    if plan is not None:
        check_plan_rules(plan, file=file, lines=source.lines, problems=problems)
    else:
        problems += _raw_rule_problems(merged, file, source.lines)
    if problems:
        raise PlanInvalid(in_file_order(problems))
    return plan


def in_file_order(problems: list[PlanError]) -> list[PlanError]:
    """Problems sorted by line (those without a line last), keeping the order within a line."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _reference_problems(data: dict[str, Any], file: str,
                        lines: dict[tuple, int]) -> list[PlanError]:
    """State ids are unique, and every state and role a plan names is one it defines.

    Checked on the YAML's data, so these are found even when other keys are invalid.
    """
    problems: list[PlanError] = []
    states = [s if isinstance(s, dict) else {} for s in _seq(data.get("states"))]
    state_ids = [s.get("id") for s in states]
    first: dict[Any, int] = {}
    for i, sid in enumerate(state_ids):
        if isinstance(sid, Hashable) and sid is not None and first.setdefault(sid, i) != i:
            problems.append(PlanError(
                f"duplicate state id {sid!r} (first at states[{first[sid]}]); every "
                f"state needs its own id", file=file, line=line_of(lines, ("states", i, "id")),
                key=f"states[{i}].id"))
    worklist = data.get("worklist") if isinstance(data.get("worklist"), dict) else {}
    known_states = list(dict.fromkeys(s for s in state_ids if isinstance(s, str)))
    for i, ref in enumerate(_seq(worklist.get("states"))):
        if isinstance(ref, str) and ref not in known_states:
            problems.append(PlanError(
                f"unknown state {ref!r};{did_you_mean(ref, known_states)} states are: "
                f"{', '.join(known_states)}", file=file,
                line=line_of(lines, ("worklist", "states", i)), key=f"worklist.states[{i}]"))
    role_ids = [r.get("id") for r in _seq(data.get("roles")) if isinstance(r, dict)]
    role_ids = [r for r in role_ids if isinstance(r, str)]
    if not role_ids:
        return problems
    for i, state in enumerate(states):
        refs = [(("owners", j), r) for j, r in enumerate(_seq(state.get("owners")))]
        refs += [(("standard", k, "by", j), r) for k, e in enumerate(_seq(state.get("standard")))
                 if isinstance(e, dict) for j, r in enumerate(_seq(e.get("by")))]
        for sub, role in refs:
            if isinstance(role, str) and role not in role_ids:
                path = ("states", i, *sub)
                problems.append(PlanError(
                    f"unknown role {role!r};{did_you_mean(role, role_ids)} roles are: "
                    f"{', '.join(role_ids)} (add it under `roles:`)", file=file,
                    line=line_of(lines, path), key=dotted(path)))
    return problems


def _seq(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _raw_rule_problems(data: dict[str, Any], file: str,
                       lines: dict[tuple, int]) -> list[PlanError]:
    """Syntax and type errors of the rules in a plan that did not validate as a whole."""
    from covermap.plan.rules import account_column_types, check_rule

    types = account_column_types()
    checks = [(("states", i, "rule"), s.get("rule")) for i, s in enumerate(_seq(data.get("states")))
              if isinstance(s, dict)]
    cmap = data.get("coverage_map")
    value = cmap.get("value") if isinstance(cmap, dict) else None
    tier_rules = value.get("rules") if isinstance(value, dict) else None
    if isinstance(tier_rules, dict):
        checks += [(("coverage_map", "value", "rules", tier), r) for tier, r in tier_rules.items()]
    problems: list[PlanError] = []
    for path, text in checks:
        if not isinstance(text, str):
            continue  # reported by validation
        try:
            check_rule(text, types)
        except RuleError as e:
            if "unknown column" not in e.reason:  # may be an extra column of the store
                problems.append(RuleError(e.reason, file=file, line=line_of(lines, path),
                                          key=dotted(path)))
    return problems


def load_plan(path: str | Path) -> Plan:
    """Load and validate the plan file at ``path``."""
    p = Path(path)
    if not p.exists():
        raise PlanError(f"no plan file here; create one with `covermap init {p}`", file=str(p))
    if p.is_file():
        check_file_size(p)
    try:
        text = p.read_text("utf-8")
    except UnicodeDecodeError as e:
        raise PlanError("a plan file must be UTF-8 text", file=str(p)) from e
    return parse_plan(text, str(p))


def default_plan() -> Plan:
    """The built-in default plan (the 9-state coverage standard)."""
    return parse_plan(template_text("default"), "<default plan>")


def rule_line(lines: dict[tuple, int], path: tuple) -> int | None:
    """Line of a key path in a plan file (for rule errors)."""
    return line_of(lines, path)
