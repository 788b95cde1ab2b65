"""``measure_team``: the account coverage model's result tables, for every front end.

- ``accounts`` (``team_accounts``): one row per account (``covermap.team.queries``);
- ``findings`` (``team_findings``): gap, duplicate, over_coverage, silent on ``as_of``, and
  late_join, stayed_on, never_joined over the window (``covermap.team.phases``);
- ``handoffs`` (``team_handoffs``): one row per hand-off (``covermap.team.handoffs``);
- ``summary`` (``team_summary``): group, key, accounts, with_gap, with_duplicate,
  with_over_coverage, with_silent, handoffs, on_time, late, dropped, pending, median_days;
- ``effort`` (``team_effort``): human-touch minutes by role and stage, outside the model
  where the role is not R or A (``covermap.team.effort``);
- ``followed`` (``team_followed``): what followed each rule's hand-offs (the feedback
  loop: how many handed-over leads became deals, deals customers, ...).

The per-account exports (``team_accounts``, ``team_findings``, ``team_handoffs``) end with
each account's ``group_id`` and ``territory`` (``covermap.engine.account_keys``).

Summary groups: ``all``; ``stage`` (accounts by current stage, empty key: no stage;
hand-offs under the stage entered); ``segment`` and ``owner`` (the account's); ``role``
(accounts whose stage gives the role R or A; with_* count the findings in that role;
hand-offs under their ``to`` role). ``median_days``: the interpolated median of ``days``
over hand-offs with a first touch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine.account_keys import KEY_COLUMNS, account_keys, with_keys
from covermap.engine.keep import temp_keeper
from covermap.engine.states import states_at
from covermap.engine.window import Window, resolve_window
from covermap.errors import PlanInvalid
from covermap.plan.model import Plan
from covermap.store.arrow import memtable, scalar, to_pylist
from covermap.team.effort import effort_table, touch_rollup
from covermap.team.handoffs import HANDOFF_COLUMNS, measure_handoffs, what_followed
from covermap.team.phases import phase_findings
from covermap.team.plan_tables import letter_table
from covermap.team.queries import (
    ACCOUNT_COLUMNS,
    FINDING_COLUMNS,
    account_rows,
    staged_accounts,
    team_findings,
    team_members,
    team_on,
)
from covermap.team.spans import stage_periods, staged_spans

GROUPS = ("all", "stage", "segment", "role", "owner")
FINDING_KINDS = ("gap", "duplicate", "over_coverage", "silent", "late_join", "stayed_on",
                 "never_joined")
SUMMARY_COLUMNS = ("group", "key", "accounts", "with_gap", "with_duplicate",
                   "with_over_coverage", "with_silent", "handoffs", "on_time", "late",
                   "dropped", "pending", "median_days")


@dataclass(frozen=True)
class TeamResult:
    """Everything ``covermap team`` shows, as Ibis tables on the store's connection."""

    plan: Plan
    window: Window
    accounts: ir.Table
    findings: ir.Table
    handoffs: ir.Table
    summary: ir.Table
    effort: ir.Table
    #: per hand-off rule, the next states its accounts reached within 90 days
    followed: ir.Table
    store: object = None
    #: ``findings`` before its sort, for counts
    unordered_findings: ir.Table | None = None

    @property
    def as_of(self) -> dt.date:
        return self.window.as_of


def finding_counts(result: TeamResult) -> dict[str, int]:
    """Findings per kind, every kind listed (in FINDING_KINDS order)."""
    f = result.unordered_findings if result.unordered_findings is not None \
        else result.findings
    rows = to_pylist(f.group_by("kind").aggregate(n=f.count()))
    got = {r["kind"]: int(r["n"]) for r in rows}
    return {k: got.get(k, 0) for k in FINDING_KINDS}


def team_tables(result: TeamResult) -> dict[str, ir.Table]:
    """Export name -> table, in the order files are written."""
    return {"team_accounts": result.accounts.select(*ACCOUNT_COLUMNS, *KEY_COLUMNS),
            "team_findings": result.findings.select(*FINDING_COLUMNS, *KEY_COLUMNS),
            "team_handoffs": result.handoffs.select(*HANDOFF_COLUMNS, *KEY_COLUMNS),
            "team_summary": result.summary.select(*SUMMARY_COLUMNS),
            "team_effort": result.effort, "team_followed": result.followed}


