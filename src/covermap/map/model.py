"""The plan section of the customer coverage map: ``coverage_map``.

The 3x3 grid is product complexity x customer value, each cell with the channel the
plan intends for it; value tiers come from an account measure or from rules.
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from covermap.plan.base import Frozen

Complexity = Literal["simple", "bundled", "customised"]
ValueTier = Literal["low", "medium", "high"]
COMPLEXITIES: tuple[str, ...] = ("simple", "bundled", "customised")
VALUE_TIERS: tuple[str, ...] = ("low", "medium", "high")


class ValueTiers(Frozen):
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


class PriorityWeights(Frozen):
    """How much each return and friction signal counts when ranking map cells."""

    revenue: float = 1.0
    revenue_per_hour: float = 1.0
    win_rate: float = 1.0
    cycle: float = 1.0
    misaligned: float = 1.0


class CoverageMap(Frozen):
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
    #: whose value places an account: its own, or its customer group's (the group's total
    #: of the measure; with rules, the highest tier of the group's accounts), so a
    #: subsidiary of a large group is a high-value customer
    value_at: Literal["account", "group"] = "account"

    @field_validator("channels")
    @classmethod
    def _full_grid(cls, v: dict) -> dict:
        missing = [f"{c}/{t}" for c in COMPLEXITIES for t in VALUE_TIERS
                   if t not in v.get(c, {})]
        if missing:
            raise ValueError(f"every cell needs an intended channel; missing: {', '.join(missing)}")
        return v
