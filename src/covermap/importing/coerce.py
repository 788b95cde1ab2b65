"""SQL that turns source text into store types, and says when it could not.

Every source value arrives as VARCHAR; these builders return DuckDB expressions
over it. A value that is present but does not convert becomes NULL in the typed
expression, so "present and NULL after conversion" is the failure test.

- Dates and timestamps: ISO 8601 (``2024-01-31``, ``2024-01-31T09:30:00``), with
  ``Z`` or an offset converted to UTC; ``2024/1/31``; Japanese ``2024年1月31日`` and
  era dates ``令和6年1月31日`` / ``平成31年4月30日`` / ``令和元年5月1日`` (optionally
  with ``10時30分``); any strptime ``date_format`` a plan's source names
  (``%m/%d/%Y`` for US exports); epoch milliseconds (``1719799200000``, as HubSpot's
  API writes them). The session time zone must be UTC.
- Two-digit years: ``24-03-04`` and ``3/4/24`` are ambiguous (DuckDB would read year 24
  or year 3 AD), so ``two_digit_year`` finds them for the checks to quarantine, unless
  the source's ``date_format`` reads them: its ``%y`` pivots at 69 (``68`` is 2068,
  ``69`` is 1969), as C's strptime does.
- Whether a date/time value is only a calendar date (``is_date``): it is unless it
  carries a time of day (``10:30``, ``10時30分``, epoch milliseconds, or a
  ``date_format`` with a time directive that matched it). DESIGN.md "Time model":
  a calendar date is that date in every zone, an instant is converted.
- Numbers: plain, or with thousands separators and currency signs (``$1,234.50``,
  ``¥1,000``, ``1,000円``); ``1.234,5`` only when the source says ``decimal: ","``.
  A whole number is never rounded or read as hex/binary (``12.7``, ``0x10`` and
  ``0b101`` do not convert); ``nan`` and ``inf`` are no numbers.
- Ids (keys and references): leading and trailing whitespace is trimmed (``trimmed``),
  the same way in a key and in every reference to it.
- Booleans: true/false, t/f, yes/no, y/n, 1/0 (any case); other words (``Won``)
  through a plan's value map.
"""

from __future__ import annotations

import re

from covermap.store import schema

#: Temporary macros the expressions below call; created once per import session.
MACROS = (
    # year/month/day(/hour/minute/second) of a Japanese date, with its era if any
    r"""CREATE OR REPLACE TEMP MACRO cm_ja_parts(v) AS regexp_extract(
          translate(v, '０１２３４５６７８９：', '0123456789:'),
          '^\s*(令和|平成|昭和|大正)?\s*(元|[0-9]{1,4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日'
          || '\s*(?:([0-9]{1,2})\s*[:時]\s*([0-9]{1,2})\s*分?(?:\s*:?\s*([0-9]{1,2})\s*秒?)?)?\s*$',
          ['era', 'y', 'm', 'd', 'hh', 'mi', 'ss'])""",
    # an era's years start at 1 (元): 令和0年 is no year
    """CREATE OR REPLACE TEMP MACRO cm_ja_year(p) AS
          CASE p.era WHEN '令和' THEN 2018 WHEN '平成' THEN 1988 WHEN '昭和' THEN 1925
                     WHEN '大正' THEN 1911 ELSE 0 END
          + CASE WHEN p.y = '元' THEN 1 WHEN p.era <> '' AND try_cast(p.y AS INTEGER) = 0
                 THEN NULL ELSE try_cast(p.y AS INTEGER) END""",
    """CREATE OR REPLACE TEMP MACRO cm_ja_ts_of(p) AS CASE WHEN p.y <> '' THEN try_cast(
          printf('%04d-%02d-%02d %02d:%02d:%02d', cm_ja_year(p), try_cast(p.m AS INTEGER),
                 try_cast(p.d AS INTEGER), coalesce(try_cast(nullif(p.hh, '') AS INTEGER), 0),
                 coalesce(try_cast(nullif(p.mi, '') AS INTEGER), 0),
                 coalesce(try_cast(nullif(p.ss, '') AS INTEGER), 0)) AS TIMESTAMP) END""",
    """CREATE OR REPLACE TEMP MACRO cm_ja_ts(v) AS
          CASE WHEN contains(v, '年') THEN cm_ja_ts_of(cm_ja_parts(v)) END""",
    # a timestamp with an explicit Z/offset, which must be converted to UTC (a plain
    # TIMESTAMP cast would silently drop it); cheap tests first, the regex only for
    # the few long values with a minus after the time
    r"""CREATE OR REPLACE TEMP MACRO cm_has_offset(v) AS contains(v, '+') OR suffix(v, 'Z')
          OR (length(v) > 19
              AND regexp_matches(v, ':[0-9]{2}(\.[0-9]+)?\s*-[0-9]{2}(:?[0-9]{2})?$'))""",
    # `@AccountRef1`: a Salesforce tree-import reference to the record whose id
    # (referenceId) is AccountRef1
    """CREATE OR REPLACE TEMP MACRO cm_ref(v) AS CASE WHEN starts_with(v, '@')
          AND regexp_matches(v, '^@[A-Za-z0-9_]+$') THEN substr(v, 2) ELSE v END""",
    # DuckDB wants seconds and no space before the offset: "10:00 +09:00" -> "10:00:00+09:00"
    r"""CREATE OR REPLACE TEMP MACRO cm_tz_norm(v) AS regexp_replace(
          regexp_replace(trim(v), '\s+([+-][0-9]{2}(:?[0-9]{2})?|Z)$', '\1'),
          '([T ][0-9]{1,2}:[0-9]{2})([+-]|Z)', '\1:00\2')""",
    """CREATE OR REPLACE TEMP MACRO cm_tz_ts(v) AS coalesce(
          CAST(try_cast(v AS TIMESTAMPTZ) AS TIMESTAMP),
          CAST(try_cast(cm_tz_norm(v) AS TIMESTAMPTZ) AS TIMESTAMP))""",
    # epoch milliseconds: 12 or 13 digits (1973 to 2286)
    r"""CREATE OR REPLACE TEMP MACRO cm_is_epoch_ms(v) AS regexp_full_match(trim(v),
          '[0-9]{12,13}')""",
    """CREATE OR REPLACE TEMP MACRO cm_epoch_ts(v) AS CASE WHEN cm_is_epoch_ms(v)
          THEN make_timestamp(CAST(trim(v) AS BIGINT) * 1000) END""",
    """CREATE OR REPLACE TEMP MACRO cm_bool(v) AS CASE
          WHEN lower(trim(v)) IN ('true', 't', 'yes', 'y', '1') THEN TRUE
          WHEN lower(trim(v)) IN ('false', 'f', 'no', 'n', '0') THEN FALSE END""",
)

