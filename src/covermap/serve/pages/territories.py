"""The territory breakdown: coverage (accounts, customers, ARR, compliance, breadth, state
mix) and the team's findings per territory of the plan, each territory with every
territory below it rolled in (``covermap coverage --by territory``), in the plan's tree
order: a parent, then the territories inside it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from covermap.reports.group_tables import tree_order
from covermap.serve import models
from covermap.serve.auth import Viewer, require
from covermap.serve.pages.common import head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()
COVERAGE_COLUMNS = ["key", "parent", "accounts", "customers", "arr", "checks", "compliance",
                    "touched", "breadth", "state_mix"]
TEAM_COLUMNS = ["key", "accounts", "with_gap", "with_duplicate", "with_over_coverage",
                "with_silent", "handoffs", "on_time", "late", "dropped", "pending"]


def territories_data(r, plan) -> models.TerritoryBreakdown:
    place = tree_order(plan)

    def ordered(rows: list[dict]) -> list[dict]:
        return sorted(rows, key=lambda x: place.get(x["key"], (len(place),)))

    return models.TerritoryBreakdown(**head(r), coverage=ordered(r.rows("coverage_territories")),
                                     team=ordered(r.rows("team_territories")))


@router.get("/api/territories", response_model=models.TerritoryBreakdown, tags=["territories"])
def api_territories(request: Request, user=Viewer):
    """Coverage and team roll-ups per territory (each with the territories below it), in
    the plan's tree order; ``key`` null: accounts in no territory."""
    with results(request) as (r, plan):
        return territories_data(r, plan)


@router.get("/territories", include_in_schema=False)
def territories_page(request: Request):
    require("viewer")(request)
    with results(request) as (r, plan):
        d = territories_data(r, plan)
        f = formats(r.meta, plan)
        depth = {k: len(v) - 1 for k, v in tree_order(plan).items()}
        rows = [x for x in d.coverage if x.key is not None]
        names = ["· " * depth.get(x.key, 0) + (x.name or x.key) for x in rows]
        labels = {t.id: t.label.en if t.label else t.id for t in plan.territories}
        chart = figure(
            [{"type": "bar", "orientation": "h", "name": name, "y": names,
              "x": [getattr(x, column) for x in rows],
              "hovertemplate": "%{y}: %{x:.1%}<extra>" + name + "</extra>"}
             for name, column in (("compliance", "compliance"), ("breadth", "breadth"))],
            {"title": "Compliance and breadth per territory (each with those inside it)",
             "barmode": "group", "height": 160 + 44 * len(rows),
             "margin": {"l": 200, "r": 20, "t": 50, "b": 50},
             "xaxis": {"tickformat": ".0%", "range": [0, 1]},
             "yaxis": {"autorange": "reversed", "automargin": True}})
        return page(request, "territories.html", d=d, chart=chart, has_chart=bool(rows),
                    coverage=table([{**x.model_dump(), "parent": labels.get(x.parent, x.parent)}
                                    for x in d.coverage], "coverage_territories", f,
                                   COVERAGE_COLUMNS),
                    team=table([x.model_dump() for x in d.team], "team_territories", f,
                               TEAM_COLUMNS))
