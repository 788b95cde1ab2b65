"""Read a plan file: YAML -> validated ``Plan``, with errors that name the line and key.

A key left out of a plan file takes the built-in default's value, so a file
holding only ``sources:`` (a column mapping) is a whole plan.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Hashable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from covermap.errors import PlanError, PlanInvalid, RuleError, did_you_mean
from covermap.plan.model import Plan

TEMPLATES = ("default",)


def template_text(name: str = "default") -> str:
    """The commented YAML of a built-in plan template."""
    if name not in TEMPLATES:
        raise PlanError(f"unknown template {name!r}; templates are: {', '.join(TEMPLATES)}")
    return resources.files("covermap.plan").joinpath("templates", f"{name}.yaml").read_text("utf-8")


class _Source:
    """Where each key path of a plan file is: its line, and the text of each scalar value
    (``'on'``, ``'2024-01-01'``) before YAML read it as another type."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[tuple, int] = {}
        self.raw: dict[tuple, str] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            self.raw[path] = node.value
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                # keyed by the value YAML made of the key (`yes:` is True), as pydantic names it
                key = (*path, _construct(k))
                self.lines[key] = k.start_mark.line + 1
                self.lines[(*key, "[key]")] = k.start_mark.line + 1
                if isinstance(k, yaml.ScalarNode):
                    self.raw[(*key, "[key]")] = k.value
                self._walk(v, key)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self._walk(v, (*path, i))


def _construct(node: yaml.Node) -> Any:
    try:
        value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except yaml.YAMLError:
        return getattr(node, "value", None)
    return value if isinstance(value, Hashable) else getattr(node, "value", None)


def _parse(text: str, file: str) -> tuple[dict[str, Any], _Source]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise PlanInvalid([PlanError(f"not valid YAML: {e.problem}; fix the syntax", file=file,
                                     line=line)]) from e
    if data is None:
        return {}, _Source(None)
    if not isinstance(data, dict):
        raise PlanInvalid([PlanError("a plan is a mapping of keys (name, states, "
                                     "activity_kinds, ...)", file=file, line=1)])
    return data, _Source(node)


def _dotted(path: tuple, raw: dict[tuple, str] | None = None) -> str:
    """``states[0].rule``; a mapping key YAML read as another type is shown as written."""
    out = ""
    for i, p in enumerate(path):
        if p == "[key]":
            continue
        written = (raw or {}).get((*path[:i + 1], "[key]"))
        if written is not None:
            p = written
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
    """Validate plan YAML text; missing top-level keys take the default's values.

    Every problem is reported at once: a ``PlanInvalid`` lists them in file order, each
    with the file, line and key.
    """
    data, source = _parse(text, file)
    merged = {**_default_data(), **data}
    problems: list[PlanError] = []
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(merged)
    except ValidationError as e:
        problems += _validation_problems(e, file, source, bool(data))
    problems += _reference_problems(merged, file, source.lines)
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


def _validation_problems(e: ValidationError, file: str, source: _Source,
                         has_data: bool) -> list[PlanError]:
    problems, seen = [], set()
    for err in e.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if loc and loc[-1] == "[key]" and "input" in err:
            loc = (*loc[:-2], err["input"], "[key]")  # pydantic's loc shows True as 1
        # pydantic puts literal/union branch names in loc; keep the part that is in the file
        while loc and loc not in source.lines and _line_of(source.lines, loc) is None:
            loc = loc[:-1]
        while loc and loc not in source.lines and loc[:-1] in source.lines and \
                isinstance(loc[-1], str) and loc[-1] != "[key]" and \
                _model_at(loc[:-1]) is None and err["type"] != "extra_forbidden":
            loc = loc[:-1]  # a union branch name (str, bool, ...) under a value in the file
        line = _line_of(source.lines, loc) if has_data else None
        key = _dotted(loc, source.raw)
        if (line, key) in seen:
            continue  # one message per value, not one per union branch
        seen.add((line, key))
        problems.append(PlanError(_message(err, loc, source), file=file, line=line, key=key))
    return problems


