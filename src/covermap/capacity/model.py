"""The plan sections of capacity and assignment: ``segments``, ``capacity`` and ``assign``.

- ``segments[]``: ``{id, label, rule}``, first match wins (the rule language of states, over
  account columns and derived facts on ``as_of``); none: the accounts' ``segment`` column.
- ``capacity``: ``working_weeks``, ``tolerance`` (relative difference between bottom-up and
  top-down beyond which the trade-off is shown), ``benchmark`` (per role: ARR or customers
  per person), ``journeys`` (per segment, its touchpoints) and ``stages`` (the stages the
  journeys are meant to cover; default: those any journey has a touchpoint at).
- ``assign``: the constraints of ``covermap assign``.

>>> tp = Touchpoint.model_validate({"name": "qbr", "stage": "retain", "role": "csm",
...                                 "minutes": 60, "prep_minutes": 30, "per_year": 4})
>>> tp.hours_per_year
6.0
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from covermap.plan.model import Label


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Segment(_Frozen):
    """One segment: the accounts its ``rule`` matches (and no earlier segment's)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    label: Label | None = None
    rule: str


class Touchpoint(_Frozen):
    """A journey touchpoint: ``minutes`` (+ ``prep_minutes`` of preparation and follow-up)
    by ``role`` at ``stage``, ``per_year`` times a year or ``once`` per stage entry (counted
    once a year per customer)."""

    name: str = Field(min_length=1)
    stage: str
    role: str
    minutes: float = Field(ge=0)
    prep_minutes: float = Field(0.0, ge=0)
    per_year: float | None = Field(None, ge=0)
    once: bool = False

    @model_validator(mode="after")
    def _one_frequency(self) -> Touchpoint:
        if (self.per_year is None) == (not self.once):
            raise ValueError("give exactly one of `per_year` (times a year) or `once: true` "
                             "(once per stage entry)")
        return self

    @property
    def frequency(self) -> float:
        return 1.0 if self.once else float(self.per_year)

    @property
    def hours_per_year(self) -> float:
        """Hours per customer per year of this touchpoint."""
        return (self.minutes + self.prep_minutes) * self.frequency / 60


class Benchmark(_Frozen):
    """Top-down headcount per role: segment ARR ÷ ``arr_per_person[role]``, or customers ÷
    ``customers_per_person[role]``."""

    arr_per_person: dict[str, float] = {}
    customers_per_person: dict[str, float] = {}

    @model_validator(mode="after")
    def _positive_once(self) -> Benchmark:
        for key in ("arr_per_person", "customers_per_person"):
            for role, v in getattr(self, key).items():
                if v <= 0:
                    raise ValueError(f"{key}.{role} must be more than 0 (got {v})")
        both = set(self.arr_per_person) & set(self.customers_per_person)
        if both:
            raise ValueError(f"role {sorted(both)[0]!r} has both arr_per_person and "
                             f"customers_per_person; give one")
        return self


class Capacity(_Frozen):
    """The ``capacity`` section (module doc)."""

    working_weeks: float = Field(46, gt=0, le=53)
    tolerance: float = Field(0.1, ge=0)
    benchmark: Benchmark = Benchmark()
    journeys: dict[str, tuple[Touchpoint, ...]] = {}
    #: the journey stages the segments' journeys are meant to cover: a segment with no
    #: touchpoint at one of them is a journey gap. None: every stage some segment's journey
    #: has a touchpoint at (so a CS journey is not asked for lead or deal stages)
    stages: tuple[str, ...] | None = None

    def covered_stages(self, journey_stages: list[str]) -> list[str]:
        """The stages journey gaps are judged on, in journey order."""
        if self.stages is not None:
            return [s for s in journey_stages if s in self.stages]
        used = {tp.stage for tps in self.journeys.values() for tp in tps}
        return [s for s in journey_stages if s in used]


class Assign(_Frozen):
    """Constraints of ``covermap assign``: ``people_per_account``: how many distinct people
    of the role cover each account (default 1; above 1 the role must not be
    ``single_holder``); ``match_region``: a person covers only accounts of their region (when both are
    known); ``specialists``: user_id -> the only segments they may cover; ``locked``: accounts
    that keep their current people; ``max_accounts``: per person; ``move_penalty``: cost of
    moving one account, in utilisation points (0.01 = one percent of a person's capacity)."""

    people_per_account: int = Field(1, ge=1, le=20)
    match_region: bool = False
    specialists: dict[str, tuple[str, ...]] = {}
    locked: tuple[str, ...] = ()
    max_accounts: int | None = Field(None, ge=1)
    move_penalty: float = Field(0.01, ge=0)
    scope: Literal["customers", "all"] = "customers"
