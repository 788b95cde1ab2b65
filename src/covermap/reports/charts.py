"""Charts for the report, as Plotly figures inside a titled ``<figure>``.

Plotly's JavaScript ships inside the Python package; the report inlines it once
(``plotly_js``) so the file opens offline. Figures take small, already
aggregated tables: the engine computes, charts only draw.

Layout rules (checked in a real browser by tests/test_report_layout.py): a chart's
title is HTML above the plot, so Plotly's toolbar never covers it; state names
are the rows of horizontal bars, wrapped, never rotated; every number is written
by ``covermap.render`` (:func:`_text`), as in the tables; a chart with nothing to
draw is replaced by a sentence saying why.
"""

from __future__ import annotations

import contextvars
import hashlib
import html
import itertools
import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from covermap.render.columns import Kind, humanize
from covermap.render.formats import Formats, format_value, is_empty

# a static report: the toolbar only saves a picture
_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": "hover",
           "modeBarButtons": [["toImage"]]}
# the top margin is where the toolbar sits, above the plot and below the HTML title
_LAYOUT = dict(margin=dict(l=10, r=20, t=34, b=40), template="plotly_white",
               font=dict(family="system-ui, sans-serif", size=12), showlegend=False)
_BLUE, _GREEN = "#2f6fb0", "#3a9a6a"
NO_SEGMENT = "(no segment)"


def _text(value: Any, kind: Kind, formats: Formats) -> str:
    """The one place charts write numbers: the same formatter as every table."""
    return format_value(value, kind, formats)


@dataclass(frozen=True)
class Chart:
    """A titled chart, or, when there is nothing to draw, the sentence that says why;
    ``reading`` is one sentence saying what the chart shows (``covermap.reports.readings``)."""

    title: str
    plot: str = ""
    empty: str = ""
    reading: str = ""

    def __html__(self) -> str:
        body = (f'<p class="empty-chart">{html.escape(self.empty)}</p>' if self.empty
                else self.plot)
        reading = (f'<p class="reading">{html.escape(self.reading)}</p>'
                   if self.reading and not self.empty else "")
        return (f'<figure class="chart"><figcaption class="chart-title">'
                f'{html.escape(self.title)}</figcaption>{reading}{body}</figure>')

    __str__ = __html__


def plotly_js() -> str:
    """The Plotly library, to inline once per report."""
    return get_plotlyjs()


#: the ids of one report's plots, counted from 1 (``numbered_plots``), so that the same
#: results give a byte-identical report (Plotly's own ids are random)
_PLOT_IDS: contextvars.ContextVar[itertools.count | None] = contextvars.ContextVar(
    "plot_ids", default=None)


class numbered_plots:
    """Within ``with numbered_plots():`` plots get the ids ``chart-1``, ``chart-2``, ..."""

    def __enter__(self) -> None:
        self._token = _PLOT_IDS.set(itertools.count(1))

    def __exit__(self, *exc: object) -> None:
        _PLOT_IDS.reset(self._token)


def _plot(fig: go.Figure) -> str:
    ids = _PLOT_IDS.get()
    div_id = (f"chart-{next(ids)}" if ids is not None else
              "chart-" + hashlib.sha1(fig.to_json().encode()).hexdigest()[:12])
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG, div_id=div_id)


def _wrap(label: str, width: int = 24) -> str:
    return "<br>".join(textwrap.wrap(str(label), width)) or str(label)


def _formats(formats: Formats | None, labels: dict[str, str] | None) -> Formats:
    if formats is not None:
        return formats
    return Formats(states=labels or {})


def _window_words(window: Any) -> str:
    return f" ({window.start} – {window.end})" if window is not None else ""


def no_touches(summary: pd.DataFrame, window: Any = None) -> str:
    """Why the coverage charts are empty ("" when they are not)."""
    overall = summary[summary["group"] == "all"]
    if overall.empty or int(overall["accounts"].iloc[0]) == 0:
        return "No accounts in scope, so there is no coverage to chart."
    touched = overall["breadth"].iloc[0]
    if is_empty(touched) or float(touched) == 0:
        return (f"No activities in the window{_window_words(window)} count as touches, so "
                f"every check failed and no account was touched.")
    return ""


