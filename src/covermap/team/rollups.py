"""The account coverage model rolled up per customer group and per territory (``team --by
group`` and ``--by territory``; keys, customers, ARR and the state mix:
``covermap.engine.rollups``).

Columns: ``key, name, parent, accounts, customers, arr``, then ``with_gap``,
``with_duplicate``, ``with_over_coverage``, ``with_silent`` (accounts with at least one
such finding on ``as_of``), ``handoffs``, ``on_time``, ``late``, ``dropped``, ``pending``
(the hand-offs of the window started on the key's accounts), then ``state_mix``.
"""

from __future__ import annotations

import ibis.expr.types as ir

from covermap.engine import rollups
from covermap.team.tables import TeamResult

FINDINGS = {"with_gap": "gaps", "with_duplicate": "duplicates",
            "with_over_coverage": "over_coverage", "with_silent": "silent_members"}
STATUSES = ("on_time", "late", "dropped", "pending")
COLUMNS = (*rollups.KEY_COLUMNS, *FINDINGS, "handoffs", *STATUSES, "state_mix")


def rollup(result: TeamResult, by: str) -> ir.Table:
    """The roll-up table ``by`` group or territory (module doc), ordered by key."""
    h = result.handoffs
    per = h.group_by("account_id").aggregate(
        handoffs=h.count(), **{s: h.count(where=h.status == s) for s in STATUSES})
    acc = result.accounts.select("account_id", "state", *FINDINGS.values())
    acc = acc.left_join(per, "account_id").drop("account_id_right")

    def flagged(column: str):
        return lambda j: (j[column].fill_null(0) > 0).sum().cast("int64")

    def total(column: str):
        return lambda j: j[column].fill_null(0).sum().cast("int64")

    return rollups.rollup(acc, result.store, result.plan, result.as_of, by, {
        **{name: flagged(column) for name, column in FINDINGS.items()},
        "handoffs": total("handoffs"), **{s: total(s) for s in STATUSES}})
