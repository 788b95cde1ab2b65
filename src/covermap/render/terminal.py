"""A Rich table from a small result table, its columns shown as :mod:`~covermap.render.columns`
declares them. Every text from the data reaches Rich through :func:`literal`, the one
escape helper of every command (issue 8, point 13).

>>> from covermap.render.formats import Formats
>>> t = result_table([{"reason": "[bold]x", "lines": 1200}], "map_unplaced", Formats(),
...                  columns=["reason", "lines"])
>>> [c.header for c in t.columns], list(t.columns[0].cells), list(t.columns[1].cells)
(['Reason', 'Won lines'], ['\\\\[bold]x'], ['1,200'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from covermap.render.columns import NUMERIC, Column, column
from covermap.render.formats import Formats, format_cell

Rows = Any  # a pandas DataFrame, a pyarrow Table, or dicts of one row each

# C0 and C1 control characters but tab and newline: shown as \xNN, so a value can never
# move the cursor, recolour or retitle the terminal (ESC sequences)
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c not in (9, 10)}


def literal(value: object) -> str:
    """``value`` as text Rich prints as it is: markup brackets escaped, control characters
    shown as ``\\xNN``, ``None`` as "". Every value from the data, a file or the command
    line goes through it before Rich sees it (the console also leaves ``:emoji:`` codes).

    >>> literal("Evil [/bold] Corp"), literal(None), literal("a\\x1b[31mred")
    ('Evil \\\\[/bold] Corp', '', 'a\\\\x1b[31mred')
    """
    if value is None:
        return ""
    return escape(str(value).translate(_CONTROL))


def records(rows: Rows) -> list[dict[str, Any]]:
    """The rows of a small result as dicts (pandas, pyarrow, or dicts already)."""
    if hasattr(rows, "to_pylist"):  # pyarrow
        return rows.to_pylist()
    if hasattr(rows, "to_dict"):  # pandas
        return rows.to_dict("records")
    return [dict(r) for r in rows]


def resolve(table: str, names: Iterable[str], overrides: Mapping[str, Column] | None = None
            ) -> list[tuple[str, Column]]:
    """``(name, Column)`` for each of ``names``, ``overrides`` first, then the registry."""
    overrides = overrides or {}
    return [(n, overrides.get(n) or column(table, n)) for n in names]


def result_table(rows: Rows, table: str, formats: Formats, *,
                 columns: Sequence[str] | None = None,
                 overrides: Mapping[str, Column] | None = None,
                 row_style: Callable[[dict[str, Any]], str | None] | None = None,
                 **table_options: Any) -> Table:
    """A Rich ``Table`` of ``rows`` of result table ``table`` (only ``columns``, in that
    order, when given). ``overrides`` re-declares columns for this view; ``row_style``
    gives a row's style (e.g. bold for a total); other options go to ``rich.table.Table``."""
    data = records(rows)
    names = list(columns) if columns is not None else (list(data[0]) if data else [])
    cols = resolve(table, names, overrides)
    out = Table(**table_options)
    for _, col in cols:
        out.add_column(literal(formats.header(col)),
                       justify="right" if col.kind in NUMERIC else "left")
    for row in data:
        out.add_row(*(literal(format_cell(row, n, c, formats)) for n, c in cols),
                    style=row_style(row) if row_style else None)
    return out
