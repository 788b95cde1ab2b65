"""Each account with its customer group, territory, state, coverage and team: what the
report's group section and the dashboard's group page list (computed by the engine once,
never per row in Python).

Columns of :func:`group_accounts`: ``account_id, name, group_id, territory, state,
segment, owner_id, owner_name, checks, passed, compliance, touched,
days_since_human_touch, team, team_size, gaps, duplicates``. ``territory`` is the account's
own territory (the first rule it matches); ``team`` names the account team in force on
``as_of``, e.g. ``Ann (csm); Bob (account_executive)``, ordered by role then name.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from covermap.engine.territories import account_groups, account_territories
from covermap.render.columns import TABLES, Column, Kind

COLUMNS = ("account_id", "name", "group_id", "territory", "state", "segment", "owner_id",
           "owner_name", "checks", "passed", "compliance", "touched", "days_since_human_touch",
           "team", "team_size", "gaps", "duplicates")
K = Kind
TABLES["group_accounts"] = {  # how every front end shows them
    "account_id": Column(K.account, "Account", name_from="name"), "name": Column(K.text, "Name"),
    "group_id": Column(K.account, "Group"), "territory": Column(K.text, "Territory", "(none)"),
    "state": Column(K.state, "State"), "segment": Column(K.text, "Segment"),
    "owner_id": Column(K.user, "Owner", name_from="owner_name"),
    "owner_name": Column(K.text, "Owner name"), "checks": Column(K.count, "Checks"),
    "passed": Column(K.count, "Passed"), "compliance": Column(K.percent, "Compliance"),
    "touched": Column(K.flag, "Touched"),
    "days_since_human_touch": Column(K.days, "Days since last human touch", "never"),
    "team": Column(K.text, "Account team", "(nobody)"), "team_size": Column(K.count, "Team size"),
    "gaps": Column(K.count, "Gaps"), "duplicates": Column(K.count, "Duplicates"),
}
_COVERAGE = ("account_id", "name", "state", "segment", "owner_id", "owner_name", "checks",
             "passed", "compliance", "touched", "days_since_human_touch")


def team_names(store, as_of: dt.date) -> ir.Table:
    """``account_id, team``: the account team in force on ``as_of``, as one text."""
    from covermap.team.queries import team_on

    m = team_on(store, as_of)
    u = store.table("users").select(uid="user_id", uname="name")
    j = m.left_join(u, m.user_id == u.uid)
    label = j.uname.fill_null(j.user_id) + " (" + j.role.fill_null("no role") + ")"
    j = j.select("account_id", "role", label=label)
    return j.group_by("account_id").aggregate(
        team=j.label.group_concat("; ", order_by=[j.role, j.label]))


def group_accounts(coverage, team=None) -> ir.Table:
    """Every account (module doc), from a coverage result and, when given, a team result
    of the same store and ``as_of`` (without one, the team columns are empty)."""
    store, plan, as_of = coverage.store, coverage.plan, coverage.window.as_of
    keys = account_groups(store).join(account_territories(store, plan), "account_id")
    a = coverage.accounts.select(*_COVERAGE)
    a = a.join(keys, "account_id")
    names = team_names(store, as_of)
    a = a.left_join(names, "account_id").drop("account_id_right")
    if team is not None:
        t = team.accounts.select("account_id", "team_size", "gaps", "duplicates")
        a = a.left_join(t, "account_id").drop("account_id_right")
    else:
        a = a.mutate(team_size=ibis.null("int64"), gaps=ibis.null("int64"),
                     duplicates=ibis.null("int64"))
    return a.select(*COLUMNS)


def tree_order(plan) -> dict[str | None, tuple[int, ...]]:
    """Each territory's place in the plan's tree, to sort by (a parent, then the
    territories inside it, in plan order); accounts in no territory (key None) last."""
    parent = {t.id: t.parent for t in plan.territories}
    index = {t.id: i for i, t in enumerate(plan.territories)}

    def path(tid: str) -> tuple[int, ...]:
        up = parent[tid]
        return (*(path(up) if up is not None else ()), index[tid])

    return {**{t.id: path(t.id) for t in plan.territories}, None: (len(index),)}
