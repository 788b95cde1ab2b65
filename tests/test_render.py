"""covermap.render: each kind's text exactly, empty values, Rich escaping, the HTML columns."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math

import pandas as pd
import pyarrow as pa
import pytest
from rich.console import Console

from covermap.plan import default_plan
from covermap.render import (
    TABLES,
    Column,
    Formats,
    Kind,
    column,
    format_cell,
    format_value,
    html_table,
    result_table,
)

F = Formats(currency="USD", states={"loyal": "Loyal customer"}, users={"005A": "Jane Roe"},
            value_measure="arr")


@pytest.mark.parametrize(("value", "kind", "text"), [
    (1234567.49, Kind.money, "USD 1,234,567"),
    (1234567.5, Kind.money, "USD 1,234,568"),
    (decimal.Decimal("999.99"), Kind.money, "USD 1,000"),
    (-2500, Kind.money, "USD -2,500"),
    (-0.2, Kind.money, "USD 0"),
    (0.4, Kind.percent, "40.0%"),
    (1 / 3, Kind.percent, "33.3%"),
    (1.0, Kind.percent, "100.0%"),
    (12345, Kind.count, "12,345"),
    (4238.0, Kind.count, "4,238"),
    (1.25, Kind.number, "1.2"),
    (12345.67, Kind.number, "12,345.7"),
    (0.44791, Kind.people, "0.45"),
    (1234.5, Kind.people, "1,234.50"),
    (13, Kind.days, "13"),
    (58.5, Kind.days, "58.5"),
    (1200.0, Kind.days, "1,200"),
    (dt.date(2026, 7, 31), Kind.date, "2026-07-31"),
    (dt.datetime(2026, 7, 31, 23, 0), Kind.date, "2026-07-31"),
    (pd.Timestamp("2026-07-31"), Kind.date, "2026-07-31"),
    ("plain", Kind.text, "plain"),
    (True, Kind.flag, "yes"),
    (False, Kind.flag, "no"),
    ("loyal", Kind.state, "Loyal customer"),
    ("gone", Kind.state, "gone"),
    ("005A", Kind.user, "Jane Roe (005A)"),
    ("005B", Kind.user, "005B"),
    ("C1", Kind.account, "C1"),
    (100.0, Kind.measure, "USD 100"),
    ("no standard", Kind.percent, "no standard"),
])
def test_each_kind(value, kind, text):
    assert format_value(value, kind, F) == text


def test_money_signs_codes_and_cents():
    assert format_value(1500, Kind.money, Formats(currency="$")) == "$1,500"
    assert format_value(-1500, Kind.money, Formats(currency="€")) == "-€1,500"
    assert format_value(1500, Kind.money, Formats(currency="JPY")) == "JPY 1,500"
    assert format_value(1500.456, Kind.money, Formats(currency="EUR", cents=True)) == \
        "EUR 1,500.46"
    assert format_value(1500, Kind.money, Formats()) == "1,500"


def test_names_beside_ids():
    assert format_value("C1", Kind.account, F, name="Cedar") == "Cedar (C1)"
    assert format_value("005A", Kind.user, F, name="J. Roe") == "J. Roe (005A)"
    assert format_value("D12", Kind.text, F, name=None) == "D12"
    # a name the same as the id is not repeated
    assert format_value("Acme", Kind.account, F, name="Acme") == "Acme"
    row = {"owner_id": "005B", "owner_name": "Sam Poe", "account_id": "C1", "name": None}
    assert format_cell(row, "owner_id", column("worklist", "owner_id"), F) == "Sam Poe (005B)"
    assert format_cell(row, "account_id", column("worklist", "account_id"), F) == "C1"


@pytest.mark.parametrize("empty", [None, float("nan"), math.nan, pd.NaT, pd.NA, ""])
@pytest.mark.parametrize("kind", list(Kind))
def test_empty_is_an_empty_cell_never_nan_or_none(empty, kind):
    assert format_value(empty, kind, F) == ""
    assert format_value(empty, kind, F, empty="never") == "never"


def test_the_value_measure_names_the_rank_and_value_columns():
    assert F.header(column("worklist", "rank")) == "Rank (by ARR)"
    assert F.header(column("worklist", "value")) == "ARR"
    employees = Formats(value_measure="employees")
    assert employees.header(column("worklist", "rank")) == "Rank (by Employees)"
    assert format_value(1200, Kind.measure, employees) == "1,200.0"


def test_plan_formats_carry_currency_labels_and_measure():
    f = Formats.for_plan(default_plan(), {"u1": "Ann"})
    assert (f.currency, f.value_measure, f.users) == ("USD", "arr", {"u1": "Ann"})
    assert f.states["loyal"] == "Loyal customer" and f.states["unclassified"] == "Unclassified"


def test_undeclared_columns_read_as_words():
    assert column("map_cells", "touch_minutes_per_won_deal").header == \
        "Human-touch minutes per won deal"
    assert column("nowhere", "won_deals") == Column(Kind.text, "Won deals")
    # every declared header is words, not a column name
    for table in TABLES.values():
        for name, col in table.items():
            assert "_" not in col.header, name


def _render(table, width=200) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(table)
    return console.export_text()


def test_rich_escapes_data_once_and_aligns_numbers():
    rows = pd.DataFrame({"reason": ["[bold]no value[/bold]", None],
                         "lines": [1200, 3], "revenue": [float("nan"), 1500.0],
                         "deals": [pd.NA, 2]})
    table = result_table(rows, "map_unplaced", F)
    text = _render(table)
    assert "[bold]no value[/bold]" in text  # shown literally, not as markup
    lines = text.splitlines()
    assert lines[1] == "┃ Reason                ┃ Won lines ┃ Won revenue ┃ Deals open in window ┃"
    assert lines[3] == "│ [bold]no value[/bold] │     1,200 │             │                      │"
    assert lines[4] == "│                       │         3 │   USD 1,500 │                    2 │"
    for word in ("nan", "None", "NaT", "<NA>"):
        assert word not in text


def test_rich_table_from_pyarrow_with_overrides_and_styles():
    rows = pa.table({"key": ["005A", "all"], "accounts": [3, 4], "group": ["owner", "all"]})
    table = result_table(rows, "coverage_summary", F, columns=["key", "accounts"],
                         overrides={"key": Column(Kind.user, "Owner")},
                         row_style=lambda r: "bold" if r["group"] == "all" else None)
    assert [c.header for c in table.columns] == ["Owner", "Accounts"]
    assert list(table.columns[0].cells) == ["Jane Roe (005A)", "all"]
    assert [r.style for r in table.rows] == [None, "bold"]


def test_html_columns_print_as_headers_and_cells_are_plain_text():
    cols, rows = html_table([{"rank": 1, "account_id": "C1", "name": "<Cedar & Co>",
                              "value": 100.0, "days_since_human_touch": None}], "worklist", F,
                            columns=["rank", "account_id", "value", "days_since_human_touch"])
    assert [str(c) for c in cols] == ["Rank (by ARR)", "Account", "ARR",
                                      "Days since last human touch"]
    assert [c.numeric for c in cols] == [True, False, True, True]
    # Jinja's autoescape escapes the cell once; render does not
    assert [rows[0][c] for c in cols] == ["1", "<Cedar & Co> (C1)", "USD 100", "never"]
