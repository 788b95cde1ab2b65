"""The plan sections of coverage measurement: ``worklist`` and ``outcomes``.

The standard itself (states, their entries and owners) is the plan's core, shared by
every analysis, and lives in ``covermap.plan.model``.
"""

from __future__ import annotations

from pydantic import Field

from covermap.plan.base import Frozen


class Worklist(Frozen):
    """What the worklist ranks by (an account measure, arr by default) and which states'
    accounts it lists (empty: every state with a standard)."""

    value_measure: str = "arr"
    states: tuple[str, ...] = ()


class Outcomes(Frozen):
    """Compliance bands and horizons for relating coverage to what followed."""

    months_after: int = Field(6, ge=1)
    #: band edges as fractions: [0.5, 0.8] -> <50%, 50-80%, >=80%
    bands: tuple[float, ...] = (0.5, 0.8)
