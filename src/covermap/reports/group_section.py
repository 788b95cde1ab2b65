"""The report's territory breakdown and group section: coverage per territory of the plan
(each with the territories inside it, from ``covermap coverage --by territory``), and the
largest customer groups (``--by group``) with their accounts, states, coverage and team.
It draws the roll-up tables the engine returns and the group accounts of
:mod:`covermap.reports.group_tables`; it computes nothing itself."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import ibis
import ibis.expr.types as ir
import plotly.graph_objects as go

from covermap.coverage import rollups as coverage_rollups
from covermap.render import Column, Formats, Kind, format_value, html_table
from covermap.reports.charts import _BLUE, _GREEN, _LAYOUT, Chart, _plot, _wrap
from covermap.reports.group_tables import group_accounts, tree_order
from covermap.store.arrow import to_pylist

#: groups the section shows, and accounts under each
GROUPS = 10
GROUP_ACCOUNTS = 20
TERRITORY_COLUMNS = ("key", "parent", "accounts", "customers", "arr", "checks", "compliance",
                     "breadth", "state_mix")
GROUP_COLUMNS = ("key", "accounts", "customers", "arr", "checks", "compliance", "breadth",
                 "state_mix")
ACCOUNT_COLUMNS = ("account_id", "state", "territory", "owner_id", "compliance", "touched",
                   "days_since_human_touch", "team", "gaps", "duplicates")


def report_tables(coverage) -> dict[str, ir.Table]:
    """The roll-ups the report's workbook and ``--export`` add: per group, per territory."""
    return {name: coverage_rollups.rollup(coverage, by) for name, by in (
        ("coverage_territories", "territory"), ("coverage_groups", "group"))}


def _label(row: dict, depth: int) -> str:
    return "· " * depth + str(row["name"] or row["key"])


def territory_chart(rows: list[dict], depth: dict, f: Formats) -> Chart:
    """Grouped bars of compliance and breadth per territory, inner territories indented
    under the one they roll into."""
    title = "Compliance and breadth by territory (each with the territories inside it)"
    names = [_wrap(_label(r, depth.get(r["key"], 0))) for r in rows]
    fig = go.Figure()
    for measure, colour in (("compliance", _BLUE), ("breadth", _GREEN)):
        values = [r[measure] for r in rows]
        fig.add_trace(go.Bar(
            y=names, x=[0 if v is None else v * 100 for v in values], orientation="h",
            name=measure, marker_color=colour, textposition="outside", cliponaxis=False,
            text=[format_value(v, Kind.percent, f) if v is not None else "no checks"
                  for v in values],
            hovertemplate=f"%{{y}}: %{{x:.1f}}% {measure}<extra></extra>"))
    fig.update_layout(
        barmode="group", height=110 + 52 * len(rows),
        xaxis=dict(title="% (compliance: checks passed; breadth: accounts touched)",
                   range=[0, 100], ticksuffix="%", fixedrange=True),
        yaxis=dict(autorange="reversed", automargin=True, fixedrange=True),
        **{**_LAYOUT, "showlegend": True, "legend": dict(orientation="h", y=-0.25),
           "margin": {**_LAYOUT["margin"], "r": 90, "b": 90}})
    return Chart(title, _plot(fig))


def territory_reading(rows: list[dict], f: Formats) -> str:
    """The territories with the highest and lowest compliance."""
    measured = [r for r in rows if r["compliance"] is not None]
    if not measured:
        return "No account of a territory had a check in the window."

    def said(r: dict) -> str:
        return (f"{r['name'] or r['key']} ({format_value(r['compliance'], Kind.percent, f)} "
                f"of {format_value(r['checks'], Kind.count, f)} checks)")

    hi = max(measured, key=lambda r: (r["compliance"], r["accounts"]))
    lo = min(measured, key=lambda r: (r["compliance"], -r["accounts"]))
    if hi is lo:
        return f"Compliance in {said(hi)}."
    return f"Compliance was highest in {said(hi)} and lowest in {said(lo)}."


