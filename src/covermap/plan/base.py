"""What every plan section's model shares: plan values are immutable, unknown keys errors."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """A plan value: immutable, and a key it does not define is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
