"""The time model (DESIGN.md): as_of, the window of complete months, buckets, local dates.

>>> w = Window.ending(dt.date(2026, 11, 15), months=6)
>>> (w.start.isoformat(), w.end.isoformat())
('2026-05-01', '2026-10-31')
>>> Window.ending(dt.date(2026, 10, 31), months=1).start.isoformat()
'2026-10-01'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.errors import AnalysisError
from covermap.store import schema
from covermap.store.arrow import scalar, to_pylist


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` shifted by whole months, on the first of the month (d must be a 1st)."""
    index = d.year * 12 + d.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(d: dt.date) -> dt.date:
    return add_months(month_start(d), 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """The evaluation window: ``window_months`` complete calendar months ending on or
    before ``as_of``. ``start`` and ``end`` are inclusive dates."""

    as_of: dt.date
    start: dt.date
    end: dt.date
    months: int

    @classmethod
    def ending(cls, as_of: dt.date, months: int) -> Window:
        """The window for ``as_of``: a month is complete when its last day <= as_of."""
        end = as_of if month_end(as_of) == as_of else month_start(as_of) - dt.timedelta(days=1)
        start = add_months(month_start(end), -(months - 1))
        return cls(as_of=as_of, start=start, end=end, months=months)

    def month_starts(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(self.months)]


@ibis.udf.scalar.builtin(name="timezone")
def _at_zone_utc(zone: str, ts: dt.datetime) -> dt.datetime:  # naive UTC -> instant
    """DuckDB/PostgreSQL timezone(zone, timestamp): read a wall-clock time in ``zone``."""


@ibis.udf.scalar.builtin(name="timezone")
def _wall_clock(zone: str, ts: ibis.dtype("timestamp('UTC')")) -> dt.datetime:
    """DuckDB/PostgreSQL timezone(zone, timestamptz): the wall-clock time in ``zone``."""


def date_flag(t: ir.Table, column: str) -> ir.BooleanValue:
    """The store's ``<column>_is_date`` flag of ``t`` (true: the value is only a calendar
    date); NULL, read as an instant, when ``t`` has no such column (a store or a
    derived table made without it)."""
    name = schema.date_flag(column)
    return t[name] if name in t.columns else ibis.null("boolean")


def local_date(ts: ir.TimestampValue, timezone: str,
               is_date: ir.BooleanValue) -> ir.DateValue:
    """The calendar date of a stored timestamp in ``timezone`` (DESIGN.md, "Time model"):
    ``CAST(ts AS DATE)`` where ``is_date`` is true (a calendar date is that date in every
    zone), else the wall-clock date in ``timezone`` of ``ts`` read as naive UTC."""
    if timezone == "UTC":
        return ts.date()
    instant = _at_zone_utc("UTC", ts).cast("timestamp('UTC')")
    return is_date.fill_null(False).ifelse(ts.date(), _wall_clock(timezone, instant).date())


def local_date_of(t: ir.Table, column: str, timezone: str) -> ir.DateValue:
    """:func:`local_date` of ``t[column]`` with its own date flag."""
    return local_date(t[column], timezone, date_flag(t, column))


def with_local_dates(t: ir.Table, timezone: str) -> ir.Table:
    """``t`` with each flagged TIMESTAMP column replaced by its local date (for rules,
    which compare dates)."""
    cols = {c: local_date_of(t, c, timezone) for c in t.columns
            if schema.date_flag(c) in t.columns and t[c].type().is_timestamp()}
    return t.mutate(**cols) if cols else t


def extreme_date(t: ir.Table, column: str, timezone: str, which: str) -> dt.date | None:
    """The earliest (``which="min"``) or latest (``"max"``) local date of ``t[column]``.
    Local dates are monotonic within each kind of value, so only the extreme instant and
    the extreme calendar date are converted, not every row."""
    ts = t[column]
    if timezone == "UTC":
        return as_date(scalar(getattr(ts, which)().date()))
    flag = date_flag(t, column).fill_null(False)
    row = to_pylist(t.aggregate(
        day=getattr(ts, which)(where=flag).date(),
        moment=local_date(getattr(ts, which)(where=~flag), timezone, ibis.literal(False)),
    ))[0]
    found = [d for d in (as_date(row["day"]), as_date(row["moment"])) if d is not None]
    return (min if which == "min" else max)(found) if found else None


def resolve_as_of(activities: ir.Table, plan_as_of: dt.date | None, timezone: str,
                  override: dt.date | None = None) -> dt.date:
    """``override``, else the plan's as_of, else the date of the latest activity."""
    if override is not None:
        return override
    if plan_as_of is not None:
        return plan_as_of
    latest = extreme_date(activities, "occurred_at", timezone, "max")
    if latest is None:
        raise AnalysisError("the store has no activities, so there is no default as_of; "
                            "import activities or pass --as-of YYYY-MM-DD")
    return latest


def date_literal(d: dt.date) -> ir.DateScalar:
    return ibis.literal(d, type="date")


def as_date(value: object) -> dt.date | None:
    """A plain date from what a backend returns for a date (datetime, pandas Timestamp, NaT)."""
    if value is None or value != value:  # NaT / NaN are not equal to themselves
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value  # type: ignore[return-value]


def resolve_window(store, plan, as_of: dt.date | None = None,
                   window_months: int | None = None) -> Window:
    """The window an analysis runs over: ``as_of`` (else the plan's, else the latest
    activity's date) and ``window_months`` (else the plan's)."""
    day = resolve_as_of(store.table("activities"), plan.as_of, plan.timezone, as_of)
    return Window.ending(day, window_months or plan.window_months)