def _keeper(store):
    # coverage's: intermediates written with preserve_insertion_order off (parallel
    # inserts); every exported team table is sorted where it is read
    return temp_keeper(store)


def current_states(store, plan: Plan, window: Window,
                   spans: ir.Table) -> tuple[ir.Table, ir.Table | None]:
    """``account_id, state`` as of ``as_of``, and the accounts with no span (None when
    every account has one). The state is that of the account's span ending on ``as_of``
    (the spans are the states computed daily, so this is the state from facts dated on or
    before ``as_of``); when some account has no span (created after ``as_of``), every
    account's state is evaluated on ``as_of`` instead."""
    last = spans.filter(spans.span_end == ibis.date(window.as_of)).select(
        "account_id", "state")
    a = store.table("accounts")
    spanless = a.select("account_id").anti_join(last, "account_id")
    if scalar(spanless.count()):
        return states_at(store, plan, [window.as_of]).select("account_id", "state"), spanless
    return last, None


def measure_team(store, plan: Plan, *, as_of: dt.date | None = None,
                 window_months: int | None = None) -> TeamResult:
    """Measure the account coverage model on ``store``.

    Parameters:
        store: an open store; the result's tables live on its connection, so use them
            before closing it.
        plan: the plan with its ``journey``, ``raci`` and ``handoffs``; its rules are
            checked against the store's account columns first (a ``PlanInvalid`` lists every
            problem with its file, line and key).
        as_of: the day measured on; default the plan's ``as_of``, else the date of the
            latest activity.
        window_months: the window's length; default the plan's ``window_months``.

    Example::

        with open_store("covermap.duckdb", read_only=True) as store:
            result = measure_team(store, default_plan())
            result.summary.filter(result.summary.group == "stage").execute()
            export_tables(team_tables(result), Path("out"))
    """
    from covermap.engine.plan_checks import plan_problems

    problems = plan_problems(store, plan)
    if problems:
        raise PlanInvalid(problems)
    window = resolve_window(store, plan, as_of, window_months)
    keep = _keeper(store)
    spans = keep(staged_spans(store, plan, window), "spans")
    current, spanless = current_states(store, plan, window, spans)
    ak = keep(account_keys(store, plan), "account_keys")
    # the keys once per account: the findings and team_accounts carry them from here
    acc = keep(with_keys(staged_accounts(store, plan, current, window.as_of), ak), "staged")
    touched = keep(touch_rollup(store, plan, window, spans, spanless), "touches")
    phases = phase_findings(store, plan, stage_periods(spans),
                            acc.select("account_id", "seg_key", *KEY_COLUMNS), window)
    team = keep(team_on(store, window.as_of), "team")
    members = keep(team_members(plan, acc, team), "members")
    findings = keep(ibis.union(team_findings(plan, acc, window, members, touched, team, ak),
                               phases, distinct=False), "findings")
    accounts = keep(account_rows(acc, findings, team), "accounts")
    handoffs = keep(with_keys(measure_handoffs(store, plan, spans, window, touched), ak),
                    "handoffs")
    # kept, as every front end reads them at least twice (print, then export)
    keys = keep(handoff_keys(accounts, handoffs), "handoff_keys")
    summary = keep(summarize(plan, acc, accounts, findings, keys), "summary")
    effort = keep(effort_table(touched, plan, acc), "effort")
    kind_order = ibis.cases(*((findings.kind == k, i) for i, k in enumerate(FINDING_KINDS)),
                            else_=len(FINDING_KINDS))
    return TeamResult(
        plan=plan, window=window,
        accounts=accounts.order_by("account_id"),
        findings=findings.order_by([findings.account_id, kind_order, findings.role,
                                    findings.user_id, findings.stage, findings.detail]),
        handoffs=handoffs.order_by(["account_id", "event_date", "rule_position"]),
        summary=summary.order_by(["_g", "_p", "key"]).drop("_g", "_p"),
        effort=effort.order_by(["_r", "role", "_s", "stage", "letter"]).drop("_r", "_s"),
        followed=what_followed(handoffs), store=store, unordered_findings=findings)


