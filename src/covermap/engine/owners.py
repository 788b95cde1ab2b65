"""Who owns each account, and the names of users: one place, read by every analysis.

An account's owner is ``accounts.owner_id`` when it is set (not empty or blank);
otherwise the plan's ``owners.fallback`` sources are tried in turn
(``covermap.plan.model.AccountOwners``):

- ``account_team:<role>``: the account-team member of that role in force on
  ``as_of`` (start_date empty or <= as_of, end_date empty or >= as_of, as DESIGN's
  team in force). Of several, the one who started most recently wins (an empty
  start_date counts as the earliest), then the smallest user_id.
- ``latest_deal``: the owner of the account's latest deal that has an owner and
  was created on or before ``as_of`` (or has no created date): latest created_at,
  then latest close_date (empty dates count as the earliest), then the largest
  deal_id.

``owner_source`` says where the owner came from: ``account``, the fallback entry
(``account_team:csm``, ``latest_deal``), or NULL when no source gives one. Unknown
values are NULL in result tables (owner_id, owner_source, owner_name), never an
empty string: exports write an empty cell and front ends print nothing.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from covermap.engine.window import local_date_of
from covermap.plan.model import LATEST_DEAL, OWNER_TEAM_PREFIX, Plan

#: owner_source when accounts.owner_id itself is set
ACCOUNT = "account"


def _set(v: ir.StringValue) -> ir.StringValue:
    """``v`` with empty and blank values as NULL."""
    return (v.strip() == "").ifelse(ibis.null("string"), v)


def _team_owner(store, role: str, as_of: dt.date) -> ir.Table:
    """account_id, candidate: the member of ``role`` in force on ``as_of``."""
    t = store.table("account_team")
    d = ibis.date(as_of)
    t = t.filter((t.role == role) & _set(t.user_id).notnull()
                 & (t.start_date.isnull() | (t.start_date <= d))
                 & (t.end_date.isnull() | (t.end_date >= d)))
    order = [t.start_date.desc(nulls_first=False), t.user_id]
    t = t.mutate(_n=ibis.row_number().over(group_by=t.account_id, order_by=order))
    return t.filter(t._n == 0).select("account_id", candidate=t.user_id)


def _deal_owner(store, plan: Plan, as_of: dt.date) -> ir.Table:
    """account_id, candidate: the owner of the account's latest deal with an owner."""
    t = store.table("deals")
    t = t.filter(_set(t.owner_id).notnull()
                 & (t.created_at.isnull()
                    | (local_date_of(t, "created_at", plan.timezone) <= ibis.date(as_of))))
    order = [t.created_at.desc(nulls_first=False), t.close_date.desc(nulls_first=False),
             t.deal_id.desc()]
    t = t.mutate(_n=ibis.row_number().over(group_by=t.account_id, order_by=order))
    return t.filter(t._n == 0).select("account_id", candidate=t.owner_id)


def account_owners(store, plan: Plan, as_of: dt.date) -> ir.Table:
    """``account_id, owner_id, owner_source`` for every account (module doc).

    >>> import datetime as dt
    >>> from covermap.plan import default_plan
    >>> from covermap.store.arrow import to_pylist
    >>> from covermap.store.connect import open_store
    >>> with open_store(":memory:") as s:
    ...     _ = s.duckdb.execute("INSERT INTO accounts (account_id, name, owner_id) "
    ...                          "VALUES ('A1', 'Acme', 'u1'), ('A2', 'Beta', ' ')")
    ...     rows = to_pylist(account_owners(s, default_plan(), dt.date(2026, 7, 1)).order_by(
    ...         "account_id"))
    >>> [tuple(r.values()) for r in rows]
    [('A1', 'u1', 'account'), ('A2', None, None)]
    """
    a = store.table("accounts")
    own = _set(a.owner_id)
    out = a.select("account_id", owner_id=own,
                   owner_source=own.notnull().ifelse(ibis.literal(ACCOUNT), ibis.null("string")))
    for source in plan.owners.fallback:
        if source == LATEST_DEAL:
            cand = _deal_owner(store, plan, as_of)
        else:
            cand = _team_owner(store, source.removeprefix(OWNER_TEAM_PREFIX), as_of)
        j = out.left_join(cand, out.account_id == cand.account_id)
        out = j.select(
            "account_id", owner_id=j.owner_id.coalesce(j.candidate),
            owner_source=ibis.cases((j.owner_id.notnull(), j.owner_source),
                                    (j.candidate.notnull(), ibis.literal(source)),
                                    else_=ibis.null("string"))).view()  # joinable further
    return out


def user_names(store) -> ir.Table:
    """``user_id, user_name`` of every user (blank names are NULL), for showing
    "Name (id)" wherever a user id is shown."""
    u = store.table("users")
    return u.select("user_id", user_name=_set(u.name))


def with_owners(table: ir.Table, store, plan: Plan, as_of: dt.date) -> ir.Table:
    """``table`` (one row per account_id) with owner_id, owner_source and owner_name."""
    owners = account_owners(store, plan, as_of)
    names = user_names(store)
    owners = owners.left_join(names, owners.owner_id == names.user_id).select(
        "account_id", "owner_id", "owner_source", owner_name="user_name")
    if "owner_id" in table.columns:
        table = table.drop("owner_id")
    # a fresh relation, so that callers can join further (Ibis cannot extend this chain)
    return table.left_join(owners, table.account_id == owners.account_id).drop(
        "account_id_right").view()
