"""The bugs the fuzz tests (tests/test_fuzz_*.py, issue 15 point 2) found, each with the
minimal failing example Hypothesis printed, fixed in src/covermap/plan/ and
src/covermap/importing/."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from covermap.errors import PlanInvalid
from covermap.plan.load import parse_plan
from covermap.plan.rules import compile_rule


def _problem(text: str) -> str:
    with pytest.raises(PlanInvalid) as e:
        parse_plan(text, "plan.yaml")
    return str(e.value)


def test_a_control_character_in_a_plan_is_a_plan_error_on_its_line():
    """Was yaml.reader.ReaderError (no mark, so not caught): ``name: \\x1f``."""
    assert _problem("# plan\nname: 日本\x1f\n") == (
        "plan.yaml, line 2: not valid YAML: the control character #x001f is not allowed in "
        "YAML text; remove it")


def test_a_number_too_long_for_python_is_a_plan_error():
    """Was ValueError 'Exceeds the limit (4300 digits) for integer string conversion'."""
    assert _problem("window_months: " + "9" * 4301 + "\n") == (
        "plan.yaml, line 1: window_months: a number of 4,301 digits; a plan's numbers have at "
        "most 100 (quote it if it is text)")


def test_a_date_that_does_not_exist_is_a_plan_error_on_its_line():
    """Was ValueError 'day is out of range for month' from YAML's date constructor."""
    assert _problem("name: x\nimport: {dates: {earliest: 2024-02-30}}\n") == (
        "plan.yaml, line 2: not valid YAML: '2024-02-30' is not a date (day is out of range "
        "for month); quote it if it is text; fix the syntax")


@pytest.fixture(scope="module")
def accounts():
    con = ibis.duckdb.connect()
    return con.create_table("a", ibis.memtable(
        {"employees": [3, None], "annual_revenue": [1.5, None]},
        schema={"employees": "int64", "annual_revenue": "float64"}))


TYPES = {"employees": "number", "annual_revenue": "number"}


@pytest.mark.parametrize(("rule", "rows"), [
    # was ValueError (int() of 4,301 digits) while the plan loaded
    ("employees > " + "9" * 4301, 0),
    # was TypeError 'out of bounds for type Int64' when the rule compiled
    ("employees > 99999999999999999999", 0),
    ("employees in [99999999999999999999999]", 0),
    ("annual_revenue in [1, 99999999999999999999]", 0),
    # was duckdb OutOfRangeException 'Overflow in multiplication of INT64' when it ran
    ("employees * 99999999999 * 9999999999 > 1", 1),
    ("employees + 9223372036854775807 > 0", 1),
])
def test_rules_with_numbers_beyond_64_bits_compile_and_run(accounts, rule, rows):
    assert accounts.filter(compile_rule(rule, accounts, TYPES)).count().execute() == rows


def test_a_plan_whose_rule_holds_a_huge_number_loads():
    plan = parse_plan("states:\n- {id: a, label: A, rule: 'employees > " + "9" * 5000 + "'}\n",
                      "plan.yaml")
    assert plan.states[0].rule.endswith("9" * 10)


def test_a_nul_character_in_a_rule_string_is_a_rule_error():
    """Was duckdb ParserException when the rule ran: Ibis writes NUL as '\\0', which DuckDB
    does not read (``not (lifecycle_stage not in ["\\x00"] ...)``, shrunk); YAML's "\\0"
    escape puts one in a plan."""
    assert _problem('states:\n- {id: a, label: A, rule: "lifecycle_stage in [\'\\0\']"}\n') \
        .endswith("states[0].rule: a string holds the character NUL (\\0); remove it at "
                  "position 22 of rule \"lifecycle_stage in ['\\x00']\"")


def test_an_era_year_zero_is_no_date():
    """Was read as 2018-01-01 (令和 1 is 2019, so 令和0年 is no year): found by
    test_fuzz_values with ``occurred_at: 令和0年1月1日``."""
    import duckdb

    from covermap.importing import coerce

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for macro in coerce.MACROS:
        con.execute(macro)
    got = con.execute(f"SELECT {coerce.timestamp('v')} FROM (VALUES ('令和0年1月1日'), "
                      f"('令和元年5月1日'), ('平成31年4月30日')) AS t(v)").fetchall()
    assert got == [(None,), (dt.datetime(2019, 5, 1),), (dt.datetime(2019, 4, 30),)]


def test_a_json_line_with_a_key_twice_is_quarantined_on_its_line(tmp_path):
    """Was duckdb InvalidInputException 'has duplicate key' while the rows loaded (the
    reader's count did not read the columns): found by test_fuzz_readers with
    ``{"contact_id": "a", "contact_id": "b"}``."""
    from covermap.importing import import_paths
    from covermap.store.connect import open_store

    path = tmp_path / "contacts.jsonl"
    path.write_text('{"contact_id": "a", "name": "x"}\n{"contact_id": "a", "contact_id": "b"}\n',
                    "utf-8")
    with open_store(tmp_path / "s.duckdb") as s:
        f = import_paths(s, [path]).files[0]
        assert (f.rows_read, f.loaded, f.quarantined) == (2, 1, 1)
        assert s.duckdb.execute("SELECT line, reason FROM quarantine").fetchall() == [
            (2, "not valid JSON: fix or remove the line (the key 'contact_id' appears twice)")]


def _import_one(tmp_path, name: str, data: bytes):
    from covermap.importing import import_paths
    from covermap.store.connect import open_store

    (tmp_path / name).write_bytes(data)
    with open_store(tmp_path / "s.duckdb") as s:
        f = import_paths(s, [tmp_path / name]).files[0]
        rows = s.duckdb.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    return (f.rows_read, f.loaded, f.quarantined), rows


def test_a_utf16_file_with_an_odd_last_byte_quarantines_that_byte(tmp_path):
    """Was UnicodeDecodeError 'truncated data' (surrogateescape keeps no byte below 0x80):
    found by test_fuzz_readers on a UTF-16 file cut one byte short."""
    counts, rows = _import_one(tmp_path, "contacts.csv",
                               "contact_id,name\nC1,x\nC2,y\n".encode("utf-16") + b"\x00")
    assert counts == (3, 2, 1)
    assert rows == [(4, "report group row (only the first cell filled: \\x00)")]


def test_json_lines_with_an_empty_key_or_half_a_character_load_or_are_quarantined(tmp_path):
    """Were duckdb BinderException 'JSON path error near .""' (the key "") and
    InvalidInputException 'no low surrogate in string' ("\\ud800" alone, which Python
    reads): found by test_fuzz_readers with ``{"": "empty key", "contact_id": "y"}`` after a
    line with a byte order mark, and ``{"contact_id": "\\ud800"}``."""
    counts, rows = _import_one(
        tmp_path, "contacts.jsonl",
        b'{"": "empty key", "contact_id": "y"}\n\xef\xbb\xbf{"contact_id": "bom"}\n'
        b'{"contact_id": "\\ud800"}\n{"contact_id": "\\ud83d\\ude00"}\n')
    assert counts == (4, 2, 2)
    assert rows == [(2, "not valid JSON: fix or remove the line (Unexpected UTF-8 BOM (decode "
                        "using utf-8-sig) at character 1)"),
                    (3, "not valid JSON: fix or remove the line (a \\u escape of half a "
                        "character)")]
