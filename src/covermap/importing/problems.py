"""The rows of a file that cannot be loaded: their lines, the quarantine, duplicate ids.

Only entered when something failed. A second scan numbers the rows in file
order (``row_number() OVER ()`` with insertion order preserved; DuckDB's CSV
reader has no row number of its own) and keeps the failing rows, and every row
of a duplicated id, in the temporary table ``__problems``; the quarantine rows,
the first occurrence of each duplicated id and the counts all come from there.
Numbering costs one single-threaded window over the file, which is why the
clean path never does it.
"""

from __future__ import annotations

import duckdb

from covermap.importing import aliases, extras
from covermap.importing.checks import Check, UnitSQL
from covermap.importing.readers import RawSource, ident, sql_str
from covermap.store.quarantine import CONSEQUENCE

_COLUMNS = '(import_id, table_name, file, line, "column", value, reason, record)'


def insert(con: duckdb.DuckDBPyConnection, sql: str, expected: int) -> int:
    """Run an INSERT that adds ``expected`` rows, or skip it when that is none.

    DuckDB 1.5 loses sight of later large (optimistically written) inserts into a table
    in the same transaction after an INSERT ... SELECT of zero rows into it: they are
    committed but invisible to this connection, so reference checks would fail."""
    if not expected:
        return 0
    inserted = con.execute(sql).fetchone()[0]
    if inserted != expected:  # two scans judged a row differently: a bug, not bad data
        raise RuntimeError(f"expected to insert {expected} rows, inserted {inserted}: {sql[:200]}")
    return inserted


def _line_sql(con: duckdb.DuckDBPyConnection, u: UnitSQL, rejects: str | None,
              malformed: int) -> tuple[str, str]:
    """(SQL of a problem row's line, the join it needs)."""
    raw = u.m.raw
    if raw.line_column:
        return f"p.{raw.line_column}", ""
    if not malformed:
        return f"p.__ord + {raw.line_offset}", ""
    # DuckDB skips malformed lines, so a row's ordinal is behind its line by the
    # malformed lines before it: malformed line number i (in line order) at line L
    # comes after L - i - 1 good rows.
    con.execute(f"CREATE TEMP TABLE __rejg AS SELECT line - i - 1 AS g, max(i) AS i FROM "
                f"(SELECT line, row_number() OVER (ORDER BY line) AS i FROM "
                f"(SELECT DISTINCT line FROM {rejects})) GROUP BY g")
    return (f"p.__ord + {raw.line_offset} + coalesce(g.i, 0)",
            " ASOF LEFT JOIN __rejg AS g ON p.__ord > g.g")


