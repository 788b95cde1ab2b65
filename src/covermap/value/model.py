"""A value map file: the key players (personas) at a customer, what each values, and where
our products move it (DESIGN.md, "Value maps").

Per persona: objectives, metrics, strategies and issues (items with an id and a text in
English and, optionally, Japanese), apart from anything we sell; the high-impact questions
to ask; the title keywords and patterns that find the persona among contacts; the segments
and coverage-map cells where it matters. ``impacts`` then say which of our ``products``
moves which objective, metric or issue of which persona, with the value statement; the
``priority`` of personas (1 first) and of impacts within a persona is the hierarchy of
value.

>>> Text.model_validate("Throughput").en
'Throughput'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID = r"^[a-z][a-z0-9_]*$"
ITEM_KINDS: tuple[str, ...] = ("objectives", "metrics", "strategies", "issues")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Frozen):
    """A text in English and, optionally, Japanese; a plain string is the English text."""

    en: str = Field(min_length=1)
    ja: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, v: Any) -> Any:
        return {"en": v} if isinstance(v, str) else v

    def text(self, lang: str = "en") -> str:
        """The text in ``lang`` (``ja`` falls back to English)."""
        return (self.ja or self.en) if lang == "ja" else self.en


class Item(_Frozen):
    """An objective, metric, strategy, issue or question of a persona."""

    id: str = Field(pattern=ID)
    text: Text


class Titles(_Frozen):
    """How contacts' titles identify a persona. A keyword matches when the title contains
    it; a pattern is a regular expression (RE2 syntax, linear time) searched in the title.
    Both are compared after NFKC normalisation, case folding and collapsing whitespace."""

    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


class CrmValues(_Frozen):
    """Values of the contacts' ``persona`` / ``buying_role`` columns that mean this persona
    (compared as titles are)."""

    persona: tuple[str, ...] = ()
    buying_role: tuple[str, ...] = ()


class Persona(_Frozen):
    """A key player in the customer's organisation."""

    id: str = Field(pattern=ID)
    label: Text
    #: rank in the hierarchy of value: 1 is the player whose value matters most
    priority: int = Field(ge=1, le=1000)
    titles: Titles = Titles()
    crm: CrmValues = CrmValues()
    objectives: tuple[Item, ...] = ()
    metrics: tuple[Item, ...] = ()
    strategies: tuple[Item, ...] = ()
    issues: tuple[Item, ...] = ()
    questions: tuple[Item, ...] = ()
    #: where the persona matters (neither given: every account); an account counts when
    #: its segment is listed or one of its coverage-map cells is
    segments: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()

    def items(self, kind: str) -> tuple[Item, ...]:
        return getattr(self, kind)

    def item(self, kind: str, item_id: str) -> Item | None:
        return next((i for i in self.items(kind) if i.id == item_id), None)


class Product(_Frozen):
    """One of our products or services. ``catalog``: the store's product ids or names it
    stands for (checked against the store's products when a store is given)."""

    id: str = Field(pattern=ID)
    label: Text
    catalog: tuple[str, ...] = ()


class Moves(_Frozen):
    """The persona's items an impact moves, by id."""

    objectives: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> Moves:
        if not any(getattr(self, k) for k in ITEM_KINDS):
            raise ValueError("an impact moves at least one objective, metric, strategy or "
                             "issue of its persona")
        return self


class Impact(_Frozen):
    """Where a product has impact: the persona's items it moves and the value statement
    (what the customer gains or keeps, ideally quantified)."""

    persona: str
    product: str
    moves: Moves
    value: Text
    #: rank among the persona's impacts (1 first)
    priority: int = Field(1, ge=1, le=1000)


class ValueMap(_Frozen):
    """One value map file."""

    name: str = "Value map"
    personas: tuple[Persona, ...] = ()
    products: tuple[Product, ...] = ()
    impacts: tuple[Impact, ...] = ()
