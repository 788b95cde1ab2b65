"""The plan: how the company intends to cover its customers, as typed, immutable values.

A plan is data, never code. ``covermap.plan.load`` turns YAML into these
models and reports problems with the file's line and key; rules stay strings
here and are parsed and type-checked by ``covermap.plan.rules``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from covermap.errors import did_you_mean
from covermap.store import schema

Channel = Literal["human", "digital"]
ChannelClass = Literal["human", "digital", "none"]
Per = Literal["week", "month", "quarter"]
Complexity = Literal["simple", "bundled", "customised"]
ValueTier = Literal["low", "medium", "high"]
COMPLEXITIES: tuple[str, ...] = ("simple", "bundled", "customised")
VALUE_TIERS: tuple[str, ...] = ("low", "medium", "high")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(_Frozen):
    """A name in English and, optionally, Japanese."""

    en: str
    ja: str | None = None


class ActivityKind(_Frozen):
    """How one activity kind counts: its channel class, intensity weight and which
    outcomes make it a touch (empty: every outcome counts; no outcome always counts)."""

    channel: ChannelClass
    weight: float = Field(1.0, ge=0)
    outcomes: tuple[str, ...] = ()
    #: minutes assumed for cost to serve when an activity has no duration
    minutes: float = Field(0.0, ge=0)


class StandardEntry(_Frozen):
    """``min`` touches of ``channel`` per bucket, by people in one of the ``by`` roles."""

    channel: Channel
    min: int = Field(ge=1)
    per: Per
    by: tuple[str, ...] = ()

    def describe(self) -> str:
        who = f" by {'/'.join(self.by)}" if self.by else ""
        return f"{self.min} {self.channel} touch{'es' if self.min != 1 else ''}{who} per {self.per}"


class State(_Frozen):
    """A customer state: the first state (in plan order) whose rule matches wins."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    rule: str
    purpose: str = ""
    owners: tuple[str, ...] = ()
    standard: tuple[StandardEntry, ...] = ()


class Source(_Frozen):
    """How one of the user's own files maps onto a canonical table.

    ``columns`` maps canonical column -> source column (one source column may
    feed several canonical ones); ``values`` maps canonical column -> {source
    value: canonical value} applied after the column mapping.
    """

    file: str
    table: str
    columns: dict[str, str] = {}
    values: dict[str, dict[str, str | bool | int | float | None]] = {}
    #: fixed values for canonical columns the file does not have
    constants: dict[str, str | bool | int | float] = {}
    date_format: str | None = None
    #: the decimal mark of numbers in this file: "," reads 1.234,5 as 1234.5
    decimal: Literal[".", ","] = "."
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @field_validator("table")
    @classmethod
    def _known_table(cls, v: str) -> str:
        if v not in schema.TABLES_BY_NAME:
            raise ValueError(f"unknown table {v!r};{did_you_mean(v, schema.TABLES_BY_NAME)} "
                             f"tables are: {', '.join(schema.TABLES_BY_NAME)}")
        return v

    @model_validator(mode="after")
    def _known_columns(self) -> Source:
        known = schema.table(self.table).column_names
        extra_ok = schema.table(self.table).keeps_extra_columns
        for col in [*self.columns, *self.values, *self.constants]:
            if col not in known and not extra_ok:
                raise ValueError(f"table {self.table} has no column {col!r};"
                                 f"{did_you_mean(col, known)} columns are: {', '.join(known)}")
        return self


class ValueTiers(_Frozen):
    """Customer value by an account measure: value >= high -> high, >= medium -> medium,
    else low (a value exactly on a threshold belongs to the higher tier). Or by rules."""

    measure: str = "annual_revenue"
    medium: float | None = None
    high: float | None = None
    #: optional rules instead of thresholds: tier -> rule (first match high, medium)
    rules: dict[ValueTier, str] = {}

    @model_validator(mode="after")
    def _thresholds_or_rules(self) -> ValueTiers:
        if not self.rules:
            if self.medium is None or self.high is None:
                raise ValueError("give both thresholds `medium` and `high`, or `rules`")
            if self.medium > self.high:
                raise ValueError(f"medium ({self.medium}) must not exceed high ({self.high})")
        return self


class PriorityWeights(_Frozen):
    """How much each return and friction signal counts when ranking map cells."""

    revenue: float = 1.0
    revenue_per_hour: float = 1.0
    win_rate: float = 1.0
    cycle: float = 1.0
    misaligned: float = 1.0


class CoverageMap(_Frozen):
    """The 3x3 customer coverage map: complexity x value with an intended channel each."""

    value: ValueTiers = ValueTiers(measure="annual_revenue", medium=10_000_000, high=100_000_000)
    #: a deal with two or more distinct products is bundled
    derive_bundled: bool = True
    #: complexity -> value tier -> intended channel
    channels: dict[Complexity, dict[ValueTier, str]]
    currency: str = "USD"
    #: units of `currency` per unit of another currency
    fx_rates: dict[str, float] = {}
    priority_weights: PriorityWeights = PriorityWeights()

    @field_validator("channels")
    @classmethod
    def _full_grid(cls, v: dict) -> dict:
        missing = [f"{c}/{t}" for c in COMPLEXITIES for t in VALUE_TIERS
                   if t not in v.get(c, {})]
        if missing:
            raise ValueError(f"every cell needs an intended channel; missing: {', '.join(missing)}")
        return v


class Worklist(_Frozen):
    """What the worklist ranks by (an account measure, arr by default) and which states'
    accounts it lists (empty: every state with a standard)."""

    value_measure: str = "arr"
    states: tuple[str, ...] = ()


class Outcomes(_Frozen):
    """Compliance bands and horizons for relating coverage to what followed."""

    months_after: int = Field(6, ge=1)
    #: band edges as fractions: [0.5, 0.8] -> <50%, 50-80%, >=80%
    bands: tuple[float, ...] = (0.5, 0.8)


class Role(_Frozen):
    id: str
    label: Label


class Plan(_Frozen):
    """A whole coverage plan."""

    name: str = "Coverage plan"
    as_of: dt.date | None = None
    window_months: int = Field(6, ge=1, le=120)
    timezone: str = "UTC"
    roles: tuple[Role, ...] = ()
    activity_kinds: dict[str, ActivityKind]
    states: tuple[State, ...]
    coverage_map: CoverageMap | None = None
    worklist: Worklist = Worklist()
    outcomes: Outcomes = Outcomes()
    sources: tuple[Source, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}; use an IANA name such as UTC or "
                             f"Asia/Tokyo") from None
        return v

    @field_validator("states")
    @classmethod
    def _some_states(cls, v: tuple[State, ...]) -> tuple[State, ...]:
        if not v:
            raise ValueError("a plan needs at least one state")
        return v

    def state(self, state_id: str) -> State:
        for s in self.states:
            if s.id == state_id:
                return s
        raise KeyError(state_id)

    def kinds_of(self, channel: ChannelClass) -> list[str]:
        """Activity kinds mapped to ``channel``."""
        return sorted(k for k, v in self.activity_kinds.items() if v.channel == channel)
