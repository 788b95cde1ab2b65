"""Buckets of the time model: ISO weeks, calendar months and quarters, as tiny tables.

A bucket is one period of a standard's ``per``. Only buckets lying wholly inside
the window are measured; the worklist also looks at the last complete bucket
(the latest ending on or before ``as_of``, which may lie after the window's end
or start before it) and the current one (the bucket holding ``as_of + 1 day``,
still in progress). Bucket lists are built here in Python because they are a
handful of rows; every per-account computation crosses them with the store as
an Ibis ``memtable``.

>>> w = Window.ending(dt.date(2026, 3, 31), months=2)
>>> [(b.start.isoformat(), b.end.isoformat()) for b in buckets_in(w, "week")][:2]
[('2026-02-02', '2026-02-08'), ('2026-02-09', '2026-02-15')]
>>> last_complete("quarter", dt.date(2026, 3, 30)).start.isoformat()
'2025-10-01'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis.expr.types as ir

from covermap.engine.window import Window, add_months, month_end, month_start
from covermap.store.arrow import memtable

PERS: tuple[str, ...] = ("week", "month", "quarter")
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Bucket:
    """One period ``[start, end]`` (inclusive dates) of a standard's ``per``."""

    per: str
    start: dt.date
    end: dt.date

    @property
    def eval_date(self) -> dt.date:
        """The evaluation date of the state that holds in this bucket: the day before it."""
        return self.start - _DAY


def bucket_of(per: str, day: dt.date) -> Bucket:
    """The bucket of ``per`` that contains ``day``."""
    if per == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Bucket(per, start, start + dt.timedelta(days=6))
    if per == "month":
        return Bucket(per, month_start(day), month_end(day))
    if per == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Bucket(per, start, add_months(start, 3) - _DAY)
    raise ValueError(f"unknown period {per!r}; periods are: {', '.join(PERS)}")


def buckets_in(window: Window, per: str) -> list[Bucket]:
    """Buckets of ``per`` lying wholly inside the window, in date order."""
    out: list[Bucket] = []
    b = bucket_of(per, window.start)
    if b.start < window.start:
        b = bucket_of(per, b.end + _DAY)
    while b.end <= window.end:
        out.append(b)
        b = bucket_of(per, b.end + _DAY)
    return out


def last_complete(per: str, as_of: dt.date) -> Bucket:
    """The latest bucket of ``per`` ending on or before ``as_of``."""
    b = bucket_of(per, as_of)
    return b if b.end == as_of else bucket_of(per, b.start - _DAY)


def current(per: str, as_of: dt.date) -> Bucket:
    """The bucket in progress after ``as_of``: the one containing ``as_of + 1 day``."""
    return bucket_of(per, as_of + _DAY)


def small_table(columns: dict[str, Sequence], schema: dict[str, str]) -> ir.Table:
    """A memtable with an explicit schema (works for zero rows too), built without pandas
    (``covermap.store.arrow.memtable``)."""
    return memtable({name: list(values) for name, values in columns.items()}, schema)


def bucket_table(buckets: Iterable[Bucket]) -> ir.Table:
    """``per, bucket_start, bucket_end, eval_date`` for the given buckets."""
    rows = sorted(set(buckets))
    return small_table(
        {"per": [b.per for b in rows], "bucket_start": [b.start for b in rows],
         "bucket_end": [b.end for b in rows], "eval_date": [b.eval_date for b in rows]},
        {"per": "string", "bucket_start": "date", "bucket_end": "date", "eval_date": "date"},
    )


def bucket_start_of(day: ir.DateValue, per: str) -> ir.DateValue:
    """Start of the ``per`` bucket holding ``day`` (ISO weeks start on Monday)."""
    unit = {"week": "W", "month": "M", "quarter": "Q"}[per]
    return day.truncate(unit)


def month_key(day: ir.DateValue) -> ir.StringValue:
    """``YYYY-MM`` of a date, the key of the month rollup."""
    return day.strftime("%Y-%m")


def window_month_keys(window: Window) -> list[str]:
    return [m.strftime("%Y-%m") for m in window.month_starts()]
