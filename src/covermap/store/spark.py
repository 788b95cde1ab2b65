"""A store read by Spark (``covermap --engine spark``): the tables of a covermap store as
Parquet files in one folder, ``<table>.parquet`` each (what ``write_parquet_store``
writes from a DuckDB or PostgreSQL store), or the same tables in a Spark catalog
database (``--store catalog:DATABASE``).

The engine reads them through Ibis's PySpark backend, the same expressions as on DuckDB.
Each table is a temporary view cast to the DuckDB store's Ibis schema, so every column
has the type the analyses were written for whatever the files' writer chose. The store
is read-only: imports go into a DuckDB or PostgreSQL store (what Spark lacks:
``store.capabilities``). The session is Spark's active one if there is one (a test's, a
notebook's, ``spark-submit``'s), else a new one from Spark's own configuration
(``spark.master`` in ``spark-defaults.conf`` or ``PYSPARK_SUBMIT_ARGS``; local mode when
nothing says otherwise).
"""

from __future__ import annotations

from pathlib import Path

import ibis

from covermap.errors import BackendUnsupported, StoreError
from covermap.store import capabilities, schema, spark_compile, spark_engine
from covermap.store.connect import _BOOKKEEPING_DDL, Store
from covermap.store.remote_columns import IbisColumns
from covermap.store.spark_sql import SparkDialect

assert spark_compile  # imported for its fixes to Ibis's Spark SQL
CATALOG_PREFIX = "catalog:"
#: Spark SQL settings for local mode (one machine, a store's worth of rows): covermap's
#: queries are many and deep, so planning them costs more than running them. Measured on
#: coverage of 40 accounts (load ~15 on 2 cores): 127 s -> 75 s.
LOCAL_SETTINGS = {
    "spark.sql.shuffle.partitions": "2",  # not 200 tasks per shuffle for a few rows
    "spark.sql.adaptive.enabled": "false",  # no re-planning after every stage
    "spark.sql.codegen.wholeStage": "false",  # no Java compiled for each deep plan
}
SUFFIX = ".parquet"


def table_names() -> tuple[str, ...]:
    """Every table of a covermap store, in load order."""
    from covermap.store.postgres import TABLE_NAMES

    return TABLE_NAMES


def schemas():
    """The Ibis schema of every table of a new DuckDB store."""
    from covermap.store.postgres import duckdb_schemas

    with spark_engine.engine(spark_engine.DUCKDB):  # made in an in-memory DuckDB
        return duckdb_schemas()


class SparkStore(IbisColumns, Store):
    """A read-only store on Spark: ``ibis`` is Ibis's PySpark backend."""

    backend = capabilities.SPARK

    @property
    def duckdb(self) -> SparkDialect:
        """The store's bookkeeping queries, written for DuckDB, run as Spark SQL."""
        return SparkDialect(self)

    @property
    def session(self):
        return self.ibis._session

    def sql(self, query: str) -> list[tuple]:
        """Rows of one query in Spark's SQL."""
        return [tuple(r) for r in self.session.sql(query).collect()]

    def has_table(self, name: str) -> bool:
        return bool(self.session.catalog.tableExists(name))

    def ensure_schema(self) -> None:
        raise capabilities.unsupported(self, capabilities.WRITE)

    def close(self) -> None:
        """Release what the analyses cached; the Spark session stays (it is Spark's, shared
        by everything in this process, and a cluster's session outlives one command)."""
        for name in list(self.ibis._cached_dataframes):
            self.ibis._drop_cached_table(name)

    def abandon(self) -> None:
        self.close()


def _refused(run):
    """``run`` with Spark's errors (a query it cannot plan or run) and Ibis's (an operation
    its PySpark compiler has no translation for) as ``BackendUnsupported`` naming the first
    line, not a traceback."""
    def guarded(*args, **kwargs):
        from ibis.common.exceptions import UnsupportedOperationError
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException

        try:
            return run(*args, **kwargs)
        except (PySparkException, Py4JJavaError, UnsupportedOperationError) as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
            raise BackendUnsupported(f"query Spark can run here (Spark: {first})",
                                     capabilities.SPARK, "run the command without --engine "
                                     "spark, on the store the Parquet files came from") from e
    return guarded


def _keep_temporary(con) -> None:
    """``create_table(temp=True)`` (how the analyses keep an intermediate) as a temporary
    view of the rows computed there and then (``localCheckpoint``): the next queries read
    those rows instead of planning the intermediate's whole lineage again, which made
    Spark spend minutes in its planner on 40 accounts (``cache()`` keeps the lineage)."""
    create = con.create_table

    def create_table(name, obj=None, *, temp=None, **kwargs):
        if temp and obj is not None:
            if name in con._cached_dataframes:
                con._drop_cached_table(name)
            con._run_pre_execute_hooks(obj)  # the small tables of values it reads (memtables)
            return keep(name, obj)
        return create(name, obj, temp=temp, **kwargs)

    @_refused
    def keep(name, expr):  # also what Ibis's Table.cache() runs
        df = con._session.sql(con.compile(expr)).localCheckpoint(eager=True)
        df.createOrReplaceTempView(name)
        con._cached_dataframes[name] = df
        return con.table(name)

    def drop_cached_table(name) -> None:
        con._session.catalog.dropTempView(name)
        con._cached_dataframes.pop(name).unpersist()

    con.create_table = create_table
    con._create_cached_table = keep
    con._drop_cached_table = drop_cached_table


