"""Analyses rolled up per customer group or per territory (``--by group|territory``).

:func:`rollup` takes one row per account (with its current ``state``) and returns one row
per key: ``key, name, parent, accounts, customers, arr``, the analysis's own measures,
then ``state_mix``.

- keys: a group is keyed by its top account (``name``: that account's); a territory by its
  id (``name``: its label, ``parent``: the territory it rolls into), and an account counts
  under its territory and every territory above it; accounts in no territory have an
  empty key;
- ``customers`` and ``arr`` as for segments (DESIGN's capacity section): accounts that are
  customers on ``as_of`` and their ARR (``accounts.arr``, else the won deal amounts closed
  in the 12 months up to ``as_of``);
- ``state_mix``: the accounts per current state in plan order (``unclassified`` last),
  e.g. ``active 3, new 1``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.segments import segment_accounts
from covermap.engine.territories import account_groups, account_territories, territory_tree
from covermap.plan.model import Plan

KEY_COLUMNS = ("key", "name", "parent", "accounts", "customers", "arr")


def rollup_keys(store, plan: Plan, by: str) -> ir.Table:
    """``account_id, key, name, parent`` (module doc)."""
    if by == "group":
        g = account_groups(store).view()  # a join's projection: a view to join it again
        names = store.table("accounts").view().select(top="account_id", name="name")
        g = g.left_join(names, g.group_id == names.top)
        return g.select("account_id", key=g.group_id, name=g.name,
                        parent=ibis.null("string"))
    ts = plan.territories
    info = small_table({"tid": [t.id for t in ts],
                        "label": [t.label.en if t.label else t.id for t in ts],
                        "parent": [t.parent for t in ts]},
                       {"tid": "string", "label": "string", "parent": "string"})
    t = account_territories(store, plan)
    j = t.left_join(territory_tree(plan), "territory")
    j = j.left_join(info, j.rolls_into == info.tid)
    return j.select("account_id", key=j.rolls_into, name=j.label, parent=j.parent)


def _state_mix(j: ir.Table, plan: Plan) -> ir.Table:
    order = [s.id for s in plan.states]
    positions = small_table({"state": order, "position": list(range(len(order)))},
                            {"state": "string", "position": "int64"})
    mix = j.group_by(["key", "state"]).aggregate(n=j.count()).left_join(positions, "state")
    return mix.group_by("key").aggregate(state_mix=(
        mix.state.fill_null("unclassified") + " " + mix.n.cast("string")).group_concat(
            ", ", order_by=[mix.position.fill_null(len(order)), mix.state]))


def rollup(accounts: ir.Table, store, plan: Plan, as_of: dt.date, by: str,
           measures: dict[str, Callable[[ir.Table], ir.Value]]) -> ir.Table:
    """One row per key (module doc); ``measures``: name -> the aggregate over the rows of
    ``accounts`` (with ``account_id`` and ``state``) under a key."""
    prof = segment_accounts(store, plan, as_of).select("account_id", "is_customer", "arr")
    j = rollup_keys(store, plan, by).join(accounts, "account_id")
    j = j.left_join(prof, "account_id")
    per = j.group_by(["key", "name", "parent"]).aggregate(
        accounts=j.count(), customers=j.is_customer.fill_null(False).sum().cast("int64"),
        arr=j.arr.sum(), **{name: f(j) for name, f in measures.items()})
    mix = _state_mix(j, plan)
    out = per.left_join(mix, per.key.identical_to(mix.key))
    return out.select(*KEY_COLUMNS, *measures, mix.state_mix).order_by(
        ibis._.key.asc(nulls_first=False))


def table_name(analysis: str, by: str) -> str:
    """The export name of ``analysis``'s roll-up ``by`` group or territory."""
    return f"{analysis}_{'groups' if by == 'group' else 'territories'}"


def kept(store, table: ir.Table, name: str) -> ir.Table:
    """The roll-up ``table`` computed once into a temporary table, in key order: a command's
    view (its largest rows and their count) and its export each read it, and as a query
    each would compute the roll-up again (about 20 s each at 1M accounts)."""
    t = store.ibis.create_table(f"_covermap_{name}_{uuid.uuid4().hex[:10]}", table, temp=True)
    return t.order_by(ibis._.key.asc(nulls_first=False))
