"""The self-contained HTML report: every analysis's results, with charts, in one file.

The report inlines Plotly's JavaScript, so it opens offline (no CDN). It renders
results the engine computed; it only executes the small, aggregated tables.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from covermap.plan.model import COMPLEXITIES, VALUE_TIERS, Plan
from covermap.reports import charts

WORKLIST_ROWS = 25


@dataclass
class ReportInputs:
    """What the report shows: the plan, the store's status, and each analysis's result."""

    plan: Plan
    data_status: list[Any]
    coverage: Any = None   # covermap.engine.coverage.CoverageResult
    coverage_map: Any = None  # covermap.engine.map.MapResult
    warnings: list[str] = field(default_factory=list)
    title: str = "covermap — customer coverage report"


def _pct(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{v:.1%}"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    def fmt(v: Any) -> Any:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if isinstance(v, (float, decimal.Decimal)):
            return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
        if isinstance(v, int):
            return f"{v:,}"
        if isinstance(v, (dt.date, pd.Timestamp)):
            return str(v)[:10]
        return v
    return [{k: fmt(v) for k, v in row.items()} for row in df.to_dict("records")]


def _coverage_context(inputs: ReportInputs) -> dict[str, Any]:
    plan, result = inputs.plan, inputs.coverage
    labels = {s.id: s.label.en for s in plan.states}
    summary = result.summary.execute()
    overall = summary[summary["group"] == "all"].iloc[0]
    by_state = []
    for _, r in summary[summary["group"] == "state"].iterrows():
        state = next((s for s in plan.states if s.id == r["key"]), None)
        standard = ("; ".join(e.describe() for e in state.standard) or "no standard") \
            if state else "—"
        by_state.append(dict(key=r["key"], label=labels.get(r["key"], r["key"]),
                             standard=standard, accounts=int(r["accounts"]),
                             checks=int(r["checks"]), passed=int(r["passed"]),
                             compliance=_pct(r["compliance"]), breadth=_pct(r["breadth"])))
    worklist_total = int(result.worklist.count().execute())
    worklist = result.worklist.limit(WORKLIST_ROWS).execute()
    shown = [c for c in ("account_id", "name", "state", "owner_id", "missing", "reason",
                         "due_date", "value", "days_since_human_touch") if c in worklist.columns]
    return dict(
        as_of=result.window.as_of, window_start=result.window.start,
        window_end=result.window.end, window_months=result.window.months,
        kpis=[
            dict(value=_pct(overall["compliance"]), label="compliance (passed checks / checks)"),
            dict(value=f"{int(overall['passed']):,} / {int(overall['checks']):,}",
                 label="checks passed"),
            dict(value=_pct(overall["breadth"]), label="breadth (accounts touched in window)"),
            dict(value=f"{int(overall['accounts']):,}", label="accounts in scope"),
            dict(value=f"{worklist_total:,}", label="worklist items (below standard now)"),
        ],
        by_state=by_state,
        worklist=_records(worklist[shown]), worklist_columns=shown,
        worklist_total=worklist_total,
        charts_coverage=dict(
            compliance_by_state=charts.compliance_by_state(summary, labels),
            compliance_by_month=charts.compliance_by_month(summary),
            breadth_by_state=charts.breadth_by(summary, "state", labels),
            breadth_by_segment=charts.breadth_by(summary, "segment", labels),
        ),
    )


def _map_context(inputs: ReportInputs) -> dict[str, Any]:
    result = inputs.coverage_map
    cells = result.cells.execute()
    unplaced = result.unplaced.execute()
    show = ["complexity", "value", "intended_channel", "revenue", "revenue_share", "accounts",
            "won_deals", "closed_deals", "win_rate", "median_cycle_days",
            "touch_minutes_per_won_deal", "misaligned_revenue", "priority_rank"]
    table = cells[show].copy()
    for col in ("revenue_share", "win_rate"):
        table[col] = table[col].map(_pct)
    return dict(
        cells=_records(table.sort_values("priority_rank")), cell_columns=show,
        unplaced=_records(unplaced), unplaced_columns=list(unplaced.columns),
        priorities=list(result.explanations),
        chart_map=charts.coverage_map_heatmap(cells, COMPLEXITIES, VALUE_TIERS),
    )


def render_report(inputs: ReportInputs, path: Path) -> Path:
    """Write the report for ``inputs`` to ``path`` (one self-contained HTML file)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("covermap.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
    coverage = _coverage_context(inputs)
    cmap = _map_context(inputs)
    context = dict(
        title=inputs.title, plan_name=inputs.plan.name,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        warnings=inputs.warnings, data_status=inputs.data_status,
        plotly_js=charts.plotly_js(),
        charts={**coverage.pop("charts_coverage"), "coverage_map": cmap.pop("chart_map")},
        **coverage, **cmap,
    )
    html = env.get_template("report.html.j2").render(**context)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, "utf-8")
    return path