def _arrow_memtables(con) -> None:
    """Upload a small table of values (a memtable) as Arrow, not through pandas: pandas
    holds a missing string as NaN, which Spark would keep as the text 'NaN'."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    def register_in_memory_table(op) -> None:
        data = op.data.to_pyarrow(op.schema)
        df = con._session.createDataFrame(data, schema=PySparkSchema.from_ibis(op.schema))
        df.createOrReplaceTempView(op.name)

    con._register_in_memory_table = register_in_memory_table


def _arrow_results(con) -> None:
    """Fetch results as Arrow (``DataFrame.toArrow``) cast to the Ibis schema, not through
    pandas, which turns integers with a NULL into floats on the way."""
    from ibis.formats.pyarrow import PyArrowData

    @_refused
    def to_pyarrow(expr, /, *, params=None, limit=None, **kwargs):
        con._run_pre_execute_hooks(expr)
        table_expr = expr.as_table()
        df = con._session.sql(con.compile(table_expr, params=params, limit=limit, **kwargs))
        table = PyArrowData.convert_table(df.toArrow(), table_expr.schema())
        return expr.__pyarrow_result__(table)

    con.to_pyarrow = to_pyarrow


def _session():
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise StoreError("--engine spark needs PySpark: pip install 'covermap[spark]' (and "
                         "Java 17 or later, e.g. Debian's default-jre-headless)") from e
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    try:
        return (SparkSession.builder.appName("covermap")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    except Exception as e:  # no Java, a cluster that does not answer: Spark's own words
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise StoreError(f"--engine spark: cannot start Spark: {first}; install Java 17 or "
                         f"later and check spark.master") from e


def open_spark(url: str, *, read_only: bool = True) -> SparkStore:
    """Open the store at ``url`` on Spark: a folder of ``<table>.parquet`` files or
    ``catalog:DATABASE``. Writing is refused (``BackendUnsupported``, capability WRITE)."""
    if not read_only:
        w = capabilities.WRITE
        raise BackendUnsupported(w.name, capabilities.SPARK, w.remedy)
    text = str(url)
    want = table_names()
    if text.startswith(CATALOG_PREFIX):
        database = text.removeprefix(CATALOG_PREFIX)
        sources = {name: f"`{database}`.`{name}`" for name in want}
    else:
        folder = Path(text)
        if not folder.is_dir():
            raise StoreError(f"{text}: --engine spark reads a folder of Parquet files, one per "
                             f"table of a store (accounts{SUFFIX}, activities{SUFFIX}, ...); "
                             f"write one with `covermap export-store --store covermap.duckdb "
                             f"--out {text}`")
        missing = [n for n in (*_BOOKKEEPING_DDL, schema.ACCOUNTS.name)
                   if not (folder / f"{n}{SUFFIX}").exists()]
        if missing:
            raise StoreError(f"{text}: not a covermap store's Parquet folder (no "
                             f"{missing[0]}{SUFFIX}); write one with `covermap export-store "
                             f"--store covermap.duckdb --out {text}`")
        sources = {n: f"parquet.`{(folder / f'{n}{SUFFIX}').resolve()}`" for n in want
                   if (folder / f"{n}{SUFFIX}").exists()}
    session = _session()
    if session.sparkContext.master.startswith("local"):
        for key, value in LOCAL_SETTINGS.items():
            session.conf.set(key, value)
    con = ibis.pyspark.connect(session)
    _keep_temporary(con)
    _arrow_memtables(con)
    _arrow_results(con)
    store = SparkStore(url=text, ibis=con)
    typed = schemas()
    if text.startswith(CATALOG_PREFIX):  # the tables the database holds, as in a folder
        database = text.removeprefix(CATALOG_PREFIX)
        required = (*_BOOKKEEPING_DDL, schema.ACCOUNTS.name)
        sources = {n: s for n, s in sources.items()
                   if n in required or session.catalog.tableExists(f"`{database}`.`{n}`")}
    for name, source in sources.items():
        try:
            raw = session.sql(f"SELECT * FROM {source}")
        except Exception as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise StoreError(f"{text}: cannot read table {name}: {first}") from e
        raw.createOrReplaceTempView(f"__covermap_raw_{name}")
        have = set(raw.columns)
        t = con.table(f"__covermap_raw_{name}")
        cols = [t[c].cast(ty).name(c) if c in have else ibis.null(ty).name(c)
                for c, ty in typed[name].items()]
        con.create_view(name, t.select(*cols), overwrite=True)
    return store


def write_parquet_store(store, folder: Path) -> list[Path]:
    """Write every table of ``store`` (DuckDB or PostgreSQL) into ``folder`` as
    ``<table>.parquet``, with DuckDB's Parquet writer (what ``--engine spark`` reads)."""
    from covermap.store.postgres_export import write_with_duckdb

    if isinstance(store, SparkStore):
        raise capabilities.unsupported(store, capabilities.WRITE)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"{folder}: cannot create the folder: {e.strerror}") from e
    paths = []
    for name in table_names():
        if store.has_table(name):
            path = folder / f"{name}{SUFFIX}"
            write_with_duckdb(store.table(name), path, parquet=True)
            paths.append(path)
    return paths
