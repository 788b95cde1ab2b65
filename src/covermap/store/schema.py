"""The canonical tables of the store (DESIGN.md, "Canonical data").

Each table has a key (its id column, or several for link tables), the columns
it may hold with their store types, which of them are required, and which
columns refer to rows of other tables. Keys are the source system's ids, kept
as strings. Importers, the sample generator and the engine all read this one
description; nothing else spells out a column list.

Every TIMESTAMP column has a companion BOOLEAN store column ``<column>_is_date``
(``date_flag``): per value, true when the source gave only a calendar date (that
date in every time zone), false for an instant (converted to the plan's time zone
before its date is taken), NULL when the value is NULL or was loaded before the
flag existed (read as an instant). Companions are not canonical columns: no source
column maps onto them, and they are never extra columns or rule names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Store types, in DuckDB spelling. Money is DECIMAL(18,2); moments are UTC
# TIMESTAMPs; calendar dates are DATEs.
STRING = "VARCHAR"
INTEGER = "BIGINT"
NUMBER = "DOUBLE"
MONEY = "DECIMAL(18,2)"
BOOLEAN = "BOOLEAN"
TIMESTAMP = "TIMESTAMP"
DATE = "DATE"

#: the suffix of a TIMESTAMP column's companion flag (see the module docstring)
DATE_FLAG_SUFFIX = "_is_date"


def date_flag(column: str) -> str:
    """The companion flag of TIMESTAMP column ``column``.

    >>> date_flag("created_at")
    'created_at_is_date'
    """
    return column + DATE_FLAG_SUFFIX


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    #: "table.column" this column refers to, when it is a foreign key.
    references: str | None = None
    #: numbers that must not be negative (amounts, durations, counts)
    non_negative: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    #: extra (non-canonical) columns are kept and usable in rules
    keeps_extra_columns: bool = False
    #: the column whose dates bound "as_of" checks (rows after as_of are quarantined)
    event_time: str | None = None
    aliases: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def date_flags(self) -> tuple[Column, ...]:
        """The companion flag column of each TIMESTAMP column."""
        return tuple(Column(date_flag(c.name), BOOLEAN) for c in self.columns
                     if c.type == TIMESTAMP)

    @property
    def store_columns(self) -> tuple[Column, ...]:
        """Every column the store's table holds: the canonical ones, then the flags."""
        return (*self.columns, *self.date_flags)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, type_: str = STRING, **kw) -> Column:
    return Column(name, type_, **kw)


ACCOUNTS = Table(
    "accounts",
    key=("account_id",),
    columns=(
        _c("account_id", required=True),
        _c("name", required=True),
        _c("domain"), _c("industry"), _c("country"), _c("region"),
        _c("employees", INTEGER, non_negative=True),
        _c("annual_revenue", MONEY, non_negative=True),
        _c("arr", MONEY, non_negative=True),
        _c("lifecycle_stage"),
        _c("owner_id", references="users.user_id"),
        _c("parent_account_id"),
        _c("is_target", BOOLEAN),
        _c("created_at", TIMESTAMP),
        _c("churned_at", TIMESTAMP),
        _c("segment"),
    ),
    keeps_extra_columns=True,
    aliases=("account", "companies", "company", "organizations"),
)

CONTACTS = Table(
    "contacts",
    key=("contact_id",),
    columns=(
        _c("contact_id", required=True),
        _c("account_id", references="accounts.account_id"),
        _c("name"), _c("email"), _c("title"), _c("persona"), _c("buying_role"),
        _c("lifecycle_stage"), _c("lead_status"),
        _c("lead_score", NUMBER),
        _c("created_at", TIMESTAMP),
    ),
    aliases=("contact", "people", "leads"),
)

USERS = Table(
    "users",
    key=("user_id",),
    columns=(
        _c("user_id", required=True),
        _c("name", required=True),
        _c("email"), _c("role"), _c("team"), _c("region"),
        _c("hours_per_week", NUMBER, non_negative=True),
        _c("active", BOOLEAN),
    ),
    aliases=("user", "owners", "owner", "sales_teams", "sf_user"),
)

