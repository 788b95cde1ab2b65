"""Customer groups: the largest groups (by ARR or accounts), and one group's page with its
coverage and team roll-ups and its accounts (names, states, coverage, team), exported as
CSV. Row-level visibility holds throughout: a group is keyed and named by its top account,
so a user sees a group only when they see that account (else it is not found, as one
that does not exist), and its page lists only the accounts they see."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from covermap.render import Kind, format_value
from covermap.reports import group_tables as _registry  # noqa: F401  (declares group_accounts)
from covermap.serve import models
from covermap.serve.auth import Viewer, book_of, require
from covermap.serve.errors import ServeError
from covermap.serve.pages.common import checked, head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()
ROWS = 100
#: bar charts of names: room for the names on the left, the title on top
MARGIN = {"l": 220, "r": 20, "t": 50, "b": 50}
ORDERS = {"arr": "arr DESC NULLS LAST, accounts DESC, key",
          "accounts": "accounts DESC, arr DESC NULLS LAST, key"}
GROUP_COLUMNS = ["key", "accounts", "customers", "arr", "compliance", "breadth", "state_mix"]
ACCOUNT_COLUMNS = ["account_id", "state", "territory", "owner_id", "compliance", "touched",
                   "days_since_human_touch", "team", "gaps", "duplicates"]
CSV_COLUMNS = ["account_id", "name", "group_id", "territory", "state", "segment", "owner_id",
               "owner_name", "checks", "passed", "compliance", "touched",
               "days_since_human_touch", "team", "team_size", "gaps", "duplicates"]


def _seen_groups(r, book) -> tuple[str, list] | None:
    """The condition 'the user sees the group's top account' (None: every group)."""
    if book is None:
        return None
    sub, params = r._select("group_accounts", None, book)
    return f"key IN (SELECT account_id FROM ({sub}) WHERE account_id = group_id)", params


def groups_data(r, order: str, book, offset: int = 0) -> models.Groups:
    clause = _seen_groups(r, book)
    return models.Groups(
        **head(r), order=order, total=r.count("coverage_groups", clause=clause),
        groups=r.rows("coverage_groups", clause=clause, order=ORDERS[order], limit=ROWS,
                      offset=offset))


def group_data(r, group_id: str, book, offset: int = 0) -> models.Group:
    where = {"group_id": group_id}
    total = r.count("group_accounts", where, book=book)
    found = r.rows("coverage_groups", {"key": group_id})
    top = r.count("group_accounts", {**where, "account_id": group_id}, book=book)
    if not found or not top:  # no such group, or its top account is not the user's
        raise ServeError(404, f"no group {group_id!r}", "group_id")
    team = r.rows("team_groups", {"key": group_id})
    return models.Group(
        **head(r), group=found[0], team=team[0] if team else None, accounts_total=total,
        accounts=r.rows("group_accounts", where, book=book, order="account_id", limit=ROWS,
                        offset=offset))


def Order():
    return Query("arr", description="Largest first by: arr or accounts.")


@router.get("/api/groups", response_model=models.Groups, tags=["groups"])
def api_groups(request: Request, order: str = Order(), offset: int = Query(0, ge=0),
               user=Viewer):
    """Customer groups (100 from ``offset``, largest first) with accounts, customers, ARR,
    compliance, breadth and the state mix (``covermap coverage --by group``)."""
    with results(request) as (r, _):
        order = checked(r, "", "", "order", order, list(ORDERS)) or "arr"
        return groups_data(r, order, book_of(request, user), offset)


@router.get("/api/groups/{group_id}", response_model=models.Group, tags=["groups"])
def api_group(request: Request, group_id: str, offset: int = Query(0, ge=0), user=Viewer):
    """One customer group: its coverage and team roll-ups and its accounts (100 from
    ``offset``) with their state, territory, coverage and account team."""
    with results(request) as (r, _):
        return group_data(r, group_id, book_of(request, user), offset)