def _message(err: dict[str, Any], loc: tuple, source: _Source) -> str:
    kind, value = err["type"], err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return "this key is required"
    if kind == "extra_forbidden":
        keys = _fields_at(loc[:-1])
        hint = did_you_mean(loc[-1], keys)
        known = f" Keys here are: {', '.join(keys)}" if keys else ""
        return f"unknown key;{hint}{known}" if hint else f"unknown key;{known.lower()}"
    if kind == "string_type" or (kind == "literal_error" and not isinstance(value, str)):
        quoted = _quote_hint(value, source.raw.get(loc))
        if quoted:
            return quoted
    if isinstance(value, (list, dict)) and kind in ("string_type", "bool_type", "int_type",
                                                    "float_type", "literal_error"):
        return f"expected one value, not a {'list' if isinstance(value, list) else 'mapping'}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        return f"{msg} (got {value!r});{did_you_mean(value, allowed)}".removesuffix(";")
    return msg


_YAML_TYPES = ((bool, "a boolean"), (dt.datetime, "a date and time"), (dt.date, "a date"),
               (int, "a number"), (float, "a number"))


def _quote_hint(value: Any, raw: str | None) -> str | None:
    """Text was expected and YAML read another type: say so and how to quote it."""
    if value is None:
        return "this key needs a value (it is empty)"
    what = next((name for t, name in _YAML_TYPES if isinstance(value, t)), None)
    if what is None:
        return None
    raw = raw if raw is not None else str(value)
    return f"expected text, but YAML read {raw} as {what}; write it in quotes: \"{raw}\""


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _unwrap(t: Any) -> Any:
    """``X`` from ``X | None``."""
    args = [a for a in typing.get_args(t) if a is not type(None)]
    if typing.get_origin(t) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return t


def _model_at(path: tuple) -> type[BaseModel] | None:
    """The pydantic model holding the key path ``path`` of a plan (None when not a model)."""
    model: Any = Plan
    for part in path:
        model = _unwrap(model)
        if _is_model(model):
            field = model.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            model = field.annotation
            continue
        args = typing.get_args(model)
        origin = typing.get_origin(model)
        if origin is tuple and isinstance(part, int) and args:
            model = args[0]
        elif origin is dict and len(args) == 2:
            model = args[1]
        else:
            return None
    model = _unwrap(model)
    return model if _is_model(model) else None


def _fields_at(path: tuple) -> list[str]:
    model = _model_at(path)
    return list(model.model_fields) if model is not None else []


def _reference_problems(data: dict[str, Any], file: str,
                        lines: dict[tuple, int]) -> list[PlanError]:
    """State ids are unique, and every state and role a plan names is one it defines.

    Checked on the YAML's data, so these are found even when other keys are invalid.
    """
    problems: list[PlanError] = []
    states = [s if isinstance(s, dict) else {} for s in _seq(data.get("states"))]
    state_ids = [s.get("id") for s in states]
    for i, sid in enumerate(state_ids):
        if sid is not None and sid in state_ids[:i]:
            problems.append(PlanError(
                f"duplicate state id {sid!r} (first at states[{state_ids.index(sid)}]); every "
                f"state needs its own id", file=file, line=_line_of(lines, ("states", i, "id")),
                key=f"states[{i}].id"))
    worklist = data.get("worklist") if isinstance(data.get("worklist"), dict) else {}
    known_states = list(dict.fromkeys(s for s in state_ids if isinstance(s, str)))
    for i, ref in enumerate(_seq(worklist.get("states"))):
        if isinstance(ref, str) and ref not in known_states:
            problems.append(PlanError(
                f"unknown state {ref!r};{did_you_mean(ref, known_states)} states are: "
                f"{', '.join(known_states)}", file=file,
                line=_line_of(lines, ("worklist", "states", i)), key=f"worklist.states[{i}]"))
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
                    line=_line_of(lines, path), key=_dotted(path)))
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
                problems.append(RuleError(e.reason, file=file, line=_line_of(lines, path),
                                          key=_dotted(path)))
    return problems


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