def group_chart(rows: list[dict], f: Formats) -> Chart:
    """Bars of ARR per group, largest first, each with its accounts and compliance."""
    title = ("The largest customer group by ARR" if len(rows) == 1
             else f"The {len(rows)} largest customer groups by ARR")
    names = [_wrap(f"{r['name'] or r['key']} ({r['key']})", 30) for r in rows]
    fig = go.Figure(go.Bar(
        y=names, x=[r["arr"] or 0 for r in rows], orientation="h", marker_color=_BLUE,
        textposition="outside", cliponaxis=False,
        text=[f"{format_value(r['arr'] or 0, Kind.money, f)} · "
              f"{format_value(r['accounts'], Kind.count, f)} accounts · "
              + (f"{format_value(r['compliance'], Kind.percent, f)} compliance"
                 if r["compliance"] is not None else "no checks") for r in rows],
        hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_layout(height=90 + 40 * len(rows),
                      xaxis=dict(title="ARR" + (f" ({f.currency})" if f.currency else ""),
                                 fixedrange=True, tickformat=",.0f"),
                      yaxis=dict(autorange="reversed", automargin=True, fixedrange=True),
                      **{**_LAYOUT, "margin": {**_LAYOUT["margin"], "r": 330}})
    return Chart(title, _plot(fig))


def group_reading(rows: list[dict], total_arr: float, f: Formats) -> str:
    top = rows[0]
    share = (f", {format_value((top['arr'] or 0) / total_arr, Kind.percent, f)} of all "
             f"groups' ARR" if total_arr else "")
    return (f"{top['name'] or top['key']} is the largest group: "
            f"{format_value(top['accounts'], Kind.count, f)} accounts and "
            f"{format_value(top['arr'] or 0, Kind.money, f)} ARR{share}.")


def _largest_groups(groups: ir.Table) -> tuple[list[dict], float, int]:
    """The largest groups with more than one account, their total ARR over every group,
    and how many groups have more than one account."""
    several = groups.filter(groups.accounts > 1)
    top = several.order_by([ibis.desc("arr"), ibis.desc("accounts"), "key"]).limit(GROUPS)
    totals = groups.aggregate(arr=groups.arr.sum(),
                              several=(groups.accounts > 1).sum().cast("int64"))
    t = to_pylist(totals)[0]
    return to_pylist(top), float(t["arr"] or 0), int(t["several"] or 0)


def _group_accounts(coverage, team, keys: list[str]) -> list[dict]:
    """The first accounts (by id) of each of ``keys``' groups."""
    if not keys:
        return []
    a = group_accounts(coverage, team)
    a = a.filter(a.group_id.isin(keys))
    a = a.mutate(n=ibis.row_number().over(group_by="group_id", order_by="account_id"))
    a = a.filter(a.n < GROUP_ACCOUNTS)
    return to_pylist(a.order_by(["group_id", "account_id"]).drop("n"))


def group_context(coverage, team, f: Formats) -> dict[str, Any]:
    """Everything the template's territory and group sections show."""
    plan = coverage.plan
    place = tree_order(plan)
    depth = {k: len(v) - 1 for k, v in place.items()}
    tables = report_tables(coverage)
    territories = sorted(to_pylist(tables["coverage_territories"]),
                         key=lambda r: place.get(r["key"], (len(place),)))
    named = [r for r in territories if r["key"] is not None]
    t_cols, t_rows = html_table(
        [{**r, "key": _label(r, depth.get(r["key"], 0)) if r["key"] is not None
          else "(no territory)", "parent": r["parent"] and next(
              (x["name"] for x in territories if x["key"] == r["parent"]), r["parent"])}
         for r in territories], "coverage_territories", f, columns=TERRITORY_COLUMNS,
        overrides={"key": Column(Kind.text, "Territory")})
    chart = None
    if named:
        chart = replace(territory_chart(named, depth, f),
                        reading=territory_reading(named, f))
    largest, total_arr, several = _largest_groups(tables["coverage_groups"])
    g_cols, g_rows = html_table(largest, "coverage_groups", f, columns=GROUP_COLUMNS)
    labels = {t.id: t.label.en if t.label else t.id for t in plan.territories}
    accounts = [{**a, "territory": labels.get(a["territory"], a["territory"])}
                for a in _group_accounts(coverage, team, [g["key"] for g in largest])]
    members = []
    for g in largest:
        mine = [a for a in accounts if a["group_id"] == g["key"]]
        cols, rows = html_table(mine, "group_accounts", f, columns=ACCOUNT_COLUMNS)
        members.append(dict(name=g["name"] or g["key"], key=g["key"], accounts=g["accounts"],
                            columns=cols, rows=rows, more=g["accounts"] - len(mine)))
    g_chart = None
    if largest:
        g_chart = replace(group_chart(largest, f),
                          reading=group_reading(largest, total_arr, f))
    return dict(has_territories=bool(plan.territories), territory_chart=chart,
                territory_columns=t_cols, territory_rows=t_rows, group_chart=g_chart,
                group_columns=g_cols, group_rows=g_rows, groups=members, several=several)
