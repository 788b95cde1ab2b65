"""The plan: how the company intends to cover its customers, as typed, immutable values.

A plan is data, never code. ``covermap.plan.load`` turns YAML into these
models and reports problems with the file's line and key; rules stay strings
here and are parsed and type-checked by ``covermap.plan.rules``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from covermap.errors import did_you_mean
from covermap.plan.base import Frozen as _Frozen
from covermap.store import schema
from covermap.value.content_plan import ContentEntry, check_content

Channel = Literal["human", "digital"]
ChannelClass = Literal["human", "digital", "none"]
Per = Literal["week", "month", "quarter"]




class Label(_Frozen):
    """A name in English and, optionally, Japanese; a plain string is the English name
    (``label: Customer`` is ``label: {en: Customer}``)."""

    en: str
    ja: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return {"en": value} if isinstance(value, str) else value


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
    #: the content stages this state calls for (covermap.value.content_plan; issue 12)
    content: Annotated[tuple[ContentEntry, ...], AfterValidator(check_content)] = ()


class Source(_Frozen):
    """How one of the user's own files maps onto a canonical table.

    ``columns`` maps canonical column -> source column (one source column may
    feed several canonical ones), or -> a list of source columns whose values,
    joined with `` | ``, make it (a key for a file without ids: ``[name, closedate]``);
    ``values`` maps canonical column -> {source value: canonical value} applied after
    the column mapping.
    """

    file: str
    table: str
    columns: dict[str, str | tuple[str, ...]] = {}
    values: dict[str, dict[str, str | bool | int | float | None]] = {}
    #: fixed values for canonical columns the file does not have
    constants: dict[str, str | bool | int | float] = {}
    date_format: str | None = None
    #: the decimal mark of numbers in this file: "," reads 1.234,5 as 1234.5
    decimal: Literal[".", ","] = "."
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        try:
            # a text encoding Python knows (rot13 and base64 are codecs, not encodings)
            if v is not None and not getattr(codecs.lookup(v), "_is_text_encoding", True):
                raise LookupError(v)
        except LookupError:
            raise ValueError(f"unknown encoding {v!r}; use one such as utf-8, utf-8-sig, "
                             f"cp932, shift_jis, euc-jp, cp1252, latin-1 or utf-16") from None
        return v

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, v: str | None) -> str | None:
        if v is not None and (len(v) != 1 or v in "\"\r\n"):
            raise ValueError(f"delimiter must be one character other than a quote or a line "
                             f"break (such as \",\", \";\", \"|\" or \"\\t\"), not {v!r}")
        return v

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


#: tables whose records have a natural key (covermap.importing.duplicates.NATURAL_KEYS)
DEDUPLICATED_TABLES = ("accounts", "contacts", "users", "products", "deals", "activities")


class DuplicatePolicy(_Frozen):
    """Which file's copy is kept when two files of one import hold the same record
    under different ids (``covermap.importing.duplicates``)."""

    #: the file (a name or glob, as in ``sources``) whose copies are kept; default: the
    #: first file in sorted order
    prefer: str | None = None


class ImportDates(_Frozen):
    """The plausible range of imported dates: a date/time value before ``earliest`` or
    more than ``latest_years_after_as_of`` years after as_of (today when the plan sets
    none) is quarantined (``covermap.importing.checks``)."""

    earliest: dt.date = dt.date(1900, 1, 1)
    latest_years_after_as_of: int = Field(10, ge=0, le=1000)


class ImportSettings(_Frozen):
    """How values are judged at import."""

    dates: ImportDates = ImportDates()


def stage_key(value: str) -> str:
    """How deal stage values are compared: case, spaces and punctuation do not matter
    (``covermap.importing.stages.stage_key_sql`` is the same in SQL).

    >>> stage_key("Closed/Won") == stage_key("closedwon") == stage_key(" CLOSED  won ")
    True
    """
    return re.sub(r"[ \t\n\r\f\v\u3000!-/:-@\[-`{-~]+", "", value.strip().lower())


class DealStages(_Frozen):
    """Which deal stage values are won, lost (closed) or open, beyond the built-in ones
    (Salesforce's, HubSpot's, plain Won/Lost); values compare without case, spaces or
    punctuation. A deal's own is_won/is_closed value wins over its stage."""

    won: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()
    open: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _each_stage_once(self) -> DealStages:
        seen: dict[str, str] = {}
        for outcome in ("won", "lost", "open"):
            for value in getattr(self, outcome):
                key = stage_key(value)
                if not key:
                    raise ValueError(f"{outcome}: a stage value must not be empty")
                if key in seen and seen[key] != outcome:
                    raise ValueError(f"stage {value!r} is listed under both {seen[key]} and "
                                     f"{outcome}; list it once")
                seen[key] = outcome
        return self


