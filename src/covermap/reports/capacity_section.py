"""The report's capacity section: a table of the people needed (bottom-up, top-down, by
standard) against the people in place per segment and role, and the trade-offs. It shows
the small rows ``covermap.capacity.tables.measure_capacity`` returned; it computes nothing
itself."""

from __future__ import annotations

from typing import Any

HEADERS = ("Segment", "Role", "Customers", "Hours/customer", "Bottom-up", "Top-down",
           "By standard", "In place", "Gap")


def _n(v: Any) -> str:
    return "—" if v is None else (f"{v:,}" if isinstance(v, int) else f"{v:,.2f}")


def capacity_context(result) -> dict[str, Any]:
    """What the capacity section shows."""
    rows = [[r["segment"], r["role"], _n(r["customers"]), _n(r["hours_per_customer"]),
             _n(r["needed_bottom_up"]), _n(r["needed_top_down"]),
             _n(r["needed_by_standard"]), _n(r["in_place"]), _n(r["gap"])]
            for r in result.rows]
    return dict(headers=HEADERS, rows=rows, tradeoffs=list(result.tradeoffs),
                findings=[f"{f.key}: {f.message}" for f in result.findings])
