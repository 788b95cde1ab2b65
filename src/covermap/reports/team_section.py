"""The report's team section: the RACI matrix, gaps and duplicates by stage and segment,
the hand-off funnel and one account's phase-in/out timeline. It draws the small tables
``covermap.team.tables.measure_team`` returned; it computes nothing itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import plotly.graph_objects as go

from covermap.render import Column, Formats, Kind, format_value, html_table
from covermap.render.formats import is_empty
from covermap.reports import readings
from covermap.reports.charts import _LAYOUT, Chart, _plot, _wrap
from covermap.store.arrow import to_pylist
from covermap.team import render as _registry  # noqa: F401  (declares the team columns)
from covermap.team.timeline import account_phases, account_timeline

GROUP_COLUMNS = ("key", "accounts", "with_gap", "with_duplicate", "with_over_coverage",
                 "with_silent")
LETTER_NAMES = {"R": "responsible", "A": "accountable", "C": "consulted", "I": "informed"}
_STATUS_COLOURS = {"on_time": "#3a9a6a", "late": "#d9a400", "dropped": "#c0392b",
                   "pending": "#8a9aaa"}
_LANE_COLOURS = {"stage": "#2f6fb0", "member": "#7aa6d6"}


def raci_matrix(plan) -> dict[str, Any]:
    """Stages × roles with each letter (before segment overrides), and the overrides."""
    roles = [r.id for r in plan.roles]
    rows = [dict(stage=s.label.en, id=s.id,
                 letters=[plan.raci.letters(s.id).get(r, "") for r in roles])
            for s in plan.journey.stages]
    overrides = [f"{seg}: {stage} " + ", ".join(f"{r} {x}" for r, x in letters.items())
                 for seg, stages in sorted(plan.raci.segments.items())
                 for stage, letters in stages.items()]
    return dict(roles=[r.label.en for r in plan.roles], rows=rows, overrides=overrides,
                names=LETTER_NAMES)


def handoff_funnel(summary: list[dict], f: Formats) -> Chart:
    """Bars of hand-offs by status (on time, late, dropped, pending)."""
    title = "Hand-offs: first touch by the new owner"
    total = next((r for r in summary if r["group"] == "all"), None)
    if total is None or not total["handoffs"]:
        return Chart(title, empty="No account entered a hand-off state or stage in the "
                                  "window, so there are no hand-offs to chart.")
    names = ["on_time", "late", "dropped", "pending"]
    values = [int(total[n]) for n in names]
    fig = go.Figure(go.Bar(
        y=[n.replace("_", " ") for n in names], x=values, orientation="h",
        text=[f"{format_value(v, Kind.count, f)} "
              f"({format_value(v / total['handoffs'], Kind.percent, f)})" for v in values],
        textposition="outside", cliponaxis=False,
        marker_color=[_STATUS_COLOURS[n] for n in names],
        hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.update_layout(height=230, xaxis=dict(title="hand-offs", fixedrange=True),
                      yaxis=dict(autorange="reversed", fixedrange=True, automargin=True),
                      **{**_LAYOUT, "margin": {**_LAYOUT["margin"], "r": 120}})
    return Chart(title, _plot(fig))


def timeline_chart(account_id: str, rows: list[dict]) -> Chart:
    """Gantt bars: the account's stage periods, then each member's days on the team."""
    title = f"Phase-in/out of {account_id}"
    if not rows:
        return Chart(title, empty=f"{account_id} has no days in the window.")
    day = dt.timedelta(days=1)
    lanes = [_wrap(r["lane"] if r["kind"] == "member" else f"Stage: {r['label']}", 30)
             for r in rows]
    fig = go.Figure(go.Bar(
        y=lanes, base=[str(r["start"]) for r in rows],
        x=[((r["end"] + day) - r["start"]).days * 86_400_000 for r in rows],
        orientation="h", marker_color=[_LANE_COLOURS[r["kind"]] for r in rows],
        # dates inside the bars that have room for them; every bar has them on hover
        text=[f"{r['start']} – {r['end']}" if (r["end"] - r["start"]).days >= 45 else ""
              for r in rows], textposition="inside",
        hovertext=[f"{r['start']} – {r['end']}: {r['detail']}" for r in rows],
        hovertemplate="%{y}: %{hovertext}<extra></extra>"))
    fig.update_layout(height=90 + 34 * len(rows), xaxis=dict(type="date", fixedrange=True),
                      yaxis=dict(autorange="reversed", fixedrange=True, automargin=True),
                      **_LAYOUT)
    return Chart(title, _plot(fig))


def chosen_account(result, account_id: str | None) -> str | None:
    """``account_id``, else the account with the most phase findings (then the smallest
    id), else the first account with a stage."""
    if account_id is not None:
        return account_id
    f = result.findings
    f = f.filter(f.kind.isin(["late_join", "stayed_on", "never_joined"]))
    top = f.group_by("account_id").aggregate(n=f.count())
    top = top.order_by([top.n.desc(), "account_id"])
    picked = to_pylist(top.select("account_id").limit(1))
    if picked:
        return picked[0]["account_id"]
    a = result.accounts
    first = to_pylist(a.filter(a.stage.notnull()).select("account_id").limit(1))
    return first[0]["account_id"] if first else None


def team_context(result, f: Formats, account_id: str | None = None) -> dict[str, Any]:
    """Everything the template's team section shows."""
    summary = to_pylist(result.summary)
    labels = {s.id: s.label.en for s in result.plan.journey.stages}
    by_stage = [{**r, "key": labels.get(r["key"], "(no stage)" if is_empty(r["key"])
                                        else r["key"])}
                for r in summary if r["group"] == "stage"]
    by_segment = [{**r, "key": "(no segment)" if is_empty(r["key"]) else r["key"]}
                  for r in summary if r["group"] == "segment"]
    stage_cols, stage_rows = html_table(by_stage, "team_summary", f, columns=GROUP_COLUMNS,
                                        overrides={"key": Column(Kind.text, "Stage")})
    seg_cols, seg_rows = html_table(by_segment, "team_summary", f, columns=GROUP_COLUMNS,
                                    overrides={"key": Column(Kind.text, "Segment")})
    account = chosen_account(result, account_id)
    phases = account_phases(result, account) if account is not None else []
    if account is not None:
        lanes = account_timeline(result, account)
        timeline = replace(timeline_chart(account, lanes),
                           reading=readings.timeline(account, lanes, phases))
    else:
        timeline = Chart("Phase-in/out", empty="No account has a journey stage.")
    phase_cols, phase_rows = html_table(phases, "team_findings", f,
                                        columns=("stage", "kind", "role", "user_id",
                                                 "detail"))
    outside = [{**r, "stage": labels.get(r["stage"], r["stage"])}
               for r in to_pylist(result.effort) if r["outside_model"]]
    effort_cols, effort_rows = html_table(outside, "team_effort", f,
                                          columns=("role", "stage", "letter", "accounts",
                                                   "human_touches", "minutes"))
    followed = [{**r, "next_state": f.states.get(r["next_state"], r["next_state"])
                 if r["next_state"] != "none" else "stayed"}
                for r in to_pylist(result.followed)]
    followed_cols, followed_rows = html_table(followed, "team_followed", f,
                                              columns=("rule", "next_state", "handoffs",
                                                       "share"))
    total = next(r for r in summary if r["group"] == "all")
    return dict(
        raci=raci_matrix(result.plan), has_journey=bool(result.plan.journey.stages),
        stage_columns=stage_cols, stage_rows=stage_rows, segment_columns=seg_cols,
        segment_rows=seg_rows, timeline=timeline,
        funnel=replace(handoff_funnel(summary, f), reading=readings.handoffs(summary, f)),
        phase_columns=phase_cols, phase_rows=phase_rows, account=account,
        effort_columns=effort_cols, effort_rows=effort_rows,
        followed_columns=followed_cols, followed_rows=followed_rows,
        median_days=format_value(total["median_days"], Kind.days, f))