_CURRENCY = r"[$¥￥€£]|USD|JPY|EUR|GBP|円"
_SIGNS = rf"^\s*-?\s*({_CURRENCY})?\s*-?\s*"
_TAIL = rf"\s*({_CURRENCY})?\s*$"
#: a number written with thousands separators and/or a currency sign
_GROUPED = {
    ".": _SIGNS + r"([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?" + _TAIL,
    ",": _SIGNS + r"([0-9]+|[0-9]{1,3}(\.[0-9]{3})+)(,[0-9]+)?" + _TAIL,
}


def literal(value: object) -> str:
    """A SQL literal for a plan value (as text: every raw value is VARCHAR)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    return "'" + str(value).replace("'", "''") + "'"


def value_map(expr: str, mapping: dict[str, object]) -> str:
    """``expr`` through a plan value map; ``"*"`` is the value for anything unlisted."""
    default = literal(mapping["*"]) if "*" in mapping else expr
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in mapping.items()
                     if k != "*")
    return f"(CASE {expr} {whens} ELSE {default} END)" if whens else f"({default})"


def timestamp(expr: str, date_format: str | None = None) -> str:
    """A TIMESTAMP (UTC) from text. Each CASE branch only sees the rows the ones before
    left, so the common ISO form costs one cast and the fallbacks cost nothing."""
    first = (f"WHEN try_strptime(trim({expr}), {literal(date_format)}) IS NOT NULL "
             f"THEN try_strptime(trim({expr}), {literal(date_format)}) ") if date_format else ""
    return (f"(CASE {first}WHEN cm_has_offset({expr}) "
            f"THEN cm_tz_ts({expr}) "
            f"WHEN try_cast({expr} AS TIMESTAMP) IS NOT NULL THEN try_cast({expr} AS TIMESTAMP) "
            f"ELSE coalesce(try_cast(trim({expr}) AS TIMESTAMP), cm_ja_ts({expr}), "
            f"cm_epoch_ts({expr})) END)")


#: strptime directives that read a time of day
_TIME_DIRECTIVES = re.compile(r"%[HIMSpTRXcfsz]")


def is_date(expr: str, typed: str, date_format: str | None = None) -> str:
    """SQL: whether text ``expr``, converted to ``typed`` by :func:`timestamp`, was only a
    calendar date (NULL when ``typed`` is NULL). Judged per value: ``2024-07-01`` is a
    date; ``2024-07-01 00:00``, ``...Z``, ``10時``, epoch milliseconds are instants."""
    # one WHEN per test: a CASE tests each only on the rows still undecided (an OR would
    # run every test, the regex too, on every row)
    timed = [f"contains({expr}, ':')", f"contains({expr}, '時')", f"cm_is_epoch_ms({expr})"]
    if date_format and _TIME_DIRECTIVES.search(date_format):
        timed.insert(0, f"try_strptime(trim({expr}), {literal(date_format)}) IS NOT NULL")
    whens = " ".join(f"WHEN {t} THEN false" for t in timed)
    return f"(CASE WHEN {typed} IS NULL THEN NULL {whens} ELSE true END)"


def _cast(text: str, type_: str) -> str:
    """``text`` cast to number type ``type_``, NULL unless the value is exactly that: a
    whole number only when the text's value is whole (DuckDB would round ``12.7`` and
    read ``0x10`` as hex, which DOUBLE does not), a DOUBLE only when finite."""
    if type_ == schema.INTEGER:
        whole = f"try_cast({text} AS {type_})"
        return f"(CASE WHEN try_cast({text} AS DOUBLE) = {whole} THEN {whole} END)"
    if type_ == schema.NUMBER:
        double = f"try_cast({text} AS DOUBLE)"
        return f"(CASE WHEN isfinite({double}) THEN {double} END)"
    return f"try_cast({text} AS {type_})"


def number(expr: str, type_: str, decimal: str = ".") -> str:
    """A number of store type ``type_`` from text with optional separators and currency."""
    strip = f"regexp_replace({expr}, '\\s|{_CURRENCY}|[{',' if decimal == '.' else '.'}]', '', 'g')"
    cleaned = strip if decimal == "." else f"replace({strip}, ',', '.')"
    grouped = f"CASE WHEN regexp_matches({expr}, {literal(_GROUPED[decimal])}) THEN {cleaned} END"
    slow = _cast(grouped, type_)
    if decimal == ",":  # never read "1.234" as one point two when the source says so
        return f"({slow})"
    fast = _cast(expr, type_)
    return f"(CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {slow} END)"


#: characters an id is trimmed of: ASCII whitespace, no-break and ideographic spaces
_ID_SPACE = " \t\r\n\u00a0\u3000"


def trimmed(expr: str) -> str:
    """An id without leading/trailing whitespace; NULL when nothing is left. An id that
    starts with a printable ASCII character and ends in no space (nearly all) is kept as
    it is after cheap tests: ``trim`` with a character list costs ten times more."""
    ends = " OR ".join(f"suffix({expr}, {literal(ch)})" for ch in _ID_SPACE)
    return (f"(CASE WHEN {expr} >= '!' AND {expr} < '~' AND NOT ({ends}) THEN {expr} "
            f"ELSE nullif(trim({expr}, {literal(_ID_SPACE)}), '') END)")


#: a date written with three parts of one or two digits: no part can be a year of four
_TWO_DIGIT_YEAR = r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{1,2}([T ].*)?"


def two_digit_year(expr: str, typed: str) -> str:
    """SQL: text ``expr`` converted (to ``typed``) as a date with a two-digit year, which
    DuckDB reads as a year before 100 AD. Only those rare values meet the pattern test."""
    return (f"(CASE WHEN {typed} IS NULL OR {typed} >= TIMESTAMP '0100-01-01' THEN false "
            f"ELSE regexp_full_match(trim({expr}), {literal(_TWO_DIGIT_YEAR)}) END)")


def coerce(expr: str, type_: str, *, date_format: str | None = None,
           decimal: str = ".") -> str:
    """``expr`` (text) as store type ``type_``; NULL when it does not convert."""
    if type_ == schema.STRING:
        return expr
    if type_ == schema.TIMESTAMP:
        return timestamp(expr, date_format)
    if type_ == schema.DATE:
        return f"CAST({timestamp(expr, date_format)} AS DATE)"
    if type_ == schema.BOOLEAN:
        return f"cm_bool({expr})"
    return number(expr, type_, decimal)


def present(expr: str) -> str:
    """SQL: the text holds a value (not NULL, not blank). A value whose first byte is
    above the space is present without trimming (the common case, and cheap)."""
    return f"(CASE WHEN {expr} IS NULL THEN false WHEN {expr} >= '!' THEN true " \
           f"ELSE trim({expr}) <> '' END)"


def unparseable(raw: str, typed: str) -> str:
    """SQL: ``raw`` holds a value but ``typed`` (its conversion) is NULL."""
    return f"({typed} IS NULL AND {present(raw)})"


def kind_word(type_: str) -> str:
    """How a reason names what a value of ``type_`` should have been."""
    return {schema.TIMESTAMP: "a date/time", schema.DATE: "a date", schema.BOOLEAN: "true/false",
            schema.INTEGER: "a whole number"}.get(type_, "a number")