def quarantine(con: duckdb.DuckDBPyConnection, u: UnitSQL, *, import_id: int, file_id: str,
               rejects: str | None, malformed: int, dup_keys: int, own: str) -> tuple[int, int]:
    """Write the quarantine rows of one file and keep only the first row of each
    duplicated id in the table. ``own``: the table's rows this file loaded.
    Returns (rows quarantined, rows taken out of the table)."""
    m, raw, t = u.m, u.m.raw, u.m.table
    scan = raw.scan()
    if dup_keys:
        keys = ", ".join(f"{ident(k)} AS x_{k}" for k in t.key)
        con.execute(f"CREATE TEMP TABLE __dupkeys AS SELECT {keys} FROM {own} AS own "
                    f"GROUP BY ALL HAVING count(*) > 1")
    numbered = f"(SELECT row_number() OVER () AS __ord, * FROM {scan})"
    keep = ("__ord", *raw.columns, *((raw.line_column,) if raw.line_column else ()))
    pick = "q.__bad" + (f" OR EXISTS (SELECT 1 FROM __dupkeys AS d WHERE {u.key_match('d', 'q')})"
                        if dup_keys else "")
    line, join = _line_sql(con, u, rejects, malformed)
    # only the first raw cell stays: a 5,000-column file's problem rows must not make a
    # 15,000-column table (its record and whether it is a group row are taken here)
    drop = [c for c in raw.columns[1:] if c != raw.line_column]
    con.execute(
        "CREATE TEMP TABLE __problems AS SELECT p.*"
        + (f" EXCLUDE ({', '.join(drop)})" if drop else "")
        + f", {line} AS __qline, {u.record()} AS __record, {_group_row(raw)} AS __group "
        f"FROM (SELECT * FROM ({u.checked(numbered, keep, extras=range(0))}) AS q "
        f"WHERE {pick}) AS p{join}")
    head = (f"INSERT INTO quarantine {_COLUMNS} SELECT {import_id}, {sql_str(t.name)}, "
            f"{sql_str(file_id)}")
    group = "p.__group"
    counts = con.execute(f"SELECT count(*) FILTER (WHERE __bad), count(*) FILTER (WHERE __bad "
                         f"AND {group})" + "".join(
        f", count(*) FILTER (WHERE __q{i} AND NOT {group})" for i in range(len(u.checks)))
        + " FROM __problems AS p").fetchone()
    quarantined, removed = counts[0], 0
    _root_causes(con, u)
    # a report's group or total row fails some check, but is named for what it is
    insert(con, f"{head}, __qline, {sql_str(raw.headers[0])}, p.{raw.columns[0]}, "
                f"{_group_reason(f'p.{raw.columns[0]}')}, __record FROM __problems AS p "
                f"WHERE __bad AND {group}", counts[1])
    for i, ch in enumerate(u.checks):
        insert(con, f"{head}, __qline, {sql_str(ch.label)}, {ch.value}, {_reason(u, ch)}, "
                    f"__record FROM __problems AS p WHERE __q{i} AND NOT {group}",
               counts[i + 2])
    if dup_keys:
        quarantined += _duplicates(con, u, head)
        match = " AND ".join(f"{ident(t.name)}.{ident(k)} = d.x_{k}" for k in t.key)
        removed = con.execute(f"DELETE FROM {ident(t.name)} USING __dupkeys AS d WHERE {match}"
                              ).fetchone()[0]
        if t.keeps_extra_columns:
            extras.prune(con)
        names, exprs = u.insert_columns()
        first = (f"__problems AS p WHERE NOT __bad AND __ord = (SELECT min(__ord) FROM "
                 f"__problems AS o WHERE NOT o.__bad AND {u.key_match('o', 'p')})")
        removed -= insert(
            con, f"INSERT INTO {ident(t.name)} ({', '.join(map(ident, names))}) SELECT "
            f"{', '.join(exprs)} FROM {first}", dup_keys)
        if t.keeps_extra_columns:  # the first row's values, read again from the file
            extras.insert(con, m, lambda batch: (
                f"(SELECT * FROM ({u.checked(numbered, ('__ord',), extras=batch)}) AS q "
                f"WHERE __ord IN (SELECT p.__ord FROM {first}))"))
    if malformed:
        header = "CASE column_name " + " ".join(
            f"WHEN {sql_str(c)} THEN {sql_str(h)}" for c, h in zip(raw.columns, raw.headers)
        ) + " END" if raw.headers else "NULL"
        # the careful reader words quote and encoding problems itself (readers.settle)
        reason = f"coalesce(reason, {_short_row_reason(raw)})" if raw.careful \
            else _short_row_reason(raw)
        insert(con, f"{head}, line, {header}, NULL, {reason}, "
                    f"CAST(to_json(csv_line) AS VARCHAR) FROM {rejects} QUALIFY row_number() "
                    f"OVER (PARTITION BY line ORDER BY column_idx) = 1", malformed)
        quarantined += malformed
    return quarantined, removed


#: first cells of a report's total rows, compared case-insensitively
TOTAL_WORDS = tuple(dict.fromkeys(w.lower() for w in aliases.TOTAL_ROWS))


def _group_row(raw: RawSource) -> str:
    """SQL over ``p``: the (refused) row is a report's group, total or blank row: every
    cell but the first is empty (in a file of three or more columns, where a record
    needs more), or the first cell says it is a total."""
    words = ", ".join(sql_str(w) for w in TOTAL_WORDS)
    total = f"lower(trim(p.{raw.columns[0]})) IN ({words})"
    if len(raw.columns) < 3:
        return f"coalesce({total}, false)"
    blank = " AND ".join(f"coalesce(trim(p.{c}), '') = ''" for c in raw.columns[1:])
    return f"({blank} OR coalesce({total}, false))"


