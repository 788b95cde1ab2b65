"""The rule language: small, safe boolean expressions over known columns, compiled to Ibis.

A rule is parsed into a tree, type-checked against the columns it may use, and
compiled to an Ibis expression. Nothing is evaluated by Python and no SQL text
is pasted, so a plan can never execute code. The grammar::

    rule    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum [ (== | != | < | <= | > | >=) sum
                   | ["not"] "in" "[" literal ("," literal)* "]"
                   | "is" ["not"] "empty" ]
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | NUMBER | STRING | true | false | NAME | "(" rule ")"

A comparison with an empty value is false (DESIGN.md, derived facts), and so
is a bare boolean column that is empty. ``is empty`` holds for a missing value
and for blank text.

>>> check_rule("is_customer and months_as_customer >= 24", FACT_TYPES).op
'and'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from covermap.errors import RuleError, did_you_mean
from covermap.store import schema

# Rule types: number, string, bool, date.
FACT_TYPES: dict[str, str] = {
    "is_customer": "bool", "customer_since": "date", "months_as_customer": "number",
    "churned": "bool", "open_deals": "number", "won_deals": "number", "last_won_at": "date",
    "lead_count": "number", "max_lead_score": "number", "is_target": "bool",
}

_STORE_TO_RULE = {
    schema.STRING: "string", schema.INTEGER: "number", schema.NUMBER: "number",
    schema.MONEY: "number", schema.BOOLEAN: "bool", schema.TIMESTAMP: "date", schema.DATE: "date",
}


def rule_type_of(store_type: str) -> str:
    """The rule type (number/string/bool/date) of a DuckDB column type."""
    t = store_type.upper()
    if t in _STORE_TO_RULE:
        return _STORE_TO_RULE[t]
    if t.startswith(("DECIMAL", "INT", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
                     "UINTEGER", "DOUBLE", "FLOAT", "REAL")):
        return "number"
    if t.startswith(("TIMESTAMP", "DATE")):
        return "date"
    if t == "BOOLEAN":
        return "bool"
    return "string"


def account_column_types(store_columns: dict[str, str] | None = None) -> dict[str, str]:
    """Names usable in rules: derived facts plus every account column (canonical, and the
    store's extra columns when ``store_columns`` is given)."""
    cols = {c.name: rule_type_of(c.type) for c in schema.ACCOUNTS.columns}
    for name, t in (store_columns or {}).items():
        if name not in schema.DATE_FLAG_NAMES:  # the store's own bookkeeping, not data
            cols.setdefault(name, rule_type_of(t))
    return {**cols, **FACT_TYPES}


def contact_column_types() -> dict[str, str]:
    """Names usable in the plan's lead rule: the canonical contact columns."""
    return {c.name: rule_type_of(c.type) for c in schema.CONTACTS.columns}


# --- syntax tree -------------------------------------------------------------

@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Unary:
    op: str
    arg: Any


@dataclass(frozen=True)
class Binary:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class In:
    arg: Any
    values: tuple
    negated: bool


@dataclass(frozen=True)
class IsEmpty:
    arg: Any
    negated: bool


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<op>==|!=|<=|>=|<|>|=|\+|-|\*|/|\(|\)|\[|\]|,)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "is", "empty", "true", "false"}
_COMPARE = {"==", "!=", "<", "<=", ">", ">=", "="}
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
# Far above any real rule, far below Python's recursion limit (issue 8, point 11).
MAX_NESTING = 32  # parentheses, `not` and unary minus inside each other
MAX_OPERATORS = 500  # and, or, comparisons, arithmetic
MAX_DEPTH = 32  # the parsed tree (and/or chains are balanced, so this bounds + and - chains)


def _unescape(body: str, error: Any) -> str:
    r"""The text of a quoted string: ``\\ \' \" \n \t \r`` are escapes; every other
    character (``é`` too) is itself. ``error(message, offset)`` builds the error for a bad one."""
    def one(m: re.Match[str]) -> str:
        if m.group(1) not in _ESCAPES:
            raise error(f"unknown escape '\\{m.group(1)}' in a string (a backslash escapes "
                        f"only \\\\ \\' \\\" \\n \\t \\r; write \\\\ for a backslash)",
                        m.start())
        return _ESCAPES[m.group(1)]

    return re.sub(r"\\(.)", one, body, flags=re.DOTALL)