class DealSettings(_Frozen):
    """How deals are read. ``created_at_fallback``: what a deal without ``created_at``
    opens on: ``none`` (it never counts as open) or ``earliest_activity`` (the date of
    its earliest activity linked by deal_id)."""

    created_at_fallback: Literal["none", "earliest_activity"] = "none"

    @field_validator("created_at_fallback", mode="before")
    @classmethod
    def _null_is_none(cls, v: object) -> object:
        return "none" if v is None else v


class Dashboard(_Frozen):
    """``covermap serve``: ``row_level`` limits the accounts a signed-in viewer or editor
    sees in pages, JSON and CSV exports: ``book`` (or ``true``) to their own book (accounts
    they own or are on the account team of, by the ``user_id`` the dashboard's users file
    gives them); ``territory`` to the accounts of their territories and of every territory
    below them (the users file's ``territories``)."""

    row_level: bool | Literal["book", "territory"] = False

    @property
    def row_level_by(self) -> str | None:
        """``book``, ``territory``, or None when every user sees every account."""
        return "book" if self.row_level is True else (self.row_level or None)


class Territory(_Frozen):
    """One territory: the accounts its ``rule`` matches (a rule over account columns) and
    no earlier territory's; ``parent``: the territory it rolls up into."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    label: Label | None = None
    rule: str
    parent: str | None = None


def _territory_tree(v: tuple[Territory, ...]) -> tuple[Territory, ...]:
    ids = [t.id for t in v]
    for i, t in enumerate(v):
        if t.id in ids[:i]:
            raise ValueError(f"territory {t.id!r} is defined twice")
        if t.parent is not None and t.parent not in ids:
            raise ValueError(f"territory {t.id!r}: unknown parent {t.parent!r};"
                             f"{did_you_mean(t.parent, ids)} territories are: {', '.join(ids)}")
    parent = {t.id: t.parent for t in v}
    for t in v:
        seen, x = [t.id], parent[t.id]
        while x is not None:
            if x in seen:
                raise ValueError(f"territory parents form a cycle: {' → '.join([*seen, x])}")
            seen.append(x)
            x = parent[x]
    return v


class Leads(_Frozen):
    """Which contacts are leads (``lead_count``, ``max_lead_score``): those matching
    ``rule``, a rule over contact columns; no rule: every contact."""

    rule: str | None = None


class Role(_Frozen):
    """A role of ours. ``skills``: what its people can do (``journey`` stages require
    them); ``single_holder``: at most one person of it per account, or with
    ``single_holder_scope: group`` per customer group (``covermap.team.queries``);
    ``hours_per_week`` and ``engagement_share`` (of those hours spent with customers) are
    used by capacity."""

    id: str
    label: Label
    skills: tuple[str, ...] = ()
    single_holder: bool = True
    single_holder_scope: Literal["account", "group"] = "account"
    hours_per_week: float | None = Field(None, gt=0, le=168)
    engagement_share: float | None = Field(None, ge=0, le=1)

    @field_validator("single_holder_scope")
    @classmethod
    def _scope_of_single(cls, v: str, info: ValidationInfo) -> str:
        if v == "group" and info.data.get("single_holder") is False:
            raise ValueError("group applies to a single-holder role only; set "
                             "single_holder: true, or leave out single_holder_scope")
        return v


OWNER_TEAM_PREFIX = "account_team:"
LATEST_DEAL = "latest_deal"


def _owner_source(v: str) -> str:
    if v == LATEST_DEAL or (v.startswith(OWNER_TEAM_PREFIX) and v[len(OWNER_TEAM_PREFIX):]):
        return v
    raise ValueError(f"unknown owner source {v!r}; use {LATEST_DEAL} or "
                     f"{OWNER_TEAM_PREFIX}<role> (e.g. {OWNER_TEAM_PREFIX}csm)")


class AccountOwners(_Frozen):
    """Where an account's owner comes from when ``accounts.owner_id`` is empty: each
    ``fallback`` source is tried in turn (see ``covermap.engine.owners``).

    - ``account_team:<role>``: the account-team member of that role in force on as_of
      (the most recent start_date first, an empty one counting as earliest; then the
      smallest user_id);
    - ``latest_deal``: the owner of the account's latest deal with an owner, created on
      or before as_of (latest created_at, then close_date, then deal_id).

    The default ``[]`` uses ``accounts.owner_id`` only, so no owner is ever guessed
    unless the plan says so.
    """

    fallback: tuple[Annotated[str, AfterValidator(_owner_source)], ...] = ()

    def team_roles(self) -> list[str]:
        return [f.removeprefix(OWNER_TEAM_PREFIX) for f in self.fallback
                if f.startswith(OWNER_TEAM_PREFIX)]


# after Label: covermap.team.model imports it (the team section's models live there)
from covermap.capacity.model import Assign, Capacity, Segment  # noqa: E402
from covermap.coverage.model import Outcomes, Worklist  # noqa: E402
from covermap.map.model import CoverageMap  # noqa: E402
from covermap.team.model import Handoff, Journey, Raci  # noqa: E402


class Plan(_Frozen):
    """A whole coverage plan."""

    name: str = "Coverage plan"
    as_of: dt.date | None = None
    window_months: int = Field(6, ge=1, le=120)
    timezone: str = "UTC"
    roles: tuple[Role, ...] = ()
    #: source role name (Salesforce UserRole, HubSpot team, account-team role) -> plan
    #: role id; case-insensitive, ``*`` and ``?`` are wildcards (covermap.importing.roles)
    role_names: dict[str, str] = {}
    owners: AccountOwners = AccountOwners()
    activity_kinds: dict[str, ActivityKind]
    states: tuple[State, ...]
    coverage_map: CoverageMap | None = None
    worklist: Worklist = Worklist()
    outcomes: Outcomes = Outcomes()
    sources: tuple[Source, ...] = ()
    #: table -> which file's copy of a record two files both hold is kept
    duplicates: dict[str, DuplicatePolicy] = {}
    deal_stages: DealStages = DealStages()
    deals: DealSettings = DealSettings()
    leads: Leads = Leads()
    #: the plan key ``import:`` (a Python keyword, hence the field name)
    import_: ImportSettings = Field(ImportSettings(), alias="import")
    #: the account coverage model (covermap.team.model)
    journey: Journey = Journey()
    raci: Raci = Raci()
    handoffs: tuple[Handoff, ...] = ()
    #: capacity and assignment (covermap.capacity.model); no segments: the segment column
    segments: tuple[Segment, ...] = ()
    #: territories by rule, first match wins, each optionally inside a parent territory
    territories: Annotated[tuple[Territory, ...], AfterValidator(_territory_tree)] = ()
    capacity: Capacity = Capacity()
    assign: Assign = Assign()
    #: the dashboard's settings (covermap.serve)
    dashboard: Dashboard = Dashboard()

    @field_validator("duplicates")
    @classmethod
    def _dedupable_tables(cls, v: dict[str, DuplicatePolicy]) -> dict[str, DuplicatePolicy]:
        for table in v:
            if table not in DEDUPLICATED_TABLES:
                raise ValueError(f"duplicates: table {table!r} has no natural key to match "
                                 f"records by;{did_you_mean(table, DEDUPLICATED_TABLES)} "
                                 f"tables are: {', '.join(DEDUPLICATED_TABLES)}")
        return v

    @field_validator("role_names")
    @classmethod
    def _known_role_targets(cls, v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        ids = [r.id for r in info.data.get("roles", ())]
        for name, role in v.items():
            if not name.strip():
                raise ValueError("a source role name must not be empty")
            if ids and role not in ids:
                raise ValueError(f"{name!r} maps to unknown role {role!r}; roles are: "
                                 f"{', '.join(ids)}")
        return v

    @field_validator("owners")
    @classmethod
    def _known_owner_roles(cls, v: AccountOwners, info: ValidationInfo
                            ) -> AccountOwners:
        ids = [r.id for r in info.data.get("roles", ())]
        for i, source in enumerate(v.fallback):
            role = source.removeprefix(OWNER_TEAM_PREFIX)
            if ids and source.startswith(OWNER_TEAM_PREFIX) and role not in ids:
                raise ValueError(f"fallback[{i}] {source!r}: unknown role {role!r}; roles "
                                 f"are: {', '.join(ids)}")
        return v

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
