"""Benchmark the group roll-up: ``covermap coverage --by group --export`` beside ``coverage
--by segment --export`` (issue 16's target: within 1.2x at 1,000,000 accounts in 100,000
groups), alternating, medians of ``--repeat`` rounds (default 3, or
``COVERMAP_BENCH_ROUNDS``), wall and CPU seconds (user + sys) and peak memory.

``--by segment`` exports coverage's six tables; ``--by group`` exports them and
``coverage_groups.csv`` (each account's group was computed at import, so the roll-up is
one more pass over the accounts).

The sample company has few parent links (about 970,000 groups at 1,000,000 accounts), so
the store is first copied to ``OUT/grouped.duckdb`` and regrouped into ``--groups N``
groups (default: accounts / 10): see :func:`regroup`. ``--groups 0`` times the store as
it is; a copy already regrouped into N groups is reused.

    .venv/bin/python benchmarks/bench_groups.py STORE [OUT] [--groups N] [--repeat N]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "src"))

from measure import Measurement, measure, pop_repeat

from covermap.store import groups as store_groups
from covermap.store.connect import open_store

# Parent links that make ``n`` accounts into ``groups`` groups (accounts ranked by id,
# r = 0, 1, ...): group ``r % groups`` is topped by the account ranked ``r % groups``;
# the second tier (r < 2 * groups) hangs from its top, one group in 4 has a third tier
# hanging from its second (depth 2), and one in 20 a fourth below that (depth 3); the
# rest hang from the top. Every group has n / groups accounts (give or take one).
_LINKS = """
    CREATE OR REPLACE TEMP TABLE __rank AS
    SELECT account_id, row_number() OVER (ORDER BY account_id) - 1 AS r FROM accounts;
    CREATE OR REPLACE TEMP TABLE __parent AS
    SELECT c.account_id, p.account_id AS parent_account_id
    FROM __rank c JOIN __rank p ON p.r = CASE
        WHEN c.r < $groups THEN NULL
        WHEN c.r < 2 * $groups THEN c.r % $groups
        WHEN c.r < 3 * $groups AND c.r % $groups % 4 = 0 THEN $groups + c.r % $groups
        WHEN c.r < 4 * $groups AND c.r % $groups % 20 = 0 THEN 2 * $groups + c.r % $groups
        ELSE c.r % $groups END;
    UPDATE accounts SET parent_account_id = NULL;
    UPDATE accounts SET parent_account_id = p.parent_account_id
    FROM __parent p WHERE p.account_id = accounts.account_id;
    DROP TABLE __parent;
    DROP TABLE __rank;
"""


def group_count(store: Path) -> tuple[int, int]:
    """(accounts, groups) of a store."""
    with open_store(store, read_only=True) as s:
        return s.duckdb.execute(
            f"SELECT count(*), count(DISTINCT group_id) FROM {store_groups.ACCOUNT_GROUPS}"
        ).fetchone()


def regroup(store: Path, groups: int) -> None:
    """Set every account's parent (``_LINKS``) and recompute the groups as an import does
    (``covermap.store.groups.rebuild``, in one transaction), in place: ``store`` must be
    a private copy."""
    with open_store(store, in_place=True) as s:
        con = s.duckdb
        con.execute("BEGIN")
        for sql in filter(str.strip, _LINKS.split(";")):
            con.execute(sql.replace("$groups", str(int(groups))))
        store_groups.rebuild(con)
        con.execute("COMMIT")


def grouped_store(store: Path, out_dir: Path, groups: int | None) -> Path:
    """A copy of ``store`` in ``groups`` groups (None: accounts / 10; 0: ``store`` itself)."""
    accounts, have = group_count(store)
    want = accounts // 10 if groups is None else groups
    if want == 0 or want == have:
        return store
    copy = Path(out_dir) / "grouped.duckdb"
    if copy.exists() and group_count(copy) == (accounts, want):
        return copy
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(store, copy)
    regroup(copy, want)
    return copy


def steps(store: Path, out_dir: Path, *, groups: int | None = None,
          rounds: int | None = None) -> list[Measurement]:
    """Time `coverage --by segment` and `coverage --by group` on ``store`` regrouped into
    ``groups`` groups (:func:`grouped_store`), alternating; medians."""
    rounds = rounds or int(os.environ.get("COVERMAP_BENCH_ROUNDS", "3"))
    timed_store = grouped_store(Path(store), Path(out_dir), groups)
    accounts, n_groups = group_count(timed_store)
    runs: dict[str, list[tuple[float, float, float]]] = {"segment": [], "group": []}
    loads = []
    for _ in range(rounds):
        for by, ms in runs.items():
            folder = Path(out_dir) / f"by-{by}"
            m = measure(f"coverage --by {by}", [
                sys.executable, "-m", "covermap", "coverage", "--store", str(timed_store),
                "--by", by, "--export", str(folder), "--force"])
            ms.append((m.seconds, m.cpu, m.peak_mib))
            loads.append(os.getloadavg()[0])
            print(f"coverage --by {by}: {ms[-1][0]:.1f} s wall, {ms[-1][1]:.1f} s CPU, "
                  f"peak {ms[-1][2]:,.0f} MiB, load {loads[-1]:.1f}", file=sys.stderr,
                  flush=True)
    med = {by: (statistics.median(r[0] for r in ms), statistics.median(r[1] for r in ms))
           for by, ms in runs.items()}
    load = f"load {min(loads):.1f}-{max(loads):.1f}"
    out = []
    for by, ms in runs.items():
        times = ", ".join(f"{w:.1f}/{c:.1f}" for w, c, _ in ms)
        out.append(Measurement(
            f"coverage --by {by}", med[by][0], max(m[2] for m in ms), None,
            f"{n_groups:,} groups of {accounts:,} accounts; median of {len(ms)} "
            f"(wall/CPU s: {times}), CPU median {med[by][1]:.1f} s, highest peak; {load}"
            + (f"; CPU ratio to --by segment {med['group'][1] / med['segment'][1]:.2f}"
               if by == "group" else ""), cpu=med[by][1]))
    return out


if __name__ == "__main__":
    from run import print_table

    args = sys.argv[1:]
    repeat = pop_repeat(args, int(os.environ.get("COVERMAP_BENCH_ROUNDS", "3")))
    n = None
    if "--groups" in args:
        i = args.index("--groups")
        n = int(args[i + 1])
        del args[i:i + 2]
    results = steps(Path(args[0]), Path(args[1]) if len(args) > 1
                    else Path(__file__).parent / "out" / "groups", groups=n, rounds=repeat)
    print_table(results, 0, 2048)
    for m in results:
        print(f"{m.step}: {m.seconds:.2f} s wall, peak {m.peak_mib:,.0f} MiB ({m.note})")
