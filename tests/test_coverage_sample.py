"""A second, independent check: the sample company's coverage summary against plain SQL.

The sample generator writes canonical CSVs and the importer loads them (the
whole pipeline a user runs). The query below re-states the
time model, the derived facts and the built-in plan's standard in SQL of its
own — correlated subqueries, nothing shared with the engine — and must agree with
``coverage_summary``'s ``all`` and ``state`` rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_coverage import records

from covermap.coverage.measure import measure_coverage
from covermap.importing import import_paths
from covermap.plan import default_plan
from covermap.sample import generate_company
from covermap.store.connect import open_store

AS_OF = dt.date(2026, 11, 15)  # window: 2026-05-01 .. 2026-10-31

SQL = """
WITH
days AS (SELECT CAST(g.d AS DATE) AS d
         FROM generate_series(DATE '2026-05-01', DATE '2026-10-31', INTERVAL 1 DAY) AS g(d)),
buckets AS (
  SELECT 'week' AS per, d AS bs, CAST(d + INTERVAL 6 DAY AS DATE) AS be FROM days
  WHERE isodow(d) = 1
  UNION ALL
  SELECT 'month', d, CAST(d + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) FROM days
  WHERE day(d) = 1),
inside AS (SELECT * FROM buckets WHERE be <= DATE '2026-10-31'),
evals AS (SELECT DISTINCT CAST(bs - INTERVAL 1 DAY AS DATE) AS d FROM inside
          UNION SELECT DATE '2026-11-15'),
f AS (
  SELECT a.account_id, e.d, CAST(a.created_at AS DATE) AS created,
    (SELECT count(*) FROM deals x WHERE x.account_id = a.account_id AND x.is_won
       AND x.close_date <= e.d) AS won_deals,
    (SELECT min(x.close_date) FROM deals x WHERE x.account_id = a.account_id AND x.is_won
       AND x.close_date <= e.d) AS since,
    (a.churned_at IS NOT NULL AND CAST(a.churned_at AS DATE) <= e.d) AS churned,
    (SELECT count(*) FROM deals x WHERE x.account_id = a.account_id
       AND CAST(x.created_at AS DATE) <= e.d
       AND NOT (x.is_closed AND x.close_date <= e.d)) AS open_deals,
    (SELECT count(*) FROM contacts c WHERE c.account_id = a.account_id
       AND (c.created_at IS NULL OR CAST(c.created_at AS DATE) <= e.d)) AS lead_count,
    (SELECT max(c.lead_score) FROM contacts c WHERE c.account_id = a.account_id
       AND (c.created_at IS NULL OR CAST(c.created_at AS DATE) <= e.d)) AS max_lead_score,
    coalesce(a.is_target, false) AS is_target
  FROM accounts a CROSS JOIN evals e),
g AS (SELECT *, won_deals >= 1 AND NOT churned AS cust,
        12 * (year(d) - year(since)) + month(d) - month(since)
        - CASE WHEN day(d) < day(since) THEN 1 ELSE 0 END AS months
      FROM f),
s AS (SELECT account_id, d, created, CASE
        WHEN cust AND months >= 24 THEN 'loyal'
        WHEN cust AND months >= 6 THEN 'active'
        WHEN cust THEN 'new'
        WHEN churned THEN 'churned'
        WHEN open_deals > 0 THEN 'in_deal'
        WHEN max_lead_score >= 80 THEN 'hot_lead'
        WHEN max_lead_score >= 50 THEN 'potential_lead'
        WHEN lead_count > 0 THEN 'lead'
        WHEN is_target THEN 'target'
        ELSE 'unclassified' END AS state
      FROM g),
kinds(kind, channel, outcomes) AS (VALUES
  ('call', 'human', ['connected']), ('email', 'human', ['sent', 'replied']),
  ('meeting', 'human', []::VARCHAR[]), ('visit', 'human', []::VARCHAR[]),
  ('marketing_email', 'digital', ['delivered', 'opened', 'clicked']),
  ('webinar', 'digital', ['attended']), ('newsletter', 'digital', []::VARCHAR[])),
touches AS (
  SELECT t.account_id, CAST(t.occurred_at AS DATE) AS day, k.channel, u.role
  FROM activities t JOIN kinds k ON k.kind = t.kind LEFT JOIN users u ON u.user_id = t.user_id
  WHERE CAST(t.occurred_at AS DATE) <= DATE '2026-11-15'
    AND (t.outcome IS NULL OR t.outcome = '' OR len(k.outcomes) = 0
         OR list_contains(k.outcomes, t.outcome))),
