"""Benchmark `covermap coverage` against a hand-written DuckDB query computing coverage_accounts.

``steps(store, out_dir)`` is what ``benchmarks/run.py`` calls: it times
``covermap coverage --store STORE --window-months 6 --export OUT`` (six result
tables: accounts, checks, summary, depth, worklist, transitions; outcomes only
come with ``--outcomes``) and ``BASELINE_SQL`` (the coverage_accounts table
only, written to CSV) in the same run, and counts the coverage_accounts rows on
which the two disagree. The baseline is written for the built-in default plan: UTC,
as_of = the latest activity's date, a 6-month window, the template's activity
kinds, states and standard.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure, python

BASELINE_SQL = r"""
WITH
p AS (SELECT max(occurred_at)::DATE AS as_of FROM activities),
w AS (SELECT as_of, CASE WHEN last_day(as_of) = as_of THEN as_of
                         ELSE (date_trunc('month', as_of) - INTERVAL 1 DAY)::DATE END AS we
      FROM p),
win AS (SELECT as_of, we, (date_trunc('month', we) - INTERVAL 5 MONTH)::DATE AS ws FROM w),
days AS (SELECT g.d::DATE AS d FROM win, generate_series(win.ws, win.we, INTERVAL 1 DAY) g(d)),
buckets AS (
  SELECT 'week' AS per, d AS bs, (d + INTERVAL 6 DAY)::DATE AS be FROM days WHERE isodow(d) = 1
  UNION ALL
  SELECT 'month', d, last_day(d) FROM days WHERE day(d) = 1),
inside AS (SELECT b.* FROM buckets b, win WHERE b.be <= win.we),
evals AS (SELECT DISTINCT (bs - INTERVAL 1 DAY)::DATE AS d FROM inside
          UNION SELECT as_of FROM win),
acc AS (SELECT account_id, segment, owner_id, created_at::DATE AS created,
               churned_at::DATE AS churned_d, coalesce(is_target, false) AS tgt FROM accounts),
dl AS (SELECT account_id, coalesce(is_won, false) AS won, close_date,
              coalesce(is_closed, false) OR coalesce(is_won, false) AS closed,
              created_at::DATE AS created FROM deals),
won AS (SELECT dl.account_id, e.d, count(*) AS n, min(dl.close_date) AS since
        FROM dl JOIN evals e ON dl.close_date <= e.d WHERE dl.won GROUP BY ALL),
opn AS (SELECT dl.account_id, e.d, count(*) AS n
        FROM dl JOIN evals e ON dl.created <= e.d
        WHERE NOT coalesce(dl.closed AND dl.close_date <= e.d, dl.closed) GROUP BY ALL),
lead AS (SELECT c.account_id, e.d, count(*) AS n, max(c.lead_score) AS mx
         FROM (SELECT account_id, lead_score,
                      coalesce(created_at::DATE, DATE '0001-01-01') AS created
               FROM contacts WHERE account_id IS NOT NULL) c
         JOIN evals e ON c.created <= e.d GROUP BY ALL),
f AS (
  SELECT a.account_id, e.d, a.created, a.tgt,
         coalesce(won.n, 0) >= 1 AND NOT coalesce(a.churned_d <= e.d, false) AS cust,
         coalesce(a.churned_d <= e.d, false) AS churned,
         12 * (year(e.d) - year(won.since)) + month(e.d) - month(won.since)
           - CASE WHEN day(e.d) < day(won.since) THEN 1 ELSE 0 END AS months,
         coalesce(opn.n, 0) AS open_deals, coalesce(lead.n, 0) AS leads, lead.mx
  FROM acc a CROSS JOIN evals e
  LEFT JOIN won ON won.account_id = a.account_id AND won.d = e.d
  LEFT JOIN opn ON opn.account_id = a.account_id AND opn.d = e.d
  LEFT JOIN lead ON lead.account_id = a.account_id AND lead.d = e.d),
s AS (
  SELECT account_id, d, created, CASE
    WHEN cust AND months >= 24 THEN 'loyal' WHEN cust AND months >= 6 THEN 'active'
    WHEN cust THEN 'new' WHEN churned THEN 'churned' WHEN open_deals > 0 THEN 'in_deal'
    WHEN mx >= 80 THEN 'hot_lead' WHEN mx >= 50 THEN 'potential_lead'
    WHEN leads > 0 THEN 'lead' WHEN tgt THEN 'target' ELSE 'unclassified' END AS state
  FROM f),
kinds(kind, channel, weight, outcomes) AS (VALUES
  ('call', 'human', 1.0, ['connected']), ('email', 'human', 0.5, ['sent', 'replied']),
  ('meeting', 'human', 3.0, []::VARCHAR[]), ('visit', 'human', 4.0, []::VARCHAR[]),
  ('marketing_email', 'digital', 0.2, ['delivered', 'opened', 'clicked']),
  ('webinar', 'digital', 1.0, ['attended']), ('newsletter', 'digital', 0.1, []::VARCHAR[])),
t AS (
  SELECT a.account_id, a.occurred_at::DATE AS day, k.channel, k.weight, u.role, a.contact_id
  FROM activities a JOIN kinds k ON k.kind = a.kind
  LEFT JOIN users u ON u.user_id = a.user_id, win
  WHERE a.occurred_at < win.as_of + 1
    AND (a.outcome IS NULL OR trim(a.outcome) = '' OR len(k.outcomes) = 0
         OR list_contains(k.outcomes, a.outcome))),
