"""Where each key of a plan file is, and pydantic's validation errors as plan problems.

A problem names the file, line and key; an unknown key or value gets the closest known
one ("did you mean"), and text that YAML read as another type (``on`` as true,
``2024-01-01`` as a date) gets a hint to quote it.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Hashable
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from covermap.errors import PlanError, did_you_mean
from covermap.plan.model import Plan


class Locations:
    """Where each key path of a plan file is: its line, and the text of each scalar value
    (``'on'``, ``'2024-01-01'``) before YAML read it as another type."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[tuple, int] = {}
        self.raw: dict[tuple, str] = {}
        #: ids of the nodes walked: each is walked once, so an alias (`*x`) is not walked
        #: again (an alias bomb would expand; a node holding itself would loop), and keys
        #: under it take the line of the alias's key or of the anchor
        self.walked: set[int] = set()
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            self.raw[path] = node.value
        if id(node) in self.walked:
            return
        self.walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
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


def dotted(path: tuple, raw: dict[tuple, str] | None = None) -> str:
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


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def validation_problems(e: ValidationError, file: str, source: Locations,
                         has_data: bool) -> list[PlanError]:
    problems, seen = [], set()
    for err in e.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if loc and loc[-1] == "[key]" and "input" in err:
            loc = (*loc[:-2], err["input"], "[key]")  # pydantic's loc shows True as 1
        # pydantic puts literal/union branch names in loc; keep the part that is in the file
        while loc and loc not in source.lines and line_of(source.lines, loc) is None:
            loc = loc[:-1]
        while loc and loc not in source.lines and loc[:-1] in source.lines and \
                isinstance(loc[-1], str) and loc[-1] != "[key]" and \
                _model_at(loc[:-1]) is None and err["type"] != "extra_forbidden":
            loc = loc[:-1]  # a union branch name (str, bool, ...) under a value in the file
        line = line_of(source.lines, loc) if has_data else None
        key = dotted(loc, source.raw)
        if (line, key) in seen:
            continue  # one message per value, not one per union branch
        seen.add((line, key))
        problems.append(PlanError(_message(err, loc, source), file=file, line=line, key=key))
    return problems


def _message(err: dict[str, Any], loc: tuple, source: Locations) -> str:
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
