"""A store in a PostgreSQL database, chosen by a ``postgresql://`` (or ``postgres://``) URL.

The engine reads it through Ibis's PostgreSQL backend, the same expressions as on
DuckDB. The tables are the DuckDB store's, with the types Ibis maps them to (VARCHAR
-> text, DECIMAL(18,2) -> numeric(18,2), VARCHAR[] -> text[], ...): they are created
from an empty DuckDB store's schema, so nothing spells a column list twice. Imports
are staged in DuckDB and written here in one transaction (``store.postgres_import``).
What a PostgreSQL store cannot do is listed in ``store.capabilities``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import ibis
import ibis.expr.schema as sch

from covermap.errors import StoreError
from covermap.store import capabilities, extras, groups, postgres_compile, schema
from covermap.store.connect import _BOOKKEEPING_DDL, Store
from covermap.store.postgres_sql import DuckDBDialect
from covermap.store.remote_columns import IbisColumns

assert postgres_compile  # imported for its fixes to Ibis's PostgreSQL SQL
SCHEMES = ("postgresql://", "postgres://")
#: every table of a covermap store, in load order (a table after those it refers to)
TABLE_NAMES = (*(t.name for t in schema.TABLES), *_BOOKKEEPING_DDL,
               extras.CATALOG, extras.VALUES, groups.ACCOUNT_GROUPS, groups.GROUP_LINKS)


#: aggregates Ibis's PostgreSQL SQL calls that PostgreSQL lacks: first/last non-NULL value
#: in the aggregate's order (what ``Column.first()`` / ``.arbitrary()`` mean on DuckDB)
_AGGREGATES = (
    ("CREATE OR REPLACE FUNCTION covermap_first_agg(anyelement, anyelement) RETURNS "
     "anyelement LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1'"),
    ("CREATE OR REPLACE AGGREGATE first(anyelement) (SFUNC = covermap_first_agg, "
     "STYPE = anyelement, PARALLEL = safe)"),
    ("CREATE OR REPLACE FUNCTION covermap_last_agg(anyelement, anyelement) RETURNS "
     "anyelement LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $2'"),
    ("CREATE OR REPLACE AGGREGATE last(anyelement) (SFUNC = covermap_last_agg, "
     "STYPE = anyelement, PARALLEL = safe)"),
)


class EmptyDatabase(StoreError):
    """A read-only open of a PostgreSQL database that holds no store yet."""


def is_postgres_url(url: str | Path) -> bool:
    """Whether ``url`` names a PostgreSQL store.

    >>> is_postgres_url("postgresql://crm@db/covermap"), is_postgres_url("crm.duckdb")
    (True, False)
    """
    return str(url).startswith(SCHEMES)


def shown(url: str) -> str:
    """``url`` without its password (what messages print).

    >>> shown("postgresql://crm:secret@db:5432/covermap")
    'postgresql://crm:***@db:5432/covermap'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


@functools.cache
def duckdb_schemas() -> dict[str, sch.Schema]:
    """The Ibis schema of every table of a new store (made in an in-memory DuckDB)."""
    from covermap.store.connect import open_store

    with open_store(":memory:") as s:
        return {name: s.ibis.get_schema(name) for name in TABLE_NAMES}


