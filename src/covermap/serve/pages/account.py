"""One account: its touches against the standard bucket by bucket, its team, its deals and
the key players we reach there."""

from __future__ import annotations

from fastapi import APIRouter, Request

from covermap.serve import models
from covermap.serve.auth import Viewer, book_of, require
from covermap.serve.errors import ServeError
from covermap.serve.pages.common import head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()
TEAM_SQL = """SELECT t.user_id, u.name, t.role, CAST(t.start_date AS VARCHAR) AS start_date,
  CAST(t.end_date AS VARCHAR) AS end_date FROM account_team t
  LEFT JOIN users u ON u.user_id = t.user_id WHERE t.account_id = ?
  ORDER BY t.start_date NULLS FIRST, t.user_id"""
DEALS_SQL = """SELECT deal_id, name, stage, is_closed, is_won, CAST(amount AS DOUBLE) AS amount,
  CAST(created_at AS VARCHAR) AS created_at, close_date, owner_id, channel, deal_type
  FROM deals WHERE account_id = ? ORDER BY close_date DESC NULLS FIRST, deal_id"""


def account_data(r, account_id: str, book: str | None) -> models.Account:
    found = r.rows("coverage_accounts", {"account_id": account_id}, book=book)
    if not found:  # not in the store, or not in the user's book: the same answer
        raise ServeError(404, f"no account {account_id!r}", "account_id")
    where = {"account_id": account_id}
    return models.Account(
        **head(r), account=found[0],
        checks=r.rows("coverage_checks", where, order="bucket_start, entry"),
        team=r.query(TEAM_SQL, [account_id]),
        findings=r.rows("team_findings", where, order="kind, role"),
        deals=r.query(DEALS_SQL, [account_id]),
        key_players=r.rows("value_accounts", where, order="persona"))


@router.get("/api/accounts/{account_id}", response_model=models.Account, tags=["account"])
def api_account(request: Request, account_id: str, user=Viewer):
    """One account's coverage, checks (touches against the standard per bucket), account
    team, team findings, deals and key players."""
    with results(request) as (r, _):
        return account_data(r, account_id, book_of(request, user))


@router.get("/accounts/{account_id}", include_in_schema=False)
def account_page(request: Request, account_id: str):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        d = account_data(r, account_id, book_of(request, user))
        f = formats(r.meta, plan)
        traces = []
        for channel in sorted({c.channel for c in d.checks if c.channel}):
            mine = [c for c in d.checks if c.channel == channel]
            traces.append({"type": "bar", "name": f"{channel} touches",
                           "x": [str(c.bucket_end) for c in mine], "y": [c.count for c in mine],
                           "marker": {"color": ["#2a9d8f" if c.passed else "#e76f51"
                                                for c in mine]}})
            traces.append({"type": "scatter", "mode": "lines", "line": {"shape": "hv"},
                           "name": f"{channel} standard (min)",
                           "x": [str(c.bucket_end) for c in mine], "y": [c.min for c in mine]})
        chart = figure(traces, {"title": "Touches per bucket against the standard "
                                         "(green: met, red: missed)", "barmode": "group"})
        return page(
            request, "account.html", d=d, timeline_chart=chart,
            summary=table([d.account.model_dump()], "coverage_accounts", f,
                          ["account_id", "name", "state", "segment", "owner_id", "compliance",
                           "human_touches", "digital_touches", "contacts_touched",
                           "days_since_human_touch"]),
            checks=table([x.model_dump() for x in d.checks], "coverage_checks", f,
                         ["bucket_start", "bucket_end", "state", "channel", "by", "min",
                          "count", "passed"]),
            team=table([x.model_dump() for x in d.team], "account_team", f),
            findings=table([x.model_dump() for x in d.findings], "team_findings", f),
            deals=table([x.model_dump() for x in d.deals], "deals", f),
            players=table([x.model_dump() for x in d.key_players], "value_accounts", f))
