"""Import into a PostgreSQL store: staged and checked in DuckDB, written in one transaction.

The importer is DuckDB's (its readers, checks, quarantine and upserts, unchanged), so a
PostgreSQL store gets exactly the rows, quarantine and report a DuckDB store would:

1. an advisory lock makes imports into one database take turns (each reads what the
   previous one wrote);
2. the tables an import compares new rows with (those other tables refer to, those
   checked for copies under other ids, and the bookkeeping) are copied into a DuckDB file
   in a temporary folder; the others (``DELTA_TABLES``: activities, deal lines, deal
   contacts, account team) stay empty there, since an import only upserts them by key;
3. ``import_paths`` runs there, as on any DuckDB store;
4. in ONE PostgreSQL transaction, each copied table the import changed is replaced by
   its staged rows, and each delta table gets its staged rows upserted by key: the import
   commits whole or not at all, readers see the old rows until it commits (rows are
   deleted, never truncated, so readers are not blocked), and the activity table is never
   read back.

Every table moves as CSV through COPY (``store.postgres_copy``), never as Python rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import ibis

from covermap.importing.duplicates import STORE_CHECKED
from covermap.importing.report import ImportReport
from covermap.store import extras, groups, schema
from covermap.store.connect import Store
from covermap.store.postgres import TABLE_NAMES, EmptyDatabase, PostgresStore, duckdb_schemas
from covermap.store.postgres_copy import duckdb_to_postgres, postgres_to_duckdb

#: pg_advisory_lock key of covermap imports ("covermap" in ASCII, as a number)
_LOCK = 0x636F7665726D6170
#: written on every import; the rest only when a file fed them (or accounts changed)
_ALWAYS = (schema.QUARANTINE, schema.IMPORTS)
_WITH_ACCOUNTS = (extras.CATALOG, extras.VALUES, groups.ACCOUNT_GROUPS, groups.GROUP_LINKS)
_REFERENCED = {c.references.split(".")[0] for t in schema.TABLES for c in t.columns
               if c.references}
#: canonical tables no other table refers to and whose stored rows no new file is
#: compared with: an import only upserts them by key, so they are not staged
DELTA_TABLES = tuple(t.name for t in schema.TABLES
                     if t.name not in _REFERENCED and t.name not in STORE_CHECKED)


@contextmanager
def _import_lock(store: PostgresStore):
    con = store.ibis.con
    con.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
    try:
        yield
    finally:
        con.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))


def changed_tables(report: ImportReport) -> list[str]:
    """The tables an import wrote, in load order."""
    fed = {f.table for f in report.files}
    if schema.ACCOUNTS.name in fed:
        fed.update(_WITH_ACCOUNTS)
    fed.update(_ALWAYS)
    return [n for n in TABLE_NAMES if n in fed]


def _upsert(cur, duck, name: str, schemas: dict, folder: Path) -> None:
    """Upsert DuckDB's staged rows of delta table ``name`` into PostgreSQL's, by key."""
    staged = f"__staged_{name}"
    cur.execute(f'CREATE TEMP TABLE "{staged}" (LIKE "{name}") ON COMMIT DROP')
    duck.execute(f'ALTER TABLE "{name}" RENAME TO "{staged}"')
    duckdb_to_postgres(duck, cur, staged, schemas[name], folder)
    match = " AND ".join(f't."{k}" = s."{k}"' for k in schema.table(name).key)
    cur.execute(f'DELETE FROM "{name}" AS t USING "{staged}" AS s WHERE {match}')
    cur.execute(f'INSERT INTO "{name}" SELECT * FROM "{staged}"')


def import_paths(store: PostgresStore, paths: Sequence[str | Path], **options) -> ImportReport:
    """``covermap.importing.import_paths`` for a PostgreSQL store (same options, same
    report); with ``dry_run`` nothing is written to PostgreSQL."""
    from covermap.importing.load import import_paths as import_into

    schemas = duckdb_schemas()
    with _import_lock(store), tempfile.TemporaryDirectory(prefix="covermap-pg-") as tmp:
        folder = Path(tmp)
        # a private file nobody else reads: opened directly, not as a store's next version
        with Store(url=str(folder / "staging.duckdb"),
                   ibis=ibis.duckdb.connect(str(folder / "staging.duckdb"))) as staging:
            staging.ensure_schema()
            con = store.ibis.con
            with con.cursor() as cur, con.transaction():  # one snapshot of every table
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                for name in TABLE_NAMES:
                    if name not in DELTA_TABLES:
                        postgres_to_duckdb(cur, staging.duckdb, name, schemas[name], folder)
            report = import_into(staging, paths, **options)
            if options.get("dry_run"):
                return report
            with con.cursor() as cur, con.transaction():
                for name in changed_tables(report):
                    if name in DELTA_TABLES:
                        _upsert(cur, staging.duckdb, name, schemas, folder)
                    else:
                        cur.execute(f'DELETE FROM "{name}"')
                        duckdb_to_postgres(staging.duckdb, cur, name, schemas[name], folder)
            for name in changed_tables(report):  # the planner's statistics, now
                con.execute(f'ANALYZE "{name}"')
    return report


def preview(url: str, paths: Sequence[str | Path], **options) -> ImportReport:
    """``covermap import --dry-run`` on a PostgreSQL store: the import staged against what
    the store holds, nothing written (a database with no store yet is not created)."""
    from covermap.importing.load import import_paths as import_into
    from covermap.store.connect import open_store
    from covermap.store.postgres import open_postgres

    try:
        store = open_postgres(url, read_only=True)
    except EmptyDatabase:
        with open_store(":memory:") as s:
            return import_into(s, paths, dry_run=True, **options)
    with store:
        return import_paths(store, paths, dry_run=True, **options)