tw AS (SELECT t.* FROM t, win WHERE t.day BETWEEN win.ws AND win.we),
tc AS (
  SELECT account_id, 'week' AS per, date_trunc('week', day)::DATE AS bs, channel, role,
         count(*) AS n FROM tw GROUP BY ALL
  UNION ALL
  SELECT account_id, 'month', date_trunc('month', day)::DATE, channel, role, count(*)
  FROM tw GROUP BY ALL),
standard(state, eid, channel, per, need, roles) AS (VALUES
  ('loyal', 1, 'human', 'month', 1, ['csm', 'executive']),
  ('active', 1, 'human', 'month', 1, ['account_executive', 'inside_sales']),
  ('new', 1, 'human', 'week', 1, ['csm', 'account_executive']),
  ('churned', 1, 'digital', 'month', 1, []::VARCHAR[]),
  ('in_deal', 1, 'human', 'week', 1, ['account_executive']),
  ('hot_lead', 1, 'human', 'week', 1, ['inside_sales']),
  ('potential_lead', 1, 'human', 'month', 1, ['inside_sales']),
  ('potential_lead', 2, 'digital', 'month', 2, []::VARCHAR[]),
  ('lead', 1, 'digital', 'month', 2, []::VARCHAR[])),
ck AS (
  SELECT s.account_id, b.per, b.bs, st.eid, st.need, st.channel, st.roles
  FROM inside b
  JOIN s ON s.d = (b.bs - INTERVAL 1 DAY)::DATE AND (s.created IS NULL OR b.bs >= s.created)
  JOIN standard st ON st.state = s.state AND st.per = b.per),
cnt AS (
  SELECT ck.account_id, ck.per, ck.bs, ck.eid, ck.need,
         coalesce(sum(tc.n) FILTER (WHERE len(ck.roles) = 0
                                    OR list_contains(ck.roles, tc.role)), 0) AS n
  FROM ck LEFT JOIN tc ON tc.account_id = ck.account_id AND tc.per = ck.per
                      AND tc.bs = ck.bs AND tc.channel = ck.channel
  GROUP BY ALL),
per_acc AS (SELECT account_id, count(*) AS checks, count(*) FILTER (WHERE n >= need) AS passed
            FROM cnt GROUP BY ALL),
depth AS (
  SELECT account_id, count(*) FILTER (WHERE channel = 'human') AS human,
         count(*) FILTER (WHERE channel = 'digital') AS digital, sum(weight) AS weighted,
         count(DISTINCT contact_id) FILTER (WHERE channel = 'human') AS contacts
  FROM tw GROUP BY ALL),
last AS (SELECT account_id, max(day) AS last_day FROM t WHERE channel = 'human' GROUP BY ALL),
cur AS (SELECT s.account_id, s.state FROM s, win WHERE s.d = win.as_of)
SELECT a.account_id, cur.state, a.segment, a.owner_id,
       coalesce(pa.checks, 0) AS checks, coalesce(pa.passed, 0) AS passed,
       pa.passed / pa.checks AS compliance,
       coalesce(dp.human, 0) AS human_touches, coalesce(dp.digital, 0) AS digital_touches,
       coalesce(dp.weighted, 0) AS weighted_touches, coalesce(dp.contacts, 0) AS contacts_touched,
       win.as_of - l.last_day AS days_since_human_touch,
       coalesce(dp.human + dp.digital, 0) > 0 AS touched
FROM acc a CROSS JOIN win
LEFT JOIN cur ON cur.account_id = a.account_id
LEFT JOIN per_acc pa ON pa.account_id = a.account_id
LEFT JOIN depth dp ON dp.account_id = a.account_id
LEFT JOIN last l ON l.account_id = a.account_id
ORDER BY a.account_id
"""


def baseline_code(store: Path, out_csv: Path) -> str:
    """Python source that runs BASELINE_SQL on ``store`` and writes ``out_csv``."""
    target = "'" + str(out_csv).replace("'", "''") + "'"
    return (f"import duckdb, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"from bench_coverage import BASELINE_SQL; "
            f"con = duckdb.connect({str(store)!r}, read_only=True); "
            f"con.execute('COPY (' + BASELINE_SQL + ') TO ' + {target!r} + ' (HEADER)')")


def steps(store: Path, out_dir: Path) -> list[Measurement]:
    """Time `covermap coverage --export` and the hand-written baseline on the same store."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = measure("coverage --export", [sys.executable, "-m", "covermap", "coverage",
                                         "--store", str(store), "--window-months", "6",
                                         "--export", str(out_dir)],
                   note="6 tables, 1200MB DuckDB limit")
    base = measure("coverage SQL baseline",
                   python(baseline_code(store, out_dir / "coverage_baseline.csv")),
                   note="coverage_accounts only")
    base.note += f"; rows differing from covermap's: {same_accounts(out_dir)}"
    return [ours, base]


def same_accounts(out_dir: Path) -> int:
    """Rows where covermap's coverage_accounts.csv and the baseline's CSV differ."""
    def rows(name: str) -> dict[str, list[str]]:
        with (out_dir / name).open(newline="", encoding="utf-8") as f:
            return {r[0]: [_num(v) for v in r[:13]] for r in csv.reader(f)}

    ours, base = rows("coverage_accounts.csv"), rows("coverage_baseline.csv")
    return sum(ours.get(k) != v for k, v in base.items()) + abs(len(ours) - len(base))


def _num(v: str) -> str:
    try:
        return f"{float(v):.9g}"
    except ValueError:
        return v