#: the largest whole number a rule keeps whole (the engine's integers are 64-bit)
_MAX_WHOLE = 2 ** 63 - 1


def _number(raw: str) -> int | float:
    """A number token's value: a whole number beyond 64 bits is read as a float (as is one
    of more digits than Python's int() reads), so a rule never holds a literal the
    engine cannot; ``\\d`` also matches other scripts' digits (``١٢``), which int() reads."""
    if "." not in raw and len(raw) <= 19 and int(raw) <= _MAX_WHOLE:
        return int(raw)
    return float(raw)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, Any, int]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise self.error(f"unexpected character {text[pos:].lstrip()[:1]!r}", pos)
            kind = m.lastgroup
            raw = m.group(kind)
            start = m.start(kind)
            if kind == "number":
                self.tokens.append(("lit", _number(raw), start))
            elif kind == "string":
                if "\x00" in raw:  # no text holds it (and the engine's SQL cannot)
                    raise self.error("a string holds the character NUL (\\0); remove it",
                                     start + raw.index("\x00"))
                self.tokens.append(("lit", _unescape(
                    raw[1:-1], lambda msg, at, s=start: self.error(msg, s + 1 + at)), start))
            elif kind == "name" and raw in ("true", "false"):
                self.tokens.append(("lit", raw == "true", start))
            elif kind == "name" and raw in _KEYWORDS:
                self.tokens.append(("kw", raw, start))
            else:
                self.tokens.append((kind, raw, start))
            pos = m.end()
        self.i = 0
        self.depth = 0
        self.operators = 0

    def error(self, msg: str, pos: int | None = None) -> RuleError:
        if pos is None:
            pos = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        text = self.text if len(self.text) <= 200 else f"{self.text[:80]}…"
        return RuleError(f"{msg} at position {pos + 1} of rule {text!r}")

    def deeper(self) -> None:
        """One more level of parentheses, `not` or minus; refused past ``MAX_NESTING``."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"the rule nests parentheses, `not` or `-` more than "
                             f"{MAX_NESTING} levels deep; write it with fewer levels")

    def binary(self, op: str, left: Any, right: Any) -> Binary:
        """A binary node; refused past ``MAX_OPERATORS`` in one rule."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise self.error(f"the rule has more than {MAX_OPERATORS} operators (and, or, "
                             f"comparisons, arithmetic); for a list of values write "
                             f"`column in ['a', 'b']`, or split the rule across states")
        return Binary(op, left, right)

    def chain(self, op: str, items: list[Any]) -> Any:
        """``a op b op c ...`` as a balanced tree (and/or are associative), so a long chain
        is a shallow tree for every step that walks it."""
        while len(items) > 1:
            items = [self.binary(op, *items[i:i + 2]) if i + 1 < len(items) else items[i]
                     for i in range(0, len(items), 2)]
        return items[0]

    def peek(self, kind: str | None = None, value: Any = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        k, v, _ = self.tokens[self.i]
        return (kind is None or k == kind) and (value is None or v == value)

    def take(self, kind: str, value: Any = None) -> Any:
        if not self.peek(kind, value):
            want = value if value is not None else {"lit": "a value", "name": "a name"}.get(kind,
                                                                                           kind)
            got = repr(self.tokens[self.i][1]) if self.i < len(self.tokens) else "the end"
            raise self.error(f"expected {want} but found {got}")
        self.i += 1
        return self.tokens[self.i - 1][1]

    def parse(self) -> Any:
        if not self.tokens:
            raise self.error("empty rule", 0)
        tree = self.or_()
        if self.i < len(self.tokens):
            tok = self.tokens[self.i][1]
            hint = "; rules have no function calls" if tok == "(" else ""
            raise RuleError(f"{self.error(f'unexpected {tok!r}').reason}{hint}")
        if _tree_depth(tree) > MAX_DEPTH:
            raise self.error(f"the rule is more than {MAX_DEPTH} operations deep (a long "
                             f"chain of + or -, or `not` inside `not`); write it in fewer "
                             f"steps", 0)
        return tree

    def or_(self) -> Any:
        items = [self.and_()]
        while self.peek("kw", "or"):
            self.i += 1
            items.append(self.and_())
        return self.chain("or", items)

    def and_(self) -> Any:
        items = [self.not_()]
        while self.peek("kw", "and"):
            self.i += 1
            items.append(self.not_())
        return self.chain("and", items)

    def not_(self) -> Any:
        if self.peek("kw", "not"):
            self.deeper()  # the error points at this token
            self.i += 1
            node = Unary("not", self.not_())
            self.depth -= 1
            return node
        return self.compare()

    def compare(self) -> Any:
        left = self.sum_()
        if self.peek("op") and self.tokens[self.i][1] in _COMPARE:
            op = self.take("op")
            return self.binary("==" if op == "=" else op, left, self.sum_())
        negated = False
        if self.peek("kw", "not") and self.i + 1 < len(self.tokens) and \
                self.tokens[self.i + 1][1] == "in":
            self.i += 1
            negated = True
        if self.peek("kw", "in"):
            self.i += 1
            self.take("op", "[")
            values = [self.take("lit")]
            while self.peek("op", ","):
                self.i += 1
                values.append(self.take("lit"))
            self.take("op", "]")
            return In(left, tuple(values), negated)
        if self.peek("kw", "is"):
            self.i += 1
            neg = False
            if self.peek("kw", "not"):
                self.i += 1
                neg = True
            self.take("kw", "empty")
            return IsEmpty(left, neg)
        return left

    def sum_(self) -> Any:
        left = self.product()
        while self.peek("op", "+") or self.peek("op", "-"):
            left = self.binary(self.take("op"), left, self.product())
        return left

    def product(self) -> Any:
        left = self.unary()
        while self.peek("op", "*") or self.peek("op", "/"):
            left = self.binary(self.take("op"), left, self.unary())
        return left

    def unary(self) -> Any:
        if self.peek("op", "-"):
            self.deeper()  # the error points at this token
            self.i += 1
            node = Unary("-", self.unary())
            self.depth -= 1
            return node
        if self.peek("op", "("):
            self.deeper()  # the error points at this token
            self.i += 1
            inner = self.or_()
            self.take("op", ")")
            self.depth -= 1
            return inner
        if self.peek("lit"):
            return Literal(self.take("lit"))
        if self.peek("name"):
            return Name(self.take("name"))
        got = repr(self.tokens[self.i][1]) if self.i < len(self.tokens) else "the end"
        raise self.error(f"expected a value or a name but found {got}")


def _tree_depth(tree: Any) -> int:
    """Levels of a parsed rule, counted without recursion (the limits' guard)."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo += [(getattr(node, a), depth + 1) for a in ("arg", "left", "right")
                 if hasattr(node, a)]
    return deepest


def parse_rule(text: str) -> Any:
    """Parse a rule into its syntax tree (RuleError on a syntax error)."""
    return _Parser(str(text)).parse()


# --- type checking -----------------------------------------------------------

def _literal_type(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return "string"


def _is_iso_date(v: Any) -> bool:
    try:
        dt.date.fromisoformat(v)
    except (TypeError, ValueError):
        return False
    return True


def _type(node: Any, types: dict[str, str], text: str) -> str:
    def fail(msg: str) -> RuleError:
        return RuleError(f"{msg} in rule {text!r}")

    if isinstance(node, Literal):
        return _literal_type(node.value)
    if isinstance(node, Name):
        if node.name not in types:
            known = ", ".join(sorted(types))
            hint = did_you_mean(node.name, types)
            raise fail(f"unknown column {node.name!r};{hint} known columns and facts: {known}")
        return types[node.name]
    if isinstance(node, Unary):
        t = _type(node.arg, types, text)
        want = "bool" if node.op == "not" else "number"
        if t != want:
            raise fail(f"`{node.op}` needs a {want}, not a {t}")
        return want
    if isinstance(node, IsEmpty):
        _type(node.arg, types, text)
        return "bool"
    if isinstance(node, In):
        t = _type(node.arg, types, text)
        for v in node.values:
            if _literal_type(v) != t and not (t == "date" and _is_iso_date(v)):
                raise fail(f"`in` compares a {t} with {v!r}, a {_literal_type(v)}")
        return "bool"
    lt, rt = _type(node.left, types, text), _type(node.right, types, text)
    if node.op in ("and", "or"):
        if lt != "bool" or rt != "bool":
            raise fail(f"`{node.op}` joins true/false conditions, not a {lt if lt != 'bool' else rt}")
        return "bool"
    if node.op in ("+", "-", "*", "/"):
        if lt != "number" or rt != "number":
            raise fail(f"`{node.op}` needs numbers, not a {lt if lt != 'number' else rt}")
        return "number"
    # comparison: dates may be compared with ISO date strings
    if lt != rt:
        date_vs_text = {lt, rt} == {"date", "string"} and any(
            isinstance(n, Literal) and _is_iso_date(n.value) for n in (node.left, node.right))
        if not date_vs_text:
            raise fail(f"`{node.op}` compares a {lt} with a {rt}")
    if lt == "bool" and node.op not in ("==", "!="):
        raise fail(f"`{node.op}` cannot order true/false values")
    return "bool"


def check_rule(text: str, types: dict[str, str]) -> Any:
    """Parse and type-check a rule; returns its tree. The rule must be a condition."""
    tree = parse_rule(text)
    if _type(tree, types, text) != "bool":
        raise RuleError(f"a rule must be a condition (true/false), e.g. `{text} > 0`; "
                        f"got {text!r}")
    return tree


def rule_names_of(tree: Any) -> list[str]:
    """Every column or fact name a parsed rule uses, in order of appearance."""
    if isinstance(tree, Name):
        return [tree.name]
    return [n for attr in ("arg", "left", "right") if hasattr(tree, attr)
            for n in rule_names_of(getattr(tree, attr))]


def check_lead_rule(text: str) -> Any:
    """Parse and type-check the plan's lead rule against the contact columns."""
    types = contact_column_types()
    for name in rule_names_of(parse_rule(text)):
        if name not in types:
            raise RuleError(f"unknown contact column {name!r};{did_you_mean(name, types)} the "
                            f"lead rule uses contact columns: {', '.join(types)}")
    return check_rule(text, types)


def check_plan_rules(plan: Any, *, file: str, lines: dict[tuple, int],
                     store_columns: dict[str, str] | None = None,
                     unknown_names_ok: bool = True,
                     problems: list | None = None) -> None:
    """Check every rule of a plan; errors name the file, line and key.

    With ``problems`` (a list), every error is appended to it instead of raising the first.

    Without the store's columns, a name that is neither a fact nor a canonical
    account column may be an extra column of the user's accounts file, so it is
    only reported when ``unknown_names_ok`` is false.
    """
    types = account_column_types(store_columns)
    checks: list[tuple[tuple, str]] = [(("states", i, "rule"), s.rule)
                                       for i, s in enumerate(plan.states)]
    if plan.coverage_map is not None:
        checks += [(("coverage_map", "value", "rules", tier), r)
                   for tier, r in plan.coverage_map.value.rules.items()]
    if plan.leads.rule is not None:
        checks.append((("leads", "rule"), plan.leads.rule))
    checks += [(("territories", i, "rule"), t.rule) for i, t in enumerate(plan.territories)]
    for path, text in checks:
        lead = path[0] == "leads"  # contacts have no extra columns: unknown is an error
        try:
            tree = check_lead_rule(text) if lead else check_rule(text, types)
            facts = [n for n in rule_names_of(tree) if n in FACT_TYPES]
            if path[0] == "territories" and facts:
                raise RuleError(f"a territory rule reads account columns, not derived facts "
                                f"({', '.join(facts)}), so an account's territory does not "
                                f"change with its state")
        except RuleError as e:
            if (not lead and unknown_names_ok and "unknown column" in e.reason
                    and store_columns is None):
                continue
            from covermap.plan.load import rule_line

            key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path)
            key = key.replace(".[", "[")
            error = RuleError(e.reason, file=file, line=rule_line(lines, path), key=key)
            if problems is None:
                raise error from None
            problems.append(error)
    object.__setattr__(plan, "_origin", (file, lines))


