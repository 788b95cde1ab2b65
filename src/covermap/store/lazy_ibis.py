"""Ibis's SQL compilers, each imported when a backend first asks for it (issue 9).

``ibis.backends.sql.compilers``' ``__init__`` imports all twenty of Ibis's SQL compilers
(Athena, BigQuery, ClickHouse, ... Trino), and through them ``ibis.backends.sql.dialects``
and most of sqlglot's dialects, whenever any backend loads: about 45% of the time it takes
to import Ibis's DuckDB backend, for compilers covermap never uses. ``install`` puts a
finder on ``sys.meta_path`` that gives that package the same names (``__all__``, each
``<Name>Compiler``, each submodule) imported on first use instead; DuckDB's compiler then
imports only sqlglot's DuckDB dialect, PostgreSQL's and Spark's their own. Installing it
imports nothing; it does nothing if the package is already imported.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import sys
import types
from collections.abc import Iterator

PACKAGE = "ibis.backends.sql.compilers"

#: the package's ``__all__`` (Ibis 12), each name -> the submodule that defines it
COMPILERS = {
    "AthenaCompiler": "athena", "BigQueryCompiler": "bigquery",
    "ClickHouseCompiler": "clickhouse", "DataFusionCompiler": "datafusion",
    "DatabricksCompiler": "databricks", "DruidCompiler": "druid", "DuckDBCompiler": "duckdb",
    "ExasolCompiler": "exasol", "FlinkCompiler": "flink", "ImpalaCompiler": "impala",
    "MSSQLCompiler": "mssql", "MaterializeCompiler": "materialize", "MySQLCompiler": "mysql",
    "OracleCompiler": "oracle", "PostgresCompiler": "postgres", "PySparkCompiler": "pyspark",
    "RisingWaveCompiler": "risingwave", "SQLiteCompiler": "sqlite",
    "SnowflakeCompiler": "snowflake", "TrinoCompiler": "trino",
}


class _Loader:  # importlib.abc.Loader's protocol (importing importlib.abc costs more)
    """Makes the package module without running its ``__init__``."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # the default module, with __path__ from the spec

    def exec_module(self, module: types.ModuleType) -> None:
        module.__all__ = list(COMPILERS)
        module.__getattr__ = _attribute


def _attribute(name: str) -> object:
    if name in COMPILERS:
        return getattr(importlib.import_module(f"{PACKAGE}.{COMPILERS[name]}"), name)
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"{PACKAGE}.{name}")  # e.g. ``sc.duckdb``
        except ModuleNotFoundError as e:
            if e.name != f"{PACKAGE}.{name}":
                raise
    raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")


class _Finder:  # importlib.abc.MetaPathFinder's protocol
    def find_spec(self, fullname: str, path, target=None) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.submodule_search_locations is None:
            return None  # not the Ibis this was written for: its own import
        lazy = importlib.machinery.ModuleSpec(fullname, _Loader(), origin=spec.origin,
                                              is_package=True)
        lazy.submodule_search_locations = spec.submodule_search_locations
        return lazy


def install() -> None:
    """Import Ibis's compilers one by one, when used (module doc)."""
    if PACKAGE not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


@contextlib.contextmanager
def unfused_selects() -> Iterator[None]:
    """Within the block Ibis compiles without merging consecutive SELECTs into one
    (``ibis.options.sql.fuse_selects``; the setting is put back after). The merge is Ibis's
    costliest rewrite: a third of compiling coverage's queries, about 0.4 CPU seconds of each
    ``covermap coverage`` run (issue 9), for SQL DuckDB plans the same (it inlines the
    nested projections itself); the results are the same rows."""
    import ibis

    before = ibis.options.sql.fuse_selects
    ibis.options.sql.fuse_selects = False
    try:
        yield
    finally:
        ibis.options.sql.fuse_selects = before
