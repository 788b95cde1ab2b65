"""The report's value section: the value-proposition table, a key-player reach heat-map
(persona × segment), the share of human touches to non-key players, and content stages
planned vs delivered per state. It draws the small tables
``covermap.value.tables.measure_value`` returned; it computes nothing itself."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from covermap.render import Column, Formats, Kind, format_value, html_table
from covermap.render.formats import is_empty
from covermap.reports.charts import _LAYOUT, Chart, _plot, _wrap
from covermap.store.arrow import to_pylist
from covermap.value import render as _registry  # noqa: F401  (declares the value columns)
from covermap.value.render import labelled, touches_line
from covermap.value.tools import PROPOSITION_HEADERS, proposition_rows

NO_SEGMENT = "(no segment)"
#: stacked bars of value_content, in this order
_PARTS = (("on_plan", "on plan", "#3a9a6a"), ("off_channel", "planned stage, other channel",
                                               "#d9a400"),
          ("off_plan", "off-plan stage", "#c0392b"), ("without_stage", "no stage", "#8a9aaa"))


def reach_heatmap(summary: list[dict], maps, f: Formats) -> Chart:
    """Reach (accounts reached / accounts with the player) per persona and segment; an
    empty cell: the persona does not matter there; "—": nobody with the persona."""
    title = "Reach of key players by segment (accounts reached / accounts with the player)"
    rows = [r for r in summary if r["group"] == "segment"]
    if not any(r["accounts_with_persona"] for r in rows):
        return Chart(title, empty="No account has a contact matching a key player, so there "
                                  "is no reach to chart.")
    segments = sorted({NO_SEGMENT if is_empty(r["key"]) else r["key"] for r in rows})
    personas = list(maps.personas)
    got = {((NO_SEGMENT if is_empty(r["key"]) else r["key"]), r["persona"]): r for r in rows}
    z, text = [], []
    for p in reversed(personas):  # Plotly draws the first row at the bottom
        zr, tr = [], []
        for s in segments:
            r = got.get((s, p.id))
            if r is None:
                zr.append(None)
                tr.append("")
                continue
            zr.append(None if is_empty(r["reach"]) else float(r["reach"]))
            share = "—" if is_empty(r["reach"]) else format_value(r["reach"], Kind.percent, f)
            tr.append(f"<b>{share}</b><br>{r['accounts_reached']:,} / "
                      f"{r['accounts_with_persona']:,}")
        z.append(zr)
        text.append(tr)
    fig = go.Figure(go.Heatmap(
        z=z, x=[html.escape(s) for s in segments],
        y=[_wrap(html.escape(p.label.en), 20) for p in reversed(personas)], text=text,
        texttemplate="%{text}", textfont=dict(size=12), colorscale="Greens", zmin=0, zmax=1,
        xgap=2, ygap=2, colorbar=dict(title=dict(text="Reach"), tickformat=".0%"),
        hovertemplate="%{y} in %{x}<br>%{text}<extra></extra>"))
    fig.update_layout(height=120 + 70 * len(personas),
                      xaxis=dict(title="Segment", fixedrange=True, type="category"),
                      yaxis=dict(fixedrange=True, automargin=True, type="category"), **_LAYOUT)
    return Chart(title, _plot(fig))


def content_chart(content: list[dict], f: Formats) -> Chart:
    """Per state, its touches split into on plan, planned stage through another channel,
    off-plan stage and no stage."""
    title = "Content stages planned vs delivered, per state (the window's touches)"
    rows = [r for r in content if r["touches"]]
    if not rows:
        return Chart(title, empty="No touch in the window, so there is no content to chart.")
    names = [_wrap(f.states.get(r["state"], r["state"]), 26) for r in rows]
    fig = go.Figure()
    for key, label, colour in _PARTS:
        fig.add_trace(go.Bar(
            y=names, x=[r[key] for r in rows], name=label, orientation="h",
            marker_color=colour,
            hovertemplate=f"%{{y}}: %{{x}} touches {label}<extra></extra>"))
    fig.update_layout(barmode="stack", height=90 + 40 * len(rows),
                      xaxis=dict(title="touches", fixedrange=True),
                      yaxis=dict(autorange="reversed", fixedrange=True, automargin=True),
                      **{**_LAYOUT, "showlegend": True,
                         "legend": dict(orientation="h", y=-0.25)})
    return Chart(title, _plot(fig))


def value_context(result, f: Formats) -> dict[str, Any]:
    """Everything the template's value section shows."""
    maps = result.maps
    summary = to_pylist(result.summary)
    headers = PROPOSITION_HEADERS["en"]
    props = [dict(zip(headers, r, strict=True)) for r in proposition_rows(maps)]
    overall = labelled([r for r in summary if r["group"] == "all"], maps)
    reach_cols, reach_rows = html_table(
        overall, "value_summary", f,
        columns=("persona", "accounts", "accounts_with_persona", "presence",
                 "accounts_reached", "reach"))
    content = to_pylist(result.content)
    content_cols, content_rows = html_table(
        content, "value_content", f,
        columns=("state", "planned", "touches", "on_plan", "on_plan_share", "off_channel",
                 "off_plan", "without_stage"),
        overrides={"on_plan_share": Column(Kind.percent, "On plan (share)")})
    return dict(
        maps=", ".join(dict.fromkeys(m.name for m in maps.maps)),
        prop_headers=headers, props=props, reach_columns=reach_cols, reach_rows=reach_rows,
        heatmap=reach_heatmap(summary, maps, f),
        touches=touches_line(to_pylist(result.touches), f),
        content_chart=content_chart(content, f), content_columns=content_cols,
        content_rows=content_rows,
        bare=[f.states.get(r["state"], r["state"]) for r in content if r["no_stage_at_all"]])