ACCOUNT_TEAM = Table(
    "account_team",
    key=("account_id", "user_id", "role"),
    columns=(
        _c("account_id", required=True, references="accounts.account_id"),
        _c("user_id", required=True, references="users.user_id"),
        _c("role", required=True),
        _c("start_date", DATE),
        _c("end_date", DATE),
    ),
    aliases=("account_team_member", "account_team_members", "accountteammember"),
)

PRODUCTS = Table(
    "products",
    key=("product_id",),
    columns=(
        _c("product_id", required=True),
        _c("name", required=True),
        _c("family"),
        _c("complexity"),
        _c("list_price", MONEY, non_negative=True),
    ),
    aliases=("product", "product_2", "product2"),
)

DEALS = Table(
    "deals",
    key=("deal_id",),
    columns=(
        _c("deal_id", required=True),
        _c("account_id", required=True, references="accounts.account_id"),
        _c("name"), _c("stage"),
        _c("is_closed", BOOLEAN),
        _c("is_won", BOOLEAN),
        _c("amount", MONEY, non_negative=True),
        _c("currency"),
        _c("created_at", TIMESTAMP),
        _c("close_date", DATE),
        _c("owner_id", references="users.user_id"),
        _c("channel"),
        _c("deal_type"),
    ),
    aliases=("deal", "opportunities", "opportunity", "sales_pipeline"),
)

DEAL_LINES = Table(
    "deal_lines",
    key=("line_id",),
    columns=(
        _c("line_id", required=True),
        _c("deal_id", required=True, references="deals.deal_id"),
        _c("product_id", references="products.product_id"),
        _c("quantity", NUMBER, non_negative=True),
        _c("amount", MONEY, non_negative=True),
    ),
    aliases=("deal_line", "line_items", "line_item", "opportunity_line_item",
             "opportunity_line_items", "opportunitylineitem"),
)

ACTIVITIES = Table(
    "activities",
    key=("activity_id",),
    columns=(
        _c("activity_id", required=True),
        _c("account_id", required=True, references="accounts.account_id"),
        _c("kind", required=True),
        _c("occurred_at", TIMESTAMP, required=True),
        _c("contact_id", references="contacts.contact_id"),
        _c("deal_id", references="deals.deal_id"),
        _c("user_id", references="users.user_id"),
        _c("direction"), _c("outcome"),
        _c("duration_minutes", NUMBER, non_negative=True),
        _c("content_stage"), _c("subject"),
    ),
    event_time="occurred_at",
    aliases=("activity", "engagements", "engagement", "tasks", "task", "events", "event"),
)

DEAL_CONTACTS = Table(
    "deal_contacts",
    key=("deal_id", "contact_id"),
    columns=(
        _c("deal_id", required=True, references="deals.deal_id"),
        _c("contact_id", required=True, references="contacts.contact_id"),
        _c("role"),
        _c("is_primary", BOOLEAN),
    ),
    aliases=("deal_contact", "opportunity_contact_role", "opportunity_contact_roles",
             "opportunitycontactrole"),
)

#: Tables in load order: a table comes after every table it refers to.
TABLES: tuple[Table, ...] = (
    USERS, ACCOUNTS, CONTACTS, PRODUCTS, DEALS, DEAL_LINES, ACCOUNT_TEAM, DEAL_CONTACTS, ACTIVITIES,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

#: The store's bookkeeping tables (not canonical data).
QUARANTINE = "quarantine"
IMPORTS = "imports"


def table(name: str) -> Table:
    """The canonical table called ``name`` (KeyError when there is none)."""
    return TABLES_BY_NAME[name]


#: every companion flag name of any table (never an extra column or a rule name)
DATE_FLAG_NAMES: frozenset[str] = frozenset(f.name for t in TABLES for f in t.date_flags)
