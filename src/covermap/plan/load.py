"""Read a plan file: YAML -> validated ``Plan``, with errors that name the line and key.

A key left out of a plan file takes the built-in default's value, so a file
holding only ``sources:`` (a column mapping) is a whole plan.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from covermap.errors import PlanError
from covermap.plan.model import Plan

TEMPLATES = ("default",)


def template_text(name: str = "default") -> str:
    """The commented YAML of a built-in plan template."""
    if name not in TEMPLATES:
        raise PlanError(f"unknown template {name!r}; templates are: {', '.join(TEMPLATES)}")
    return resources.files("covermap.plan").joinpath("templates", f"{name}.yaml").read_text("utf-8")


def _lines(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map every key path (('states', 2, 'rule'), ...) to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = (*path, k.value)
            out[key] = k.start_mark.line + 1
            _lines(v, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _lines(v, (*path, i), out)
    return out


def _parse(text: str, file: str) -> tuple[dict[str, Any], dict[tuple, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise PlanError(f"not valid YAML: {e.problem}; fix the syntax", file=file,
                        line=line) from e
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise PlanError("a plan is a mapping of keys (name, states, activity_kinds, ...)",
                        file=file, line=1)
    return data, _lines(node)


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


@cache
def _default_data() -> dict[str, Any]:
    return yaml.safe_load(template_text("default"))


def parse_plan(text: str, file: str = "<plan>") -> Plan:
    """Validate plan YAML text; missing top-level keys take the default's values."""
    data, lines = _parse(text, file)
    merged = {**_default_data(), **data}
    try:
        plan = Plan.model_validate(merged)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic puts literal/union branch names in loc; keep the part that is in the file
        while loc and loc not in lines and _line_of(lines, loc) is None:
            loc = loc[:-1]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "this key is required"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key; check its spelling against `covermap init`'s template"
        elif err["type"] == "literal_error":
            msg = f"{msg} (got {err.get('input')!r})"
        raise PlanError(msg, file=file, line=_line_of(lines, loc) if data else None,
                        key=_dotted(loc)) from None
    _check_references(plan, file, lines)
    # Rules are checked here too, so a bad rule is reported when the plan loads.
    from covermap.plan.rules import check_plan_rules

    check_plan_rules(plan, file=file, lines=lines)
    return plan


def _check_references(plan: Plan, file: str, lines: dict[tuple, int]) -> None:
    """State ids are unique, and every state and role a plan names is one it defines."""
    state_ids = [s.id for s in plan.states]
    for i, sid in enumerate(state_ids):
        if sid in state_ids[:i]:
            raise PlanError(f"duplicate state id {sid!r} (first at states[{state_ids.index(sid)}]);"
                            f" every state needs its own id", file=file,
                            line=_line_of(lines, ("states", i, "id")), key=f"states[{i}].id")
    for i, ref in enumerate(plan.worklist.states):
        if ref not in state_ids:
            raise PlanError(f"unknown state {ref!r}; states are: {', '.join(state_ids)}",
                            file=file, line=_line_of(lines, ("worklist", "states", i)),
                            key=f"worklist.states[{i}]")
    if not plan.roles:
        return
    role_ids = [r.id for r in plan.roles]
    for i, state in enumerate(plan.states):
        refs = [(("owners", j), r) for j, r in enumerate(state.owners)]
        refs += [(("standard", k, "by", j), r) for k, e in enumerate(state.standard)
                 for j, r in enumerate(e.by)]
        for sub, role in refs:
            if role not in role_ids:
                path = ("states", i, *sub)
                raise PlanError(f"unknown role {role!r}; roles are: {', '.join(role_ids)} "
                                f"(add it under `roles:`)", file=file,
                                line=_line_of(lines, path), key=_dotted(path))


def load_plan(path: str | Path) -> Plan:
    """Load and validate the plan file at ``path``."""
    p = Path(path)
    if not p.exists():
        raise PlanError(f"no plan file here; create one with `covermap init {p}`", file=str(p))
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
    return _line_of(lines, path)
