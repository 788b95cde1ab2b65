"""Result tables for the HTML report: headers and cell texts as the registry declares them.

Cells come back as plain text; the report's Jinja template escapes them (autoescape).
A :class:`HtmlColumn` prints as its header, so a template can write ``{{ c }}`` for
the header, ``{{ row[c] }}`` for the cell and ``c.numeric`` to align numbers.

>>> from covermap.render.formats import Formats
>>> cols, rows = html_table([{"revenue": 1500.0, "reason": "x"}], "map_unplaced",
...                         Formats(currency="USD"))
>>> [str(c) for c in cols], [rows[0][c] for c in cols]
(['Won revenue', 'Reason'], ['USD 1,500', 'x'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from covermap.render.columns import NUMERIC, Column
from covermap.render.formats import Formats, format_cell
from covermap.render.terminal import Rows, records, resolve


@dataclass(frozen=True)
class HtmlColumn:
    """One column of an HTML table: its result column name, header and alignment."""

    name: str
    header: str
    numeric: bool

    def __str__(self) -> str:
        return self.header


def html_table(rows: Rows, table: str, formats: Formats, *,
               columns: Sequence[str] | None = None,
               overrides: Mapping[str, Column] | None = None,
               ) -> tuple[list[HtmlColumn], list[dict[HtmlColumn, str]]]:
    """The columns and the rows (column -> text) of ``rows`` of result table ``table``."""
    data = records(rows)
    names = list(columns) if columns is not None else (list(data[0]) if data else [])
    cols = resolve(table, names, overrides)
    heads = [HtmlColumn(n, formats.header(c), c.kind in NUMERIC) for n, c in cols]
    return heads, [{h: format_cell(row, n, c, formats) for h, (n, c) in zip(heads, cols)}
                   for row in data]
