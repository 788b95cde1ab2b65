"""Team: the plan's RACI matrix, gaps and duplicates by stage, findings and hand-offs."""

from __future__ import annotations

from fastapi import APIRouter, Request

from covermap.serve import models
from covermap.serve.auth import Viewer, book_of, require
from covermap.serve.pages.common import head, results
from covermap.serve.templating import figure, formats, page, table

router = APIRouter()
ROWS = 200


def team_data(r, book: str | None) -> models.Team:
    return models.Team(
        **head(r), raci=r.meta.get("raci", []),
        # one row per owner would be thousands at a million accounts: the page and its JSON
        # keep the whole, stages, segments and roles (`covermap team --by owner` has owners)
        summary=r.rows("team_summary", clause=("\"group\" <> 'owner'", [])),
        findings_total=r.count("team_findings", book=book),
        findings=r.rows("team_findings", book=book, order="kind, account_id, role",
                        limit=ROWS),
        handoffs=r.rows("team_handoffs", book=book, order="event_date DESC, account_id",
                        limit=ROWS),
        effort=r.rows("team_effort"))


@router.get("/api/team", response_model=models.Team, tags=["team"])
def api_team(request: Request, user=Viewer):
    """RACI, the summary by stage, segment, role and owner (gaps, duplicates, hand-offs),
    findings and hand-offs (the first 200 each), effort outside the model."""
    with results(request) as (r, _):
        return team_data(r, book_of(request, user))


@router.get("/team", include_in_schema=False)
def team_page(request: Request):
    user = require("viewer")(request)
    with results(request) as (r, plan):
        d = team_data(r, book_of(request, user))
        f = formats(r.meta, plan)
        stages = list(r.meta.get("stages", {}))
        roles = sorted({x.role for x in d.raci})
        base = {(x.stage, x.role): x.letter for x in d.raci if x.segment == "(every segment)"}
        raci = [[base.get((s, role), "") for s in stages] for role in roles]
        by_stage = [x for x in d.summary if x.group == "stage"]
        chart = figure([{"type": "bar", "name": n, "x": [x.key for x in by_stage],
                         "y": [getattr(x, c) for x in by_stage]}
                        for n, c in (("gap", "with_gap"), ("duplicate", "with_duplicate"),
                                     ("silent", "with_silent"))],
                       {"title": "Accounts with a gap, duplicate or silent member by stage",
                        "barmode": "group"})
        handoff = figure([{"type": "bar", "name": n, "x": [x.key for x in by_stage],
                           "y": [getattr(x, n) for x in by_stage]}
                          for n in ("on_time", "late", "dropped", "pending")],
                         {"title": "Hand-offs by the stage entered", "barmode": "stack"})
        return page(
            request, "team.html", d=d, stages=stages, stage_labels=r.meta.get("stages", {}),
            roles=roles, raci=raci, gaps_chart=chart, handoff_chart=handoff,
            summary=table([x.model_dump() for x in d.summary], "team_summary", f),
            findings=table([x.model_dump() for x in d.findings], "team_findings", f, None,
                           {"account_id": "/accounts/{value}"}),
            handoffs=table([x.model_dump() for x in d.handoffs], "team_handoffs", f, None,
                           {"account_id": "/accounts/{value}"}),
            effort=table([x.model_dump() for x in d.effort], "team_effort", f))
