"""Intermediates kept as temporary tables on the store's connection (``keep``, see
``covermap.coverage.checks.Keep``): coverage's, team's and value's measurements store what
they reuse."""

from __future__ import annotations

import uuid

import ibis.expr.types as ir


def temp_keeper(store):
    """A ``keep`` that stores each intermediate as a uniquely named temporary table.

    On DuckDB they are written with ``preserve_insertion_order`` off (the inserts run in
    parallel and buffer less): no result reads an intermediate's row order, as every
    exported table is sorted where it is read."""
    token = uuid.uuid4().hex[:10]
    duck = getattr(store.ibis, "name", "") == "duckdb"
    before = str(store.duckdb.execute("SELECT current_setting('preserve_insertion_order')")
                 .fetchone()[0]).lower() if duck else "true"

    def keep(expr: ir.Table, name: str) -> ir.Table:
        if not duck:
            return store.ibis.create_table(f"_covermap_{name}_{token}", expr, temp=True)
        store.duckdb.execute("SET preserve_insertion_order = false")
        try:
            return _duckdb_temp_table(store.ibis, f"_covermap_{name}_{token}", expr)
        finally:
            store.duckdb.execute(f"SET preserve_insertion_order = {before}")

    def release(name: str) -> None:
        """Drop an intermediate no later query reads (temporary tables hold memory)."""
        store.duckdb.execute(f'DROP TABLE IF EXISTS "_covermap_{name}_{token}"')

    keep.release = release  # type: ignore[attr-defined]
    return keep


def _duckdb_temp_table(backend, name: str, expr: ir.Table) -> ir.Table:
    """``backend.create_table(name, expr, temp=True)`` on DuckDB: the same table (its columns
    declared with the expression's types, then filled by one INSERT ... SELECT), without
    what Ibis's version adds: it builds the INSERT around the compiled query with sqlglot,
    which deep-copies the query's tree first (a fifth of the Python time of every kept
    intermediate; issue 9)."""
    import sqlglot as sg
    import sqlglot.expressions as sge

    backend._run_pre_execute_hooks(expr)  # registers the expression's memtables
    query = backend.compile(expr)
    target = sg.table(name, catalog="temp", db="main", quoted=True)
    create = sge.Create(kind="TABLE", this=sge.Schema(
        this=target, expressions=expr.schema().to_sqlglot_column_defs("duckdb")),
        properties=sge.Properties(expressions=[sge.TemporaryProperty()]))
    columns = ", ".join(sge.to_identifier(c, quoted=True).sql("duckdb") for c in expr.columns)
    backend.con.execute(create.sql("duckdb"))
    backend.con.execute(f"INSERT INTO {target.sql('duckdb')} ({columns}) {query}").fetchall()
    return backend.table(name, database=("temp", "main"))
