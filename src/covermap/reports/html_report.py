"""The self-contained HTML report: every analysis's results, with charts, in one file.

The report inlines Plotly's JavaScript, so it opens offline (no CDN). It renders
results the engine computed; it only executes the small, aggregated tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from covermap.map.model import COMPLEXITIES, VALUE_TIERS
from covermap.plan.model import Plan
from covermap.render import Formats, Kind, format_value, html_table, user_names, won_revenue_line
from covermap.reports import charts, readings
from covermap.reports.kpis import report_kpis
from covermap.store.arrow import scalar, to_arrow, to_pylist

WORKLIST_ROWS = 25
WORKLIST_COLUMNS = ("rank", "account_id", "state", "owner_id", "missing", "reason", "due_date",
                    "value", "days_since_human_touch")
CELL_COLUMNS = ("complexity", "value", "intended_channel", "revenue", "revenue_share",
                "accounts", "won_deals", "closed_deals", "win_rate", "median_cycle_days",
                "touch_minutes_per_won_deal", "misaligned_revenue", "priority_rank")


@dataclass
class ReportInputs:
    """What the report shows: the plan, the store's status, and each analysis's result."""

    plan: Plan
    data_status: list[Any]
    coverage: Any = None   # covermap.coverage.measure.CoverageResult
    coverage_map: Any = None  # covermap.map.measure.MapResult
    team: Any = None  # covermap.team.tables.TeamResult
    #: the account whose phase-in/out timeline the team section draws (default: the one
    #: with the most phase findings)
    team_account: str | None = None
    value: Any = None  # covermap.value.tables.ValueResult
    capacity: Any = None  # covermap.capacity.tables.CapacityResult
    warnings: list[str] = field(default_factory=list)
    title: str = "covermap — customer coverage report"


def _formats(inputs: ReportInputs) -> Formats:
    store = getattr(inputs.coverage, "store", None)
    return Formats.for_plan(inputs.plan, user_names(store) if store is not None else {})


def _coverage_context(inputs: ReportInputs, f: Formats) -> dict[str, Any]:
    plan, result = inputs.plan, inputs.coverage
    labels = {s.id: s.label.en for s in plan.states}
    summary = result.summary.execute()

    def pct(v: Any) -> str:
        return format_value(v, Kind.percent, f)

    by_state = []
    for _, r in summary[summary["group"] == "state"].iterrows():
        state = next((s for s in plan.states if s.id == r["key"]), None)
        standard = ("; ".join(e.describe() for e in state.standard) or "no standard") \
            if state else "no standard"
        by_state.append(dict(key=r["key"], label=labels.get(r["key"], r["label"]),
                             standard=standard, accounts=int(r["accounts"]),
                             checks=int(r["checks"]), passed=int(r["passed"]),
                             compliance=pct(r["compliance"]), breadth=pct(r["breadth"])))
    worklist_total = scalar(result.worklist.count())
    worklist_columns, worklist = html_table(
        to_arrow(result.worklist.limit(WORKLIST_ROWS)), "worklist", f,
        columns=WORKLIST_COLUMNS)
    return dict(
        as_of=result.window.as_of, window_start=result.window.start,
        window_end=result.window.end, window_months=result.window.months,
        by_state=by_state,
        worklist=worklist, worklist_columns=worklist_columns,
        worklist_total=worklist_total,
        charts_coverage=dict(
            compliance_by_state=replace(
                charts.compliance_by_state(summary, labels, f, result.window),
                reading=readings.compliance_by_state(summary, f)),
            compliance_by_month=replace(
                charts.compliance_by_month(summary, f, result.window),
                reading=readings.compliance_by_month(
                    summary, readings.state_month_checks(result.checks), f)),
            breadth_by_state=replace(
                charts.breadth_by(summary, "state", labels, f, result.window),
                reading=readings.breadth_by(summary, "state", f, charts.NO_SEGMENT)),
            breadth_by_segment=replace(
                charts.breadth_by(summary, "segment", labels, f, result.window),
                reading=readings.breadth_by(summary, "segment", f, charts.NO_SEGMENT)),
        ),
    )


def _map_context(inputs: ReportInputs, f: Formats) -> dict[str, Any]:
    result = inputs.coverage_map
    cells = result.cells.execute()
    cell_columns, cell_rows = html_table(cells.sort_values("priority_rank"), "map_cells", f,
                                         columns=CELL_COLUMNS)
    unplaced_columns, unplaced = html_table(to_arrow(result.unplaced), "map_unplaced", f)
    return dict(
        cells=cell_rows, cell_columns=cell_columns,
        unplaced=unplaced, unplaced_columns=unplaced_columns,
        map_total=won_revenue_line(result, f),
        priorities=list(result.explanations),
        chart_map=replace(charts.coverage_map_heatmap(cells, COMPLEXITIES, VALUE_TIERS, f,
                                                      result.window),
                          reading=readings.coverage_map(cells, f)),
    )


def _team_context(inputs: ReportInputs, f: Formats) -> dict[str, Any]:
    from covermap.reports.team_section import team_context

    return team_context(inputs.team, f, inputs.team_account)


def _value_context(inputs: ReportInputs, f: Formats) -> dict[str, Any]:
    from covermap.reports.value_section import value_context

    result = inputs.value
    value = value_context(result, f)
    personas = {p.id: p.label.en for p in result.maps.personas}
    value["heatmap"] = replace(value["heatmap"], reading=readings.reach(
        to_pylist(result.summary), personas, f, charts.NO_SEGMENT))
    value["content_chart"] = replace(value["content_chart"], reading=readings.content(
        to_pylist(result.content), f.states, f))
    return value


def _group_context(inputs: ReportInputs, f: Formats) -> dict[str, Any]:
    from covermap.reports.group_section import group_context

    return group_context(inputs.coverage, inputs.team, f)


def render_html(inputs: ReportInputs) -> str:
    """The report for ``inputs`` as one self-contained HTML page; the same results give
    the same bytes (no clock time, numbered plots)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("covermap.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
    f = _formats(inputs)
    with charts.numbered_plots():
        kpis = report_kpis(inputs, f)
        coverage = _coverage_context(inputs, f)
        cmap = _map_context(inputs, f)
        team = _team_context(inputs, f) if inputs.team is not None else None
        value = _value_context(inputs, f) if inputs.value is not None else None
        groups = _group_context(inputs, f)
    capacity = None
    if inputs.capacity is not None:
        from covermap.reports.capacity_section import capacity_context

        capacity = capacity_context(inputs.capacity)
    context = dict(
        team=team, value=value, capacity=capacity, groups=groups, kpis=kpis,
        title=inputs.title, plan_name=inputs.plan.name,
        warnings=inputs.warnings, data_status=inputs.data_status,
        plotly_js=charts.plotly_js(),
        charts={**coverage.pop("charts_coverage"), "coverage_map": cmap.pop("chart_map")},
        **coverage, **cmap,
    )
    return env.get_template("report.html.j2").render(**context)


def render_report(inputs: ReportInputs, path: Path) -> Path:
    """Write the report for ``inputs`` to ``path`` (one self-contained HTML file)."""
    html = render_html(inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, "utf-8")
    return path