def plan_origin(plan: Any) -> tuple[str, dict[tuple, int]]:
    """The file and key lines a plan was loaded from (for errors found later)."""
    return getattr(plan, "_origin", ("<plan>", {}))


# --- compilation -------------------------------------------------------------

def _lit(v: Any, other_type: str | None) -> ir.Value:
    if other_type == "date" and isinstance(v, str):
        return ibis.literal(dt.date.fromisoformat(v))
    return ibis.literal(v)


def _as_value(node: Any, t: ir.Table, types: dict[str, str]) -> tuple[ir.Value, str | None]:
    if isinstance(node, Name):
        col = t[node.name]
        ty = types.get(node.name)
        if ty == "date" and col.type().is_timestamp():
            col = col.date()
        return col, ty
    if isinstance(node, Literal):
        return None, _literal_type(node.value)  # resolved against the other side
    return _compile(node, t, types), None


def _compile(node: Any, t: ir.Table, types: dict[str, str]) -> ir.Value:
    if isinstance(node, Name):
        col, ty = _as_value(node, t, types)
        return col.fill_null(False) if ty == "bool" else col
    if isinstance(node, Literal):
        return ibis.literal(node.value)
    if isinstance(node, Unary):
        arg = _compile(node.arg, t, types)
        return ~arg if node.op == "not" else -arg
    if isinstance(node, IsEmpty):
        arg = _compile(node.arg, t, types) if not isinstance(node.arg, Name) else t[node.arg.name]
        empty = arg.isnull()
        if arg.type().is_string():  # blank text is as empty as a missing value
            empty = empty | (arg.strip() == "")
        return ~empty if node.negated else empty
    if isinstance(node, In):
        arg, ty = _as_value(node.arg, t, types)
        if arg is None:
            arg = _compile(node.arg, t, types)
        values = [dt.date.fromisoformat(v) if ty == "date" and isinstance(v, str) else v
                  for v in node.values]
        cond = arg.isin(values)
        cond = ~cond if node.negated else cond
        return cond.fill_null(False)
    if node.op in ("and", "or"):
        left, right = _compile(node.left, t, types), _compile(node.right, t, types)
        return (left & right) if node.op == "and" else (left | right)
    lv, lt = _as_value(node.left, t, types)
    rv, rt = _as_value(node.right, t, types)
    if lv is None:
        lv = _lit(node.left.value, rt)
    if rv is None:
        rv = _lit(node.right.value, lt)
    if node.op in ("+", "-", "*", "/"):  # in floats: 64-bit integers overflow in the engine
        lv, rv = lv.cast("float64"), rv.cast("float64")
        return {"+": lv + rv, "-": lv - rv, "*": lv * rv, "/": lv / rv}[node.op]
    cmp = {"==": lv == rv, "!=": lv != rv, "<": lv < rv, "<=": lv <= rv,
           ">": lv > rv, ">=": lv >= rv}[node.op]
    return cmp.fill_null(False)


def compile_rule(text: str, table: ir.Table, types: dict[str, str] | None = None) -> ir.BooleanValue:
    """Compile a rule to a boolean Ibis expression over ``table``'s columns.

    ``types`` defaults to the rule types of ``table``'s own columns.
    """
    if types is None:
        types = {n: _ibis_rule_type(table[n].type()) for n in table.columns}
    tree = check_rule(text, types)
    return _compile(tree, table, types)


def _ibis_rule_type(dtype: Any) -> str:
    if dtype.is_boolean():
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype.is_temporal():
        return "date"
    return "string"