def _group_reason(first: str) -> str:
    """SQL: how a group row (its first cell ``first``) is named."""
    words = ", ".join(sql_str(w) for w in TOTAL_WORDS)
    return (f"CASE WHEN coalesce(trim({first}), '') = '' THEN 'blank row (every cell empty)' "
            f"WHEN lower(trim({first})) IN ({words}) THEN 'report total row (' || trim({first}) "
            f"|| ')' ELSE 'report group row (only the first cell filled: ' || trim({first}) "
            f"|| ')' END")


def _short_row_reason(raw: RawSource) -> str:
    """SQL over a rejects row: a line with too few fields whose filled cells come first
    (a report's group or total row, or a report row with only its group's columns, as
    Salesforce exports accounts without contacts) is named as such; any other line is
    malformed CSV."""
    d = {"\t": "\\t", "|": "\\|", ".": "\\."}.get(raw.delimiter, raw.delimiter)
    headers = "[" + ", ".join(sql_str(h) for h in raw.headers) + "]"
    first = f"trim(split_part(csv_line, {sql_str(raw.delimiter)}, 1), ' \"')"
    return (f"CASE WHEN error_type <> 'MISSING COLUMNS' THEN 'malformed CSV line (' || "
            f"lower(error_type) || ': ' || error_message || ')' "
            f"WHEN regexp_full_match(csv_line, '[^{d}]*[\\s\"{d}]*') THEN "
            f"{_group_reason(first)} "
            f"ELSE 'short row: only its first ' || column_idx || ' of {len(raw.headers)} "
            f"cells (none from ' || {headers}[CAST(column_idx AS BIGINT) + 1] || ' on)' END")


def _root_causes(con: duckdb.DuckDBPyConnection, u: UnitSQL) -> None:
    """Remember why each refused record of a single-key table was refused, so that rows
    referring to it say so (in ``__rootcause``, which the import creates)."""
    t = u.m.table
    if len(t.key) != 1 or not u.checks:
        return
    why = "CASE " + " ".join(f"WHEN __q{i} THEN {sql_str(ch.reason)}"
                             for i, ch in enumerate(u.checks)) + " END"
    con.execute(f"INSERT INTO __rootcause SELECT {sql_str(t.name)}, CAST(x_{t.key[0]} AS "
                f"VARCHAR), {why} FROM __problems WHERE __bad AND x_{t.key[0]} IS NOT NULL")


def _reason(u: UnitSQL, ch: Check) -> str:
    """SQL of a check's reason; for a reference to a record this import refused, what
    happened to that record: "deal D-12 was quarantined: account_id is required"."""
    if ch.reason_sql:
        return ch.reason_sql
    column = next((c for c in u.cols if c.name == ch.column), None)
    if column is None or not column.references or not ch.reason.endswith(
            f"not found in {column.references.split('.')[0]}"):
        return sql_str(ch.reason)
    table = column.references.split(".")[0]
    noun = table.removesuffix("s")
    return (f"coalesce((SELECT {sql_str(noun + ' ')} || p.x_{ch.column} || "
            f"'{CONSEQUENCE}' || min(rc.reason) FROM __rootcause AS rc WHERE rc.table_name = "
            f"{sql_str(table)} AND rc.k = CAST(p.x_{ch.column} AS VARCHAR)), "
            f"{sql_str(ch.reason)})")


def _duplicates(con: duckdb.DuckDBPyConnection, u: UnitSQL, head: str) -> int:
    """Quarantine every good row of a duplicated id but the first, naming its line."""
    t = u.m.table
    key = " || ' / ' || ".join(f"p.{k}" for k in u.keys)
    label = " / ".join(u.m.labels.get(k, k) for k in t.key)
    later = (f"FROM __problems AS p JOIN (SELECT {', '.join(u.keys)}, min(__ord) AS o, "
             f"arg_min(__qline, __ord) AS l FROM __problems WHERE NOT __bad GROUP BY ALL) "
             f"AS f ON {u.key_match('p', 'f')} WHERE NOT p.__bad AND p.__ord > f.o")
    reason = f"'duplicate {' / '.join(t.key)} (first on line ' || f.l || ')'"
    n = con.execute(f"SELECT count(*) {later}").fetchone()[0]
    return insert(con, f"{head}, p.__qline, {sql_str(label)}, CAST({key} AS VARCHAR), {reason}, "
                       f"p.__record {later}", n)


def drop(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("__problems", "__dupkeys", "__rejg"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
