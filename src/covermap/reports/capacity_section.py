"""The report's capacity section: a table and a chart of the people needed (bottom-up,
top-down, by standard) against the people in place per segment and role, with the chart's
reading, the trade-offs and the journey gaps. It shows the small rows
``covermap.capacity.tables.measure_capacity`` returned; it computes nothing itself (the
reading comes from ``covermap.capacity.readings``)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from covermap.capacity.readings import needed_reading, people
from covermap.reports.charts import _LAYOUT, Chart, _plot, _wrap

HEADERS = ("Segment", "Role", "Customers", "Hours/customer", "Bottom-up", "Top-down",
           "By standard", "In place", "Gap")
#: (column, legend, colour): the needs, then the people in place
SERIES = (("needed_bottom_up", "Bottom-up (journey)", "#2f6fb0"),
          ("needed_top_down", "Top-down (benchmark)", "#7aa6d6"),
          ("needed_by_standard", "By standard", "#d9a400"),
          ("in_place", "In place", "#3a9a6a"))


def _n(v: Any) -> str:
    return "—" if v is None else (f"{v:,}" if isinstance(v, int) else f"{v:,.2f}")


def needed_chart(rows: list[dict]) -> Chart:
    """Grouped horizontal bars per segment and role: each need beside the people in place
    (a need that is empty or zero everywhere, e.g. no benchmark or no journey, is left
    out), read by ``covermap.capacity.readings.needed_reading``."""
    title = "People needed vs in place, per segment and role"
    if not rows:
        return Chart(title, empty="No segment has customers or people to chart.")
    names = [_wrap(f"{r['segment']} / {r['role']}") for r in rows]
    fig = go.Figure()
    for col, legend, colour in SERIES:
        if col != "in_place" and not any(r[col] for r in rows):
            continue
        fig.add_trace(go.Bar(
            y=names, x=[r[col] or 0.0 for r in rows], name=legend, orientation="h",
            marker_color=colour, text=["" if r[col] is None else people(r[col]) for r in rows],
            textposition="outside", textangle=0, cliponaxis=False,
            hovertemplate=f"%{{y}}: %{{text}} ({legend})<extra></extra>"))
    fig.update_layout(
        barmode="group", height=120 + len(rows) * 26 * len(fig.data),
        xaxis=dict(title="people", fixedrange=True, rangemode="tozero"),
        yaxis=dict(autorange="reversed", fixedrange=True, automargin=True),
        **{**_LAYOUT, "showlegend": True, "legend": dict(orientation="h", y=-0.15),
           "margin": {**_LAYOUT["margin"], "r": 80, "b": 90}})
    return Chart(title, _plot(fig), reading=needed_reading(rows))


def capacity_context(result) -> dict[str, Any]:
    """What the capacity section shows."""
    rows = [[r["segment"], r["role"], _n(r["customers"]), _n(r["hours_per_customer"]),
             _n(r["needed_bottom_up"]), _n(r["needed_top_down"]),
             _n(r["needed_by_standard"]), _n(r["in_place"]), _n(r["gap"])]
            for r in result.rows]
    return dict(headers=HEADERS, rows=rows, tradeoffs=list(result.tradeoffs),
                chart=needed_chart(result.rows),
                findings=[f"{f.key}: {f.message}" for f in result.findings])
