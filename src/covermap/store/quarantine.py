"""What the store holds and what its imports set aside: ``store_status`` and the quarantine.

The ``quarantine`` table (created by ``Store.ensure_schema``) keeps one row per
problem: import_id, table_name, file, line, column, value, reason and the raw
record as JSON text. A row with two problems appears twice; "quarantined rows"
counts distinct (file, line). A file's entries are replaced when it is imported
again, so the quarantine describes the latest import of every file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from covermap.store import schema
from covermap.store.connect import Store
from covermap.store.sqlstring import sql_string

#: The column whose range `status` shows for each table (None: no date column).
DATE_COLUMNS: dict[str, str | None] = {
    "accounts": "created_at", "contacts": "created_at", "users": None,
    "account_team": "start_date", "products": None, "deals": "close_date",
    "deal_lines": None, "activities": "occurred_at", "deal_contacts": None,
}

#: What a reason says when its row refers to a record that was quarantined itself
#: ("deal D-12 was quarantined: account_id is required"): a consequence, not a cause.
CONSEQUENCE = " was quarantined: "

#: A reason's stem: details that vary per row go: a trailing parenthesis ("(first on
#: line 3)"), a trailing line number ("same record as Accounts.json line 3") and the id
#: of the record a consequence refers to ("deal … was quarantined: ...").
REASON_STEM = (r"regexp_replace(regexp_replace(regexp_replace(reason, ' \(.*\)$', ''), "
               r"' line [0-9]+$', ''), '^(\S+) .+" + CONSEQUENCE + r"', "
               r"'\1 …" + CONSEQUENCE + "')")


@dataclass(frozen=True)
class TableStatus:
    """One canonical table: its rows, the range of its date column, its quarantine."""

    table: str
    rows: int
    date_column: str | None
    first: dt.date | dt.datetime | None
    last: dt.date | dt.datetime | None
    quarantined: int
    #: (reason, rows) most frequent first
    reasons: tuple[tuple[str, int], ...]
    #: optional references matching nothing in the store (column -> rows), kept as loaded
    unresolved: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class QuarantinedRow:
    """One problem of one source row."""

    import_id: int
    table: str
    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str
    record: str | None


def _date_column(t: schema.Table) -> str | None:
    return t.event_time or DATE_COLUMNS.get(t.name)


def top_reasons(store: Store, table: str | None = None, *, top: int = 3,
                import_id: int | None = None) -> list[tuple[str, int]]:
    """The quarantine reasons (by stem), root causes first, then the most frequent;
    optionally for one table/import."""
    where = _filters(table, import_id)
    return [(r, n) for r, n in store.duckdb.execute(
        f"SELECT {REASON_STEM} AS r, count(*) AS n FROM quarantine{where} GROUP BY r "
        f"ORDER BY contains(r, '{CONSEQUENCE}'), n DESC, r LIMIT {int(top)}").fetchall()]


def _filters(table: str | None, import_id: int | None) -> str:
    """The WHERE clause, its values spelled in it (store.sqlstring: no bound parameter)."""
    conds = []
    if table is not None:
        conds.append(f"table_name = {sql_string(table)}")
    if import_id is not None:
        conds.append(f"import_id = {int(import_id)}")
    return " WHERE " + " AND ".join(conds) if conds else ""


def store_status(store: Store) -> list[TableStatus]:
    """Per canonical table: rows, date range of its main date column, quarantined rows
    and their top reasons.

    >>> from covermap.store.connect import open_store
    >>> with open_store(":memory:") as s:
    ...     [(t.table, t.rows) for t in store_status(s)][:2]
    [('users', 0), ('accounts', 0)]
    """
    con = store.duckdb
    progress = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
    con.execute("SET enable_progress_bar = false")  # a library function prints nothing
    try:
        return _status(store)
    finally:
        con.execute(f"SET enable_progress_bar = {str(progress).lower()}")


def _status(store: Store) -> list[TableStatus]:
    con = store.duckdb
    counts = dict(con.execute(
        "SELECT table_name, count(DISTINCT (file, line)) FROM quarantine GROUP BY table_name"
    ).fetchall())
    out = []
    for t in schema.TABLES:
        col = _date_column(t)
        if col:
            rows, first, last = con.execute(
                f'SELECT count(*), min("{col}"), max("{col}") FROM "{t.name}"').fetchone()
        else:
            (rows,), first, last = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone(), \
                None, None
        out.append(TableStatus(t.name, rows, col, first, last, counts.get(t.name, 0),
                               tuple(top_reasons(store, t.name)), _unresolved(store, t)))
    return out


def _unresolved(store: Store, t: schema.Table) -> tuple[tuple[str, int], ...]:
    refs = [c for c in t.columns if c.references and not c.required]
    if not refs:
        return ()
    counts = []
    for c in refs:
        table, column = c.references.split(".")
        counts.append(f'count(*) FILTER (WHERE "{c.name}" IS NOT NULL AND "{c.name}" NOT IN '
                      f'(SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL))')
    row = store.duckdb.execute(f'SELECT {", ".join(counts)} FROM "{t.name}"').fetchone()
    return tuple((c.name, n) for c, n in zip(refs, row) if n)


@dataclass(frozen=True)
class SameRecords:
    """Rows of one file quarantined as another file's records under other ids."""

    table: str
    file: str
    #: the file whose copies were kept, or "rows already in the store"
    kept_file: str
    rows: int
    #: up to two of the records, as a user reads them ("name Acme, domain acme.com")
    examples: tuple[str, ...]


def same_records(store: Store) -> list[SameRecords]:
    """Per table and file, the rows quarantined because another file of the same import
    holds the same record (``covermap.importing.duplicates``)."""
    rows = store.duckdb.execute(
        "SELECT table_name, file, coalesce(nullif(regexp_extract(reason, "
        "'^same record as (.*) line [0-9]+ ', 1), ''), 'rows already in the store') AS kept, "
        "count(*), list(value ORDER BY line)[1:2] FROM quarantine "
        "WHERE reason LIKE 'same record as %' GROUP BY ALL ORDER BY 1, 2").fetchall()
    return [SameRecords(t, f, k, n, tuple(e)) for t, f, k, n, e in rows]


def quarantined_rows(store: Store, table: str | None = None, *, limit: int = 50,
                     import_id: int | None = None) -> list[QuarantinedRow]:
    """Quarantine entries in file and line order (the first ``limit``)."""
    where = _filters(table, import_id)
    rows = store.duckdb.execute(
        f'SELECT import_id, table_name, file, line, "column", value, reason, record '
        f"FROM quarantine{where} ORDER BY table_name, file, line, reason LIMIT {int(limit)}",
    ).fetchall()
    return [QuarantinedRow(*r) for r in rows]
