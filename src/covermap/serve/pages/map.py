"""The coverage map: the 3x3 grid (complexity x customer value) and, for a cell, its won
deals and their accounts."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from covermap.serve import models
from covermap.serve.auth import Viewer, book_of, require
from covermap.serve.errors import ServeError, unknown
from covermap.serve.pages.common import head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()
COMPLEXITIES = ("simple", "bundled", "customised")
VALUE_TIERS = ("low", "medium", "high")
DRILL_ROWS = 200


def map_data(r) -> models.CoverageMap:
    if "map_total" not in r.meta:
        raise ServeError(404, "the plan has no coverage_map, so there is no coverage map; add "
                              "one (see `covermap init`)", None)
    return models.CoverageMap(
        **head(r), currency=r.meta.get("currency"), total=r.meta.get("map_total"),
        cells=r.rows("map_cells"), channels=r.rows("map_channels"),
        unplaced=r.rows("map_unplaced"), priorities=r.meta.get("map_priorities", []))


def drill_data(r, complexity: str, value: str, book: str | None) -> models.CellDrill:
    if complexity not in COMPLEXITIES:
        raise unknown("complexity", complexity, list(COMPLEXITIES))
    if value not in VALUE_TIERS:
        raise unknown("value", value, list(VALUE_TIERS))
    map_data(r)
    cell = {"complexity": complexity, "value": value}
    return models.CellDrill(
        **head(r), complexity=complexity, value=value,
        deals=r.rows("map_cell_deals", cell, book=book, order="revenue DESC, deal_id",
                     limit=DRILL_ROWS),
        accounts=r.rows("coverage_accounts", book=book, within=("map_cell_deals", cell),
                        order="account_id", limit=DRILL_ROWS))


@router.get("/api/map", response_model=models.CoverageMap, tags=["coverage map"],
            dependencies=[Viewer])
def api_map(request: Request):
    """The nine cells with revenue, deals, win rate and misaligned revenue; channels;
    unplaced lines; the priorities in words."""
    with results(request) as (r, _):
        return map_data(r)


@router.get("/api/map/cells/{complexity}/{value}", response_model=models.CellDrill,
            tags=["coverage map"])
def api_cell(request: Request, complexity: str, value: str, user=Viewer):
    """One cell's won deals (largest first) and their accounts."""
    with results(request) as (r, _):
        return drill_data(r, complexity, value, book_of(request, user))


@router.get("/map", include_in_schema=False)
def map_page(request: Request, cell: str | None = Query(None)):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        d = map_data(r)
        f = formats(r.meta, plan)
        drill = None
        if cell:
            parts = cell.split("/")
            if len(parts) != 2:
                raise ServeError(422, f"cell {cell!r} is COMPLEXITY/VALUE, e.g. "
                                      f"customised/high", "cell")
            drill = drill_data(r, parts[0], parts[1], book_of(request, user))
        by = {(c.complexity, c.value): c for c in d.cells}
        grid = [[by.get((cx, v)) for cx in COMPLEXITIES] for v in reversed(VALUE_TIERS)]
        heat = figure([{"type": "heatmap", "x": list(COMPLEXITIES),
                        "y": list(reversed(VALUE_TIERS)),
                        "z": [[c.revenue if c else None for c in row] for row in grid],
                        "colorscale": "Blues", "reversescale": True, "hovertemplate": "%{x} / %{y}: %{z:,.0f}"}],
                      {"title": "Won revenue by cell (click a cell)",
                       "yaxis": {"autorange": "reversed"}})
        return page(
            request, "map.html", d=d, ccm_rows=grid, tiers=list(reversed(VALUE_TIERS)),
            complexities=COMPLEXITIES, heat=heat, f=f, drill=drill,
            money=lambda v: table([{"revenue": v}], "map_cells", f, ["revenue"])["rows"][0][0]
            ["text"],
            cells=table([c.model_dump() for c in d.cells], "map_cells", f,
                        ["complexity", "value", "intended_channel", "revenue", "revenue_share",
                         "accounts", "won_deals", "win_rate", "misaligned_revenue",
                         "priority_rank"]),
            deals=table([x.model_dump() for x in drill.deals], "map_cell_deals", f,
                        ["account_id", "account", "deal_id", "deal", "products", "revenue",
                         "channel", "intended_channel", "close_date"],
                        {"account_id": "/accounts/{value}"}) if drill else None,
            accounts=table([x.model_dump() for x in drill.accounts], "coverage_accounts", f,
                           ["account_id", "name", "state", "owner_id", "compliance"],
                           {"account_id": "/accounts/{value}"}) if drill else None)