class PostgresStore(IbisColumns, Store):
    """A store in PostgreSQL: ``ibis`` is Ibis's PostgreSQL backend (what it cannot do:
    ``store.capabilities``)."""

    backend = capabilities.POSTGRES

    @property
    def duckdb(self) -> DuckDBDialect:
        """The store's bookkeeping queries, written for DuckDB, transpiled
        (``store.postgres_sql``); bulk loading goes through ``store.postgres_import``."""
        return DuckDBDialect(self)

    @property
    def shown_url(self) -> str:
        return shown(self.url)

    def sql(self, query: str, params: tuple | list = ()) -> list[tuple]:
        """Rows of one query in PostgreSQL's SQL (parameters written ``%s``)."""
        with self.ibis.con.cursor() as cur, self.ibis.con.transaction():
            cur.execute(query, params or None)
            return cur.fetchall() if cur.description else []

    def has_table(self, name: str) -> bool:
        return bool(self.sql("SELECT 1 FROM information_schema.tables WHERE table_name = %s "
                             "AND table_schema = current_schema()", (name,)))

    def ensure_functions(self) -> None:
        """Create the aggregates Ibis's SQL needs (``_AGGREGATES``) unless there."""
        if len(self.sql("SELECT 1 FROM pg_proc WHERE proname IN ('covermap_first_agg', "
                        "'covermap_last_agg') AND pronamespace = current_schema()::regnamespace"
                        )) < 2:
            for ddl in _AGGREGATES:
                self.sql(ddl)

    def ensure_schema(self) -> None:
        """Create the tables that do not exist yet, with the DuckDB store's schema."""
        self.ensure_functions()
        have = set(self.ibis.list_tables())
        missing = [n for n in TABLE_NAMES if n not in have]
        if missing:
            schemas = duckdb_schemas()
            for name in missing:
                self.ibis.create_table(name, schema=schemas[name])


def _analyze_what_it_creates(con) -> None:
    """ANALYZE every table an analysis keeps midway (``create_table``) and every small
    table of values Ibis uploads (a memtable: the evaluation dates...): PostgreSQL keeps
    no statistics on temporary tables by itself, and without them it plans the next
    joins as if each held a few rows (nested loops over thousands: seconds, not ms)."""
    create = con.create_table

    def create_table(name, obj=None, **kwargs):
        table = create(name, obj, **kwargs)
        if obj is not None:
            with con.con.cursor() as cur, con.con.transaction():
                cur.execute(f'ANALYZE "{name}"')
        return table

    con.create_table = create_table
    register = con._register_in_memory_table

    def register_in_memory_table(op) -> None:  # Ibis uploads a memtable as a temp table
        register(op)
        with con.con.cursor() as cur, con.con.transaction():
            cur.execute(f'ANALYZE "{op.name}"')

    con._register_in_memory_table = register_in_memory_table


def open_postgres(url: str, *, read_only: bool = False) -> PostgresStore:
    """Open the PostgreSQL store at ``url``, creating its tables unless ``read_only``. A
    database that holds tables but not a covermap store's is refused before anything is
    added to it."""
    try:
        import psycopg
    except ImportError as e:
        raise StoreError(f"{shown(url)}: PostgreSQL stores need the postgres extra: "
                         f"pip install 'covermap[postgres]'") from e
    try:
        con = ibis.connect(url)
    except psycopg.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StoreError(f"{shown(url)}: cannot connect to PostgreSQL: {first}; check the "
                         f"host, port, user, password and database in the URL") from e
    _analyze_what_it_creates(con)
    # covermap's queries join and group whole tables (no index to look up): a nested loop
    # comes only from a misestimate (e.g. a join on two correlated keys estimated at one
    # row), and then costs seconds; this session prefers hash and merge joins
    with con.con.cursor() as cur, con.con.transaction():
        cur.execute("SET enable_nestloop = off")
    store = PostgresStore(url=url, ibis=con)
    tables = set(con.list_tables())
    if tables and not set(_BOOKKEEPING_DDL) <= tables:
        con.disconnect()
        listed = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(f"{shown(url)}: a PostgreSQL database but not a covermap store (it "
                         f"holds tables {listed}); covermap leaves it as it is: pass --store "
                         f"a URL with a new database or schema")
    if read_only and not tables:
        con.disconnect()
        raise EmptyDatabase(f"{shown(url)}: no store here yet; run `covermap import FILES "
                         f"--store {shown(url)}` first")
    if not read_only:
        store.ensure_schema()
    else:
        store.ensure_functions()
    return store
