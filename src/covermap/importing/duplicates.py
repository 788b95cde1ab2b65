"""The same record from two files of one import, under different ids (issue 7, point 8).

A folder can hold one table twice (Salesforce's apex recipes: ``Accounts.json``
with ids and ``Accounts.csv`` without). Upserting by id cannot see that, so every
record would load twice and a deal's amount count twice. After the last file of
such a table is loaded, rows of different files that share a *natural key* are
one record: the copy of the preferred file stays (the plan's ``duplicates:
{table: {prefer: file}}``, else the first file in sorted order) and every other
copy is taken out and quarantined, "same record as Accounts.json line 3 (name
Zoonoodle 37, domain 1688.com)". Rows of one file are never matched with each
other: two deals named alike in one export are two deals.

Rows an earlier import stored count as one more source that always wins (for the
tables in ``STORE_CHECKED``): importing ``Accounts.json`` after ``Accounts.csv`` in a
second command quarantines the JSON copies, "same record as one already in the store
(account_id Zoonoodle 37; ...)"; import both in one command to let the plan choose.

Natural keys, compared case-insensitively; a row whose key is empty is never matched:

- accounts: name and domain (the host of a website URL; both empty is equal)
- contacts, users: email
- products: name
- deals: name, account, amount and close date
- activities: account, kind, time and subject

Everything is set-based: the keys each file loaded are recorded in ``__loaded``
(only for tables that more than one file feeds), one grouping finds the copies,
and only the few files holding copies are scanned again, for line numbers.

The same *id* in two files of one import (``accounts.csv`` and ``accounts2.csv`` both
with ``A1``, issue 8 point 6) is not the upsert of a re-import: the first file's row
stays (files load in the order given, a folder's in sorted order, the plan's
``prefer`` file first; as a repeated id within one file keeps its first row) and the
later row is quarantined, "duplicate
account_id, already loaded from accounts.csv (line 2; that row is kept)"
(``earlier_ids``, ``first_lines``). Nothing is lost: the quarantined row keeps its
record, and the summary counts it under that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePath

import duckdb

from covermap.importing import extras
from covermap.importing.checks import UnitSQL, key_text
from covermap.importing.readers import ident, sql_str
from covermap.importing.report import FileReport, ordered_reasons
from covermap.plan.model import DEDUPLICATED_TABLES, Plan
from covermap.store import schema
from covermap.store.quarantine import REASON_STEM

#: the host of a domain or website URL: "https://www.acme.com/x" -> "acme.com"
_HOST = (r"regexp_extract(lower(trim(t.domain)), "
         r"'^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/:?#]+)', 1)")


def _text(col: str) -> str:
    return f"coalesce(CAST(t.{col} AS VARCHAR), '')"


#: table -> (label of the key's columns, SQL key over alias t, SQL of how a user reads it)
NATURAL_KEYS: dict[str, tuple[str, str, str]] = {
    "accounts": ("name / domain",
                 f"CASE WHEN trim(t.name) <> '' THEN lower(trim(t.name)) || '|' || "
                 f"coalesce({_HOST}, '') END",
                 "'name ' || t.name || coalesce(', domain ' || nullif(" + _HOST + ", ''), '')"),
    "contacts": ("email", "nullif(lower(trim(t.email)), '')", "'email ' || t.email"),
    "users": ("email", "nullif(lower(trim(t.email)), '')", "'email ' || t.email"),
    "products": ("name", "nullif(lower(trim(t.name)), '')", "'name ' || t.name"),
    "deals": ("name / account_id / amount / close_date",
              "CASE WHEN trim(t.name) <> '' THEN concat_ws('|', lower(trim(t.name)), "
              f"{_text('account_id')}, {_text('amount')}, {_text('close_date')}) END",
              "'name ' || t.name || ', account ' || coalesce(t.account_id, 'none') || "
              "', amount ' || coalesce(CAST(t.amount AS VARCHAR), 'none') || "
              "', close date ' || coalesce(CAST(t.close_date AS VARCHAR), 'none')"),
    "activities": ("account_id / kind / occurred_at / subject",
                   f"concat_ws('|', t.account_id, t.kind, {_text('occurred_at')}, "
                   "coalesce(lower(trim(t.subject)), ''))",
                   "'account ' || t.account_id || ', ' || t.kind || ' at ' || "
                   "CAST(t.occurred_at AS VARCHAR)"),
}
assert tuple(NATURAL_KEYS) == DEDUPLICATED_TABLES

#: the stem of the quarantine reason of a copy
REASON = "same record as"
#: tables whose stored rows are compared with a new file's (activities are left out:
#: comparing every stored activity on each import would cost more than it finds)
STORE_CHECKED = ("accounts", "contacts", "users", "products", "deals")
#: the unit number of the rows already in the store
STORE = -1


@dataclass(frozen=True)
class Unit:
    """One loaded file of a table that several files feed."""

    number: int
    unit: UnitSQL
    file_id: str


def start(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the tables of one table's files: their keys, and the first lines of ids
    a later file brings again."""
    con.execute("CREATE OR REPLACE TEMP TABLE __loaded (unit INTEGER, k VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE __firstseen (k VARCHAR, file VARCHAR, "
                "line BIGINT)")


