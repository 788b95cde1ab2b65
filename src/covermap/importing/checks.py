"""The validation of one mapped file, as SQL over its rows.

``UnitSQL`` builds, for one ``Mapping``, a *checked* relation: the raw text of
each canonical column (``r_<col>``), its typed value (``x_<col>``), one boolean
per check (``__q<i>``) and ``__bad`` when any check fails; each TIMESTAMP column
also has ``f_<col>``, whether its value was only a calendar date (the store's
``<col>_is_date``). Every query of the import (profile, problems, upsert, insert)
reads that one relation, so a row is judged the same way everywhere. The checks,
in reporting order:

- a required column is blank                      ``account_id is required``
- a value does not convert                        ``close_date is not a date``
- a negative amount/duration/count                ``amount is negative``
- a date with a two-digit year (``24-03-04``, ``3/4/24``) that no ``date_format``
  read: ``close_date has a two-digit year: set date_format ...``
- an activity in January 1970 (epoch glitch)
  ``occurred_at is in January 1970, a Unix-epoch glitch``
- any other date outside the plausible range (the plan's ``import: dates:``, by
  default 1900-01-01 to 10 years after as_of): ``close_date is outside the
  plausible dates 1900-01-01 to 2034-06-30``; a 1965 activity is a date like any other
- an activity after as_of                         ``occurred_at is after as_of 2024-06-30``
  (an instant from the first moment after as_of in the plan's zone; a calendar
  date when it is later than as_of; not a date the range check already refused)
- a required reference that does not resolve      ``account_id not found in accounts``

References resolve against the store's table, which already holds the rows
this import loaded before (tables load in ``schema.TABLES`` order). Optional
references that do not resolve are kept and counted as unresolved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from covermap.importing import coerce
from covermap.importing.readers import ident, sql_str
from covermap.importing.recognise import Mapping
from covermap.store import schema

#: activities in January 1970 are the Unix epoch read wrongly (a zero, or milliseconds
#: read as seconds)
EPOCH_GLITCH = ("1970-01-01", "1970-02-01")
#: the plan key that sets the plausible range, as reasons name it
RANGE_KEY = "import: dates:"


def date_range(as_of: dt.date, earliest: dt.date = dt.date(1900, 1, 1),
               years_after: int = 10) -> tuple[dt.date, dt.date]:
    """(earliest, latest) plausible date: ``years_after`` years after ``as_of`` (29
    February becomes 28 February in a year that has none).

    >>> date_range(dt.date(2024, 2, 29))
    (datetime.date(1900, 1, 1), datetime.date(2034, 2, 28))
    """
    year = min(as_of.year + years_after, 9998)  # a day after it still is a date
    try:
        return earliest, as_of.replace(year=year)
    except ValueError:
        return earliest, as_of.replace(year=year, day=28)


def missing_reference(expr: str, reference: str) -> str:
    """SQL: ``expr`` holds a value that ``reference`` ("table.column") does not have."""
    table, column = reference.split(".")
    return (f"({expr} IS NOT NULL AND {expr} NOT IN (SELECT {ident(column)} FROM {ident(table)} "
            f"WHERE {ident(column)} IS NOT NULL))")


def key_text(columns: list[str]) -> str:
    """SQL: one text for a key of several columns (the columns as SQL expressions)."""
    if len(columns) == 1:
        return f"CAST({columns[0]} AS VARCHAR)"
    return "concat_ws(chr(31), " + ", ".join(columns) + ")"


@dataclass(frozen=True)
class Check:
    column: str
    label: str
    value: str
    condition: str
    reason: str
    #: SQL of a reason that names details of each row (over ``p``); else ``reason``
    reason_sql: str | None = None


class UnitSQL:
    """SQL for one mapping: typed values, checks, and the statements that use them."""

    def __init__(self, m: Mapping, *, cutoff: dt.datetime | None, as_of: dt.date | None,
                 dates: tuple[dt.date, dt.date] | None = None,
                 earlier: tuple[str, str] | None = None) -> None:
        """``earlier``: (SQL of the key texts an earlier file of this import loaded into
        the table, SQL of a reason naming that file and line over ``p``): rows with such
        an id are refused, so the first file's row stays."""
        self.m, self.t = m, m.table
        self.cols = [c for c in self.t.columns if c.name in m.exprs]
        self.checks: list[Check] = []
        #: optional references: counted when they do not resolve, never quarantined
        self.unresolved: list[schema.Column] = []
        #: SQL of the first moment after the plausible range ("" when there is none)
        self._end = ""
        for c in self.cols:
            r, x, label = f"r_{c.name}", f"x_{c.name}", m.labels.get(c.name, c.name)
            if c.required:  # a trimmed id of only spaces is as blank as an empty one
                blank = f"{x} IS NULL" if self._is_id(c) else f"NOT {coerce.present(r)}"
                self._check(c.name, label, r, blank, f"{c.name} is required")
            if c.type != schema.STRING:
                self._check(c.name, label, r, coerce.unparseable(r, x),
                            f"{c.name} is not {coerce.kind_word(c.type)}")
            if c.non_negative:
                self._check(c.name, label, r, f"{x} < 0", f"{c.name} is negative")
            if c.type in (schema.TIMESTAMP, schema.DATE):
                self._dates(c, label, dates)
            if self.t.event_time == c.name and cutoff is not None:
                # a calendar date is after as_of by its date, in every time zone; values
                # before both bounds (nearly all) skip the test of their kind (a CASE
                # evaluates each branch only on the rows left, AND/OR evaluate all)
                day_after = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
                first = min(cutoff, day_after)
                beyond = f" WHEN {x} >= {self._end} THEN false" if self._end else ""
                after = (f"CASE WHEN {x} < TIMESTAMP '{first:%Y-%m-%d %H:%M:%S}' "
                         f"THEN false{beyond} "
                         f"WHEN {self._flag(c)} THEN {x} >= TIMESTAMP "
                         f"'{day_after:%Y-%m-%d %H:%M:%S}' ELSE {x} >= TIMESTAMP "
                         f"'{cutoff:%Y-%m-%d %H:%M:%S}' END")
                self._check(c.name, label, r, after, f"{c.name} is after as_of {as_of}")
            if c.references:
                ref_table = c.references.split(".")[0]
                if c.required:
                    self._check(c.name, label, r, missing_reference(x, c.references),
                                f"{c.name} not found in {ref_table}")
                else:
                    self.unresolved.append(c)
        if earlier is not None:
            k = self.t.key[0]
            label = " / ".join(m.labels.get(c, c) for c in self.t.key)
            value = (f"r_{k}" if len(self.t.key) == 1 else
                     "concat_ws(' / ', " + ", ".join(f"r_{c}" for c in self.t.key) + ")")
            self._check(k, label, value, f"{key_text(self.keys)} IN ({earlier[0]})",
                        f"duplicate {' / '.join(self.t.key)}, already loaded from an earlier "
                        f"file of this import", reason_sql=earlier[1])

    def _is_id(self, c: schema.Column) -> bool:
        """Whether ``c`` holds ids (a key, a reference, an ``_id`` column): trimmed."""
        return c.type == schema.STRING and bool(c.name in self.t.key or c.references
                                                or c.name.endswith("_id"))

    def _dates(self, c: schema.Column, label: str, dates: tuple[dt.date, dt.date] | None
               ) -> None:
        """The checks of a date/time column: two-digit years, then (activities) the epoch
        glitch, then the plausible range. Each row fails one of them at most; values inside
        the range (nearly all) pass on the first test of a CASE."""
        r, x = f"r_{c.name}", f"x_{c.name}"
        two = coerce.two_digit_year(r, x)
        self._check(c.name, label, r, two,
                    f"{c.name} has a two-digit year: set date_format for this file in the "
                    f"plan's sources: (e.g. '%m/%d/%y'; %y reads 00-68 as 20xx, 69-99 as 19xx)")
        epoch = (f"({x} >= TIMESTAMP '{EPOCH_GLITCH[0]}' AND {x} < TIMESTAMP "
                 f"'{EPOCH_GLITCH[1]}')") if self.t.event_time == c.name else "false"
        if epoch != "false":
            self._check(c.name, label, r, epoch,
                        f"{c.name} is in January 1970, a Unix-epoch glitch")
        if dates is None:
            return
        earliest, latest = dates
        start = f"TIMESTAMP '{earliest:%Y-%m-%d}'"
        self._end = f"TIMESTAMP '{latest + dt.timedelta(days=1):%Y-%m-%d}'"
        outside = (f"CASE WHEN {x} >= {start} AND {x} < {self._end} THEN false "
                   f"WHEN {x} IS NULL OR {two} OR {epoch} THEN false ELSE true END")
        self._check(c.name, label, r, outside,
                    f"{c.name} is outside the plausible dates {earliest} to {latest} "
                    f"(the plan's {RANGE_KEY} sets them)")

    def _flag(self, c: schema.Column) -> str:
        """SQL (over the typed relation): whether the value of TIMESTAMP column ``c`` was
        only a calendar date."""
        return coerce.is_date(f"r_{c.name}", f"x_{c.name}", self.m.date_format)

    @property
    def _flagged(self) -> list[schema.Column]:
        return [c for c in self.cols if c.type == schema.TIMESTAMP]

    def _check(self, column: str, label: str, value: str, condition: str, reason: str,
               reason_sql: str | None = None) -> None:
        self.checks.append(Check(column, label, value, f"coalesce({condition}, false)", reason,
                                 reason_sql))

    @property
    def earlier_check(self) -> int | None:
        """The number of the check that refuses ids an earlier file loaded (``__q<i>``)."""
        return next((i for i, ch in enumerate(self.checks) if ch.reason_sql), None)

    @property
    def keys(self) -> list[str]:
        return [f"x_{k}" for k in self.t.key]

    def _typed(self, c: schema.Column) -> str:
        x = coerce.coerce(f"r_{c.name}", c.type, date_format=self.m.date_format,
                          decimal=self.m.decimal)
        if self._is_id(c):
            x = coerce.trimmed(x)
        if c.name in self.m.scale:
            x = f"CAST({x} * {self.m.scale[c.name]!r} AS {c.type})"
        return x

    def checked(self, scan: str, passthrough: tuple[str, ...] = (),
                extras: range | None = None) -> str:
        """SELECT of the checked relation over ``scan`` (a FROM-clause); ``passthrough``
        raw columns are carried along (for the problems table). ``extras``: the numbers of
        the extra columns it carries (default: all; a 5,000-column file's statements
        each carry a batch, so that none grows with the file's width)."""
        keep = "".join(f"{p}, " for p in passthrough)
        exprs = list(self.m.extras.values())
        picked = range(len(exprs)) if extras is None else extras
        raw = ", ".join([*(f"{self.m.exprs[c.name]} AS r_{c.name}" for c in self.cols),
                         *(f"{exprs[i]} AS e_{i}" for i in picked)])
        typed = ", ".join(f"{self._typed(c)} AS x_{c.name}" for c in self.cols)
        flags = ", ".join([*(f"{self._flag(c)} AS f_{c.name}" for c in self._flagged),
                           *(f"{ch.condition} AS __q{i}" for i, ch in enumerate(self.checks))])
        bad = " OR ".join(f"__q{i}" for i in range(len(self.checks))) or "false"
        return (f"SELECT *, {bad} AS __bad FROM (SELECT *{', ' if flags else ''}{flags} "
                f"FROM (SELECT *, {typed} FROM (SELECT {keep}{raw} FROM {scan} "
                f"AS s) AS r) AS x) AS q")

    def unresolved_counts(self, rows: str) -> str:
        """One row: per optional reference, the ``rows`` (store column names) whose value
        matches nothing in the referenced table."""
        counts = ", ".join(
            f"count(*) FILTER (WHERE {missing_reference(ident(c.name), c.references)})"
            for c in self.unresolved)
        return f"SELECT {counts} FROM {rows} AS own"

    def key_match(self, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{k} = {right}.{k}" for k in self.keys)

    def record(self) -> str:
        """JSON text of the raw row (header -> value), from the raw ``c<i>`` columns."""
        raw = self.m.raw
        if not raw.headers:
            return "'{}'"
        pairs = ", ".join(f"{sql_str(h)}, {c}" for h, c in zip(raw.headers, raw.columns))
        return f"CAST(json_object({pairs}) AS VARCHAR)"

    def insert_columns(self) -> tuple[list[str], list[str]]:
        """(store columns, expressions over the checked relation) for INSERT; the extra
        columns go to their side table (``importing.extras``)."""
        flagged = self._flagged
        names = [c.name for c in self.cols] + [schema.date_flag(c.name) for c in flagged]
        exprs = [f"x_{c.name}" for c in self.cols] + [f"f_{c.name}" for c in flagged]
        return names, exprs


def extra_inference(m: Mapping) -> str | None:
    """One row: for every extra column of ``m``, six flags: whether all its values cast
    to each of ``INFERRED_TYPES``, and whether it has any value at all."""
    if not m.extras:
        return None
    parts = []
    for expr in m.extras.values():
        v = f"trim({expr})"
        blank = f"({expr} IS NULL OR {v} = '')"
        parts += [f"bool_and({blank} OR ({test}))" for test in value_tests(v)]
        parts.append(f"coalesce(bool_or(NOT {blank}), false)")
    return f"SELECT {', '.join(parts)} FROM {m.raw.scan()} AS s"


def value_tests(v: str) -> list[str]:
    """SQL: whether the trimmed, non-blank text ``v`` fits each of ``INFERRED_TYPES``."""
    no_zero = f"NOT regexp_matches({v}, '^[-+]?0[0-9]')"  # ids and postcodes keep zeros
    return [f"regexp_full_match({v}, '[-+]?[0-9]{{1,18}}') AND {no_zero}",
            f"try_cast({v} AS DOUBLE) IS NOT NULL AND {no_zero}",
            f"try_cast({v} AS DATE) IS NOT NULL AND length({v}) <= 10",
            f"try_cast({v} AS TIMESTAMP) IS NOT NULL",
            f"lower({v}) IN ('true', 'false')"]


INFERRED_TYPES = (schema.INTEGER, schema.NUMBER, schema.DATE, schema.TIMESTAMP, schema.BOOLEAN)


def pick_type(flags: tuple[bool, ...], existing: str | None) -> str:
    """The store type of an extra column: the first type every value casts to (or the
    column's existing type when the values fit it), else VARCHAR."""
    fits = dict(zip(INFERRED_TYPES, flags[:5]))
    has_values = flags[5]
    if existing is not None:
        return existing if (existing == schema.STRING or not has_values
                            or fits.get(existing)) else schema.STRING
    if not has_values:
        return schema.STRING
    return next((t for t in INFERRED_TYPES if fits[t]), schema.STRING)
