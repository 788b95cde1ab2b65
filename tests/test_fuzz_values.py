"""Fuzz (issue 15, point 2), the coercion and checks layer: every source row of a generated
accounts or activities source comes out of the import's checked relation
(``checks.UnitSQL``) exactly once, good or bad, without a DuckDB error; a row of values
that must convert converts to the value written (numbers with separators and currency
signs, booleans in any case, dates as ISO, with a time, a zone offset, slashes, Japanese
and era dates, epoch milliseconds) and is good, and a row with a value that must not (a
fraction or hex for a whole number, nan/inf, a negative amount, an impossible date, a
two-digit year, a date outside the plausible range, an activity in January 1970 or after
as_of, an account that does not exist, a blank id) is bad. Arbitrary text anywhere else
only has to be judged, not to crash.

One in-memory DuckDB for the module; the rows of 50 cases at a time are registered
(Arrow) as one source, judged by one query: no import, no file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from covermap.importing import checks, coerce, recognise
from covermap.importing.readers import RawSource
from covermap.store import schema
from covermap.store.connect import open_store
from fuzz_support import Counter, fuzz_settings

EXAMPLES = 2500
AS_OF = dt.date(2024, 6, 30)
EARLIEST, LATEST = checks.date_range(AS_OF)
ACCOUNT_IDS = ["A1", "A2", "A3"]
ERAS = [("令和", dt.date(2019, 5, 1), 2018), ("平成", dt.date(1989, 1, 8), 1988),
        ("昭和", dt.date(1926, 12, 25), 1925)]


def _era(d: dt.date) -> str:
    for name, start, base in ERAS:
        if d >= start:
            year = d.year - base
            return f"{name}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


# each generator gives (text, what it must become; BAD: must be refused; ANY: unknown)
BAD, ANY = object(), object()
anything = st.text(max_size=15).map(lambda s: (s, ANY))
whole = st.one_of(
    st.integers(0, 10 ** 15).map(lambda n: (str(n), n)),
    st.integers(1000, 10 ** 12).map(lambda n: (f"{n:,}", n)),
    st.integers(0, 10 ** 6).map(lambda n: (f" {n} ", n)))
bad_whole = st.sampled_from(["12.7", "0x10", "0b101", "abc", "-5", "nan", "inf", "1.2.3",
                             "--1", "1,23", "1,2345", "$", "1e400", "-1,000"])
money = st.one_of(
    st.integers(0, 10 ** 9).map(lambda n: (str(n), float(n))),
    st.integers(0, 10 ** 8).map(lambda n: (f"{n / 100:.2f}", round(n / 100, 2))),
    st.integers(1000, 10 ** 9).map(lambda n: (f"${n:,}.50", n + 0.5)),
    st.integers(0, 10 ** 6).map(lambda n: (f"¥{n:,}", float(n))),
    st.integers(0, 10 ** 6).map(lambda n: (f"{n:,}円", float(n))),
    st.integers(0, 10 ** 6).map(lambda n: (f"€ {n}", float(n))))
bad_money = st.sampled_from(["nan", "inf", "-inf", "-3", "abc", "1.2.3", "1e999", "$-5",
                             "12,34", "--2", "¥-1"])
booleans = st.sampled_from([("true", True), ("FALSE", False), (" yes ", True), ("n", False),
                            ("1", True), ("0", False), ("T", True), ("No", False)])
bad_booleans = st.sampled_from(["maybe", "2", "truee", "-1", "null", "none", "oui"])
dates = st.dates(EARLIEST, LATEST)
instants = st.datetimes(dt.datetime(1973, 3, 4), dt.datetime(2034, 6, 29, 23, 59, 59)).map(
    lambda t: t.replace(microsecond=0))
timestamps = st.one_of(
    dates.map(lambda d: (d.isoformat(), (dt.datetime.combine(d, dt.time()), True))),
    dates.map(lambda d: (f"{d.year}/{d.month}/{d.day}",
                         (dt.datetime.combine(d, dt.time()), True))),
    dates.map(lambda d: (f"{d.year}年{d.month}月{d.day}日",
                         (dt.datetime.combine(d, dt.time()), True))),
    st.dates(dt.date(1927, 1, 1), LATEST).map(
        lambda d: (_era(d), (dt.datetime.combine(d, dt.time()), True))),
    instants.map(lambda t: (t.strftime("%Y-%m-%dT%H:%M:%S"), (t, False))),
    instants.map(lambda t: (t.strftime("%Y-%m-%d %H:%M"), (t.replace(second=0), False))),
    instants.map(lambda t: (t.strftime("%Y-%m-%dT%H:%M:%SZ"), (t, False))),
    st.tuples(instants, st.integers(-12, 14)).map(lambda p: (
        p[0].strftime("%Y-%m-%dT%H:%M:%S") + f"{'+' if p[1] >= 0 else '-'}{abs(p[1]):02d}:00",
        (p[0] - dt.timedelta(hours=p[1]), False))),
    instants.map(lambda t: (str(int(t.replace(tzinfo=dt.timezone.utc).timestamp()) * 1000),
                            (t, False))))
bad_dates = st.one_of(
    st.sampled_from(["2024-13-01", "2024-02-30", "abc", "24-03-04", "3/4/24", "1899-12-31",
                     "9999-12-31", "0000-00-00", "2024-00-10", "令和0年1月1日", "12345"]),
    st.dates(dt.date(1, 1, 1), EARLIEST - dt.timedelta(days=1)).map(lambda d: f"{d:%Y-%m-%d}"
                                                                    if d.year >= 1000 else "x"),
    st.dates(LATEST + dt.timedelta(days=1), dt.date(9999, 12, 31)).map(str))
ids = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zs", "Zl", "Zp"]),
              min_size=1, max_size=8).map(lambda s: (s, s))
spaced_ids = ids.map(lambda p: (f"  {p[0]}\u3000", p[1]))
blank_ids = st.sampled_from(["", "   ", "\u3000", " \t "])


def _cell(good, bad, optional: bool = True):
    """(text, want) for one cell: a good value, a bad one, arbitrary text, or blank."""
    options = [good, good, good, bad.map(lambda s: (s, BAD)), anything]
    if optional:
        options.append(st.just(("", None)))
    return st.one_of(*options)


ACCOUNT_CELLS = {
    "account_id": st.one_of(ids, ids, spaced_ids, blank_ids.map(lambda s: (s, BAD)), anything),
    "name": st.one_of(ids, ids, st.sampled_from(["", "  "]).map(lambda s: (s, BAD)), anything),
    "employees": _cell(whole, bad_whole),
    "annual_revenue": _cell(money, bad_money),
    "is_target": _cell(booleans, bad_booleans),
    "created_at": _cell(timestamps, bad_dates),
    "favourite colour": anything,  # an extra column: kept as text, never refused
}
epoch_glitch = st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(1970, 1, 31, 23, 59)).map(
    lambda t: t.isoformat())
after_as_of = st.one_of(st.dates(AS_OF + dt.timedelta(days=1), LATEST).map(str),
                        st.just("2024-07-01T00:00:00Z"), st.just("2024-06-30T23:59:59-01:00"))
ACTIVITY_CELLS = {
    "activity_id": st.one_of(ids, ids, blank_ids.map(lambda s: (s, BAD))),
    "account_id": st.one_of(st.sampled_from(ACCOUNT_IDS).map(lambda s: (s, s)),
                            st.sampled_from(ACCOUNT_IDS).map(lambda s: (f" {s} ", s)),
                            st.sampled_from(["A9", "a1", ""]).map(lambda s: (s, BAD))),
    "kind": st.one_of(st.sampled_from(["call", "email", "会議"]).map(lambda s: (s, s)),
                      st.just(("", BAD))),
    "occurred_at": st.one_of(
        timestamps.filter(lambda p: p[1][0] < dt.datetime(2024, 7, 1)
                          and not dt.datetime(1970, 1, 1) <= p[1][0] < dt.datetime(1970, 2, 1)),
        epoch_glitch.map(lambda s: (s, BAD)), after_as_of.map(lambda s: (s, BAD)),
        bad_dates.map(lambda s: (s, BAD)), st.just(("", BAD)), anything),
    "duration_minutes": _cell(money, bad_money),
}
TABLES = {"accounts": (schema.ACCOUNTS, ACCOUNT_CELLS),
          "activities": (schema.ACTIVITIES, ACTIVITY_CELLS)}


@st.composite
def sources(draw) -> tuple[str, list[dict[str, tuple[str, object]]]]:
    table = draw(st.sampled_from(sorted(TABLES)))
    cells = TABLES[table][1]
    rows = draw(st.lists(st.fixed_dictionaries(cells), min_size=1, max_size=8))
    return table, rows


RUN = Counter()
STATE: dict = {}


def _want(col: schema.Column, want: object) -> object:
    if col.type == schema.TIMESTAMP and isinstance(want, tuple):
        return want
    if col.type == schema.TIMESTAMP and want is None:
        return (None, None)
    if want is not None and col.type == schema.INTEGER:
        return int(want)  # type: ignore[call-overload]
    return want


#: sources judged together, one query for this many (planning the checks' SQL is most of
#: a query's cost); a failure names the case and row
BATCH = 50


def _judge(table_name: str) -> None:
    """Run the checked relation over the cases waiting for ``table_name`` and check them."""
    con, pending = STATE["con"], STATE["pending"][table_name]
    STATE["pending"][table_name] = []
    if not pending:
        return
    table, cells = TABLES[table_name]
    headers = list(cells)
    flat = [(k, i, row) for k, rows in enumerate(pending) for i, row in enumerate(rows)]
    con.register("fuzz_src", pa.table({
        "__case": [k for k, _, _ in flat], "__row": [i for _, i, _ in flat],
        **{f"c{j}": [row[h][0] for _, _, row in flat] for j, h in enumerate(headers)}}))
    raw = RawSource(Path(f"{table_name}.csv"), "csv", "utf-8", headers,
                    scan_sql="(SELECT * FROM fuzz_src)", records=len(flat))
    m = recognise.map_columns(raw, table)
    u = checks.UnitSQL(m, cutoff=STATE["cutoff"] if table.event_time else None, as_of=AS_OF,
                       dates=(EARLIEST, LATEST))
    cols = [table.column(h) for h in headers if h in m.exprs]
    out = [f"x_{c.name}" for c in cols] + [f"f_{c.name}" for c in cols
                                          if c.type == schema.TIMESTAMP]
    got = con.execute(f"SELECT __case, __row, __bad, {', '.join(out)} FROM "
                      f"({u.checked(raw.scan(), passthrough=('__case', '__row'))}) "
                      f"ORDER BY __case, __row").fetchall()
    assert [tuple(g[:2]) for g in got] == [(k, i) for k, i, _ in flat]  # every row once
    for (_, _, bad, *values), (_, _, row) in zip(got, flat):
        verdicts = [row[c.name][1] for c in cols]
        typed = dict(zip(out, values))
        if any(v is BAD for v in verdicts):
            assert bad, ("refused nothing of", [(c.name, row[c.name][0]) for c, v in
                                               zip(cols, verdicts) if v is BAD], typed)
            continue
        if any(v is ANY for v in verdicts):
            continue
        assert not bad, (row, typed)
        for c in cols:
            want = _want(c, row[c.name][1])
            if c.type == schema.TIMESTAMP:
                assert (typed[f"x_{c.name}"], typed[f"f_{c.name}"]) == want, (c.name, row)
            elif c.type == schema.MONEY and want is not None:  # DECIMAL(18,2) in the store
                assert float(typed[f"x_{c.name}"]) == want, (c.name, row, typed)
            else:
                assert typed[f"x_{c.name}"] == want, (c.name, row, typed)


@fuzz_settings(EXAMPLES)
@given(source=sources())
def _every_row_is_judged_once(source) -> None:
    table_name, rows = source
    STATE["pending"][table_name].append(rows)
    if len(STATE["pending"][table_name]) >= BATCH:
        _judge(table_name)
    RUN.done()


def test_every_value_converts_or_is_refused(record_property, tmp_path_factory):
    """2,500 generated sources of up to 8 rows, each row judged once and rightly."""
    with open_store(":memory:") as store:
        con = store.duckdb
        con.execute("SET TimeZone = 'UTC'")
        for macro in coerce.MACROS:
            con.execute(macro)
        con.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'a'), ('A2', 'b'), "
                    "('A3', 'c')")
        STATE.update(con=con, cutoff=dt.datetime(2024, 7, 1),
                     pending={t: [] for t in TABLES})
        _every_row_is_judged_once()
        for t in TABLES:
            _judge(t)
    RUN.report(record_property, "values", EXAMPLES)