def drop(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("__loaded", "__firstseen", "__clash", "__lines"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def track(con: duckdb.DuckDBPyConnection, number: int, key: tuple[str, ...], rows: str) -> None:
    """Record the keys of ``rows`` (the table's rows one file loaded)."""
    con.execute(f"INSERT INTO __loaded SELECT {number}, {key_text(list(map(ident, key)))} "
                f"FROM {rows} AS own")


#: what the reason of an id an earlier file of the import loaded says
SAME_ID = "already loaded from"


def earlier_ids(table: schema.Table, earlier: list[Unit]) -> tuple[str, str] | None:
    """For ``UnitSQL(earlier=...)``: (SQL of the keys the ``earlier`` files of this import
    loaded into ``table``, SQL of the reason naming the file and line that holds one,
    over ``p``); None for a table's first file."""
    if not earlier:
        return None
    units = ", ".join(str(u.number) for u in earlier)
    key = " / ".join(table.key)
    k = key_text([f"p.x_{c}" for c in table.key])
    reason = (f"(SELECT 'duplicate {key}, {SAME_ID} ' || fs.file || ' (line ' || fs.line || "
              f"'; that row is kept)' FROM __firstseen AS fs WHERE fs.k = {k} LIMIT 1)")
    return (f"SELECT k FROM __loaded WHERE unit IN ({units})",
            f"coalesce({reason}, 'duplicate {key}, {SAME_ID} an earlier file of this import')")


def first_lines(con: duckdb.DuckDBPyConnection, u: UnitSQL, earlier: list[Unit]) -> None:
    """Before ``u``'s quarantine is written: the file and line of every id of ``u`` that an
    ``earlier`` file loaded (only the earlier files holding such ids are scanned again)."""
    check = u.earlier_check
    con.execute("DELETE FROM __firstseen")
    con.execute(f"CREATE OR REPLACE TEMP TABLE __clash AS SELECT DISTINCT "
                f"{key_text(u.keys)} AS k FROM ({u.checked(u.m.raw.scan())}) AS q "
                f"WHERE __q{check}")
    numbers = ", ".join(str(e.number) for e in earlier)
    owners = {n for (n,) in con.execute(
        f"SELECT DISTINCT unit FROM __loaded WHERE unit IN ({numbers}) AND k IN "
        f"(SELECT k FROM __clash)").fetchall()}
    con.execute("CREATE OR REPLACE TEMP TABLE __lines (unit INTEGER, k VARCHAR, line BIGINT, "
                "record VARCHAR)")
    for e in earlier:
        if e.number in owners:
            _lines(con, e, f"SELECT k FROM __clash INTERSECT SELECT k FROM __loaded "
                           f"WHERE unit = {e.number}")
    names = " ".join(f"WHEN {e.number} THEN {sql_str(Path(e.file_id).name)}" for e in earlier)
    con.execute(f"INSERT INTO __firstseen SELECT k, CASE unit {names} END, min(line) "
                f"FROM __lines GROUP BY ALL")
    for name in ("__clash", "__lines"):
        con.execute(f"DROP TABLE {name}")


def track_store(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Record the keys already in ``table`` (before this import's first file of it), so
    that a new file's copies of them are found; False when there is nothing to compare."""
    if table not in STORE_CHECKED or not con.execute(
            f"SELECT EXISTS (SELECT 1 FROM {ident(table)})").fetchone()[0]:
        return False
    key = schema.table(table).key[0]
    con.execute(f"INSERT INTO __loaded SELECT {STORE}, CAST({ident(key)} AS VARCHAR) "
                f"FROM {ident(table)}")
    return True


def preferred(path: Path, prefer: str | None) -> bool:
    """Whether ``path`` is the file a plan's ``duplicates: {table: {prefer: ...}}`` names."""
    return bool(prefer) and (PurePath(path.as_posix()).match(prefer) or path.name == prefer)


def _ranks(units: list[Unit], prefer: str | None) -> str:
    order = sorted(units, key=lambda u: (not preferred(u.unit.m.raw.path, prefer),
                                         u.unit.m.raw.path.name, u.file_id))
    return f"(VALUES ({STORE}, -1), " + ", ".join(
        f"({u.number}, {i})" for i, u in enumerate(order)) + ") AS rk(unit, rk)"


def resolve(con: duckdb.DuckDBPyConnection, table: str, units: list[Unit], *,
            prefer: str | None, import_id: int) -> dict[int, tuple[int, tuple[str, ...]]]:
    """Keep one copy of each record several files hold; quarantine the others.

    Returns, per unit number with copies taken out: (rows, up to three examples)."""
    label, natural, shown = NATURAL_KEYS[table]
    key = units[0].unit.t.key[0]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __same AS
        WITH owner AS (SELECT k, max(unit) AS unit FROM __loaded GROUP BY k),
        r AS (SELECT o.unit, o.k, {natural} AS nk, {shown} AS shown, rk.rk
              FROM {ident(table)} AS t JOIN owner AS o ON o.k = CAST(t.{ident(key)} AS VARCHAR)
              JOIN {_ranks(units, prefer)} ON rk.unit = o.unit),
        keeper AS (SELECT nk, arg_min(unit, rk) AS unit FROM r WHERE nk IS NOT NULL
                   GROUP BY nk HAVING count(DISTINCT unit) > 1),
        kept AS (SELECT keeper.nk, keeper.unit, min(r.k) AS k FROM keeper JOIN r
                 ON r.nk = keeper.nk AND r.unit = keeper.unit GROUP BY ALL)
        SELECT r.unit, r.k, r.shown, kept.unit AS keep_unit, kept.k AS keep_k
        FROM r JOIN kept ON r.nk = kept.nk WHERE r.unit <> kept.unit""")
    if not con.execute("SELECT count(*) FROM __same").fetchone()[0]:
        con.execute("DROP TABLE __same")
        return {}
    by_number = {u.number: u for u in units}
    involved = [n for (n,) in con.execute(
        "SELECT unit FROM __same UNION SELECT keep_unit FROM __same ORDER BY 1").fetchall()
        if n != STORE]
    con.execute("CREATE OR REPLACE TEMP TABLE __lines (unit INTEGER, k VARCHAR, line BIGINT, "
                "record VARCHAR)")
    for n in involved:
        _lines(con, by_number[n], f"SELECT k FROM __same WHERE unit = {n} UNION "
                                  f"SELECT keep_k FROM __same WHERE keep_unit = {n}")
    names = " ".join(f"WHEN {u.number} THEN {sql_str(Path(u.file_id).name)}" for u in units)
    files = " ".join(f"WHEN {u.number} THEN {sql_str(u.file_id)}" for u in units)
    con.execute(f"""
        INSERT INTO quarantine (import_id, table_name, file, line, "column", value, reason, record)
        SELECT {import_id}, {sql_str(table)}, CASE s.unit {files} END, l.line, {sql_str(label)},
               s.shown, CASE WHEN s.keep_unit = {STORE} THEN '{REASON} one already in the store ('
               || {sql_str(key)} || ' ' || s.keep_k || '; ' || s.shown || ')' ELSE '{REASON} '
               || CASE s.keep_unit {names} END || ' line ' || kl.line || ' (' || s.shown || ')'
               END, l.record
        FROM __same AS s JOIN __lines AS l ON l.unit = s.unit AND l.k = s.k
        LEFT JOIN __lines AS kl ON kl.unit = s.keep_unit AND kl.k = s.keep_k""")
    con.execute(f"INSERT INTO __rootcause SELECT ?, k, '{REASON} ' || CASE keep_unit {names} "
                f"ELSE 'one already in the store' END FROM __same", [table])
    con.execute(f"DELETE FROM {ident(table)} WHERE CAST({ident(key)} AS VARCHAR) IN "
                f"(SELECT k FROM __same)")
    if schema.table(table).keeps_extra_columns:
        extras.prune(con)
    out = {}
    for n, rows, examples in con.execute(
            "SELECT unit, count(*), list(shown ORDER BY k)[1:3] FROM __same GROUP BY unit"
    ).fetchall():
        out[n] = (rows, tuple(examples))
    for name in ("__same", "__lines"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return out


def _lines(con: duckdb.DuckDBPyConnection, u: Unit, wanted: str) -> None:
    """The line and raw record of each key of one file that ``wanted`` (SQL of a set of
    key texts) names, into ``__lines``."""
    raw, sql = u.unit.m.raw, u.unit
    numbered = f"(SELECT row_number() OVER () AS __ord, * FROM {raw.scan()})"
    keep = ("__ord", *raw.columns, *((raw.line_column,) if raw.line_column else ()))
    line = f"q.{raw.line_column}" if raw.line_column else f"q.__ord + {raw.line_offset}"
    k = key_text([f"q.x_{c}" for c in sql.t.key])
    con.execute(
        f"INSERT INTO __lines SELECT {u.number}, {k}, min({line}), "
        f"arg_min({sql.record()}, {line}) FROM ({sql.checked(numbered, keep)}) AS q "
        f"WHERE NOT q.__bad AND {k} IN ({wanted}) GROUP BY 1, 2")


def take_out_copies(con: duckdb.DuckDBPyConnection, files: list[FileReport], units: list[Unit],
                    plan: Plan, import_id: int) -> None:
    """``resolve`` one table's files, and count the copies in their reports (``files``,
    by unit number) and in the ``imports`` table."""
    table = units[0].unit.t.name
    policy = plan.duplicates.get(table)
    found = resolve(con, table, units, prefer=policy.prefer if policy else None,
                    import_id=import_id)
    for n, (rows, examples) in found.items():
        f, file_id = files[n], next(u.file_id for u in units if u.number == n)
        reasons = ordered_reasons(dict(con.execute(
            f"SELECT {REASON_STEM} AS r, count(*) FROM quarantine WHERE import_id = ? AND "
            f"file = ? AND table_name = ? GROUP BY r", [import_id, file_id, table]).fetchall()))
        files[n] = replace(f, loaded=f.loaded - rows, quarantined=f.quarantined + rows,
                           reasons=reasons, same_records=rows, same_examples=examples)
        con.execute("UPDATE imports SET rows_loaded = rows_loaded - ?, rows_quarantined = "
                    "rows_quarantined + ? WHERE import_id = ? AND file = ? AND table_name = ?",
                    [rows, rows, import_id, file_id, table])
