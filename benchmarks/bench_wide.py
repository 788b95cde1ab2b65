"""Benchmark `covermap import` of wide accounts files (HubSpot "all properties" exports).

    python benchmarks/bench_wide.py --columns 1000 5000 --rows 10000

Writes one accounts CSV per width (account_id, name and extra properties cycling through
whole numbers, dates, text, mostly-empty text and decimals, as such exports hold) and times
a first import of each into a fresh store, in its own process. Import time should grow
about linearly with the columns (issue 8, point 10). ``benchmarks/run.py --wide`` adds
these rows to its table.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure  # noqa: E402

_KINDS = (  # one SQL value per kind of property, over the row number i
    "(i * {j} % 100000)::VARCHAR",
    "(DATE '2020-01-01' + ((i + {j}) % 2000)::INTEGER)::VARCHAR",
    "'value ' || ((i + {j}) % 37)",
    "CASE WHEN (i + {j}) % 97 = 0 THEN 'note ' || i ELSE '' END",
    "((i * {j}) % 10000 / 100.0)::VARCHAR",
)


def make_wide(path: Path, columns: int, rows: int) -> None:
    """An accounts CSV with ``columns`` columns (two canonical, the rest extra)."""
    extra = ", ".join(f"{_KINDS[j % len(_KINDS)].format(j=j)} AS \"property_{j}\""
                      for j in range(columns - 2))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'ACC' || i AS account_id, 'Account ' || i AS name, {extra} "
                f"FROM range({rows}) t(i)) TO '{path}' (HEADER)")


def steps(workdir: Path, widths: list[int], rows: int) -> list[Measurement]:
    """Time a first import of one generated accounts file per width."""
    out = []
    for columns in widths:
        folder = workdir / f"wide-{columns}"
        folder.mkdir(parents=True, exist_ok=True)
        make_wide(folder / "accounts.csv", columns, rows)
        store = workdir / f"wide-{columns}.duckdb"
        for f in (store, store.with_name(store.name + ".wal")):
            f.unlink(missing_ok=True)
        out.append(measure(f"import {columns:,} columns",
                           [sys.executable, "-m", "covermap", "import",
                            str(folder / "accounts.csv"), "--store", str(store)],
                           rows=rows, note=f"{columns:,} columns x {rows:,} rows"))
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="covermap-bench-wide-"))
    try:
        for m in steps(work, args.columns, args.rows):
            print(f"{m.step:24s} {m.seconds:8.1f} s  peak {m.peak_mib:,.0f} MiB  {m.note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
