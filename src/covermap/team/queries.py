"""Findings on the team in force on ``as_of`` (DESIGN.md, "Account coverage model").

Per account at its current stage (the stage holding its state as of ``as_of``; accounts in
no stage have no team checks and empty counts), with the RACI letters after the account's
segment override:

- ``gap``: a role that is R or A there with nobody of it on the team in force;
- ``duplicate``: a single-holder role held by two or more distinct users (one finding per
  holder; a user in two overlapping rows of the role is one holder). A role with
  ``single_holder_scope: group`` is held once per customer group
  (``covermap.store.groups``): when the team in force of the group's accounts together
  (every account of the group, in a stage or not) has two or more distinct users in it,
  each account of the group in a stage with a member in the role has a duplicate, one
  finding per such member, its detail naming the group; ``team_accounts.duplicates``
  counts the role once per account, as for an account's own duplicate;
- ``over_coverage``: a member (user, role) whose role has no letter there;
- ``silent``: a member in an R or A role with no human touch on the account by that user in
  the window (``window.start`` .. ``window.end``).

The team in force on a day d: account_team rows with start_date empty or <= d and end_date
empty or >= d; ``team_size`` is the distinct users in it.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from covermap.engine.account_keys import KEY_COLUMNS
from covermap.engine.owners import with_owners
from covermap.engine.segments import account_segments
from covermap.engine.window import Window
from covermap.plan.model import Plan
from covermap.team.plan_tables import letter_table, role_table, segment_key, stage_table

FINDING_COLUMNS = ("account_id", "stage", "kind", "role", "user_id", "detail")
ACCOUNT_COLUMNS = ("account_id", "state", "stage", "segment", "owner_id", "team_size", "gaps",
                   "duplicates", "over_coverage", "silent_members")


def team_on(store, day: dt.date | ir.DateValue) -> ir.Table:
    """``account_id, user_id, role``: the distinct members in force on ``day``."""
    t = store.table("account_team")
    d = ibis.date(day) if isinstance(day, dt.date) else day
    t = t.filter(t.start_date.isnull() | (t.start_date <= d), t.end_date.isnull()
                 | (t.end_date >= d), t.account_id.notnull(), t.user_id.notnull())
    return t.select("account_id", "user_id", "role").distinct()


def staged_accounts(store, plan: Plan, current: ir.Table, as_of: dt.date) -> ir.Table:
    """``account_id, state, stage, stage_position, segment, seg_key`` and the owner columns
    of every account; ``current`` holds ``account_id, state`` as of ``as_of``."""
    a = account_segments(store, plan, as_of)
    acc = a.select("account_id", "segment", seg_key=segment_key(plan, a.segment))
    acc = acc.left_join(current, "account_id").drop("account_id_right")
    st = stage_table(plan)
    acc = acc.left_join(st, "state").drop("state_right")
    return with_owners(acc, store, plan, as_of)


def _finding(t: ir.Table, kind: str, user: ir.Value, detail: ir.StringValue) -> ir.Table:
    return t.select("account_id", "stage", kind=ibis.literal(kind), role=t.role,
                    user_id=user.cast("string"), detail=detail,
                    **{k: t[k] for k in KEY_COLUMNS})


def team_members(plan: Plan, acc: ir.Table, team: ir.Table) -> ir.Table:
    """``account_id, stage, user_id, role, letter, responsible, single`` and the account's
    keys: the members in force (``team``: :func:`team_on` ``as_of``) of accounts in a stage
    (``acc``: :func:`staged_accounts` with its keys), with their role's letter there and
    whether the role is single-holder."""
    staged = acc.filter(acc.stage.notnull()).select("account_id", "stage", "seg_key",
                                                    *KEY_COLUMNS)
    m = team.join(staged, "account_id")
    m = m.left_join(letter_table(plan), ["seg_key", "stage", "role"])
    m = m.left_join(role_table(plan), "role")
    return m.select("account_id", "stage", "user_id", "role", "letter",
                    responsible=m.responsible.fill_null(False),
                    # a role the plan does not define is over-coverage, never single-holder
                    single=m.single_holder.fill_null(False), **{k: m[k] for k in KEY_COLUMNS})


def group_scoped(plan: Plan) -> list[str]:
    """The single-holder roles held once per customer group (``single_holder_scope``)."""
    return [r.id for r in plan.roles if r.single_holder and r.single_holder_scope == "group"]


def _duplicates(plan: Plan, members: ir.Table, team: ir.Table | None,
                groups: ir.Table | None) -> ir.Table:
    """The duplicate findings (module doc): per account for account-scoped roles, per
    customer group for the roles :func:`group_scoped` names."""
    per_group = group_scoped(plan)
    holders = members.filter(members.single)
    if per_group:
        holders = holders.filter(~holders.role.isin(per_group))
    # members are distinct (account, user, role) rows: a count is the distinct users
    held = holders.group_by(["account_id", "role"]).aggregate(holders=lambda t: t.count())
    held = held.filter(held.holders >= 2)
    dup = holders.join(held, ["account_id", "role"])
    duplicate = _finding(dup, "duplicate", dup.user_id,
                         "one of " + dup.holders.cast("string")
                         + " users holding this single-holder role")
    if not per_group:
        return duplicate
    # the whole team in force of every account of the group counts, staged or not; the
    # findings go to its accounts in a stage with a member in the role
    g = groups.select("account_id", "group_id")
    t = team.filter(team.role.isin(per_group)).join(g, "account_id")
    gheld = t.group_by(["group_id", "role"]).aggregate(holders=t.user_id.nunique())
    gheld = gheld.filter(gheld.holders >= 2)
    m = members.filter(members.single & members.role.isin(per_group))
    gdup = m.join(gheld, ["group_id", "role"])
    by_group = _finding(gdup, "duplicate", gdup.user_id,
                        "one of " + gdup.holders.cast("string") + " users holding this "
                        "single-holder role across customer group " + gdup.group_id)
    return ibis.union(duplicate, by_group, distinct=False)


def team_findings(plan: Plan, acc: ir.Table, window: Window, members: ir.Table,
                  touched: ir.Table, team: ir.Table | None = None,
                  groups: ir.Table | None = None) -> ir.Table:
    """The four kinds of findings on the team in force on ``as_of`` (module doc);
    ``members``: :func:`team_members`; ``touched``: the human touches per account, span
    and user (``covermap.team.effort.touch_rollup``); ``acc`` and ``members`` carry the
    account's keys (``KEY_COLUMNS``), as every finding does; ``team`` (:func:`team_on`
    ``as_of``) and ``groups`` (``account_id, group_id``) are needed when a role is single
    per customer group."""
    staged = acc.filter(acc.stage.notnull()).select("account_id", "stage", "seg_key",
                                                    *KEY_COLUMNS)
    letters = letter_table(plan)
    need = staged.join(letters.filter(letters.responsible), ["seg_key", "stage"])
    need = need.select("account_id", "stage", "role", "letter", *KEY_COLUMNS)
    # members holds the whole team in force of every account in a stage
    gaps = need.anti_join(members, ["account_id", "role"])
    gap = _finding(gaps, "gap", ibis.null("string"),
                   gaps.letter + " at this stage; nobody of this role on the team")

    duplicate = _duplicates(plan, members, team, groups)

    over = members.filter(members.letter.isnull())
    over_coverage = _finding(over, "over_coverage", over.user_id,
                             ibis.literal("this role has no letter at this stage"))

    t = touched.filter(touched.in_window > 0)
    resp = members.filter(members.responsible)
    quiet = resp.anti_join(t, ["account_id", "user_id"])
    silent = _finding(quiet, "silent", quiet.user_id,
                      quiet.letter + f" at this stage; no human touch on the account from "
                                     f"{window.start} to {window.end}")
    return ibis.union(gap, duplicate, over_coverage, silent, distinct=False)


def account_rows(acc: ir.Table, findings: ir.Table, team: ir.Table) -> ir.Table:
    """``team_accounts``: one row per account (counts empty for accounts in no stage), with
    the account's keys (``acc``: :func:`staged_accounts` with ``KEY_COLUMNS``)."""
    size = team.group_by("account_id").aggregate(team_size=lambda t: t.user_id.nunique())
    f = findings
    counts = f.group_by("account_id").aggregate(
        gaps=(f.kind == "gap").sum(),
        duplicates=f.role.nunique(where=f.kind == "duplicate"),
        over_coverage=(f.kind == "over_coverage").sum(),
        silent_members=(f.kind == "silent").sum())
    j = acc.left_join(size, "account_id").drop("account_id_right")
    j = j.left_join(counts, "account_id").drop("account_id_right")
    staged = j.stage.notnull()

    def count(c: ir.IntegerValue) -> ir.IntegerValue:
        return staged.ifelse(c.fill_null(0), ibis.null("int64")).cast("int64")

    return j.select(
        "account_id", "state", "stage", "segment", "owner_id",
        team_size=j.team_size.fill_null(0).cast("int64"), gaps=count(j.gaps),
        duplicates=count(j.duplicates), over_coverage=count(j.over_coverage),
        silent_members=count(j.silent_members), stage_position=j.stage_position,
        owner_name=j.owner_name, **{k: j[k] for k in KEY_COLUMNS})
