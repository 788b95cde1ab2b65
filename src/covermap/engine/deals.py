"""The deals every analysis reads: the store's table with the plan's created_at fallback.

A deal without ``created_at`` is never open (DESIGN.md, "Derived facts": open_deals
counts deals created on or before d). The plan's ``deals.created_at_fallback`` can
choose otherwise (issue 7, point 3):

- ``none`` (default): the store's table as it is;
- ``earliest_activity``: an empty ``created_at`` takes the ``occurred_at`` of the
  deal's earliest activity (linked by ``activities.deal_id``), so the deal opens on
  that activity's date in the plan's zone; its ``created_at_is_date`` flag is the
  activity's ``occurred_at_is_date`` (when the store has those flags). A deal with
  no activity either keeps an empty ``created_at``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.plan.model import Plan
from covermap.store import schema

__all__ = ["deals"]

_CREATED_FLAG = schema.date_flag("created_at")
_OCCURRED_FLAG = schema.date_flag("occurred_at")


def deals(store, plan: Plan) -> ir.Table:
    """The deals table with ``created_at`` (and its date flag) filled as the plan says;
    same columns as the store's table, not executed.

    >>> from covermap.store.connect import open_store
    >>> from covermap.plan import default_plan
    >>> with open_store(":memory:") as s:
    ...     deals(s, default_plan()).columns[:3]
    ('deal_id', 'account_id', 'name')
    """
    d = store.table("deals")
    if plan.deals.created_at_fallback == "none":
        return d
    a = store.table("activities")
    a = a.filter(a.deal_id.notnull(), a.occurred_at.notnull())
    first = {"first_at": a.occurred_at.min()}
    if _OCCURRED_FLAG in a.columns:
        # the flag of the earliest value (a calendar date before an instant on one day)
        flag = a[_OCCURRED_FLAG].fill_null(False)
        first["first_is_date"] = flag.argmin(
            a.occurred_at.strftime("%Y-%m-%d %H:%M:%S.%f") + flag.ifelse("0", "1"))
    earliest = a.group_by(fid=a.deal_id).aggregate(**first)
    j = d.left_join(earliest, d.deal_id == earliest.fid)
    filled = {"created_at": j.created_at.fill_null(j.first_at)}
    if _CREATED_FLAG in d.columns:
        from_activity = j.first_is_date if "first_is_date" in j.columns \
            else ibis.literal(False)
        filled[_CREATED_FLAG] = j.created_at.isnull().ifelse(
            j.first_at.notnull().ifelse(from_activity, ibis.null("boolean")), j[_CREATED_FLAG])
    return j.select(*[filled.get(c, j[c]).name(c) for c in d.columns])