def _bars(names: list[str], values: list[float], texts: list[str], colour: str,
          axis: str) -> go.Figure:
    """Horizontal bars, first name on top, values in percent (0–100)."""
    wrapped = [_wrap(n) for n in names]
    lines = max((w.count("<br>") + 1 for w in wrapped), default=1)
    fig = go.Figure(go.Bar(
        y=wrapped, x=values, orientation="h", text=texts, textposition="outside",
        textangle=0, cliponaxis=False, marker_color=colour,
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>"))
    fig.update_layout(
        height=90 + len(names) * max(30, 12 + 13 * lines),
        xaxis=dict(title=axis, range=[0, 100], ticksuffix="%", fixedrange=True),
        yaxis=dict(autorange="reversed", automargin=True, fixedrange=True),
        **{**_LAYOUT, "margin": {**_LAYOUT["margin"], "r": 120}})
    return fig


def compliance_by_state(summary: pd.DataFrame, labels: dict[str, str] | None = None,
                        formats: Formats | None = None, window: Any = None) -> Chart:
    """Bars of compliance per state (checks under that state's standard)."""
    f = _formats(formats, labels)
    title = "Compliance by state (passed checks / checks)"
    rows = summary[(summary["group"] == "state") & (summary["checks"] > 0)]
    why = no_touches(summary, window)
    if not why and rows.empty:
        why = "No checks in the window: no account was in a state with a standard."
    if why:
        return Chart(title, empty=why)
    texts = [f"{_text(c, Kind.percent, f)} ({_text(p, Kind.count, f)} of "
             f"{_text(n, Kind.count, f)})"
             for c, p, n in zip(rows["compliance"], rows["passed"], rows["checks"])]
    fig = _bars([f.states.get(k, k) for k in rows["key"]], list(rows["compliance"] * 100),
                texts, _BLUE, "% of checks passed")
    return Chart(title, _plot(fig))


def compliance_by_month(summary: pd.DataFrame, formats: Formats | None = None,
                        window: Any = None) -> Chart:
    """Line of compliance per month (the month holding each check's bucket end)."""
    f = _formats(formats, None)
    title = "Compliance by month"
    rows = summary[(summary["group"] == "month") & (summary["checks"] > 0)].sort_values("key")
    why = no_touches(summary, window) or (
        "" if not rows.empty else "No checks in the window: no account was in a state with a "
                                  "standard.")
    if why:
        return Chart(title, empty=why)
    fig = go.Figure(go.Scatter(
        x=list(rows["key"]), y=list(rows["compliance"] * 100), mode="lines+markers+text",
        text=[_text(c, Kind.percent, f) for c in rows["compliance"]],
        textposition="top center", cliponaxis=False, line=dict(color=_BLUE, width=3),
        hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    fig.update_layout(height=340, xaxis=dict(type="category", fixedrange=True),
                      yaxis=dict(title="% of checks passed", range=[0, 105], ticksuffix="%",
                                 fixedrange=True, automargin=True), **_LAYOUT)
    return Chart(title, _plot(fig))


def breadth_by(summary: pd.DataFrame, group: str, labels: dict[str, str] | None = None,
               formats: Formats | None = None, window: Any = None) -> Chart:
    """Bars of breadth (accounts touched in the window / accounts) for one grouping."""
    f = _formats(formats, labels)
    title = f"Breadth by {group} (accounts touched in the window)"
    rows = summary[summary["group"] == group]
    why = no_touches(summary, window) or ("" if not rows.empty else f"No {group} to chart.")
    if why:
        return Chart(title, empty=why)
    names = [NO_SEGMENT if is_empty(k) else (f.states.get(k, k) if group == "state" else str(k))
             for k in rows["key"]]
    texts = [f"{_text(b, Kind.percent, f)} of {_text(a, Kind.count, f)}"
             for b, a in zip(rows["breadth"], rows["accounts"])]
    fig = _bars(names, list(rows["breadth"].fillna(0) * 100), texts, _GREEN,
                "% of accounts touched")
    return Chart(title, _plot(fig))


def coverage_map_heatmap(cells: pd.DataFrame, complexities: tuple[str, ...],
                         tiers: tuple[str, ...], formats: Formats | None = None,
                         window: Any = None) -> Chart:
    """The 3x3 grid, high value on top as in the terminal: won revenue as colour; in each
    cell the intended channel in bold with the cell's priority rank, its revenue and share,
    won deals, and the share sold through another channel."""
    f = _formats(formats, None)
    title = ("Customer coverage map: won revenue by product complexity × customer value "
             "(intended channel in bold)")
    if float(cells["revenue"].fillna(0).sum()) == 0:
        return Chart(title, empty=f"No won deals in the window{_window_words(window)}, so "
                                  f"the map has no revenue to place.")
    z, text = [], []
    for tier in tiers:  # Plotly draws the first row at the bottom: low, medium, high
        zr, tr = [], []
        for cx in complexities:
            cell = cells[(cells["complexity"] == cx) & (cells["value"] == tier)].iloc[0]
            revenue = 0.0 if is_empty(cell["revenue"]) else float(cell["revenue"])
            mis = 0.0 if is_empty(cell["misaligned_revenue"]) else float(
                cell["misaligned_revenue"])
            won = 0 if is_empty(cell["won_deals"]) else int(cell["won_deals"])
            zr.append(revenue)
            mark = (f"<br>⚠ {_text(mis / revenue, Kind.percent, f)} through another channel"
                    if revenue and mis else "")
            rank = "" if is_empty(cell["priority_rank"]) else f"  #{int(cell['priority_rank'])}"
            share = "" if is_empty(cell["revenue_share"]) else (
                f" ({_text(cell['revenue_share'], Kind.percent, f)})")
            tr.append(f"<b>{html.escape(humanize(str(cell['intended_channel'])))}</b>{rank}<br>"
                      f"{_text(revenue, Kind.money, f)}{share}<br>{_text(won, Kind.count, f)} "
                      f"won deal{'' if won == 1 else 's'}{mark}")
        z.append(zr)
        text.append(tr)
    fig = go.Figure(go.Heatmap(
        z=z, x=[humanize(c) for c in complexities], y=[humanize(t) for t in tiers], text=text,
        texttemplate="%{text}", textfont=dict(size=12), colorscale="Blues", xgap=2, ygap=2,
        colorbar=dict(title=dict(text="Won revenue" + (f" ({f.currency})" if f.currency
                                                       else "")), tickformat=",.0f"),
        hovertemplate="%{y} value × %{x}<br>%{text}<extra></extra>"))
    fig.update_layout(height=460, xaxis=dict(title="Product complexity", fixedrange=True),
                      yaxis=dict(title="Customer value", fixedrange=True, automargin=True),
                      **{**_LAYOUT, "margin": {**_LAYOUT["margin"], "l": 70}})
    return Chart(title, _plot(fig))
