"""What each kind of store can do, as a list: a command that needs what a store lacks
raises ``BackendUnsupported`` naming the capability and what to do, never a different
answer. Callers may ask first with ``supports``.

>>> from covermap.store.connect import open_store
>>> with open_store(":memory:") as s:
...     supports(s, SPILL_SETTINGS)
True
"""

from __future__ import annotations

from dataclasses import dataclass

from covermap.errors import BackendUnsupported

DUCKDB = "DuckDB"
POSTGRES = "PostgreSQL"
SPARK = "Spark"


@dataclass(frozen=True)
class Capability:
    """One thing a store may or may not do, and what a user does where it cannot."""

    name: str
    remedy: str


DUCKDB_SQL = Capability(
    "DuckDB connection (this command runs DuckDB's own SQL on the store)",
    "run it on a DuckDB store: import the same files with --store covermap.duckdb")
SPILL_SETTINGS = Capability(
    "memory limit or spill folder settings (the server manages its own memory)",
    "leave the memory and spill options out; set work_mem on the PostgreSQL server")
SNAPSHOT_FILE = Capability(
    "snapshot file (the dashboard computes on a copy of the store's file)",
    "run `covermap serve` on a DuckDB store")

WRITE = Capability(
    "writing (--engine spark reads a store's tables from Parquet files or a Spark catalog)",
    "import into a DuckDB or PostgreSQL store, then `covermap export-store --out FOLDER` "
    "writes the Parquet files Spark reads")

def unsupported_on_spark(command: str) -> BackendUnsupported:
    """The error for ``covermap --engine spark COMMAND`` where COMMAND is not one of the
    analyses checked equal to DuckDB's on Spark (``store.spark_engine.ANALYSES``)."""
    from covermap.store.spark_engine import ANALYSES

    return BackendUnsupported(
        f"`covermap {command}` (the commands that run on Spark: {', '.join(ANALYSES)})", SPARK,
        f"run `covermap {command}` without --engine spark, on the DuckDB or PostgreSQL "
        f"store the Parquet files were written from")


#: what each kind of store lacks (everything else works the same on every store)
UNSUPPORTED: dict[str, frozenset[Capability]] = {
    DUCKDB: frozenset(),
    POSTGRES: frozenset({DUCKDB_SQL, SPILL_SETTINGS, SNAPSHOT_FILE}),
    SPARK: frozenset({DUCKDB_SQL, SPILL_SETTINGS, SNAPSHOT_FILE, WRITE}),
}


def backend_of(store) -> str:
    """The kind of store: ``DuckDB``, ``PostgreSQL`` or ``Spark``."""
    return getattr(store, "backend", DUCKDB)


def supports(store, capability: Capability) -> bool:
    """Whether ``store`` has ``capability``."""
    return capability not in UNSUPPORTED[backend_of(store)]


def unsupported(store, capability: Capability) -> BackendUnsupported:
    """The error for ``capability`` missing on ``store`` (to raise)."""
    return BackendUnsupported(capability.name, backend_of(store), capability.remedy)


def require_at(url: str, capability: Capability) -> None:
    """``require`` for the store at ``url``, before opening it."""
    backend = POSTGRES if str(url).startswith(("postgres://", "postgresql://")) else DUCKDB
    if capability in UNSUPPORTED[backend]:
        raise BackendUnsupported(capability.name, backend, capability.remedy)


def require(store, capability: Capability) -> None:
    """Raise ``BackendUnsupported`` unless ``store`` has ``capability``."""
    if not supports(store, capability):
        raise unsupported(store, capability)
