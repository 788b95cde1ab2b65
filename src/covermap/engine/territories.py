"""Territories and customer groups: what every analysis rolls accounts up to.

- An account's **territory** is the first of the plan's ``territories[]`` whose rule (over
  account columns, extra columns included) it matches; none: no territory. A territory
  with a ``parent`` rolls up into it, so a roll-up by territory counts an account under
  its territory and under every territory above it.
- An account's **group** is its top-most ancestor through ``parent_account_id``
  (``covermap.store.groups``, computed at import).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.states import rule_types
from covermap.plan import rules
from covermap.plan.model import Plan
from covermap.store.groups import ACCOUNT_GROUPS


def _rule_columns(plan: Plan) -> list[str]:
    out: set[str] = set()
    for t in plan.territories:
        out |= set(rules.rule_names_of(rules.parse_rule(t.rule)))
    return sorted(out)


def account_territories(store, plan: Plan) -> ir.Table:
    """``account_id, territory`` for every account (module doc)."""
    if not plan.territories:
        a = store.table("accounts")
        return a.select("account_id", territory=ibis.null("string"))
    a = store.accounts(_rule_columns(plan))
    types = rule_types(store)
    territory = ibis.cases(*((rules.compile_rule(t.rule, a, types), t.id)
                             for t in plan.territories), else_=ibis.null("string"))
    return a.select("account_id", territory=territory)


def territory_tree(plan: Plan) -> ir.Table:
    """``territory, rolls_into``: each territory with itself and every territory above it."""
    parent = {t.id: t.parent for t in plan.territories}
    rows = []
    for t in plan.territories:
        x: str | None = t.id
        while x is not None:
            rows.append((t.id, x))
            x = parent[x]
    return small_table({"territory": [r[0] for r in rows], "rolls_into": [r[1] for r in rows]},
                       {"territory": "string", "rolls_into": "string"})


def account_groups(store) -> ir.Table:
    """``account_id, group_id``: each account's customer group (module doc). An account the
    groups table does not hold yet (a store written by other means than ``covermap
    import``, or opened read-only before its first import since groups exist) is its own
    group."""
    a = store.table("accounts").select("account_id")
    if not store.has_table(ACCOUNT_GROUPS):
        return a.mutate(group_id=a.account_id)
    g = store.table(ACCOUNT_GROUPS)
    j = a.left_join(g, a.account_id == g.account_id)
    return j.select(a.account_id, group_id=g.group_id.coalesce(a.account_id))
