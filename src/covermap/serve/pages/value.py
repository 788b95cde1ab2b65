"""Key players: reach per persona as a heat-map (persona x segment), touches to people who
are no key player, and each persona's playbook."""

from __future__ import annotations

from fastapi import APIRouter, Request

from covermap.serve import models
from covermap.serve.auth import Viewer
from covermap.serve.pages.common import head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()


def value_data(r) -> models.Value:
    return models.Value(**head(r), reach=r.rows("value_summary"),
                        touches=r.rows("value_touches"),
                        playbooks=r.meta.get("playbooks", []))


@router.get("/api/value", response_model=models.Value, tags=["key players"],
            dependencies=[Viewer])
def api_value(request: Request):
    """Reach per persona (overall, by segment and by cell), touches to non-key players, and
    the playbook of each persona."""
    with results(request) as (r, _):
        return value_data(r)


@router.get("/value", include_in_schema=False, dependencies=[Viewer])
def value_page(request: Request):
    with results(request) as (r, plan):
        d = value_data(r)
        f = formats(r.meta, plan)
        personas = r.meta.get("personas", {})
        seg = [x for x in d.reach if x.group == "segment"]
        segments = sorted({x.key for x in seg if x.key is not None})
        by = {(x.persona, x.key): x.reach for x in seg}
        heat = figure([{"type": "heatmap", "x": segments,
                        "y": [personas.get(p, p) for p in personas],
                        "z": [[by.get((p, s)) for s in segments] for p in personas],
                        "colorscale": "Greens", "reversescale": True, "zmin": 0, "zmax": 1,
                        "hovertemplate": "%{y} in %{x}: %{z:.0%}"}],
                      {"title": "Reach of key players by segment", "height": 360,
                       "margin": {"l": 160, "r": 20, "t": 40, "b": 60}})
        overall = [x.model_dump() for x in d.reach if x.group == "all"]
        return page(request, "value.html", d=d, heat=heat,
                    reach=table(overall, "value_summary", f,
                                ["persona", "accounts_with_persona", "accounts_reached",
                                 "reach"]),
                    touches=table([x.model_dump() for x in d.touches], "value_touches", f))
