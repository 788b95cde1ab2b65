"""One account's phase-in/out timeline over the window: its stage periods, its team
members' days on the account, and its phase findings (``covermap team --account``, and the
report's timeline chart)."""

from __future__ import annotations

import ibis

from covermap.engine.window import as_date
from covermap.errors import AnalysisError, did_you_mean
from covermap.store.arrow import scalar, to_pylist
from covermap.team.spans import stage_periods, staged_spans

PHASE_KINDS = ("late_join", "stayed_on", "never_joined")


def check_account(store, account_id: str) -> None:
    """An ``AnalysisError`` when the store has no account ``account_id``."""
    acc = store.table("accounts")
    if scalar(acc.filter(acc.account_id == account_id).count()):
        return
    near = acc.filter(acc.account_id.startswith(account_id[:4])).limit(200)
    ids = to_pylist(near.account_id)
    raise AnalysisError(f"--account {account_id!r}: no such account in the store;"
                        f"{did_you_mean(account_id, ids)} pass an account_id from "
                        f"team_accounts.csv")


def account_timeline(result, account_id: str) -> list[dict]:
    """Rows ``lane, kind (stage | member), label, start, end, detail``: stage periods and
    team members (clipped to the window's first day .. as_of), in time order."""
    store, plan, w = result.store, result.plan, result.window
    check_account(store, account_id)
    spans = staged_spans(store, plan, w)
    p = stage_periods(spans.filter(spans.account_id == account_id))
    rows = []
    labels = {s.id: s.label.en for s in plan.journey.stages}
    for r in to_pylist(p.order_by("period_start")):
        stage = r["stage"]
        rows.append(dict(lane="Stage", kind="stage", label=labels.get(stage, "(no stage)"),
                         start=as_date(r["period_start"]), end=as_date(r["period_end"]),
                         detail="entered" if r["entered"] else "held at the window's start"))
    t = store.table("account_team")
    lo, hi = ibis.date(w.start), ibis.date(w.as_of)
    t = t.filter(t.account_id == account_id, t.start_date.isnull() | (t.start_date <= hi),
                 t.end_date.isnull() | (t.end_date >= lo))
    members = t.select("user_id", "role",
                       start=ibis.greatest(t.start_date.fill_null(lo), lo),
                       end=ibis.least(t.end_date.fill_null(hi), hi),
                       from_=t.start_date, to=t.end_date)
    for r in to_pylist(members.order_by(["start", "role", "user_id"])):
        since = f"since {r['from_']}" if r["from_"] is not None else "no start date"
        until = f"until {r['to']}" if r["to"] is not None else "no end date"
        rows.append(dict(lane=f"{r['role']}: {r['user_id']}", kind="member",
                         label=str(r["role"]), start=as_date(r["start"]),
                         end=as_date(r["end"]), detail=f"{since}, {until}"))
    return rows


def account_phases(result, account_id: str) -> list[dict]:
    """The account's phase findings (late_join, stayed_on, never_joined)."""
    f = result.findings
    f = f.filter(f.account_id == account_id, f.kind.isin(list(PHASE_KINDS)))
    return to_pylist(f)
