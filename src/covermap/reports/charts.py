"""Charts for the report, as Plotly figures rendered to HTML fragments.

Plotly's JavaScript ships inside the Python package; the report inlines it once
(``plotly_js``) so the file opens offline. Figures take small, already
aggregated tables: the engine computes, charts only draw.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

_CONFIG = {"displaylogo": False, "responsive": True}
_LAYOUT = dict(margin=dict(l=60, r=20, t=50, b=60), height=360, template="plotly_white",
               font=dict(family="system-ui, sans-serif", size=12))


def plotly_js() -> str:
    """The Plotly library, to inline once per report."""
    return get_plotlyjs()


def _html(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG)


def compliance_by_state(summary: pd.DataFrame, labels: dict[str, str]) -> str:
    """Bars of compliance per state (checks under that state's standard)."""
    rows = summary[(summary["group"] == "state") & (summary["checks"] > 0)]
    names = [labels.get(k, k) for k in rows["key"]]
    fig = go.Figure(go.Bar(
        x=names, y=rows["compliance"] * 100,
        text=[f"{c:.0%}<br>{p:,}/{n:,}" for c, p, n in
              zip(rows["compliance"], rows["passed"], rows["checks"])],
        textposition="auto", marker_color="#2f6fb0",
        hovertemplate="%{x}: %{y:.1f}% of checks passed<extra></extra>"))
    fig.update_layout(title="Compliance by state (passed checks / checks)",
                      yaxis=dict(title="% of checks passed", range=[0, 100]), **_LAYOUT)
    return _html(fig)


def compliance_by_month(summary: pd.DataFrame) -> str:
    """Line of compliance per month (the month holding each check's bucket end)."""
    rows = summary[summary["group"] == "month"].sort_values("key")
    fig = go.Figure(go.Scatter(
        x=rows["key"], y=rows["compliance"] * 100, mode="lines+markers+text",
        text=[f"{c:.0%}" for c in rows["compliance"].fillna(0)], textposition="top center",
        line=dict(color="#2f6fb0", width=3),
        hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    fig.update_layout(title="Compliance by month", xaxis=dict(type="category"),
                      yaxis=dict(title="% of checks passed", range=[0, 105]), **_LAYOUT)
    return _html(fig)


def breadth_by(summary: pd.DataFrame, group: str, labels: dict[str, str]) -> str:
    """Bars of breadth (accounts touched in the window / accounts) for one grouping."""
    rows = summary[summary["group"] == group]
    fig = go.Figure(go.Bar(
        x=[labels.get(k, k) for k in rows["key"]], y=rows["breadth"] * 100,
        text=[f"{b:.0%} of {a:,}" for b, a in zip(rows["breadth"].fillna(0), rows["accounts"])],
        textposition="auto", marker_color="#3a9a6a",
        hovertemplate="%{x}: %{y:.1f}% touched<extra></extra>"))
    fig.update_layout(title=f"Breadth by {group} (accounts touched in the window)",
                      yaxis=dict(title="% of accounts touched", range=[0, 100]), **_LAYOUT)
    return _html(fig)


def coverage_map_heatmap(cells: pd.DataFrame, complexities: tuple[str, ...],
                         tiers: tuple[str, ...]) -> str:
    """The 3x3 grid: revenue as colour, intended channel written in each cell, misaligned
    revenue marked."""
    rows = list(reversed(tiers))  # high on top
    z, text = [], []
    for tier in rows:
        zr, tr = [], []
        for cx in complexities:
            cell = cells[(cells["complexity"] == cx) & (cells["value"] == tier)].iloc[0]
            revenue = float(cell["revenue"] or 0)
            mis = float(cell["misaligned_revenue"] or 0)
            zr.append(revenue)
            mark = f"<br>⚠ misaligned {mis / revenue:.0%}" if revenue and mis else ""
            tr.append(f"<b>{cell['intended_channel']}</b><br>{revenue:,.0f}"
                      f"<br>{int(cell['won_deals'] or 0):,} won deals{mark}")
        z.append(zr)
        text.append(tr)
    fig = go.Figure(go.Heatmap(
        z=z, x=list(complexities), y=rows, text=text, texttemplate="%{text}",
        colorscale="Blues", colorbar=dict(title="revenue"),
        hovertemplate="%{y} value × %{x}: %{z:,.0f}<extra></extra>"))
    layout = {**_LAYOUT, "height": 460}
    fig.update_layout(title="Customer coverage map: won revenue by product complexity × "
                            "customer value (intended channel in bold)",
                      xaxis=dict(title="product complexity", side="bottom"),
                      yaxis=dict(title="customer value"), **layout)
    return _html(fig)
