"""Benchmark `covermap value` against a hand-written DuckDB query computing value_accounts.

``steps(store, out_dir)`` times ``covermap value --store STORE --export OUT`` (six tables:
value_accounts, value_summary, value_touches, value_content, value_content_stages,
value_persona_stages; the content tables need every account's daily states) and the
baseline (value_accounts only, written to CSV) in the same run, and counts the rows on which
the two disagree. The baseline is written for the built-in value map and default plan: UTC,
as_of = the latest activity's date, a 6-month window, the template's human kinds. DuckDB
has no NFKC normalisation, so the baseline too normalises the distinct titles in Python
before its one query.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, export_beside_baseline

BASELINE_SQL = r"""
WITH
p AS (SELECT max(occurred_at)::DATE AS as_of FROM activities),
w AS (SELECT CASE WHEN last_day(as_of) = as_of THEN as_of
                  ELSE (date_trunc('month', as_of) - INTERVAL 1 DAY)::DATE END AS we FROM p),
win AS (SELECT we, (date_trunc('month', we) - INTERVAL 5 MONTH)::DATE AS ws FROM w),
hits AS (
  SELECT value, 'production_manager' AS persona FROM titles
  WHERE norm LIKE '%production manager%' OR norm LIKE '%manufacturing manager%'
     OR norm LIKE '%head of production%' OR norm LIKE '%production director%'
     OR norm LIKE '%製造部長%' OR norm LIKE '%製造課長%' OR norm LIKE '%生産部長%'
     OR norm LIKE '%生産管理部長%'
     OR regexp_matches(norm, '(?i)^(vp|director|head) of (production|manufacturing)$')
     OR regexp_matches(norm, '(?i)(製造|生産(管理)?)部? ?(部長|課長)')
  UNION ALL
  SELECT value, 'plant_manager' FROM titles
  WHERE norm LIKE '%plant manager%' OR norm LIKE '%factory manager%'
     OR norm LIKE '%plant director%' OR norm LIKE '%site director%' OR norm LIKE '%工場長%'
     OR norm LIKE '%製作所長%' OR norm LIKE '%プラントマネージャー%'
     OR regexp_matches(norm, '(?i)(工場|製作所) ?長')
  UNION ALL
  SELECT value, 'maintenance_engineer' FROM titles
  WHERE norm LIKE '%maintenance engineer%' OR norm LIKE '%maintenance manager%'
     OR norm LIKE '%reliability engineer%' OR norm LIKE '%保全担当%' OR norm LIKE '%設備保全%'
     OR norm LIKE '%保全課長%' OR norm LIKE '%保全部%'
     OR regexp_matches(norm, '(?i)(maint(enance)?|reliability) (lead|supervisor|technician)')
  UNION ALL
  SELECT value, 'cfo' FROM titles
  WHERE norm LIKE '%cfo%' OR norm LIKE '%chief financial officer%'
     OR norm LIKE '%vp of finance%' OR norm LIKE '%finance director%'
     OR norm LIKE '%最高財務責任者%' OR norm LIKE '%財務担当役員%' OR norm LIKE '%経理部長%'),
matched AS (
  SELECT DISTINCT c.contact_id, c.account_id, h.persona FROM contacts c
  JOIN hits h ON c.title = h.value
  UNION
  SELECT c.contact_id, c.account_id, 'cfo' FROM contacts c
  JOIN titles t ON c.persona = t.value WHERE t.norm = 'cfo'),
scope AS (
  SELECT a.account_id, p.persona FROM accounts a
  JOIN (VALUES ('production_manager', 'enterprise'), ('production_manager', 'mid_market'),
               ('plant_manager', 'enterprise'), ('plant_manager', 'mid_market'),
               ('maintenance_engineer', 'enterprise'), ('maintenance_engineer', 'mid_market'),
               ('maintenance_engineer', 'smb')) p(persona, seg)
    ON lower(trim(a.segment)) = p.seg
  UNION ALL
  SELECT account_id, 'cfo' FROM accounts),
touched AS (
  SELECT a.contact_id, count(*) AS n FROM activities a, win
  WHERE a.occurred_at >= win.ws AND a.occurred_at < win.we + 1 AND a.contact_id IS NOT NULL
    AND (a.kind IN ('meeting', 'visit')
         OR (a.kind = 'call' AND (a.outcome IS NULL OR trim(a.outcome) = ''
                                  OR a.outcome = 'connected'))
         OR (a.kind = 'email' AND (a.outcome IS NULL OR trim(a.outcome) = ''
                                   OR a.outcome IN ('sent', 'replied'))))
  GROUP BY ALL),
per AS (
  SELECT m.account_id, m.persona, count(DISTINCT m.contact_id) AS contacts,
         count(DISTINCT m.contact_id) FILTER (WHERE t.n > 0) AS touched_contacts,
         coalesce(sum(t.n), 0) AS human_touches
  FROM matched m LEFT JOIN touched t ON t.contact_id = m.contact_id GROUP BY ALL)
SELECT s.account_id, s.persona, coalesce(per.contacts, 0) AS contacts,
       coalesce(per.touched_contacts, 0) AS touched_contacts,
       coalesce(per.human_touches, 0) AS human_touches
FROM scope s LEFT JOIN per ON per.account_id = s.account_id AND per.persona = s.persona
ORDER BY s.account_id, s.persona
"""


def baseline_code(store: Path, out_csv: Path) -> str:
    """Python source that normalises the distinct titles and runs BASELINE_SQL on ``store``,
    writing ``out_csv``."""
    target = "'" + str(out_csv).replace("'", "''") + "'"
    return (
        f"import duckdb, sys, unicodedata, pyarrow as pa; "
        f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"from bench_value import BASELINE_SQL; "
        f"con = duckdb.connect({str(store)!r}, read_only=True); "
        f"v = [r[0] for r in con.execute('SELECT DISTINCT title FROM contacts WHERE title IS "
        f"NOT NULL UNION SELECT DISTINCT persona FROM contacts WHERE persona IS NOT NULL')"
        f".fetchall()]; "
        f"titles = pa.table({{'value': v, 'norm': [' '.join(unicodedata.normalize('NFKC', x)"
        f".casefold().split()) for x in v]}}); "
        f"con.register('titles', titles); "
        f"con.execute('COPY (' + BASELINE_SQL + ') TO ' + {target!r} + ' (HEADER)')")


def steps(store: Path, out_dir: Path) -> list[Measurement]:
    """Time `covermap value --export` and the hand-written baseline on the same store."""
    return export_beside_baseline("value", store, out_dir, baseline_code,
                                  table="value_accounts", key_columns=2)


if __name__ == "__main__":
    store, out = Path(sys.argv[1]), Path(sys.argv[2])
    for m in steps(store, out):
        print(f"{m.step}: {m.seconds:.1f} s, peak {m.peak_mib:,.0f} MiB ({m.note})")
