"""The terminal view of a roll-up per customer group or territory (``--by group|territory``
of ``coverage`` and ``team``): the largest keys first, and a line saying how many there are."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
from rich.console import Group
from rich.text import Text

from covermap.render.formats import Formats
from covermap.render.terminal import result_table
from covermap.store.arrow import scalar, to_arrow

#: roll-up rows the terminal shows
TOP = 20


def rollup_view(table: ir.Table, name: str, by: str, formats: Formats,
                columns: Sequence[str]) -> Group:
    """The ``TOP`` largest rows of ``table`` (by accounts, then ARR), then how many rows
    there are and where the rest is (``--export``)."""
    largest = table.order_by([ibis.desc("accounts"), ibis.desc("arr"), "key"]).limit(TOP)
    shown = [*columns, *(["parent"] if by == "territory" else [])]
    total = scalar(table.count())
    more = f"; {total - TOP:,} more" if total > TOP else ""
    line = (f"{total:,} {'groups' if by == 'group' else 'territories'}, largest first{more}; "
            f"every row with its state mix: --export")
    return Group(result_table(to_arrow(largest), name, formats, columns=shown), Text(line))
