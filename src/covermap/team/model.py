"""The plan sections of the account coverage model: ``journey``, ``raci`` and ``handoffs``.

A RACI letter says what a role does at a stage: ``R`` responsible, ``A`` accountable,
``C`` consulted, ``I`` informed; a role with no letter has no part there. A segment
override sets the letters of the roles it names and keeps the others; ``-`` removes one.

>>> raci = Raci.model_validate({"won": {"csm": "R", "ae": "A"},
...                             "segments": {"smb": {"won": {"ae": "-", "is": "A"}}}})
>>> raci.letters("won"), raci.letters("won", "smb")
({'csm': 'R', 'ae': 'A'}, {'csm': 'R', 'is': 'A'})
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from covermap.plan.model import Label

Letter = Literal["R", "A", "C", "I"]
OverrideLetter = Literal["R", "A", "C", "I", "-"]
RESPONSIBLE: tuple[str, ...] = ("R", "A")
#: days a hand-off's "what followed" looks ahead for the next state (DESIGN.md)
FOLLOW_DAYS = 90


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stage(_Frozen):
    """One journey stage: the customer states it holds and the skills it requires."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    states: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


class Journey(_Frozen):
    """The ordered journey stages; ``phase_out_days``: how long a member whose part ended
    with a stage may stay on the account before it is ``stayed_on``."""

    stages: tuple[Stage, ...] = ()
    phase_out_days: int = Field(14, ge=0, le=3650)

    def stage_of(self, state: str) -> str | None:
        """The stage holding ``state`` (None: in no stage)."""
        return next((s.id for s in self.stages if state in s.states), None)


class Raci(BaseModel):
    """``stage -> role -> letter``, plus ``segments: {segment: {stage: {role: letter}}}``
    overrides (``-`` removes a role's letter for that segment)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    # every key but ``segments`` is a stage, validated as role -> letter
    __pydantic_extra__: dict[str, dict[str, Letter]]

    segments: dict[str, dict[str, dict[str, OverrideLetter]]] = {}

    @property
    def stages(self) -> dict[str, dict[str, str]]:
        """``stage -> role -> letter`` before segment overrides."""
        return dict(self.__pydantic_extra__ or {})

    def letters(self, stage: str, segment: str | None = None) -> dict[str, str]:
        """``role -> letter`` at ``stage`` for accounts of ``segment`` (overrides applied)."""
        out = dict(self.stages.get(stage, {}))
        for role, letter in self.segments.get(segment, {}).get(stage, {}).items() \
                if segment is not None else ():
            if letter == "-":
                out.pop(role, None)
            else:
                out[role] = letter
        return out


class HandoffWhen(_Frozen):
    """The event that starts a hand-off: an account entering a ``state`` or a ``stage``."""

    state: str | None = None
    stage: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> HandoffWhen:
        if (self.state is None) == (self.stage is None):
            raise ValueError("give exactly one of `state` (an account entering that state) "
                             "or `stage` (entering that journey stage)")
        return self


class Handoff(_Frozen):
    """When an account enters ``when``, role ``to`` takes over from role ``from``; ``to``'s
    first human touch is due within ``within_days``. ``baton``: ownership passes and
    ``from`` leaves the account team; ``paired``: both stay."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    when: HandoffWhen
    from_: str = Field(alias="from")
    to: str
    within_days: int = Field(ge=0, le=3650)
    model: Literal["baton", "paired"] = "baton"
