"""Write one result value of a kind as the text a person reads (terminal, HTML, XLSX).

Empty values (None, NaN, NaT, pandas NA, "") become the column's empty text,
never ``nan``/``None``/``NaT``. Values come back unescaped: each front end
escapes for its medium once (Rich markup in :mod:`covermap.render.terminal`,
HTML by Jinja's autoescape).

>>> f = Formats(currency="USD")
>>> format_value(1234567.4, Kind.money, f), format_value(0.4, Kind.percent, f)
('USD 1,234,567', '40.0%')
>>> format_value(float("nan"), Kind.count, f), format_value(12345, Kind.count, f)
('', '12,345')
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from covermap.engine.states import UNCLASSIFIED
from covermap.render.columns import MONEY_MEASURES, Column, Kind, humanize


@dataclass(frozen=True)
class Formats:
    """What formatting needs beyond the value: the plan's currency (a code such as
    ``USD`` or a sign such as ``$``), whether money shows cents, state labels, user
    names (id -> name) and the worklist's value measure."""

    currency: str = ""
    cents: bool = False
    states: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[str, str] = field(default_factory=dict)
    value_measure: str = ""

    @classmethod
    def for_plan(cls, plan: Any, users: Mapping[str, str] | None = None, *,
                 cents: bool = False) -> Formats:
        """Formats for results of ``plan`` (its currency, state labels, value measure)."""
        states = {s.id: s.label.en for s in plan.states}
        states.setdefault(UNCLASSIFIED, "Unclassified")
        currency = plan.coverage_map.currency if plan.coverage_map is not None else "USD"
        return cls(currency=currency, cents=cents, states=states, users=dict(users or {}),
                   value_measure=plan.worklist.value_measure)

    def measure_kind(self) -> Kind:
        """The kind of the worklist's value measure: money when it is an amount."""
        return Kind.money if self.value_measure in MONEY_MEASURES else Kind.number

    def header(self, col: Column) -> str:
        """The column's header with the value measure's name filled in."""
        return col.header.replace("{measure}", humanize(self.value_measure or "value"))


def is_empty(value: Any) -> bool:
    """None, "", NaN, NaT or pandas NA (all that a backend returns for an empty value)."""
    if value is None or (isinstance(value, str) and value == ""):
        return True
    if isinstance(value, float | decimal.Decimal):
        return math.isnan(value)
    try:
        return bool(value != value)  # NaT and numpy NaN are not equal to themselves
    except (TypeError, ValueError):  # pandas NA refuses bool()
        return True


def money(amount: float, currency: str, *, cents: bool = False) -> str:
    """``USD 1,234`` for a currency code, ``$1,234`` / ``-$1,234`` for a sign.

    >>> money(-1500, "$"), money(1500.5, "EUR", cents=True), money(3, "")
    ('-$1,500', 'EUR 1,500.50', '3')
    """
    digits = f"{abs(amount):,.2f}" if cents else f"{abs(round(amount)):,.0f}"
    sign = "-" if amount < 0 and digits.strip("0.,") else ""
    if not currency:
        return f"{sign}{digits}"
    if currency.isalpha() and currency.isascii():
        return f"{currency} {sign}{digits}"
    return f"{sign}{currency}{digits}"


def _named(ident: str, name: Any) -> str:
    if is_empty(name) or str(name) == ident:
        return ident
    return f"{name} ({ident})"


def format_value(value: Any, kind: Kind, formats: Formats, *, name: Any = None,
                 empty: str = "") -> str:
    """``value`` of ``kind`` as text. ``name`` is the name beside an id (account, user:
    ``Jane Roe (005A)``); text already formatted (e.g. ``no standard``) stays as it is."""
    if is_empty(value):
        return empty
    if isinstance(value, str) and kind not in (Kind.text, Kind.user, Kind.account, Kind.state,
                                               Kind.date):
        return value
    if kind is Kind.measure:
        kind = formats.measure_kind()
    match kind:
        case Kind.money:
            return money(float(value), formats.currency, cents=formats.cents)
        case Kind.percent:
            return f"{float(value):.1%}"
        case Kind.count:
            return f"{round(float(value)):,}"
        case Kind.number:
            return f"{float(value):,.1f}"
        case Kind.people:
            return f"{float(value):,.2f}"
        case Kind.days:
            days = float(value)
            return f"{round(days):,}" if days.is_integer() else f"{days:,.1f}"
        case Kind.date:
            if isinstance(value, dt.date | dt.datetime):
                return value.isoformat()[:10]
            return str(value)[:10]
        case Kind.flag:
            return "yes" if bool(value) else "no"
        case Kind.state:
            return formats.states.get(str(value), str(value))
        case Kind.user:
            ident = str(value)
            return _named(ident, name if not is_empty(name) else formats.users.get(ident))
    # text and account ids: a whole float (as pandas returns an int column with gaps) has no
    # trailing ".0"
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return _named(text, name)


def format_cell(row: Mapping[str, Any], name: str, col: Column, formats: Formats) -> str:
    """The text of column ``name`` in ``row`` (a dict of one result row)."""
    other = row.get(col.name_from) if col.name_from else None
    return format_value(row.get(name), col.kind, formats, name=other, empty=col.empty)
