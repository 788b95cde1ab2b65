"""Open the store: a DuckDB file by default, chosen by path or URL.

The engine reaches the store through Ibis (``store.ibis``); bulk loading uses
the DuckDB connection underneath (``store.duckdb``), because DuckDB's own
readers are the fastest way in.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ibis

from covermap.errors import StoreError
from covermap.store import extras, groups, memtables, schema, spark_engine, versions
from covermap.store.sqlstring import sql_string

DEFAULT_STORE = "covermap.duckdb"

_BOOKKEEPING_DDL = {
    schema.QUARANTINE: """
        CREATE TABLE IF NOT EXISTS quarantine (
            import_id BIGINT, table_name VARCHAR, file VARCHAR, line BIGINT,
            "column" VARCHAR, value VARCHAR, reason VARCHAR, record VARCHAR,
            quarantined_at TIMESTAMP DEFAULT current_timestamp
        )""",
    schema.IMPORTS: """
        CREATE TABLE IF NOT EXISTS imports (
            import_id BIGINT, file VARCHAR, table_name VARCHAR, encoding VARCHAR,
            rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
            imported_at TIMESTAMP DEFAULT current_timestamp
        )""",
}


def table_ddl(t: schema.Table) -> str:
    """CREATE TABLE statement for one canonical table (no key constraints: upserts
    are done set-based by the importer, and an index over 50M ids would not fit
    the memory budget)."""
    cols = ", ".join(f'"{c.name}" {c.type}' for c in t.store_columns)
    return f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols})'


@dataclass
class Store:
    """An open store. ``ibis`` for queries, ``duckdb`` for bulk loading."""

    url: str
    ibis: ibis.BaseBackend
    #: the version a read-write store writes, published by ``close`` (store.versions)
    writing: versions.NextVersion | None = field(default=None, repr=False)
    _release: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        return self.ibis.con

    def table(self, name: str) -> ibis.Table:
        """The Ibis table ``name``."""
        return self.ibis.table(name)

    def has_table(self, name: str) -> bool:
        return name in self.ibis.list_tables()

    def columns(self, name: str, *, date_flags: bool = False) -> dict[str, str]:
        """Column name -> DuckDB type of a table in the store, the accounts' extra columns
        included (``store.extras``); the ``<column>_is_date`` flags only with
        ``date_flags`` (they are the store's own, not the user's data)."""
        out = {c: t for c, t in self._physical(name).items()
               if date_flags or c not in schema.DATE_FLAG_NAMES}
        if name == schema.ACCOUNTS.name:
            out.update({c: t for c, (_, t) in extras.catalog_of(self).items()})
        return out

    def _physical(self, name: str) -> dict[str, str]:
        rows = self.duckdb.execute(  # no bound parameter (store.sqlstring)
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_name = {sql_string(name)} AND table_schema = current_schema() "
            "ORDER BY ordinal_position",
        ).fetchall()
        return dict(rows)

    def accounts(self, columns: Iterable[str] = ()) -> ibis.Table:
        """The accounts table, with the extra ``columns`` it is asked for (typed)."""
        return extras.with_columns(self, columns)

    def ensure_schema(self) -> None:
        """Create the canonical and bookkeeping tables that do not exist yet, and add the
        date flags a store made before they existed lacks (NULL: read as instants, which
        is how such a store was read before)."""
        for t in schema.TABLES:
            self.duckdb.execute(table_ddl(t))
            have = self._physical(t.name)
            for flag in t.date_flags:
                if flag.name not in have:
                    self.duckdb.execute(
                        f'ALTER TABLE "{t.name}" ADD COLUMN "{flag.name}" {flag.type}')
        made_groups = not self.has_table(groups.ACCOUNT_GROUPS)
        for ddl in (*_BOOKKEEPING_DDL.values(), *extras.DDL, *groups.DDL):
            self.duckdb.execute(ddl)
        if made_groups:  # a store made before store.groups: its accounts get their groups
            groups.rebuild(self.duckdb)
        canonical = {c.name for c in schema.ACCOUNTS.store_columns}
        extras.move_into_side_tables(self.duckdb, {  # a store made before store.extras
            c: t for c, t in self._physical("accounts").items() if c not in canonical})

    def close(self) -> None:
        """Close the store; a read-write DuckDB file's new version becomes the store's."""
        if self.writing is None:
            self.ibis.disconnect()
            return
        try:
            self.duckdb.execute("CHECKPOINT")
            self._disconnect()
            self.writing.publish()
        finally:
            self._finish()

    def abandon(self) -> None:
        """Close without publishing what was written: the store stays as it was."""
        try:
            self._disconnect()
        finally:
            self._finish()

    def _disconnect(self) -> None:
        self.ibis.disconnect()
        gc.collect()  # a result's reference cycle may hold a cursor on the file

    def _finish(self) -> None:
        release, self.writing, self._release = self._release, None, None
        if release is not None:
            release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None and self.writing is not None:
            self.abandon()
        else:
            self.close()


#: bytes 8-11 of every DuckDB database file (the first 8 are a checksum)
DUCKDB_MAGIC = b"DUCK"
#: the tables every covermap store has: a DuckDB file holding tables but not these is
#: someone else's database
_OWN_TABLES = frozenset(_BOOKKEEPING_DDL)
#: suffixes of files that are data, plans or reports, never a store
_NOT_STORE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet", ".json",
                       ".jsonl", ".ndjson", ".yaml", ".yml", ".html", ".htm", ".zip")


def is_duckdb_file(path: str | Path) -> bool:
    """Whether ``path`` is a DuckDB database file, by its magic bytes (whatever its name).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "s.csv").write_text("account_id,name\\nA1,Acme\\n")
    >>> is_duckdb_file(d / "s.csv"), is_duckdb_file(d / "missing.duckdb")
    (False, False)
    """
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def store_path(url: str | Path) -> str:
    """The DuckDB path of the store ``url`` (``:memory:`` for an in-memory store), after
    checking that it can be one: an existing DuckDB file, a new path, ``duckdb://PATH`` or
    ``:memory:``. Anything else (a CSV, a folder, another URL) raises ``StoreError``.

    >>> store_path("duckdb://crm.duckdb"), store_path(":memory:")
    ('crm.duckdb', ':memory:')
    """
    text = str(url)
    if text.startswith(("postgres://", "postgresql://")) or \
            spark_engine.selected() == spark_engine.SPARK:
        return text  # a PostgreSQL store (covermap.store.postgres), a Spark one (store.spark)
    path = text.removeprefix("duckdb://")
    if path == ":memory:":
        return path
    if "://" in path:
        raise StoreError(f"{text}: not a kind of store covermap knows; --store takes a DuckDB "
                         f"file path such as {DEFAULT_STORE} (or duckdb://PATH)")
    p = Path(path)
    if p.is_dir():
        raise StoreError(f"{path}: is a folder; --store takes a DuckDB file, e.g. "
                         f"--store {p / DEFAULT_STORE}")
    if p.exists() and not is_duckdb_file(p):
        raise StoreError(f"{path}: is not a DuckDB file, so it cannot be a store; to load its "
                         f"rows run `covermap import {path} --store {DEFAULT_STORE}`")
    if not p.exists() and p.suffix.lower() in _NOT_STORE_SUFFIXES:
        raise StoreError(f"{path}: a store is a DuckDB file, and {p.suffix} names a data, plan "
                         f"or report file; pass --store {p.with_suffix('.duckdb')}")
    return path


def open_store(url: str | Path = DEFAULT_STORE, *, read_only: bool = False,
               memory_limit: str | None = None, wait: float | None = None,
               on_wait: Callable[[str], None] | None = None, in_place: bool = False) -> Store:
    """Open (creating if needed) the store at ``url``: a DuckDB file path,
    ``duckdb://path`` or ``:memory:``. A DuckDB file that holds tables but is not a
    covermap store is refused before anything is added to it.

    Read-write, a DuckDB file is written as its next version (``store.versions``): readers
    go on reading the current one, and ``close`` switches (leaving the ``with`` block by an
    exception, or ``abandon``, leaves the store as it was). One writer at a time: another
    waits up to ``wait`` seconds, telling ``on_wait`` who holds the store. ``in_place``
    writes the file itself, for a private copy nobody else reads (a dry run's).

    >>> with open_store(":memory:") as s:
    ...     s.ensure_schema(); s.has_table("activities")
    True
    """
    text = str(url)
    if spark_engine.selected() == spark_engine.SPARK:  # covermap --engine spark
        from covermap.store.spark import open_spark

        return open_spark(text, read_only=read_only)
    path = store_path(text)
    if text.startswith(("postgres://", "postgresql://")):
        from covermap.store.postgres import open_postgres

        return open_postgres(text, read_only=read_only)
    if path != ":memory:":
        parent = Path(path).parent
        if not parent.exists():
            raise StoreError(f"{path}: folder {parent} does not exist; create it or pass "
                             f"--store with a path in an existing folder")
        if read_only and not Path(path).exists():
            raise StoreError(f"{path}: no store here yet; run `covermap import FILES --store "
                             f"{path}` (or `covermap demo`) first")
    if path == ":memory:" or read_only or in_place:
        return _connect(text, path, path, read_only=read_only, memory_limit=memory_limit)
    stack = contextlib.ExitStack()
    nxt = stack.enter_context(versions.next_version(path, wait=wait, on_wait=on_wait))
    try:
        store = _connect(text, str(nxt.path), path, read_only=False, memory_limit=memory_limit)
    except BaseException:
        stack.close()
        raise
    store.writing, store._release = nxt, stack.close
    return store


def _connect(text: str, file: str, path: str, *, read_only: bool,
             memory_limit: str | None) -> Store:
    """The store in DuckDB ``file`` (``path``: the store's own path, for messages)."""
    try:
        con = ibis.duckdb.connect(file, read_only=read_only)
    except duckdb.Error as e:  # a newer DuckDB's file, a file it cannot read, ...
        raise StoreError(f"{path}: cannot open the store: {e}") from e
    memtables.load_through_streams(con)  # without pandas (issue 9)
    try:
        tables = set(con.list_tables())
        if tables and not _OWN_TABLES <= tables:
            shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
            raise StoreError(f"{path}: a DuckDB database but not a covermap store (it holds "
                             f"tables {shown}); covermap leaves it as it is: pass --store a "
                             f"new file or a covermap store")
        if memory_limit:
            con.con.execute(f"SET memory_limit = '{memory_limit}'")
        store = Store(url=text, ibis=con)
        if not read_only:
            store.ensure_schema()
    except BaseException:
        con.disconnect()
        raise
    return store
