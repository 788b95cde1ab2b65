"""Capacity: people needed per segment and role against those in place, and what-if
controls (working weeks, hours per week, engagement share, customer growth) that measure
the changed plan (editors only) beside the base."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError

from covermap.errors import PlanInvalid
from covermap.serve import models
from covermap.serve.auth import Csrf, Editor, Viewer, csrf_token
from covermap.serve.errors import ServeError
from covermap.serve.pages.common import head, results
from covermap.serve.templating import page, table

router = APIRouter()
#: the headcounts the page adds up, for the base and the what-if
TOTALS = ("needed_bottom_up", "needed_by_standard")
COLUMNS = ["segment", "role", "customers", "hours_per_customer", "customers_per_person",
           "needed_bottom_up", "needed_top_down", "needed_by_standard", "in_place", "gap"]


def capacity_data(r, scenario: list[dict] | None = None,
                  what_if: models.WhatIf | None = None) -> models.Capacity:
    rows = r.rows("capacity_segments")
    return models.Capacity(
        **head(r), rows=rows, summary=r.rows("capacity_summary"),
        tradeoffs=r.meta.get("capacity_tradeoffs", []),
        scenario=None if scenario is None else {
            "what_if": what_if.model_dump() if what_if else None,
            "rows": [x for x in scenario if x["scenario"] != "base"],
            **{k: round(sum(x[k] or 0 for x in scenario if x["scenario"] != "base"), 4)
               for k in TOTALS}})


def _scenario(w: models.WhatIf):
    from covermap.capacity.scenarios import RoleOverride, Scenario

    roles = {}
    for role in sorted({*w.hours_per_week, *w.engagement_share}):
        roles[role] = RoleOverride(hours_per_week=w.hours_per_week.get(role),
                                   engagement_share=w.engagement_share.get(role))
    return Scenario(name="what-if", customers=w.customers, roles=roles,
                    working_weeks=w.working_weeks)


def run(request: Request, w: models.WhatIf) -> list[dict]:
    try:
        scenario = _scenario(w)
    except ValidationError as e:
        err = e.errors()[0]
        name = ".".join(str(x) for x in err["loc"])
        raise ServeError(422, f"{name}: {err['msg']}", name) from None
    try:
        return request.app.state.service.what_if(scenario)
    except PlanInvalid as e:
        raise ServeError(404, "; ".join(p.reason or str(p) for p in e.problems), e.key) \
            from None


@router.get("/api/capacity", response_model=models.Capacity, tags=["capacity"],
            dependencies=[Viewer])
def api_capacity(request: Request):
    """People needed (bottom-up, top-down, by standard) and in place per segment and role."""
    with results(request) as (r, _):
        return capacity_data(r)


@router.post("/api/capacity/what-if", response_model=models.Capacity, tags=["capacity"],
             dependencies=[Editor, Csrf])
def api_what_if(request: Request, what_if: models.WhatIf):
    """Measure the plan with the what-if's changes (editors); the base rows and the
    what-if's, each what-if measured once per store and plan."""
    rows = run(request, what_if)
    with results(request) as (r, _):
        return capacity_data(r, rows, what_if)


def _render(request: Request, scenario=None, what_if=None):
    with results(request) as (r, plan):
        from covermap.serve.templating import formats

        d = capacity_data(r, scenario, what_if)
        f = formats(r.meta, plan)
        base = {k: round(sum(getattr(x, k) or 0 for x in d.rows), 4) for k in TOTALS}
        return page(request, "capacity.html", d=d, base=base,
                    roles=[x.id for x in plan.roles],
                    segments=[x.segment for x in d.summary if x.segment is not None],
                    working_weeks=plan.capacity.working_weeks,
                    rows=table([x.model_dump() for x in d.rows], "capacity_segments", f,
                               COLUMNS),
                    summary=table([x.model_dump() for x in d.summary], "capacity_summary", f),
                    what_if_rows=table(d.scenario["rows"], "capacity_segments", f, COLUMNS)
                    if d.scenario else None, token=csrf_token(request))


@router.get("/capacity", include_in_schema=False, dependencies=[Viewer])
def capacity_page(request: Request):
    return _render(request)


@router.post("/capacity", include_in_schema=False, dependencies=[Editor, Csrf])
async def capacity_what_if(request: Request):
    form = await request.form()
    fields: dict = {"hours_per_week": {}, "engagement_share": {}, "customers": {}}
    for name, value in form.items():
        if not isinstance(value, str) or value.strip() == "" or name == "csrf_token":
            continue
        group, _, key = name.partition(".")
        if group == "working_weeks":
            fields["working_weeks"] = value
        elif group in fields and key:
            fields[group][key] = value
    try:
        w = models.WhatIf(**fields)
    except ValidationError as e:
        err = e.errors()[0]
        name = ".".join(str(x) for x in err["loc"])
        raise ServeError(422, f"{name}: {err['msg']}", name) from None
    from starlette.concurrency import run_in_threadpool

    rows = await run_in_threadpool(run, request, w)
    return await run_in_threadpool(_render, request, rows, w)
