"""Coverage: compliance and breadth with filters (segment, state, owner, role, month), the
compliance trend by month, breadth by segment and state, and depth per account."""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request

from covermap.serve import models
from covermap.serve.auth import Viewer, book_of, require
from covermap.serve.errors import ServeError
from covermap.serve.pages.common import checked, head, keys, owner_id, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()
ACCOUNT_ROWS = 100
DEPTH_COLUMNS = ["account_id", "state", "segment", "owner_id", "checks", "passed", "compliance",
                 "human_per_month", "digital_per_month", "weighted_touches", "contacts_touched",
                 "personas_touched", "days_since_human_touch"]


def filters(r, segment, state, owner, role, month) -> dict[str, str | None]:
    """The filters, each checked against the results (404 naming the one that is unknown)."""
    if month and not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ServeError(422, f"month {month!r} is not YYYY-MM, e.g. 2026-06", "month")
    return {"segment": checked(r, "", "", "segment", segment, keys(r, "segment")),
            "state": checked(r, "", "", "state", state, list(r.meta["states"])),
            "owner": owner_id(r, owner),
            "role": checked(r, "", "", "role", role, keys(r, "role")),
            "month": checked(r, "", "", "month", month, keys(r, "month"))}


def coverage_data(r, f: dict[str, str | None], book: str | None) -> models.Coverage:
    rollups = r.rows("coverage_summary", {"group": "all"})
    for group, value in f.items():
        if value is not None:
            rollups += r.rows("coverage_summary", {"group": group, "key": value})
    where = {"segment": f["segment"], "state": f["state"], "owner_id": f["owner"]}
    return models.Coverage(
        **head(r), filters=f, rollups=rollups,
        trend=r.rows("coverage_summary", {"group": "month"}, order="key"),
        breadth=[x for x in r.rows("coverage_summary") if x["group"] in ("segment", "state")],
        accounts_total=r.count("coverage_accounts", where, book=book),
        accounts=r.rows("coverage_accounts", where, book=book, order="account_id",
                        limit=ACCOUNT_ROWS))


def Filter():  # a fresh Query per parameter: FastAPI keeps one alias per object
    return Query(None, description="Only this value (see the page for the known ones).")


@router.get("/api/coverage", response_model=models.Coverage, tags=["coverage"])
def api_coverage(request: Request, segment: str | None = Filter(), state: str | None = Filter(),
                 owner: str | None = Filter(), role: str | None = Filter(),
                 month: str | None = Filter(), user=Viewer):
    """Compliance and breadth for the filters (one rollup per filter, from the coverage
    summary), the trend by month, breadth by segment and state, and the accounts (depth)."""
    with results(request) as (r, _):
        return coverage_data(r, filters(r, segment, state, owner, role, month),
                             book_of(request, user))


@router.get("/coverage", include_in_schema=False)
def coverage_page(request: Request, segment: str | None = None, state: str | None = None,
                  owner: str | None = None, role: str | None = None, month: str | None = None):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        d = coverage_data(r, filters(r, segment, state, owner, role, month),
                          book_of(request, user))
        f = formats(r.meta, plan)
        trend = figure([{"type": "scatter", "mode": "lines+markers",
                         "x": [t.key for t in d.trend], "y": [t.compliance for t in d.trend],
                         "name": "compliance"}],
                       {"title": "Compliance by month", "yaxis": {"tickformat": ".0%"}})
        seg = [b for b in d.breadth if b.group == "segment"]
        breadth = figure([{"type": "bar", "x": [b.key for b in seg],
                           "y": [b.breadth for b in seg], "name": "breadth"}],
                         {"title": "Breadth by segment", "yaxis": {"tickformat": ".0%"}})
        options = {
            "segment": keys(r, "segment"),
            "state": list(r.meta["states"]),
            "owner": keys(r, "owner"),
            "role": [x["key"] for x in r.rows("coverage_summary", {"group": "role"})],
            "month": [x["key"] for x in r.rows("coverage_summary", {"group": "month"})]}
        return page(request, "coverage.html", d=d, options=options, trend=trend,
                    breadth_chart=breadth, users=r.meta.get("users") or {},
                    states=r.meta["states"],
                    rollups=table([x.model_dump() for x in d.rollups], "coverage_summary", f,
                                  ["group", "key", "accounts", "checks", "passed",
                                   "compliance", "breadth"]),
                    breadth=table([x.model_dump() for x in d.breadth], "coverage_summary", f,
                                  ["group", "key", "accounts", "touched", "breadth"]),
                    accounts=table([x.model_dump() for x in d.accounts], "coverage_accounts",
                                   f, DEPTH_COLUMNS, {"account_id": "/accounts/{value}"}))
