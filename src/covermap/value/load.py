"""Read value map files: YAML -> validated :class:`ValueMaps`, every problem with its file,
line and key (as plans are read: same size and nesting limits, one red line each).

Checked when the files load: the schema; persona and product ids unique across the files;
every impact names a persona and product that exist and items of that persona; every
title pattern compiles in RE2 (DuckDB's regular expressions: linear time, so no pattern can
hang; no look-around or back-references); segments and cells are well formed. Products'
``catalog`` names are checked against a store by :func:`catalog_problems`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml
from pydantic import ValidationError

from covermap.errors import PlanError, PlanInvalid, did_you_mean
from covermap.plan.limits import check_file_size, check_shape, compose
from covermap.plan.validation import Locations, dotted, line_of
from covermap.store.arrow import to_pylist
from covermap.value.model import ITEM_KINDS, Impact, Persona, Product, ValueMap
from covermap.value.normalize import normalize_title

BUILT_IN = "<built-in value map>"
CELL_PARTS = (("simple", "bundled", "customised"), ("low", "medium", "high"))


@dataclass(frozen=True)
class ValueMaps:
    """The personas, products and impacts of one or more value map files, with where each
    came from (``lines``: file -> key path -> line)."""

    files: tuple[str, ...]
    maps: tuple[ValueMap, ...]
    lines: dict[str, dict[tuple, int]]

    @property
    def personas(self) -> tuple[Persona, ...]:
        """Every persona, in the hierarchy of value (priority, then file order)."""
        every = [p for m in self.maps for p in m.personas]
        return tuple(sorted(every, key=lambda p: p.priority))

    @property
    def products(self) -> tuple[Product, ...]:
        return tuple(p for m in self.maps for p in m.products)

    @property
    def impacts(self) -> tuple[Impact, ...]:
        """Every impact, by persona priority then impact priority."""
        rank = {p.id: i for i, p in enumerate(self.personas)}
        every = [i for m in self.maps for i in m.impacts]
        return tuple(sorted(every, key=lambda i: (rank.get(i.persona, 0), i.priority)))

    def persona(self, persona_id: str) -> Persona:
        for p in self.personas:
            if p.id == persona_id:
                return p
        ids = [p.id for p in self.personas]
        raise PlanError(f"no persona {persona_id!r};{did_you_mean(persona_id, ids)} personas "
                        f"are: {', '.join(ids)}")

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def line(self, file: str, path: tuple) -> int | None:
        return line_of(self.lines.get(file, {}), path)


def built_in_text() -> str:
    """The YAML of the built-in example value map."""
    return resources.files("covermap.value").joinpath("maps", "default.yaml").read_text("utf-8")


def _problem(problems: list[PlanError], file: str, lines: dict[tuple, int], path: tuple,
             message: str) -> None:
    problems.append(PlanError(message, file=file, line=line_of(lines, path), key=dotted(path)))


def _schema_problems(e: ValidationError, file: str, lines: dict[tuple, int]) -> list[PlanError]:
    out: list[PlanError] = []
    seen: set[tuple] = set()
    for err in e.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "function-" in p))
        while loc and line_of(lines, loc) is None:
            loc = loc[:-1]
        if loc in seen:
            continue
        seen.add(loc)
        kind, msg = err["type"], err["msg"].removeprefix("Value error, ")
        if kind == "missing":
            msg = "this key is required"
        elif kind == "extra_forbidden":
            msg = "unknown key; see the built-in example (`covermap value table --help`)"
        _problem(out, file, lines, loc, msg)
    return out


def _read(text: str, file: str) -> tuple[dict[str, Any], dict[tuple, int]]:
    try:
        check_shape(text, file)
        node, data = compose(text)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise PlanInvalid([PlanError(f"not valid YAML: {e.problem}; fix the syntax",
                                     file=file, line=line)]) from e
    if not isinstance(data, dict):
        raise PlanInvalid([PlanError("a value map is a mapping of keys (name, personas, "
                                     "products, impacts)", file=file, line=1)])
    return data, Locations(node).lines


@cache
def _re2() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def pattern_error(pattern: str) -> str | None:
    """Why RE2 refuses ``pattern`` (None when it compiles)."""
    # a literal, not a bound parameter: binding a Python value makes duckdb import pandas
    # (a second of start-up for every command that loads a value map)
    literal = "'" + ("(?i)" + pattern).replace("'", "''") + "'"
    try:
        _re2().execute(f"SELECT regexp_matches('', {literal})").fetchone()
    except duckdb.Error as e:
        return str(e).removeprefix("Invalid Input Error: ")
    return None


def _persona_problems(p: Persona, i: int, file: str, lines: dict[tuple, int],
                      out: list[PlanError]) -> None:
    base = ("personas", i)
    for kind in (*ITEM_KINDS, "questions"):
        first: dict[str, int] = {}
        for j, item in enumerate(p.items(kind)):
            if first.setdefault(item.id, j) != j:
                _problem(out, file, lines, (*base, kind, j, "id"),
                         f"duplicate {kind[:-1]} id {item.id!r} in persona {p.id}")
    for j, kw in enumerate(p.titles.keywords):
        if not normalize_title(kw):
            _problem(out, file, lines, (*base, "titles", "keywords", j),
                     "a title keyword must not be empty")
    for j, pattern in enumerate(p.titles.patterns):
        why = pattern_error(pattern)
        if why is not None:
            _problem(out, file, lines, (*base, "titles", "patterns", j),
                     f"invalid regular expression {pattern!r}: {why} (RE2 syntax: no "
                     f"look-around or back-references)")
    for j, cell in enumerate(p.cells):
        parts = [x.strip().lower() for x in cell.split("/")]
        if len(parts) != 2 or parts[0] not in CELL_PARTS[0] or parts[1] not in CELL_PARTS[1]:
            _problem(out, file, lines, (*base, "cells", j),
                     f"no coverage-map cell {cell!r}; a cell is COMPLEXITY/VALUE such as "
                     f"customised/high")
    if not (p.titles.keywords or p.titles.patterns or p.crm.persona or p.crm.buying_role):
        _problem(out, file, lines, base, f"persona {p.id} has no title keywords, patterns "
                                         f"or crm values, so no contact can match it")


def _impact_problems(vm: ValueMaps, file: str, m: ValueMap, lines: dict[tuple, int],
                     out: list[PlanError]) -> None:
    personas: dict[str, Persona] = {}
    for p in vm.personas:  # a duplicate id is reported; impacts see the first
        personas.setdefault(p.id, p)
    products = [p.id for p in vm.products]
    for i, imp in enumerate(m.impacts):
        base = ("impacts", i)
        if imp.product not in products:
            _problem(out, file, lines, (*base, "product"),
                     f"unknown product {imp.product!r};{did_you_mean(imp.product, products)} "
                     f"products are: {', '.join(products) or '(none)'} (add it under "
                     f"`products:`)")
        persona = personas.get(imp.persona)
        if persona is None:
            _problem(out, file, lines, (*base, "persona"),
                     f"unknown persona {imp.persona!r};{did_you_mean(imp.persona, personas)} "
                     f"personas are: {', '.join(personas) or '(none)'}")
            continue
        for kind in ITEM_KINDS:
            known = [x.id for x in persona.items(kind)]
            for j, ref in enumerate(getattr(imp.moves, kind)):
                if ref not in known:
                    _problem(out, file, lines, (*base, "moves", kind, j),
                             f"persona {persona.id} has no {kind[:-1]} {ref!r};"
                             f"{did_you_mean(ref, known)} its {kind} are: "
                             f"{', '.join(known) or '(none)'}")


def _duplicates(vm: ValueMaps, what: str, out: list[PlanError]) -> None:
    first: dict[str, tuple[str, int]] = {}
    for file, m in zip(vm.files, vm.maps, strict=True):
        for i, x in enumerate(getattr(m, what)):
            if x.id in first:
                f0, i0 = first[x.id]
                at = f"{f0}, line {vm.line(f0, (what, i0, 'id'))}"
                _problem(out, file, vm.lines[file], (what, i, "id"),
                         f"duplicate {what[:-1]} id {x.id!r} (first at {at}); every "
                         f"{what[:-1]} needs its own id")
            else:
                first[x.id] = (file, i)


def parse_value_maps(sources: list[tuple[str, str]]) -> ValueMaps:
    """Validate value maps given as ``(file name, YAML text)``; every problem of every file
    at once (``PlanInvalid``)."""
    problems: list[PlanError] = []
    files, maps, lines = [], [], {}
    for file, text in sources:
        data, where = _read(text, file)
        lines[file] = where
        try:
            m = ValueMap.model_validate(data)
        except ValidationError as e:
            problems += _schema_problems(e, file, where)
            continue
        files.append(file)
        maps.append(m)
        for i, p in enumerate(m.personas):
            _persona_problems(p, i, file, where, problems)
    vm = ValueMaps(tuple(files), tuple(maps), lines)
    _duplicates(vm, "personas", problems)
    _duplicates(vm, "products", problems)
    for file, m in zip(vm.files, vm.maps, strict=True):
        _impact_problems(vm, file, m, lines[file], problems)
    if problems:
        order = {f: k for k, (f, _) in enumerate(sources)}
        raise PlanInvalid(sorted(problems, key=lambda p: (order.get(p.file, 0),
                                                          p.line is None, p.line or 0)))
    return vm


def load_value_maps(paths: list[Path] | None = None) -> ValueMaps:
    """The value maps at ``paths`` (none given: the built-in example)."""
    if not paths:
        return default_value_maps()
    sources = []
    for p in paths:
        if not p.is_file():
            raise PlanError("no value map file here; start from the built-in example: "
                            "`covermap value example > value-map.yaml`", file=str(p))
        check_file_size(p)
        try:
            sources.append((str(p), p.read_text("utf-8")))
        except UnicodeDecodeError as e:
            raise PlanError("a value map file must be UTF-8 text", file=str(p)) from e
    return parse_value_maps(sources)


def default_value_maps() -> ValueMaps:
    """The built-in example value map."""
    return parse_value_maps([(BUILT_IN, built_in_text())])


def catalog_problems(vm: ValueMaps, store) -> list[PlanError]:
    """Products whose ``catalog`` names no product of the store (by id or name)."""
    if not any(p.catalog for p in vm.products):
        return []
    t = store.table("products")
    rows = to_pylist(t.select("product_id", "name"))
    known = {normalize_title(str(v)) for r in rows for v in r.values() if v is not None}
    names = [r["name"] or r["product_id"] for r in rows]
    out: list[PlanError] = []
    for file, m in zip(vm.files, vm.maps, strict=True):
        for i, prod in enumerate(m.products):
            for j, ref in enumerate(prod.catalog):
                if normalize_title(ref) not in known:
                    _problem(out, file, vm.lines[file], ("products", i, "catalog", j),
                             f"the store has no product {ref!r} (by id or name);"
                             f"{did_you_mean(ref, names)} import the products, or fix the "
                             f"name")
    return out
