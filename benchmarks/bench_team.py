"""Benchmark `covermap team` against a hand-written DuckDB query computing team_accounts.

``steps(store, out_dir)`` times ``covermap team --store STORE --export OUT`` (six tables:
accounts, findings, hand-offs, summary, effort, what followed) and the baseline (the
team_accounts table only, written to CSV) in the same run, alternating them ``repeat`` times
(medians of wall time, CPU time and peak memory; the load average before each round), and
counts the rows on which the two team_accounts disagree.

The baseline is the fastest plain SQL we could write: the window's dates are read first
(``WINDOW_SQL``) and written into ``BASELINE_SQL`` as literals, so that the activity scan
filters by constants; the window's human touches are anti-joined to the R/A members as they
are scanned (no distinct pairs first: ``ANTI JOIN``, as DuckDB plans ``NOT EXISTS`` as a
join of the touches to the members' distinct pairs and then the anti join, 13.9 -> 13.0 CPU
seconds at 1M accounts, same rows); it runs under covermap team's default memory limit.
It is written for the built-in default plan: UTC, as_of = the latest activity's date, a
6-month window, the template's states, journey, RACI (with the smb override) and human
activity kinds; owners are accounts.owner_id (no fallback).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, alternate, differing_rows, pop_repeat, python

#: covermap team's default --memory-limit, given to the baseline too
MEMORY_LIMIT = "1200MB"

_RACI = {"acquire": {"marketing": "A", "inside_sales": "I"},
         "qualify": {"inside_sales": "A", "marketing": "C"},
         "win": {"account_executive": "A"},
         "onboard": {"csm": "A", "account_executive": "R"},
         "grow": {"account_executive": "A", "inside_sales": "R", "csm": "C"},
         "retain": {"csm": "A", "executive": "R", "account_executive": "I"},
         "win_back": {"marketing": "A"}}
_SMB_GROW = {"inside_sales": "A", "csm": "C"}
_LETTERS = ", ".join(
    f"('{seg}', '{stage}', '{role}', '{x}')"
    for seg in ("*", "smb")
    for stage, letters in _RACI.items()
    for role, x in (_SMB_GROW if seg == "smb" and stage == "grow" else letters).items())

#: as_of (the latest activity's date), the window's last day and first day
WINDOW_SQL = """
WITH p AS (SELECT max(occurred_at)::DATE AS as_of FROM activities),
w AS (SELECT as_of, CASE WHEN last_day(as_of) = as_of THEN as_of
                         ELSE (date_trunc('month', as_of) - INTERVAL 1 DAY)::DATE END AS we
      FROM p)
SELECT as_of, we, (date_trunc('month', we) - INTERVAL 5 MONTH)::DATE AS ws FROM w
"""

BASELINE_SQL = r"""
WITH
win AS (SELECT DATE '__AS_OF__' AS as_of, DATE '__WE__' AS we, DATE '__WS__' AS ws),
acc AS (SELECT account_id, segment, owner_id, churned_at::DATE AS churned_d,
               coalesce(is_target, false) AS tgt FROM accounts),
dl AS (SELECT account_id, coalesce(is_won, false) AS won, close_date,
              coalesce(is_closed, false) OR coalesce(is_won, false) AS closed,
              created_at::DATE AS created FROM deals),
won AS (SELECT dl.account_id, count(*) AS n, min(dl.close_date) AS since
        FROM dl, win WHERE dl.won AND dl.close_date <= win.as_of GROUP BY ALL),
opn AS (SELECT dl.account_id, count(*) AS n FROM dl, win
        WHERE dl.created <= win.as_of
          AND NOT coalesce(dl.closed AND dl.close_date <= win.as_of, dl.closed) GROUP BY ALL),
lead AS (SELECT account_id, count(*) AS n, max(lead_score) AS mx FROM contacts, win
         WHERE account_id IS NOT NULL
           AND coalesce(created_at::DATE, DATE '0001-01-01') <= win.as_of GROUP BY ALL),
f AS (
  SELECT a.*, coalesce(won.n, 0) >= 1 AND NOT coalesce(a.churned_d <= win.as_of, false) AS cust,
         coalesce(a.churned_d <= win.as_of, false) AS churned,
         12 * (year(win.as_of) - year(won.since)) + month(win.as_of) - month(won.since)
           - CASE WHEN day(win.as_of) < day(won.since) THEN 1 ELSE 0 END AS months,
         coalesce(opn.n, 0) AS open_deals, coalesce(lead.n, 0) AS leads, lead.mx
  FROM acc a CROSS JOIN win
  LEFT JOIN won ON won.account_id = a.account_id
  LEFT JOIN opn ON opn.account_id = a.account_id
  LEFT JOIN lead ON lead.account_id = a.account_id),
s AS (
  SELECT account_id, segment, owner_id, CASE
    WHEN cust AND months >= 24 THEN 'loyal' WHEN cust AND months >= 6 THEN 'active'
    WHEN cust THEN 'new' WHEN churned THEN 'churned' WHEN open_deals > 0 THEN 'in_deal'
    WHEN mx >= 80 THEN 'hot_lead' WHEN mx >= 50 THEN 'potential_lead'
    WHEN leads > 0 THEN 'lead' WHEN tgt THEN 'target' ELSE 'unclassified' END AS state
  FROM f),
stages(state, stage) AS (VALUES ('target', 'acquire'), ('lead', 'acquire'),
  ('potential_lead', 'qualify'), ('hot_lead', 'qualify'), ('in_deal', 'win'),
  ('new', 'onboard'), ('active', 'grow'), ('loyal', 'retain'), ('churned', 'win_back')),
