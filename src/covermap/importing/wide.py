"""Typing a file's extra columns in time linear in its columns (issue 8, point 10).

One SELECT with six aggregates per column is quadratic in DuckDB's planner: 1,000 columns
took 24 s before reading a row, 5,000 never finished. Here the columns are unpivoted into
(column, value) rows, so every query holds the same few expressions however wide the file:

1. the first ``SAMPLE_ROWS`` rows answer, per column, which types every value fits;
2. a type a sampled value does not fit is out for the whole file, so the full scan tests
   only the types each column still fits: a text column (most of a HubSpot "all
   properties" export) costs nothing more, a number column one or two casts per value.

The answer is exactly that of ``checks.extra_inference``: blank values fit every type, and
a column with no value at all is text (``checks.pick_type``).
"""

from __future__ import annotations

import duckdb

from covermap.importing import checks
from covermap.importing.readers import ident, sql_str
from covermap.importing.recognise import Mapping

SAMPLE_ROWS = 200
_TYPES = len(checks.INFERRED_TYPES)


def _fits(con: duckdb.DuckDBPyConnection, exprs: list[str], columns: dict[int, tuple[bool, ...]],
          rows: str) -> dict[int, tuple[bool, ...]]:
    """Per column (by index) with a value in ``rows``: whether every value fits each type,
    testing only the types ``columns`` leaves open."""
    if not columns:
        return {}
    picked = ", ".join(f"CAST({exprs[i]} AS VARCHAR) AS {ident(f'e{i}')}" for i in columns)
    gates = ", ".join(f"({sql_str(f'e{i}')}, {', '.join(map(str, fits))})"
                      for i, fits in columns.items())
    tests = checks.value_tests("t")
    flags = ", ".join(f"bool_and(CASE WHEN g{k} THEN {test} ELSE true END)"
                      for k, test in enumerate(tests))
    sql = (f"SELECT k, {flags} FROM (SELECT k, trim(v) AS t FROM (UNPIVOT (SELECT {picked} "
           f"FROM {rows} AS s) ON COLUMNS(*) INTO NAME k VALUE v) WHERE trim(v) <> '') AS u "
           f"JOIN (VALUES {gates}) AS g(k, {', '.join(f'g{k}' for k in range(_TYPES))}) "
           f"USING (k) GROUP BY k")
    return {int(k[1:]): tuple(bool(f) for f in fits) for k, *fits in con.execute(sql).fetchall()}


def extra_flags(con: duckdb.DuckDBPyConnection, m: Mapping) -> tuple[bool, ...]:
    """For every extra column of ``m``, the six flags of ``checks.extra_inference``: whether
    all its values fit each of ``checks.INFERRED_TYPES``, and whether it has a value."""
    exprs = list(m.extras.values())
    scan = m.raw.scan()
    every = (True,) * _TYPES
    sample = _fits(con, exprs, {i: every for i in range(len(exprs))},
                   f"(SELECT * FROM {scan} LIMIT {SAMPLE_ROWS})")
    still = {i: sample.get(i, every) for i in range(len(exprs))}
    full = _fits(con, exprs, {i: fits for i, fits in still.items() if any(fits)}, scan)
    out: list[bool] = []
    for i in range(len(exprs)):
        if i in full:
            out += [*(a and b for a, b in zip(still[i], full[i])), True]
        elif i in sample:  # fits no type on the sample: text, whatever follows
            out += [*sample[i], True]
        else:  # no value anywhere: the flags do not matter
            out += [*every, False]
    return tuple(out)
