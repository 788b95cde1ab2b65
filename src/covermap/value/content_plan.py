"""The plan's content per customer state (issue 12, point 7; seed 003): which content stages
(communication purposes) a state calls for, and through which channel classes.

A state's ``content`` lists entries ``{stage: Education, channels: [digital]}``; an entry
with no ``channels`` accepts both classes.

>>> ContentEntry.model_validate({"stage": "Relation", "channels": ["human"]}).accepts("human")
True
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ContentStage = Literal["Education", "Solution", "Selection", "Negotiation", "Relation"]
CONTENT_STAGES: tuple[str, ...] = ("Education", "Solution", "Selection", "Negotiation",
                                   "Relation")


class ContentEntry(BaseModel):
    """One content stage a state calls for, and the channel classes that carry it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: ContentStage
    channels: tuple[Literal["human", "digital"], ...] = ()

    def accepts(self, channel: str) -> bool:
        """Whether a touch of ``channel`` carrying this stage is on plan."""
        return not self.channels or channel in self.channels


def check_content(entries: tuple[ContentEntry, ...]) -> tuple[ContentEntry, ...]:
    """Each stage at most once in a state's content."""
    seen: set[str] = set()
    for e in entries:
        if e.stage in seen:
            raise ValueError(f"content stage {e.stage} is listed twice; list each stage once "
                             f"with all its channels")
        seen.add(e.stage)
    return entries