#: the join key of an empty group key (NULL never equals NULL in a join)
_EMPTY = "<covermap:empty>"
_COUNTS = {"with_gap": "gap", "with_duplicate": "duplicate",
           "with_over_coverage": "over_coverage", "with_silent": "silent"}


def _handoff_counts(h: ir.Table, key: ir.Value) -> ir.Table:
    touched = h.first_touch_date.notnull()
    return h.group_by(key=key.fill_null(_EMPTY)).aggregate(
        handoffs=h.count(), on_time=(h.status == "on_time").sum(),
        late=(h.status == "late").sum(), dropped=(h.status == "dropped").sum(),
        pending=(h.status == "pending").sum(),
        median_days=h.days.cast("float64").median(where=touched))


def _account_counts(a: ir.Table, key: ir.Value) -> ir.Table:
    return a.group_by(key=key.fill_null(_EMPTY)).aggregate(
        accounts=a.count(), with_gap=(a.gaps > 0).fill_null(False).sum(),
        with_duplicate=(a.duplicates > 0).fill_null(False).sum(),
        with_over_coverage=(a.over_coverage > 0).fill_null(False).sum(),
        with_silent=(a.silent_members > 0).fill_null(False).sum())


def handoff_keys(accounts: ir.Table, handoffs: ir.Table) -> ir.Table:
    """``to_role, stage, segment, owner_id, first_touch_date, status, days`` of each hand-off
    (its account's segment and owner), which :func:`summarize` groups five ways."""
    info = accounts.select("account_id", "segment", "owner_id")
    h = handoffs.left_join(info, "account_id")
    return h.select("to_role", "stage", "segment", "owner_id", "first_touch_date", "status",
                    "days")


def summarize(plan: Plan, acc: ir.Table, accounts: ir.Table, findings: ir.Table,
              h: ir.Table) -> ir.Table:
    """The rollup table (module doc), with ``_g`` and ``_p``: the group's and the key's
    rank (order by ``_g, _p, key``); ``h`` is :func:`handoff_keys`."""
    parts = []
    for group, akey, hkey in (("all", None, None), ("stage", "stage", "stage"),
                              ("segment", "segment", "segment"),
                              ("owner", "owner_id", "owner_id")):
        a = _account_counts(accounts, ibis.literal("all") if akey is None else accounts[akey])
        hc = _handoff_counts(h, ibis.literal("all") if hkey is None else h[hkey])
        parts.append((group, a, hc))
    # by role: accounts whose stage gives the role R or A; findings in the role
    letters = letter_table(plan)
    resp = acc.filter(acc.stage.notnull()).join(
        letters.filter(letters.responsible), ["seg_key", "stage"])
    # one letter per (segment key, stage, role): an account is one row per role
    ra = resp.group_by(key=resp.role).aggregate(accounts=resp.count())
    f = findings.filter(findings.kind.isin(list(_COUNTS.values())))
    fr = f.group_by(key=f.role).aggregate(**{
        col: f.account_id.nunique(where=f.kind == kind) for col, kind in _COUNTS.items()})
    roles = memtable({"key": [r.id for r in plan.roles]}, {"key": "string"})
    ra = roles.left_join(ra, "key").drop("key_right").left_join(fr, "key").drop("key_right")
    parts.append(("role", ra, _handoff_counts(h, h.to_role)))
    out = []
    order = {"stage": [s.id for s in plan.journey.stages], "role": [r.id for r in plan.roles]}
    for group, a, hc in parts:
        j = a.outer_join(hc, "key")
        key = j.key.coalesce(j.key_right) if group != "all" else ibis.literal("all")
        key = (key == _EMPTY).ifelse(ibis.null("string"), key)
        ranks = order.get(group, [])
        pos = ibis.cases(*((key == k, i) for i, k in enumerate(ranks)), else_=len(ranks)) \
            if ranks else ibis.literal(0)
        out.append(j.select(
            _g=ibis.literal(GROUPS.index(group)), _p=pos, group=ibis.literal(group), key=key,
            **{c: j[c].fill_null(0).cast("int64") for c in
               ("accounts", *_COUNTS, "handoffs", "on_time", "late", "dropped", "pending")},
            median_days=j.median_days))
    return ibis.union(*out, distinct=False)
