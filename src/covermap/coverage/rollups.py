"""Coverage rolled up per customer group and per territory (``coverage --by group`` and
``--by territory``).

One row per key (``coverage_groups``: a group's top account; ``coverage_territories``: a
territory, counting the accounts of every territory below it too; an empty key: accounts in
no territory): ``key, name, parent, accounts, customers, arr, checks, passed, compliance,
touched, breadth, state_mix``.

- ``customers`` and ``arr`` as for segments (DESIGN's capacity section): accounts that are
  customers on ``as_of`` and their ARR (``accounts.arr``, else the won deal amounts closed
  in the 12 months up to ``as_of``);
- ``compliance``: the micro-average of the accounts' checks (passed checks / checks);
  ``breadth``: touched accounts / accounts;
- ``state_mix``: the accounts per current state, in plan order (``unclassified`` last),
  e.g. ``active 3, new 1``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.coverage.measure import CoverageResult
from covermap.engine.buckets import small_table
from covermap.engine.segments import segment_accounts
from covermap.engine.territories import account_groups, account_territories, territory_tree
from covermap.plan.model import Plan

COLUMNS = ("key", "name", "parent", "accounts", "customers", "arr", "checks", "passed",
           "compliance", "touched", "breadth", "state_mix")
BY = ("group", "territory")


def _keys(result: CoverageResult, by: str) -> ir.Table:
    """``account_id, key, name, parent`` (an account under several keys for territories)."""
    store, plan = result.store, result.plan
    if by == "group":
        g = account_groups(store).view()  # a join's projection: a view to join it again
        names = store.table("accounts").view().select(top="account_id", name="name")
        g = g.left_join(names, g.group_id == names.top)
        return g.select("account_id", key=g.group_id, name=g.name,
                        parent=ibis.null("string"))
    t = account_territories(store, plan)
    tree = territory_tree(plan)
    info = _territory_info(plan)
    j = t.left_join(tree, "territory").left_join(info, ibis._.rolls_into == info.tid)
    return j.select("account_id", key=j.rolls_into, name=j.label, parent=j.parent)


def _territory_info(plan: Plan) -> ir.Table:
    ts = plan.territories
    return small_table({"tid": [t.id for t in ts],
                        "label": [t.label.en if t.label else t.id for t in ts],
                        "parent": [t.parent for t in ts]},
                       {"tid": "string", "label": "string", "parent": "string"})


def rollup(result: CoverageResult, by: str) -> ir.Table:
    """The roll-up table ``by`` group or territory (module doc), ordered by key."""
    plan = result.plan
    acc = result.accounts.select("account_id", "state", "checks", "passed", "touched")
    prof = segment_accounts(result.store, plan, result.window.as_of).select(
        "account_id", "is_customer", "arr")
    keys = _keys(result, by)
    j = keys.join(acc, "account_id").left_join(prof, "account_id")
    per = j.group_by(["key", "name", "parent"]).aggregate(
        accounts=j.count(), customers=j.is_customer.fill_null(False).sum(),
        arr=j.arr.sum(), checks=j.checks.sum(), passed=j.passed.sum(),
        touched=j.touched.sum())
    order = {s.id: i for i, s in enumerate(plan.states)}
    positions = small_table({"state": list(order), "position": list(order.values())},
                            {"state": "string", "position": "int64"})
    mix = j.group_by(["key", "state"]).aggregate(n=j.count())
    mix = mix.left_join(positions, "state")
    mix = mix.group_by("key").aggregate(state_mix=(
        mix.state.fill_null("unclassified") + " " + mix.n.cast("string")).group_concat(
            ", ", order_by=[mix.position.fill_null(len(order)), mix.state]))
    out = per.left_join(mix, per.key.identical_to(mix.key))
    return out.select(
        per.key, per.name, per.parent, per.accounts, customers=per.customers.cast("int64"),
        arr=per.arr, checks=per.checks, passed=per.passed,
        compliance=(per.checks > 0).ifelse(per.passed / per.checks, ibis.null("float64")),
        touched=per.touched.cast("int64"), breadth=per.touched / per.accounts,
        state_mix=mix.state_mix,
    ).order_by(ibis._.key.asc(nulls_first=False))


def rollup_table_name(by: str) -> str:
    """The export name of the roll-up ``by`` group or territory."""
    return {"group": "coverage_groups", "territory": "coverage_territories"}[by]
