"""Fuzz (issue 15, point 2): any rule text either fails with a ``RuleError`` or compiles to
an Ibis expression that DuckDB runs over accounts and facts; checking and compiling one
opens no file or socket and compiles, imports or runs no Python code (``no_io``); a
string in a rule is data, never SQL (``name == '<any text>'`` counts exactly the accounts
with that name).

The rules: grammar-built ones over every account column and derived fact (numbers beyond
64 bits and of other scripts' digits, floats beyond range, ISO and impossible dates,
strings with quotes, backslashes, SQL and newlines, nesting and chains past the limits),
hostile text (attribute access, dunder names, calls, imports, lambdas, comprehensions,
file paths, URLs, shell) and arbitrary text.
"""

from __future__ import annotations

import datetime as dt

import ibis
from hypothesis import given
from hypothesis import strategies as st

from covermap.errors import RuleError
from covermap.plan.rules import FACT_TYPES, account_column_types, check_rule, compile_rule
from fuzz_support import Counter, fuzz_settings, no_io
from test_fuzz_plans import HOSTILE_RULES

EXAMPLES = 3000
TYPES = account_column_types()
BY_TYPE = {k: sorted(n for n, t in TYPES.items() if t == k)
           for k in ("number", "string", "bool", "date")}
#: names the accounts hold, the ones a string literal is drawn from (quotes, backslashes,
#: SQL, escapes, newlines, accents): ``name == x`` must count exactly these
NAMES = ["Acme", "O'Brien & Sons", 'Say "hi"', "back\\slash", "'; DROP TABLE a; --",
         "line\nbreak", "tab\there", "Café", "株式会社", "", "  ", "%_*", "\\'", "x' OR '1'='1"]
ROWS = len(NAMES)


def _table():
    """Accounts with every canonical column and derived fact, one per name above."""
    ibis_type = {"number": "float64", "string": "string", "bool": "boolean", "date": "date"}
    data, schema = {}, {}
    for i, (name, t) in enumerate(sorted(TYPES.items())):
        kind = "int64" if name in ("employees", "open_deals", "won_deals", "lead_count",
                                   "months_as_customer") else ibis_type[t]
        schema[name] = kind
        if name == "name":
            data[name] = list(NAMES)
            continue
        values = {"float64": [0.0, 1.5, -2.0, 1e300, None], "int64": [0, 3, -1, 2**62, None],
                  "string": ["", "a", "B c", " ", None], "boolean": [True, False, None],
                  "date": [dt.date(2024, 1, 31), dt.date(1900, 1, 1), None]}[kind]
        data[name] = [values[(r + i) % len(values)] for r in range(ROWS)]
    return ibis.duckdb.connect().create_table("accounts", ibis.memtable(data, schema=schema))


def _string_literal(text: str, quote: str) -> str:
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") \
        + quote


numbers = st.one_of(
    st.integers(0, 10 ** 6).map(str), st.integers(0, 10 ** 40).map(str),
    st.floats(0, 1e300, allow_nan=False).map(lambda f: f"{f:.6f}"),
    st.sampled_from(["9" * 5000, "1" + "0" * 400 + ".5", "١٢٣", "９", "0", "0.0", "007"]))
strings = st.one_of(st.sampled_from(NAMES), st.text(max_size=12)).flatmap(
    lambda s: st.sampled_from(["'", '"']).map(lambda q: _string_literal(s, q)))
dates = st.one_of(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str),
                  st.sampled_from(["2024-02-30", "2024-13-01", "20240131", "2024-W05-3",
                                   "0000-00-00", "2024-01-31T10:00"])).map(lambda d: f"'{d}'")


def _binary(op: str):
    return lambda pair: f"({pair[0]} {op} {pair[1]})"


num_expr = st.recursive(
    st.one_of(st.sampled_from(BY_TYPE["number"]), numbers),
    lambda inner: st.one_of(
        st.tuples(inner, inner).flatmap(lambda p: st.sampled_from("+-*/").map(
            lambda op: _binary(op)(p))),
        inner.map(lambda e: f"-{e}")), max_leaves=6)