raci(sk, stage, role, letter) AS (VALUES __LETTERS__),
staged AS (SELECT s.*, st.stage, CASE WHEN s.segment = 'smb' THEN 'smb' ELSE '*' END AS sk
           FROM s LEFT JOIN stages st ON st.state = s.state),
tm AS (SELECT DISTINCT t.account_id, t.user_id, t.role FROM account_team t, win
       WHERE (t.start_date IS NULL OR t.start_date <= win.as_of)
         AND (t.end_date IS NULL OR t.end_date >= win.as_of)
         AND t.account_id IS NOT NULL AND t.user_id IS NOT NULL),
members AS (SELECT tm.*, r.letter FROM tm
            JOIN staged s ON s.account_id = tm.account_id AND s.stage IS NOT NULL
            LEFT JOIN raci r ON r.sk = s.sk AND r.stage = s.stage AND r.role = tm.role),
need AS (SELECT s.account_id, r.role FROM staged s
         JOIN raci r ON r.sk = s.sk AND r.stage = s.stage WHERE r.letter IN ('R', 'A')),
gaps AS (SELECT need.account_id, count(*) AS n FROM need
         ANTI JOIN tm ON tm.account_id = need.account_id AND tm.role = need.role GROUP BY ALL),
dups AS (SELECT account_id, count(*) AS n FROM (
           SELECT account_id, role FROM members
           WHERE role IN ('csm', 'account_executive', 'inside_sales', 'executive')
           GROUP BY ALL HAVING count(DISTINCT user_id) >= 2) GROUP BY ALL),
over AS (SELECT account_id, count(*) AS n FROM members WHERE letter IS NULL GROUP BY ALL),
touched AS (
  SELECT a.account_id, a.user_id FROM activities a
  WHERE a.occurred_at >= TIMESTAMP '__WS__' AND a.occurred_at < TIMESTAMP '__WE1__'
    AND a.user_id IS NOT NULL
    AND (a.kind IN ('meeting', 'visit')
         OR (a.kind = 'call' AND (a.outcome IS NULL OR trim(a.outcome) = ''
                                  OR a.outcome = 'connected'))
         OR (a.kind = 'email' AND (a.outcome IS NULL OR trim(a.outcome) = ''
                                   OR a.outcome IN ('sent', 'replied'))))),
silent AS (SELECT m.account_id, count(*) AS n FROM members m
           ANTI JOIN touched t ON t.account_id = m.account_id AND t.user_id = m.user_id
           WHERE m.letter IN ('R', 'A') GROUP BY ALL),
size AS (SELECT account_id, count(DISTINCT user_id) AS n FROM tm GROUP BY ALL)
SELECT s.account_id, s.state, s.stage, s.segment, s.owner_id,
       coalesce(size.n, 0) AS team_size,
       CASE WHEN s.stage IS NOT NULL THEN coalesce(gaps.n, 0) END AS gaps,
       CASE WHEN s.stage IS NOT NULL THEN coalesce(dups.n, 0) END AS duplicates,
       CASE WHEN s.stage IS NOT NULL THEN coalesce(over.n, 0) END AS over_coverage,
       CASE WHEN s.stage IS NOT NULL THEN coalesce(silent.n, 0) END AS silent_members
FROM staged s
LEFT JOIN size ON size.account_id = s.account_id
LEFT JOIN gaps ON gaps.account_id = s.account_id
LEFT JOIN dups ON dups.account_id = s.account_id
LEFT JOIN over ON over.account_id = s.account_id
LEFT JOIN silent ON silent.account_id = s.account_id
ORDER BY s.account_id
""".replace("__LETTERS__", _LETTERS)


def baseline_sql(con) -> str:
    """BASELINE_SQL with the window's dates of the store open on ``con``."""
    as_of, we, ws = con.execute(WINDOW_SQL).fetchone()
    return (BASELINE_SQL.replace("__AS_OF__", str(as_of)).replace("__WE1__", str(
        we + dt.timedelta(days=1))).replace("__WE__", str(we)).replace("__WS__", str(ws)))


def run_baseline(store: Path, out_csv: Path) -> None:
    """Write the baseline's team_accounts of ``store`` to ``out_csv``."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET enable_progress_bar = false")
    target = str(out_csv).replace("'", "''")
    con.execute(f"COPY ({baseline_sql(con)}) TO '{target}' (HEADER)")


def steps(store: Path, out_dir: Path, repeat: int = 3) -> list[Measurement]:
    """Time `covermap team --export` and the baseline on the same store, alternating."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    baseline_csv = out_dir / "team_baseline.csv"
    argv = {"team --export": ([sys.executable, "-m", "covermap", "team", "--store",
                               str(store), "--export", str(out_dir), "--force"], "6 tables"),
            "team SQL baseline": (python(
                f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                f"from bench_team import run_baseline; "
                f"run_baseline({str(store)!r}, {str(baseline_csv)!r})"), "team_accounts only")}
    out = alternate(argv, repeat)
    out[1].note += ("; rows differing from covermap's: "
                    f"{differing_rows(out_dir / 'team_accounts.csv', baseline_csv, 1)}")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    n = pop_repeat(args)
    for m in steps(Path(args[0]), Path(args[1]), n):
        print(f"{m.step}: {m.seconds:.2f} s, peak {m.peak_mib:,.0f} MiB ({m.note})")
