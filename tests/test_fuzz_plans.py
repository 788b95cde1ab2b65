"""Fuzz (issue 15, point 2): hostile plan files load as a ``Plan`` or fail with covermap's
own ``PlanError`` (file, line, key), and loading one opens no file or socket, starts no
process and compiles or imports no code (``fuzz_support.no_io``, an audit hook).

The generated plans: the built-in template with one value replaced (by huge numbers,
floats beyond range, control characters, dates, YAML tags such as ``!!python/object``,
rules that try attribute access, calls, imports, file paths, time zones that are paths),
alias bombs and self-referring anchors, nesting far beyond the limits, and text made of
YAML's own punctuation.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from covermap.errors import CovermapError, PlanError
from covermap.plan.load import parse_plan, template_text
from fuzz_support import Counter, fuzz_settings, no_io

EXAMPLES = 3000
TEMPLATE = template_text("default")
#: (line number, the text before the value) of every `key: value` line of the template
VALUE_LINES = [(i, m.group(1)) for i, line in enumerate(TEMPLATE.splitlines())
               if (m := re.match(r"^(\s*(?:- )?[A-Za-z_]+:\s)\s*\S", line))]

HOSTILE_TAGS = [
    "!!python/object:os.system [ls]", "!!python/object/apply:os.system [ls]",
    "!!python/object/new:subprocess.Popen [[ls]]", "!!python/name:os.system",
    "!!python/module:os", "!!python/tuple [1, 2]", "!!python/bytes aGk=",
    "!<tag:yaml.org,2002:python/object/apply:builtins.eval> ['1']",
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]",
    "!!timestamp 2024-01-01T00:00:00Z", "!!float nan", "!!float .inf", "!!int 0x1F",
    "!!str", "!!null", "!ruby/object:Gem::Installer {}", "!custom value", "!!merge <<",
]
HOSTILE_RULES = [
    "__import__('os').system('ls')", "open('/etc/passwd')", "name.__class__",
    "().__class__.__bases__[0].__subclasses__()", "eval('1')", "exec('x=1')",
    "lambda: 0", "is_customer if churned else won_deals", "[c for c in name]",
    "__builtins__", "__class__ == 1", "globals()", "import os", "from os import system",
    "os.system('rm -rf /')", "../../etc/passwd", "/etc/passwd", "file:///etc/passwd",
    "http://example.com/x", "$HOME", "`ls`", "name == 'x'; DROP TABLE accounts; --",
    "name == '' OR 1=1 --", "read_csv('/etc/passwd') is empty", "is_customer and",
    "((((((((((((((((((((((((((((((((((is_customer))))))))))))))))))))))))))))))))))",
    "not " * 40 + "is_customer", "-" * 50 + "1 > 0",
    " or ".join(["is_customer"] * 600), "annual_revenue > " + "9" * 5000,
    "annual_revenue > 1" + "0" * 400 + ".5", "annual_revenue > ١٢٣", "arr > ９",
    "employees / 0 > 1", "customer_since > '9999-99-99'", "customer_since in ['2024-02-30']",
    "name == '\\x41'", "name == 'unterminated", "is_customer\x00", "\u202eis_customer",
]
PATHS = ["/etc/passwd", "../../../etc/shadow", "~/.ssh/id_rsa", "C:\\Windows\\win.ini",
         "\\\\server\\share\\x.csv", "file:///etc/passwd", "http://127.0.0.1:1/x",
         "/dev/zero", "/proc/self/environ", "*.csv", "**/*", "%s%s%n"]
ZONES = ["UTC", "Asia/Tokyo", "../../../etc/passwd", "/etc/localtime", "Europe/../../etc",
         "posixrules", "Etc/GMT+14", "", " ", "UTC\x00", "Not/AZone", "zoneinfo/UTC"]


def _quoted(text: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}"
                         for c in text) + '"'


scalars = st.one_of(
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str),
    st.integers(4290, 12_000).map(lambda n: "9" * n),  # around int()'s 4,300-digit limit
    st.sampled_from(["1.0e+400", "-1.0e+400", ".nan", ".inf", "-.inf", "0x7fffffffffffffff",
                     "0o777", "1_000_000", "190:20:30", "59:59:59:59:59:59:59", "0b1010",
                     "2024-01-01", "2024-02-30", "2001-12-14t21:59:43.10-05:00", "~", "null",
                     "yes", "No", "on", "=", "<<", "''", '""', "[]", "{}", "- -", "? x"]),
    st.sampled_from(HOSTILE_TAGS),
    st.sampled_from(HOSTILE_RULES).map(_quoted),
    st.sampled_from(PATHS + ZONES).map(_quoted),
    st.text(max_size=30).map(_quoted),
    st.text(st.characters(codec="utf-8"), max_size=12),  # raw: control characters too
)


@st.composite
def template_with_one_value(draw) -> str:
    """The built-in template with one value (or a few) replaced."""
    lines = TEMPLATE.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i, head = draw(st.sampled_from(VALUE_LINES))
        lines[i] = head + draw(scalars)
    return "\n".join(lines) + "\n"


@st.composite
def alias_bomb(draw) -> str:
    """Billion laughs: each anchor repeats the one before ``width`` times."""
    width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    out = ["a0: &a0 [lol]"]
    out += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    key = draw(st.sampled_from(["states", "roles", "name", "zz", "activity_kinds"]))
    out.append(f"{key}: *a{depth - 1}")
    return "\n".join(out) + "\n"


@st.composite
def self_reference(draw) -> str:
    """An anchor whose value holds an alias of itself (a cycle once constructed)."""
    key = draw(st.sampled_from(["states", "roles", "coverage_map", "journey", "name",
                                "activity_kinds", "import", "sources", "leads"]))
    shape = draw(st.sampled_from(["&x [*x]", "&x {a: *x}", "&x {rule: *x, id: *x}",
                                  "&x [{id: a, label: *x, rule: *x}]", "&x {<<: *x}"]))
    return f"{key}: {shape}\n"


@st.composite
def deep(draw) -> str:
    n = draw(st.integers(30, 400))
    key = draw(st.sampled_from(["states", "roles", "name", "zz"]))
    kind = draw(st.sampled_from(["flow_list", "flow_map", "block"]))
    if kind == "flow_list":
        return f"{key}: " + "[" * n + "]" * n + "\n"
    if kind == "flow_map":
        return f"{key}: " + "{a: " * n + "1" + "}" * n + "\n"
    return f"{key}:\n" + "".join("  " * (i + 1) + "a:\n" for i in range(n)) + \
        "  " * (n + 1) + "1\n"


punctuation = st.text(st.sampled_from(list("-:?,[]{}#&*!|>'\"%@` \n\t\\") + ["a", "1"]),
                      max_size=60)

plans = st.one_of(template_with_one_value(), template_with_one_value(), alias_bomb(),
                  self_reference(), deep(), punctuation,
                  st.text(max_size=80), st.binary(max_size=60).map(
                      lambda b: b.decode("utf-8", "surrogateescape").encode(
                          "utf-8", "replace").decode("utf-8", "replace")))

RUN = Counter()


@fuzz_settings(EXAMPLES)
@given(text=plans)
def _plan_loads_or_fails_cleanly(text: str) -> None:
    with no_io() as events:
        try:
            plan = parse_plan(text, "fuzz.yaml")
        except CovermapError as e:
            assert isinstance(e, PlanError), e
            assert e.messages() and all(m for m in e.messages())
            assert "Traceback" not in str(e)
        else:
            assert plan is not None
    assert events == [], events
    RUN.done()


def test_hostile_plans_load_or_fail_with_a_plan_error(record_property):
    """3,000 generated plan files: a Plan or a PlanError, and no I/O or code at all."""
    parse_plan(TEMPLATE, "warm.yaml")  # imports and caches what loading needs, once
    for zone in ZONES:  # the tz database is the one thing validation reads (and caches)
        try:
            parse_plan(f"timezone: {_quoted(zone)}\n", "warm.yaml")
        except PlanError:
            pass
    _plan_loads_or_fails_cleanly()
    RUN.report(record_property, "plans", EXAMPLES)