comparison = st.one_of(
    st.tuples(num_expr, st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "="]), num_expr)
    .map(" ".join),
    st.tuples(st.sampled_from(BY_TYPE["string"]), st.sampled_from(["==", "!=", "<", ">="]),
              strings).map(" ".join),
    st.tuples(st.sampled_from(BY_TYPE["date"]), st.sampled_from(["==", "<", ">=", "!="]),
              dates).map(" ".join),
    st.tuples(st.sampled_from(BY_TYPE["string"] + BY_TYPE["number"] + BY_TYPE["date"]),
              st.sampled_from(["in", "not in"]),
              st.lists(st.one_of(strings, numbers, dates), min_size=1, max_size=4))
    .map(lambda t: f"{t[0]} {t[1]} [{', '.join(t[2])}]"),
    st.tuples(st.one_of(st.sampled_from(sorted(TYPES)), num_expr),
              st.sampled_from(["is empty", "is not empty"])).map(" ".join),
    st.sampled_from(BY_TYPE["bool"]),
    st.sampled_from(BY_TYPE["bool"]).map(lambda b: f"{b} == true"),
)
conditions = st.recursive(comparison, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({' '.join(t)})"),
    inner.map(lambda c: f"not {c}")), max_leaves=8)
# a rule cut or spliced at a random place, a wrong type, a bare value
broken = st.tuples(conditions, st.integers(0, 60), st.sampled_from(
    ["", ")", "(", " and", ".__class__", "()", " + 'x'", "[0]", " is", " in [", "'"])).map(
    lambda t: t[0][: t[1]] + t[2])
rules = st.one_of(conditions, conditions, conditions, broken, num_expr, strings,
                  st.sampled_from(HOSTILE_RULES), st.text(max_size=40))
exact = st.tuples(st.sampled_from(NAMES + ["absent"]), st.sampled_from(["'", '"']),
                  st.booleans())

RUN = Counter()
STATE: dict = {"pending": []}
#: compiled rules run together, one query for this many (the SQL of a query is most of
#: its cost); a batch that fails is run rule by rule to name the one that fails
BATCH = 100


def _run_pending() -> None:
    """Run the compiled rules waiting: each counts between 0 and all accounts, and a
    name probe exactly the accounts of that name."""
    t, pending = STATE["table"], STATE["pending"]
    STATE["pending"] = []
    if not pending:
        return
    try:
        # mutate first: a rule of literals only (``1 > 0``) is a scalar, a column once mutated
        flags = t.mutate(**{f"r{i}": e for i, (_, e, _) in enumerate(pending)})
        counts = flags.aggregate(**{f"r{i}": flags[f"r{i}"].cast("int64").sum()
                                    for i in range(len(pending))}).to_pyarrow().to_pylist()[0]
    except Exception:
        for text, e, _ in pending:  # name the rule that fails
            try:
                t.filter(e).count().execute()
            except Exception as error:
                raise AssertionError(f"rule {text!r} compiled but does not run") from error
        raise
    for i, (text, _, want) in enumerate(pending):
        got = counts[f"r{i}"]
        assert (0 <= got <= ROWS) if want is None else got == want, (text, got, want)


@fuzz_settings(EXAMPLES)
@given(text=rules, probe=exact)
def _rule_fails_or_runs(text: str, probe: tuple[str, str, bool]) -> None:
    t = STATE["table"]
    name, quote, negated = probe
    probe_rule = f"name {'!=' if negated else '=='} {_string_literal(name, quote)}"
    with no_io() as events:
        try:
            check_rule(text, TYPES)
        except RuleError as e:
            assert str(e) and "Traceback" not in str(e)
        else:
            STATE["pending"].append((text, compile_rule(text, t, TYPES), None))
        # a string is data: exactly the accounts with that name, whatever its quotes hold
        want = sum(n == name for n in NAMES)
        STATE["pending"].append((probe_rule, compile_rule(probe_rule, t, TYPES),
                                 ROWS - want if negated else want))
    assert events == [], events
    if len(STATE["pending"]) >= BATCH:
        _run_pending()
    RUN.done()


def test_any_rule_fails_with_a_rule_error_or_runs(record_property):
    """3,000 generated rules: a RuleError, or an expression DuckDB runs; no I/O or code."""
    STATE["table"] = t = _table()
    compile_rule("is_customer and months_as_customer >= 24", t, TYPES)  # warm the imports
    t.filter(compile_rule("(employees + 1) * 2 > 0", t, TYPES)).count().execute()
    _rule_fails_or_runs()
    _run_pending()
    RUN.report(record_property, "rules", EXAMPLES)


def test_facts_and_columns_are_all_in_the_table():
    assert set(FACT_TYPES) <= set(TYPES) and len(BY_TYPE["bool"]) >= 2

