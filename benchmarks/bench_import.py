"""Benchmark `covermap import` against DuckDB's plain `CREATE TABLE AS SELECT * FROM read_csv`.

    python benchmarks/bench_import.py --rows 10000000   # canonical accounts + activities in /tmp

``steps(workdir, data_dir, store)`` is what ``benchmarks/run.py`` calls: it times
``covermap import DATA_DIR --store STORE`` (recognition, type conversion, every
check, quarantine and the one-transaction upsert included) and, as the baseline,
one ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` per data file of the folder
into a fresh DuckDB file: the same files, read with no checks at all. Each runs in
its own process, so its peak memory is its own. The store is removed first: the
step measures a first import, not an upsert.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure, python  # noqa: E402


def _files(data_dir: Path) -> list[Path]:
    return sorted(f for f in data_dir.iterdir() if f.suffix.lower() == ".csv")

def _rows(files: list[Path]) -> int:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return sum(con.execute(f"SELECT count(*) FROM read_csv('{f}')").fetchone()[0] for f in files)

def steps(workdir: Path, data_dir: Path, store: Path) -> list[Measurement]:
    """Time the import of ``data_dir`` into ``store`` and the plain read_csv baseline."""
    files = _files(data_dir)
    rows = _rows(files)
    for f in (store, store.with_name(store.name + ".wal")):
        f.unlink(missing_ok=True)
    imported = measure("import", [sys.executable, "-m", "covermap", "import", str(data_dir),
                                  "--store", str(store)],
                       rows=rows, note=f"{len(files)} files, all checks + quarantine")
    baseline_db = workdir / "read_csv-baseline.duckdb"
    baseline_db.unlink(missing_ok=True)
    code = ("import duckdb\n"
            f"con = duckdb.connect({str(baseline_db)!r})\n"
            + "".join(f"con.execute(\"CREATE TABLE t{i} AS SELECT * FROM read_csv({str(f)!r})\")\n"
                      for i, f in enumerate(files)))
    baseline = measure("read_csv baseline", python(code), rows=rows,
                       note="CREATE TABLE AS read_csv, per file")
    baseline_db.unlink(missing_ok=True)
    return [imported, baseline]

def make_data(data_dir: Path, rows: int, accounts: int = 100_000) -> None:
    """Canonical accounts.csv and activities.csv (``rows`` activities), written by DuckDB."""
    data_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT 'ACC' || i AS account_id, 'Account ' || i AS name,
                         (['Retail', 'Tech', 'Health'])[1 + i % 3] AS industry
                  FROM range({accounts}) t(i)) TO '{data_dir / 'accounts.csv'}' (HEADER)""")
    kinds = "['call', 'email', 'meeting', 'note', 'marketing_email']"
    con.execute(f"""COPY (
        SELECT 'A' || i AS activity_id, 'ACC' || (i % {accounts}) AS account_id,
               ({kinds})[1 + i % 5] AS kind,
               (TIMESTAMP '2023-01-01' + to_seconds(i % 50000000))::VARCHAR AS occurred_at,
               'C' || (i % 300000) AS contact_id, NULL AS deal_id, 'U' || (i % 500) AS user_id,
               CASE WHEN i % 2 = 0 THEN 'outbound' ELSE 'inbound' END AS direction,
               CASE WHEN i % 3 = 0 THEN 'connected' ELSE 'no answer' END AS outcome,
               (i % 60)::VARCHAR AS duration_minutes, 'Education' AS content_stage,
               'Subject line number ' || i AS subject
        FROM range({rows}) t(i)) TO '{data_dir / 'activities.csv'}' (HEADER)""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="activities to generate")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="covermap-bench-import-"))
    try:
        make_data(work / "data", args.rows)
        for m in steps(work, work / "data", work / "covermap.duckdb"):
            rps = f"{m.rows_per_second:,.0f} rows/s" if m.rows_per_second else ""
            print(f"{m.step:20s} {m.seconds:8.1f} s  {rps:>18s}  peak {m.peak_mib:,.0f} MiB  "
                  f"{m.note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
