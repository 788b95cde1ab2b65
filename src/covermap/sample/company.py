"""Write the sample company: every canonical table as one CSV or Parquet file.

The work happens in a scratch DuckDB file with a memory limit and a spill
directory, so a million accounts (about fifty million activities) stream to disk
in bounded memory. Only the account profile is materialised; every output table
is a ``COPY (SELECT ...)`` over it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from covermap.sample import accounts as account_tables
from covermap.sample import activities, deals, people
from covermap.sample.draws import FORMATS, Ctx, copy_table, install_macros, sql_str
from covermap.store import schema

DEFAULT_AS_OF = dt.date(2026, 11, 15)
MEMORY_LIMIT = "2GB"
# One thread: order-preserving COPY of unnested rows runs slower with more threads
# (they wait on each other to write batches in order), and one thread also keeps
# memory flat.
THREADS = 1


def _connect(work: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(work / "sample.duckdb"))
    for setting, value in (("memory_limit", MEMORY_LIMIT), ("threads", THREADS),
                           ("temp_directory", str(work / "spill")),
                           # rows keep their scan order, which makes the files reproducible
                           ("preserve_insertion_order", True)):
        con.execute(f"SET {setting} = {sql_str(value) if isinstance(value, str) else value}")
    con.execute("SET enable_progress_bar = false")
    return con


def generate_company(out_dir: Path, *, accounts: int = 5000, seed: int = 42, fmt: str = "csv",
                     as_of: dt.date = DEFAULT_AS_OF,
                     progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write a realistic B2B company in the canonical schema to ``out_dir``.

    One file per canonical table (``accounts.csv``, ``activities.csv``, ...), written in
    the store's load order. The same ``accounts``, ``seed`` and ``as_of`` always give
    byte-identical files. Every state of the default plan occurs as of ``as_of``, and
    nothing is dated after it except open deals' expected close dates.

    Parameters:
        out_dir: folder for the files (created if missing; files of the same name are replaced).
        accounts: number of accounts; about 50 activities each on average.
        seed: the seed every value is drawn from.
        fmt: ``"csv"`` (with header; ISO dates) or ``"parquet"``.
        as_of: the day the company is seen on.
        progress: called as ``progress(table, rows)`` after each table is written.

    Returns rows written per table, in load order.

    >>> import tempfile
    >>> counts = generate_company(Path(tempfile.mkdtemp()), accounts=50, seed=7)
    >>> counts["accounts"], sorted(counts) == sorted(t.name for t in schema.TABLES)
    (50, True)
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if accounts < 1:
        raise ValueError(f"accounts must be at least 1, not {accounts}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Ctx(accounts=accounts, seed=seed, as_of=as_of)
    blocks = people.role_blocks(accounts)
    sources: dict[str, Callable[[], str]] = {
        "users": lambda: people.users_sql(blocks),
        "accounts": lambda: account_tables.accounts_sql(ctx),
        "contacts": lambda: people.contacts_sql(ctx),
        "products": deals.products_sql,
        "deals": lambda: deals.deals_sql(ctx),
        "deal_lines": deals.deal_lines_sql,
        "account_team": account_tables.account_team_sql,
        "deal_contacts": deals.deal_contacts_sql,
        "activities": lambda: activities.activities_sql(ctx, blocks["marketing"]),
    }
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="covermap-sample-") as work:
        con = _connect(Path(work))
        try:
            install_macros(con, seed)
            con.execute(account_tables.profile_sql(ctx, blocks))
            con.execute(deals.create_deal_view(ctx))
            for table in schema.TABLES:
                counts[table.name] = copy_table(con, table, sources[table.name](), out_dir, fmt)
                if progress is not None:
                    progress(table.name, counts[table.name])
        finally:
            con.close()
    return counts

