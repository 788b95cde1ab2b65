"""How big a plan file may be, and reading its YAML within those bounds (issue 8, point 9).

A plan is a few hundred values (the default template: about 470 in 9 KB). The limits are
far above any real plan and far below what would make loading slow or exhaust memory:

- ``MAX_PLAN_BYTES``: the file's size, checked before it is read;
- ``MAX_DEPTH``: mappings and lists nested inside each other, checked while the YAML is
  read event by event, so a 10,000-deep value never reaches a recursive step;
- ``MAX_NUMBER_DIGITS``: the digits of a whole number (Python refuses to read one of more
  than 4,300);
- ``MAX_VALUES``: the values of the document once every alias is expanded, counted as
  the events arrive (an anchor's size is remembered once), so a billion-laughs bomb of a
  few hundred bytes stops at the limit instead of being expanded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from covermap.errors import PlanError, PlanInvalid

MAX_PLAN_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_VALUES = 50_000
#: digits of a whole number (beyond Python's 4,300 int() refuses to read one at all)
MAX_NUMBER_DIGITS = 100
_WHOLE = re.compile(r"[-+]?[0-9][0-9_]*")
_INT_TAG = "tag:yaml.org,2002:int"

# libyaml when installed: the pure-Python reader takes seconds on a plan near the limits.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: whether a reader error's position counts bytes (libyaml) or characters (PyYAML)
BYTE_POSITIONS = _Loader is not yaml.SafeLoader


def _refuse(message: str, file: str, line: int | None = None, key: str | None = None) -> None:
    raise PlanInvalid([PlanError(message, file=file, line=line, key=key)])


def check_file_size(path: Path) -> None:
    """Refuse a plan file larger than ``MAX_PLAN_BYTES`` before reading it."""
    size = path.stat().st_size
    if size > MAX_PLAN_BYTES:
        _refuse(f"the plan file is {size:,} bytes; a plan may be at most {MAX_PLAN_BYTES:,} "
                f"bytes (the built-in template is about 9,000): is this the right file?",
                str(path))


def _key(path: list[Any]) -> str | None:
    out = ""
    path = [p for p in path if p is not None]
    for p in path[:4]:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return (out + ("…" if len(path) > 4 else "")) or None


def check_shape(text: str, file: str) -> None:
    """Refuse plan text that is too large, nested too deep, or whose aliases expand to too
    many values. One pass over the YAML events; it stops at the first limit exceeded.

    >>> check_shape("a: &x [1, 2]\\nb: [*x, *x]\\n", "plan.yaml")
    """
    if len(text.encode("utf-8")) > MAX_PLAN_BYTES:
        _refuse(f"the plan is larger than {MAX_PLAN_BYTES:,} bytes; a plan is a few "
                f"thousand bytes (the built-in template is about 9,000)", file)
    sizes: dict[str, int] = {}  # anchor -> its values, its aliases expanded
    # open collections: [values so far, anchor, is a mapping, items begun, current key]
    stack: list[list[Any]] = []
    total, aliases = 0, False
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()[:2]
            if anchor:
                sizes[anchor] = size
            if stack:
                stack[-1][0] += size
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue  # stream and document events
        parent = stack[-1] if stack else None
        if parent is not None:
            if parent[2] and parent[3] % 2 == 0:  # a mapping's key
                parent[4] = event.value if isinstance(event, yaml.ScalarEvent) else None
            parent[3] += 1
        # an alias of an anchor still open holds itself: it adds one value, not a loop
        n = sizes.get(event.anchor, 1) if isinstance(event, yaml.AliasEvent) else 1
        total += n
        where = [s[4] if s[2] else s[3] - 1 for s in stack]
        line = event.start_mark.line + 1
        aliases = aliases or isinstance(event, yaml.AliasEvent)
        if total > MAX_VALUES:
            what = (f"the plan holds more than {MAX_VALUES:,} values once its aliases (*name) "
                    f"are expanded; remove the aliases that repeat other aliases" if aliases
                    else f"the plan holds more than {MAX_VALUES:,} values; is this the right "
                    f"file?")
            _refuse(f"{what} (a plan has a few hundred: the built-in template about 470)",
                    file, line, _key(where))
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                _refuse(f"values are nested more than {MAX_DEPTH} levels deep (lists or "
                        f"mappings inside each other); a plan needs fewer than 10: flatten "
                        f"this value", file, line, _key(where))
            stack.append([1, event.anchor, isinstance(event, yaml.MappingStartEvent), 0, None])
        else:
            if isinstance(event, yaml.ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            if (isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_NUMBER_DIGITS
                    and (event.implicit[0] or event.tag == _INT_TAG)
                    and _WHOLE.fullmatch(event.value)):
                _refuse(f"a number of {len(event.value):,} digits; a plan's numbers have at "
                        f"most {MAX_NUMBER_DIGITS} (quote it if it is text)", file, line,
                        _key(where))
            if parent is not None:
                parent[0] += n


def compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for key lines) and the data it holds, from one read of ``text``
    (call ``check_shape`` first)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        try:
            data = loader.construct_document(node) if node is not None else None
        except ValueError as e:  # a scalar YAML resolves but cannot build: 2024-02-30
            raise _unreadable(node) or e from e
    finally:
        loader.dispose()
    return node, data


def _unreadable(root: yaml.Node) -> yaml.constructor.ConstructorError | None:
    """The error, with its line, of the first scalar under ``root`` that its YAML type
    cannot build (a date that does not exist, say); None when there is none."""
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except ValueError as e:
                kind = node.tag.rsplit(":", 1)[-1]
                kind = {"timestamp": "date", "int": "whole number"}.get(kind, kind)
                return yaml.constructor.ConstructorError(
                    None, None, f"{node.value!r} is not a {kind} ({e}); quote it if it is "
                    f"text", node.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            todo += reversed(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo += [n for pair in reversed(node.value) for n in reversed(pair)]
    return None
