"""The overview: the summary KPIs, compliance by state, the map's total and priorities."""

from __future__ import annotations

from fastapi import APIRouter, Request

from covermap.serve import models
from covermap.serve.auth import Viewer
from covermap.serve.pages.common import head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()


def overview_data(r) -> models.Overview:
    return models.Overview(
        **head(r), kpis=r.meta.get("kpis", []),
        by_state=r.rows("coverage_summary", {"group": "state"}),
        map_total=r.meta.get("map_total"), priorities=r.meta.get("map_priorities", [])[:3],
        warnings=r.meta.get("warnings", []))


@router.get("/api/overview", response_model=models.Overview, tags=["overview"],
            dependencies=[Viewer])
def api_overview(request: Request):
    """The summary KPIs of every analysis, compliance by state, the map's priorities."""
    with results(request) as (r, _):
        return overview_data(r)


@router.get("/", include_in_schema=False, dependencies=[Viewer])
def overview_page(request: Request):
    with results(request) as (r, plan):
        d = overview_data(r)
        f = formats(r.meta, plan)
        states = [s for s in d.by_state if s.has_standard]
        chart = figure([{"type": "bar", "x": [s.label or s.key for s in states],
                         "y": [s.compliance for s in states], "name": "compliance"},
                        {"type": "bar", "x": [s.label or s.key for s in states],
                         "y": [s.breadth for s in states], "name": "breadth"}],
                       {"title": "Compliance and breadth by state", "height": 380,
                        "margin": {"l": 60, "r": 20, "t": 40, "b": 130},
                        "yaxis": {"tickformat": ".0%", "range": [0, 1]}, "barmode": "group"})
        return page(request, "overview.html", d=d, states_chart=chart,
                    states=table([s.model_dump() for s in d.by_state], "coverage_summary", f,
                                 ["label", "accounts", "checks", "passed", "compliance",
                                  "breadth"]))
