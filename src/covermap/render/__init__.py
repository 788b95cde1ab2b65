"""How results are shown: one declaration per result column (kind, header), one formatter
per kind, and the terminal and HTML renderers every front end uses."""

from covermap.render.columns import TABLES, Column, Kind, column, humanize
from covermap.render.formats import Formats, format_cell, format_value, is_empty, money
from covermap.render.html import HtmlColumn, html_table
from covermap.render.names import user_names
from covermap.render.terminal import records, result_table
from covermap.render.texts import won_revenue_line

__all__ = ["TABLES", "Column", "Formats", "HtmlColumn", "Kind", "column", "format_cell",
           "format_value", "html_table", "humanize", "is_empty", "money", "records",
           "result_table", "user_names", "won_revenue_line"]
