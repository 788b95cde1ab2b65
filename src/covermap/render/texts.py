"""Sentences every front end prints the same way (terminal, report)."""

from __future__ import annotations

from typing import Any

from covermap.render.columns import Kind
from covermap.render.formats import Formats, format_value


def won_revenue_line(cmap: Any, formats: Formats) -> str:
    """The won revenue in the map's window, placed + unplaced, to check against the CRM.

    >>> from types import SimpleNamespace as N
    >>> m = N(won_revenue=10005534.0, won_deals=4238, placed_revenue=10005534.0,
    ...       unpriced_lines=0, window=N(start="2017-01-01", end="2017-12-31"))
    >>> for part in won_revenue_line(m, Formats(currency="USD")).split(": "):
    ...     print(part)
    Won revenue 2017-01-01 – 2017-12-31
    USD 10,005,534 over 4,238 won deals (in cells USD 10,005,534, unplaced USD 0)
    """
    def cash(x: float) -> str:
        return format_value(x, Kind.money, formats)

    n = format_value(cmap.won_deals, Kind.count, formats)
    deals = "won deal" if cmap.won_deals == 1 else "won deals"
    text = (f"Won revenue {cmap.window.start} – {cmap.window.end}: {cash(cmap.won_revenue)} "
            f"over {n} {deals} (in cells {cash(cmap.placed_revenue)}, unplaced "
            f"{cash(cmap.won_revenue - cmap.placed_revenue)})")
    unpriced = getattr(cmap, "unpriced_lines", 0)
    if unpriced:
        lines = "line has" if unpriced == 1 else "lines have"
        text += (f"; {format_value(unpriced, Kind.count, formats)} won {lines} no exchange "
                 f"rate and {'is' if unpriced == 1 else 'are'} not in the total")
    return text
