"""Each account's customer group and territory, the two columns every per-account export
ends with (issue 16, point 4), so a group or territory view can filter any of them.

- ``group_id``: the account's customer group, its top-most ancestor through
  ``parent_account_id`` (``covermap.store.groups``; an account with no parent is its own
  group, so it is never empty for an account in the store);
- ``territory``: the id of the first of the plan's ``territories[]`` whose rule the account
  matches (``covermap.engine.territories``); empty when the plan has no territories or
  none matches. It is the account's own territory, never one it rolls up into.

Both are appended after a table's existing columns, which keep their order and values.
"""

from __future__ import annotations

import ibis.expr.types as ir

from covermap.engine.territories import account_groups, account_territories
from covermap.plan.model import Plan

KEY_COLUMNS = ("group_id", "territory")


def account_keys(store, plan: Plan) -> ir.Table:
    """``account_id, group_id, territory`` for every account of the store (module doc)."""
    g = account_groups(store).view()
    t = account_territories(store, plan).view()
    j = g.left_join(t, g.account_id == t.account_id)
    return j.select(g.account_id, g.group_id, t.territory)


def with_keys(table: ir.Table, keys: ir.Table) -> ir.Table:
    """``table`` (with an ``account_id`` column) with ``group_id`` and ``territory`` from
    ``keys`` (:func:`account_keys`) appended; an account not in the store has both
    empty. The join does not keep an order: order the result afterwards."""
    k = keys.view()
    j = table.left_join(k, table.account_id == k.account_id)
    return j.select(*(table[c] for c in table.columns), k.group_id, k.territory)
