"""Deal stages -> ``is_won`` / ``is_closed`` at import (issue 7, point 2).

A deal's won/closed status comes, per value, from the first of:

1. the file's own ``is_won`` / ``is_closed`` columns (Salesforce ``IsWon``/``IsClosed``,
   HubSpot ``hs_is_closed_won``/``hs_is_closed``, or what the plan maps there);
2. the plan's ``deal_stages: {won: [...], lost: [...], open: [...]}``;
3. stage metadata imported with the deals (HubSpot pipeline stages, Salesforce
   ``OpportunityStage``; ``covermap.importing.hubspot``), by the stage's id or label;
4. the built-in vocabulary below: Salesforce's and HubSpot's standard stages and
   plain ``Won``/``Lost``.

Stage values are compared by ``stage_key``: case, spaces and punctuation do not
matter, so ``Closed Won``, ``Closed/Won`` and HubSpot's id ``closedwon`` are one
stage. A won or lost stage is closed; an open stage is neither won nor closed; a
stage none of them knows leaves both empty (``covermap status`` counts those).
"""

from __future__ import annotations

from covermap.importing.recognise import Mapping
from covermap.plan.model import DealStages, stage_key

_SQL_DROP = "[[:space:][:punct:]\u3000]+"  # what plan.model.stage_key drops

#: Salesforce's standard closing stages, HubSpot's default ids (``closedwon``) and
#: labels, plain words (Maven's ``deal_stage``) and the common Japanese terms.
WON = ("Closed Won", "Won", "受注", "成約")
LOST = ("Closed Lost", "Lost", "失注", "不成立")
#: Salesforce's standard open stages and HubSpot's default pipeline's open stage ids
#: (whose keys equal their labels': ``Decision Maker Bought-In`` = ``decisionmakerboughtin``)
OPEN = ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
        "Negotiation/Review", "appointmentscheduled", "qualifiedtobuy",
        "presentationscheduled", "decisionmakerboughtin", "contractsent")


def stage_key_sql(expr: str) -> str:
    """SQL: ``stage_key`` of the text ``expr``."""
    return f"regexp_replace(lower(trim({expr})), '{_SQL_DROP}', '', 'g')"


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _whens(key: str, lists: list[tuple[str, tuple[str, ...]]], skip: set[str]
           ) -> tuple[list[str], list[str]]:
    """CASE branches (is_won, is_closed) for stage lists; keys in ``skip`` are left out."""
    won, closed = [], []
    for outcome, values in lists:
        keys = sorted({stage_key(v) for v in values} - skip)
        if keys:
            cond = f"WHEN {key} IN ({_quoted(keys)})"
            won.append(f"{cond} THEN '{'true' if outcome == 'won' else 'false'}'")
            closed.append(f"{cond} THEN '{'false' if outcome == 'open' else 'true'}'")
    return won, closed


def status_sql(stage: str, plan: DealStages, metadata: str | None) -> tuple[str, str]:
    """SQL text ('true'/'false'/NULL) of (is_won, is_closed) from the stage text ``stage``:
    the plan's lists, else the stage ``metadata`` (a temporary table k, won, closed; None
    when the import has none), else the built-in lists."""
    key = stage_key_sql(stage)
    planned = [("won", plan.won), ("lost", plan.lost), ("open", plan.open)]
    mine = {stage_key(v) for _, values in planned for v in values}
    plan_whens = _whens(key, planned, set())
    builtin = _whens(key, [("won", WON), ("lost", LOST), ("open", OPEN)], mine)
    out = []
    for col, first, last in zip(("won", "closed"), plan_whens, builtin):
        parts = [f"(CASE {' '.join(last)} END)"] if last else []
        if metadata:
            parts.insert(0, f"(SELECT CAST(m.{col} AS VARCHAR) FROM {metadata} AS m "
                            f"WHERE m.k = trim({stage}))")
        rest = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})" if parts \
            else "NULL"
        out.append(f"(CASE {' '.join(first)} ELSE {rest} END)" if first else rest)
    return out[0], out[1]


def with_status(m: Mapping, plan: DealStages, metadata: str | None) -> Mapping:
    """``m`` with ``is_won``/``is_closed`` filled from its stage where the file's own
    columns are blank (per value); other tables and stageless files are unchanged."""
    stage = m.exprs.get("stage")
    if m.table.name != "deals" or stage is None:
        return m
    won, closed = status_sql(stage, plan, metadata)
    for column, derived in (("is_won", won), ("is_closed", closed)):
        own = m.exprs.get(column)
        m.exprs[column] = f"coalesce(nullif(trim({own}), ''), {derived})" if own else derived
        m.labels[column] = m.labels.get(column, m.labels.get("stage", "stage"))
    return m