@router.get("/api/groups/{group_id}/accounts.csv", tags=["groups"],
            response_class=FileResponse, responses={200: {"content": {"text/csv": {}}}})
def group_csv(request: Request, group_id: str, user=Viewer):
    """Every account of the group the user sees, as CSV."""
    folder = Path(tempfile.mkdtemp(prefix="covermap-csv-"))
    path = folder / "group_accounts.csv"
    with results(request) as (r, _):
        book = book_of(request, user)
        group_data(r, group_id, book)  # 404 as the page
        r.to_csv("group_accounts", str(path), CSV_COLUMNS, {"group_id": group_id}, book=book,
                 order="account_id")

    def clean() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, media_type="text/csv", filename=f"group_{group_id}.csv",
                        background=BackgroundTask(clean))


@router.get("/groups", include_in_schema=False)
def groups_page(request: Request, order: str = "arr", offset: int = Query(0, ge=0)):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        order = checked(r, "", "", "order", order, list(ORDERS)) or "arr"
        d = groups_data(r, order, book_of(request, user), offset)
        f = formats(r.meta, plan)
        top = d.groups[:15]
        names = [f"{g.name or g.key} ({g.key})" for g in top]
        chart = figure([{"type": "bar", "orientation": "h", "y": names,
                         "x": [g.arr or 0 for g in top] if order == "arr"
                         else [g.accounts for g in top],
                         "text": [f"{g.accounts:,} account{'' if g.accounts == 1 else 's'}"
                                  for g in top],
                         "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>"}],
                       {"title": f"The largest groups by {'ARR' if order == 'arr' else 'accounts'}",
                        "height": 140 + 28 * len(top), "margin": MARGIN,
                        "yaxis": {"autorange": "reversed", "automargin": True}})
        return page(request, "groups.html", d=d, order=order, offset=offset, step=ROWS,
                    chart=chart, rows=table([x.model_dump() for x in d.groups],
                                            "coverage_groups", f, GROUP_COLUMNS,
                                            {"key": "/groups/{value}"}))


@router.get("/groups/{group_id}", include_in_schema=False)
def group_page(request: Request, group_id: str, offset: int = Query(0, ge=0)):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        d = group_data(r, group_id, book_of(request, user), offset)
        f = formats(r.meta, plan)
        shown = [a for a in d.accounts if a.compliance is not None]
        chart = figure([{"type": "bar", "orientation": "h",
                         "y": [f"{a.name or a.account_id} ({a.account_id})" for a in shown],
                         "x": [a.compliance for a in shown],
                         "text": [f"{format_value(a.compliance, Kind.percent, f)} · "
                                  f"{r.meta['states'].get(a.state, a.state)}" for a in shown],
                         "textposition": "outside", "cliponaxis": False,
                         "hovertemplate": "%{y}: %{text}<extra></extra>"}],
                       {"title": "Compliance per account (its state beside it)",
                        "height": 140 + 28 * len(shown), "margin": MARGIN,
                        "xaxis": {"tickformat": ".0%", "range": [0, 1]},
                        "yaxis": {"autorange": "reversed", "automargin": True}})
        labels = {t.id: t.label.en if t.label else t.id for t in plan.territories}
        summary = table([d.group.model_dump()], "coverage_groups", f,
                        ["key", "accounts", "customers", "arr", "checks", "passed",
                         "compliance", "touched", "breadth", "state_mix"])
        team = table([d.team.model_dump()] if d.team else [], "team_groups", f,
                     ["with_gap", "with_duplicate", "with_over_coverage", "with_silent",
                      "handoffs", "on_time", "late", "dropped", "pending"])
        return page(request, "group.html", d=d, chart=chart, has_chart=bool(shown),
                    summary=summary, team=team, offset=offset, step=ROWS,
                    accounts=table([{**x.model_dump(), "territory": labels.get(x.territory,
                                                                              x.territory)}
                                    for x in d.accounts], "group_accounts", f,
                                   ACCOUNT_COLUMNS, {"account_id": "/accounts/{value}"}))
