"""Deterministic draws and the SQL plumbing shared by every table of the sample company.

Every random value is a pure function of ``(seed, row index, salt)`` through DuckDB's
``hash``, never ``random()``: the files then do not depend on thread scheduling, and
a table can recompute another table's value (a contact's persona, a deal's id)
instead of joining to it. Rows come from scans and ``unnest``, which DuckDB keeps
in order when ``preserve_insertion_order`` is on, so no large table needs a sort
and every file is byte-identical for the same seed and size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from covermap.store import schema

FORMATS = ("csv", "parquet")

# Draws are uniform on [0, 1) in steps of 1/1000003 (a prime, so the modulo does not
# favour round numbers).
_MACROS = """
CREATE OR REPLACE MACRO u(i, salt) AS (hash(i, salt, {seed}) % 1000003) / 1000003.0;
CREATE OR REPLACE MACRO u2(i, j, salt) AS (hash(i, j, salt, {seed}) % 1000003) / 1000003.0;
CREATE OR REPLACE MACRO gauss(i, j, salt) AS
    sqrt(-2 * ln(1 - u2(i, j, salt))) * cos(2 * pi() * u2(i, j, salt + 1));
CREATE OR REPLACE MACRO pick(arr, x) AS arr[1 + floor(x * len(arr))::BIGINT];
CREATE OR REPLACE MACRO between_days(lo, hi, x) AS
    lo + floor(x * (date_diff('day', lo, hi) + 1))::INTEGER;
CREATE OR REPLACE MACRO clock(d, x) AS d + INTERVAL 8 HOUR + to_seconds(floor(x * 36000)::BIGINT);
"""


@dataclass(frozen=True)
class Ctx:
    """The parameters every table's SQL is built from."""

    accounts: int
    seed: int
    as_of: dt.date

    @property
    def as_of_sql(self) -> str:
        return f"DATE '{self.as_of.isoformat()}'"

    @property
    def id_width(self) -> int:
        return max(6, len(str(self.accounts)))


def install_macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Define the draw macros (``u``, ``u2``, ``gauss``, ``pick``, ...) for ``seed``."""
    con.execute(_MACROS.format(seed=int(seed)))


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Iterable[object]) -> str:
    """A DuckDB list literal of constant strings or numbers."""
    return "[" + ", ".join(sql_str(v) if isinstance(v, str) else repr(v) for v in values) + "]"


def cumulative(weights: Iterable[float]) -> list[float]:
    """Upper bounds of all buckets but the last, for ``bucket_of``."""
    ws = list(weights)
    total, acc, out = sum(ws), 0.0, []
    for w in ws[:-1]:
        acc += w
        out.append(round(acc / total, 6))
    return out


def bucket_of(weights: Iterable[float], draw: str) -> str:
    """SQL for the 0-based bucket a uniform ``draw`` falls in, buckets sized by ``weights``."""
    return f"len(list_filter({sql_list(cumulative(weights))}, b -> b <= {draw}))"


def case_of(mapping: dict[str, str], key: str, default: str = "NULL") -> str:
    """SQL ``CASE key WHEN k THEN v ...``; keys and values are SQL expressions."""
    arms = " ".join(f"WHEN {k} THEN {v}" for k, v in mapping.items())
    return f"CASE {key} {arms} ELSE {default} END"


def canonical_select(table: schema.Table, source: str) -> str:
    """Project ``source`` onto ``table``'s canonical columns, in order, with store types."""
    cols = ", ".join(f'CAST("{c.name}" AS {c.type}) AS "{c.name}"' for c in table.columns)
    return f"SELECT {cols} FROM ({source})"


def copy_table(con: duckdb.DuckDBPyConnection, table: schema.Table, source: str,
               out_dir: Path, fmt: str) -> int:
    """Write ``source`` as ``out_dir/<table>.<fmt>``; the number of rows written."""
    path = out_dir / f"{table.name}.{fmt}"
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
    target = sql_str(str(path))
    sql = f"COPY ({canonical_select(table, source)}) TO {target} ({options})"
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