standard(state, channel, per, need, roles) AS (VALUES
  ('loyal', 'human', 'month', 1, ['csm', 'executive']),
  ('active', 'human', 'month', 1, ['account_executive', 'inside_sales']),
  ('new', 'human', 'week', 1, ['csm', 'account_executive']),
  ('churned', 'digital', 'month', 1, []::VARCHAR[]),
  ('in_deal', 'human', 'week', 1, ['account_executive']),
  ('hot_lead', 'human', 'week', 1, ['inside_sales']),
  ('potential_lead', 'human', 'month', 1, ['inside_sales']),
  ('potential_lead', 'digital', 'month', 2, []::VARCHAR[]),
  ('lead', 'digital', 'month', 2, []::VARCHAR[])),
checks AS (
  SELECT s.account_id, s.state, st.need,
    (SELECT count(*) FROM touches t WHERE t.account_id = s.account_id
       AND t.day BETWEEN b.bs AND b.be AND t.channel = st.channel
       AND (len(st.roles) = 0 OR coalesce(list_contains(st.roles, t.role), false))) AS n
  FROM inside b
  JOIN s ON s.d = CAST(b.bs - INTERVAL 1 DAY AS DATE) AND (s.created IS NULL OR b.bs >= s.created)
  JOIN standard st ON st.state = s.state AND st.per = b.per),
cur AS (SELECT account_id, state FROM s WHERE d = DATE '2026-11-15'),
touched AS (SELECT DISTINCT account_id FROM touches
            WHERE day BETWEEN DATE '2026-05-01' AND DATE '2026-10-31'),
with_checks AS (SELECT DISTINCT account_id FROM checks),
states(key, pos) AS (VALUES ('loyal', 0), ('active', 1), ('new', 2), ('churned', 3),
  ('in_deal', 4), ('potential_lead', 6), ('hot_lead', 5), ('lead', 7), ('target', 8),
  ('unclassified', 9))
SELECT 'all' AS "group", 'all' AS key, -1 AS pos,
  (SELECT count(*) FROM accounts) AS accounts,
  (SELECT count(*) FROM with_checks) AS accounts_with_checks,
  (SELECT count(*) FROM checks) AS checks,
  (SELECT count(*) FROM checks WHERE n >= need) AS passed,
  (SELECT count(*) FROM touched) AS touched
UNION ALL
SELECT 'state', st.key, st.pos,
  (SELECT count(*) FROM cur WHERE cur.state = st.key),
  (SELECT count(*) FROM cur JOIN with_checks w USING (account_id) WHERE cur.state = st.key),
  (SELECT count(*) FROM checks c WHERE c.state = st.key),
  (SELECT count(*) FROM checks c WHERE c.state = st.key AND n >= need),
  (SELECT count(*) FROM cur JOIN touched USING (account_id) WHERE cur.state = st.key)
FROM states st
ORDER BY pos
"""


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    counts = generate_company(folder / "csv", accounts=300, seed=11, as_of=AS_OF)
    with open_store(folder / "covermap.duckdb") as s:
        report = import_paths(s, [folder / "csv"])
        assert (report.loaded, report.quarantined) == (sum(counts.values()), 0)
        yield s


def test_summary_matches_an_independent_sql_query(sample_store):
    r = measure_coverage(sample_store, default_plan(), as_of=AS_OF)
    assert (r.window.start, r.window.end) == (dt.date(2026, 5, 1), dt.date(2026, 10, 31))
    ours = records(r.summary.filter(r.summary.group.isin(["all", "state"])))
    theirs = sample_store.duckdb.execute(SQL).fetchall()
    assert len(ours) == len(theirs) == 11
    for mine, (group, key, _, accounts, with_checks, checks, passed, touched) in zip(ours, theirs):
        assert (mine["group"], mine["key"], mine["accounts"], mine["accounts_with_checks"],
                mine["checks"], mine["passed"]) == (group, key, accounts, with_checks, checks,
                                                    passed)
        assert mine["compliance"] == (pytest.approx(passed / checks) if checks else None)
        assert mine["breadth"] == (pytest.approx(touched / accounts) if accounts else None)
    # the sample company is built so that every state of the default plan occurs
    assert all(row[3] > 0 for row in theirs if row[1] != "unclassified")
    assert theirs[0][5] > 1000
