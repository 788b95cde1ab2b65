"""Coverage rolled up per customer group and per territory (``coverage --by group`` and
``--by territory``; keys, customers, ARR and the state mix: ``covermap.engine.rollups``).

Columns: ``key, name, parent, accounts, customers, arr, checks, passed, compliance,
touched, breadth, state_mix``; ``compliance`` is the micro-average of the accounts' checks
(passed checks / checks), ``breadth`` touched accounts / accounts.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.coverage.measure import CoverageResult
from covermap.engine import rollups

COLUMNS = (*rollups.KEY_COLUMNS, "checks", "passed", "compliance", "touched", "breadth",
           "state_mix")


def rollup(result: CoverageResult, by: str) -> ir.Table:
    """The roll-up table ``by`` group or territory (module doc), ordered by key."""
    acc = result.accounts.select("account_id", "state", "checks", "passed", "touched")
    t = rollups.rollup(acc, result.store, result.plan, result.window.as_of, by, {
        "checks": lambda j: j.checks.sum(), "passed": lambda j: j.passed.sum(),
        "touched": lambda j: j.touched.sum().cast("int64")})
    return t.select(
        *rollups.KEY_COLUMNS, "checks", "passed",
        compliance=(t.checks > 0).ifelse(t.passed / t.checks, ibis.null("float64")),
        touched=t.touched, breadth=t.touched / t.accounts, state_mix=t.state_mix)
