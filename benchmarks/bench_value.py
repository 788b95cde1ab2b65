"""Benchmark `covermap value` against the fastest plain DuckDB SQL we could write for the
same six tables.

    python benchmarks/bench_value.py STORE OUT_DIR [--repeat N]
    python benchmarks/bench_value.py --baseline STORE OUT_DIR    (the baseline alone)

``steps(store, out_dir)`` (what ``benchmarks/run.py`` calls) times ``covermap value --store
STORE --export OUT`` and the baseline in the same run, alternating them ``repeat`` times
(medians of wall seconds, CPU seconds and peak memory; the load average before each round),
and counts the rows on which each of the six tables
differs (value_accounts, value_summary, value_touches, value_content, value_content_stages,
value_persona_stages). The baseline is written for the built-in value map and the default
plan (UTC, as_of = the latest activity's date, a 6-month window, the template's kinds,
states and content), so it may use what they fix: the personas' tests written out, the
month thresholds of the state rules (6 and 24), states as small integers. DuckDB has no
NFKC normalisation, so the baseline too normalises the distinct titles in Python. Its
steps:

1. ``matched``: contacts x personas, by title and by the CRM persona column;
2. ``spans``: each account's daily states over the window as spans (the rule evaluated
   only on days a fact event, churn or a 6- or 24-month anniversary lands);
3. ``t``: one scan of the window's touches, narrow (account, contact, human, raw content
   stage, state code from a range join to the spans), filtered on the kind list first (as
   covermap's query does: 28 % less CPU than testing each kind's outcomes alone);
4. every table from ``t``: the human touches per (account, contact) (``h``: summed per
   contact for value_accounts, per account for the key-player shares), the touches per
   (state, stage, class), and per (account, contact, stage) for the personas' stages (only
   the touches naming a matched contact: a semi join before grouping); raw stages
   normalised after grouping (for the personas' stages: the distinct raw stages
   normalised and joined back);
5. value_accounts ends with ``group_id`` (``account_groups``, joined once per account;
   the account itself when the store has no groups table) and ``territory`` (the default
   plan's territory rules written out, first match), as covermap's export does.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, differing_rows, measure, pop_repeat, python

TABLES = {  # exported table: its key columns (for differing_rows)
    "value_accounts": 2, "value_summary": 3, "value_touches": 2, "value_content": 1,
    "value_content_stages": 2, "value_persona_stages": 2}
PERSONAS = ["production_manager", "plant_manager", "maintenance_engineer", "cfo"]
STATES = ["loyal", "active", "new", "churned", "in_deal", "hot_lead", "potential_lead", "lead",
          "target", "unclassified"]
STAGES = ["Education", "Solution", "Selection", "Negotiation", "Relation"]
CONTENT = {  # state: (stage, channel classes; none: both)
    "loyal": [("Relation", ["human"]), ("Education", ["digital"])],
    "active": [("Solution", ["human"]), ("Relation", []), ("Education", ["digital"])],
    "new": [("Relation", ["human"]), ("Education", [])],
    "churned": [("Education", ["digital"]), ("Relation", ["digital"])],
    "in_deal": [("Selection", ["human"]), ("Negotiation", ["human"]), ("Solution", [])],
    "hot_lead": [("Solution", ["human"]), ("Selection", ["human"])],
    "potential_lead": [("Education", []), ("Solution", ["human"])],
    "lead": [("Education", ["digital"])], "target": [("Education", ["digital"])]}
HUMAN = "('call', 'email', 'meeting', 'visit')"

HITS = r"""
  SELECT value, 'production_manager' AS persona FROM titles
  WHERE contains(norm, 'production manager') OR contains(norm, 'manufacturing manager')
     OR contains(norm, 'head of production') OR contains(norm, 'production director')
     OR contains(norm, '製造部長') OR contains(norm, '製造課長') OR contains(norm, '生産部長')
     OR contains(norm, '生産管理部長')
     OR regexp_matches(norm, '(?i)^(vp|director|head) of (production|manufacturing)$')
     OR regexp_matches(norm, '(?i)(製造|生産(管理)?)部? ?(部長|課長)')
  UNION ALL
  SELECT value, 'plant_manager' FROM titles
  WHERE contains(norm, 'plant manager') OR contains(norm, 'factory manager')
     OR contains(norm, 'plant director') OR contains(norm, 'site director')
     OR contains(norm, '工場長') OR contains(norm, '製作所長')
     OR contains(norm, 'プラントマネージャー') OR regexp_matches(norm, '(?i)(工場|製作所) ?長')
  UNION ALL
  SELECT value, 'maintenance_engineer' FROM titles
  WHERE contains(norm, 'maintenance engineer') OR contains(norm, 'maintenance manager')
     OR contains(norm, 'reliability engineer') OR contains(norm, '保全担当')
     OR contains(norm, '設備保全') OR contains(norm, '保全課長') OR contains(norm, '保全部')
     OR regexp_matches(norm, '(?i)(maint(enance)?|reliability) (lead|supervisor|technician)')
  UNION ALL
  SELECT value, 'cfo' FROM titles
  WHERE contains(norm, 'cfo') OR contains(norm, 'chief financial officer')
     OR contains(norm, 'vp of finance') OR contains(norm, 'finance director')
     OR contains(norm, '最高財務責任者') OR contains(norm, '財務担当役員')
     OR contains(norm, '経理部長')"""


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The default plan's 6-month window: the last complete month up to ``as_of``."""
    nxt = (as_of.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    end = as_of if nxt - dt.timedelta(days=1) == as_of \
        else as_of.replace(day=1) - dt.timedelta(days=1)
    m = end.year * 12 + end.month - 1 - 5
    return dt.date(m // 12, m % 12 + 1, 1), end


def _case(expr: str, pairs: list[tuple[str, str]], default: str) -> str:
    return f"CASE {expr} " + " ".join(f"WHEN {a} THEN {b}" for a, b in pairs) \
        + f" ELSE {default} END"


def statements(ws: dt.date, we: dt.date, placed_sql: str, groups: bool = True) -> list[str]:
    """The baseline's statements: temp tables, then ``value_<table>`` views to COPY;
    ``groups``: the store has the ``account_groups`` table (else each account is its own
    group)."""
    group_id = "coalesce(g.group_id, a.account_id)" if groups else "a.account_id"
    group_join = " LEFT JOIN account_groups g USING (account_id)" if groups else ""
    territory = ("CASE WHEN a.country IN ('Germany', 'Austria', 'Switzerland') THEN 'dach' "
                 "WHEN a.country = 'Japan' THEN 'japan' WHEN a.region = 'EMEA' THEN 'emea' "
                 "WHEN a.region = 'APAC' THEN 'apac' "
                 "WHEN a.region = 'North America' THEN 'north_america' "
                 "WHEN a.region = 'LATAM' THEN 'latam' END")
    WS, WE = f"DATE '{ws}'", f"DATE '{we}'"
    nulls = "NULL::BIGINT, NULL::DATE, NULL::BIGINT, NULL::BIGINT, NULL::DOUBLE"
    months = "12 * (year(d) - year(since)) + month(d) - month(since) - (day(d) < day(since))::INT"
    code = {s: i for i, s in enumerate(STATES)}
    state_case = (
        f"CASE WHEN coalesce(won, 0) >= 1 AND NOT churned THEN CASE "
        f"WHEN {months} >= 24 THEN 0 WHEN {months} >= 6 THEN 1 ELSE 2 END "
        f"WHEN churned THEN 3 WHEN coalesce(open, 0) > 0 THEN 4 WHEN mx >= 80 THEN 5 "
        f"WHEN mx >= 50 THEN 6 WHEN coalesce(leads, 0) > 0 THEN 7 WHEN tgt THEN 8 ELSE 9 END")
    stage = _case("lower(trim(raw))", [(f"'{s.lower()}'", f"'{s}'") for s in STAGES],
                  "nullif(trim(raw), '')")
    plan = ", ".join(f"({code[s]}, '{st}', {h})" for s, items in CONTENT.items()
                     for st, ch in items for h in ("true", "false")
                     if not ch or ("human" if h == "true" else "digital") in ch)
    planned = ", ".join(
        f"({code[s]}, '{s}', '" + ", ".join(f"{st} ({'/'.join(ch)})" if ch else st
                                            for st, ch in CONTENT.get(s, [])) + "')"
        for s in STATES)
    stage_plan = ", ".join(f"({code[s]}, '{st}', '{'/'.join(ch) or 'human/digital'}')"
                           for s, items in CONTENT.items() for st, ch in items)
    prio = _case("persona", [(f"'{p}'", str(i)) for i, p in enumerate(PERSONAS)],
                 str(len(PERSONAS)))
    stage_order = _case("content_stage", [(f"'{s}'", str(i)) for i, s in enumerate(STAGES)],
                        str(len(STAGES)))
    scope_pairs = ("('production_manager', 'enterprise'), ('production_manager', 'mid_market'), "
                   "('plant_manager', 'enterprise'), ('plant_manager', 'mid_market'), "
                   "('maintenance_engineer', 'enterprise'), "
                   "('maintenance_engineer', 'mid_market'), ('maintenance_engineer', 'smb')")
    return [
        f"""CREATE TEMP TABLE matched AS
WITH hits AS ({HITS})
SELECT DISTINCT contact_id, account_id, persona FROM (
  SELECT c.contact_id, c.account_id, h.persona FROM contacts c JOIN hits h ON c.title = h.value
  UNION ALL
  SELECT c.contact_id, c.account_id, 'cfo' FROM contacts c JOIN titles t ON c.persona = t.value
  WHERE t.norm = 'cfo')
WHERE contact_id IS NOT NULL""",
        f"""CREATE TEMP TABLE cells AS
SELECT DISTINCT account_id, complexity || '/' || tier AS cell FROM ({placed_sql})
WHERE won_in AND reason IS NULL""",
        f"""CREATE TEMP TABLE spans AS
WITH acc AS (
  SELECT account_id, churned_at::DATE AS churned_d, coalesce(is_target, false) AS tgt,
         greatest({WS}, coalesce(created_at::DATE, {WS})) AS from_day
  FROM accounts WHERE greatest({WS}, coalesce(created_at::DATE, {WS})) <= {WE}),
e(account_id, at_d, won_n, won_date, open_n, lead_n, score) AS (
  SELECT account_id, close_date, 1, close_date, NULL, NULL, NULL FROM deals
  WHERE coalesce(is_won, false) AND close_date IS NOT NULL AND close_date <= {WE}
  UNION ALL SELECT account_id, created_at::DATE, NULL, NULL, 1, NULL, NULL FROM deals
  WHERE created_at IS NOT NULL AND created_at::DATE <= {WE}
  UNION ALL SELECT account_id, greatest(close_date, created_at::DATE), NULL, NULL, -1, NULL, NULL
  FROM deals WHERE created_at IS NOT NULL AND close_date IS NOT NULL
    AND (coalesce(is_closed, false) OR coalesce(is_won, false))
    AND greatest(close_date, created_at::DATE) <= {WE}
  UNION ALL SELECT account_id, coalesce(created_at::DATE, DATE '0001-01-01'), NULL, NULL, NULL,
         1, lead_score FROM contacts
  WHERE account_id IS NOT NULL AND coalesce(created_at::DATE, DATE '0001-01-01') <= {WE}),
since AS (SELECT account_id, min(won_date) AS since FROM e WHERE won_n IS NOT NULL GROUP BY ALL),
days AS (
  SELECT account_id, greatest(at_d, {WS}) AS at_day, won_n, won_date, open_n, lead_n, score FROM e
  UNION ALL SELECT account_id, from_day, {nulls} FROM acc
  UNION ALL SELECT account_id, churned_d, {nulls} FROM acc
  WHERE churned_d > {WS} AND churned_d <= {WE}
  UNION ALL SELECT account_id, d, {nulls} FROM (
    SELECT account_id, least(date_trunc('month', since) + to_months(k) + to_days(day(since) - 1),
                             date_trunc('month', since) + to_months(k + 1))::DATE AS d
    FROM since, (VALUES (6), (24)) m(k))
  WHERE d > {WS} AND d <= {WE}),
g AS (SELECT account_id, at_day, sum(won_n) AS won_n, min(won_date) AS first_won,
             sum(open_n) AS open_n, sum(lead_n) AS lead_n, max(score) AS score
      FROM days GROUP BY ALL),
c AS (SELECT account_id, at_day AS d, sum(won_n) OVER w AS won, min(first_won) OVER w AS since,
             sum(open_n) OVER w AS open, sum(lead_n) OVER w AS leads, max(score) OVER w AS mx
      FROM g WINDOW w AS (PARTITION BY account_id ORDER BY at_day
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
s AS (SELECT c.*, coalesce(a.churned_d <= c.d, false) AS churned, a.tgt
      FROM c JOIN acc a USING (account_id) WHERE c.d >= a.from_day),
st AS (SELECT account_id, d, ({state_case})::UTINYINT AS sc FROM s),
m AS (SELECT *, lag(sc) OVER (PARTITION BY account_id ORDER BY d) AS before FROM st)
SELECT account_id, sc, d AS span_start,
       coalesce(lead(d) OVER (PARTITION BY account_id ORDER BY d) - 1, {WE}) AS span_end
FROM m WHERE before IS DISTINCT FROM sc""",
        f"""CREATE TEMP TABLE t AS
SELECT a.account_id, a.contact_id, a.human, a.raw,
       coalesce(s.sc, {code['unclassified']})::UTINYINT AS sc
FROM (SELECT account_id, contact_id, occurred_at::DATE AS day, kind IN {HUMAN} AS human,
             content_stage AS raw
      FROM activities
      WHERE occurred_at >= TIMESTAMP '{ws}' AND occurred_at < TIMESTAMP '{we + dt.timedelta(1)}'
        AND kind IN ('call', 'email', 'meeting', 'visit', 'marketing_email', 'webinar',
                     'newsletter')
        AND (outcome IS NULL OR kind IN ('meeting', 'visit', 'newsletter')
             OR (kind = 'call' AND outcome = 'connected')
             OR (kind = 'email' AND outcome IN ('sent', 'replied'))
             OR (kind = 'marketing_email' AND outcome IN ('delivered', 'opened', 'clicked'))
             OR (kind = 'webinar' AND outcome = 'attended') OR trim(outcome) = '')) a
LEFT JOIN spans s ON s.account_id = a.account_id AND a.day >= s.span_start
  AND a.day <= s.span_end""",
        """CREATE TEMP TABLE h AS
SELECT account_id, contact_id, count(*) AS n FROM t WHERE human GROUP BY ALL""",
        f"""CREATE TEMP TABLE va AS
WITH pc AS (SELECT contact_id, sum(n) AS n FROM h WHERE contact_id IS NOT NULL GROUP BY ALL),
per AS (SELECT m.account_id, m.persona, count(*) AS contacts,
               count(*) FILTER (WHERE pc.n > 0) AS touched, coalesce(sum(pc.n), 0) AS ht
        FROM matched m LEFT JOIN pc USING (contact_id) GROUP BY ALL),
acc AS (SELECT a.account_id, a.segment, {group_id} AS group_id, {territory} AS territory
        FROM accounts a{group_join}),
scope AS (
  SELECT a.account_id, a.segment, a.group_id, a.territory, p.persona FROM acc a
  JOIN (VALUES {scope_pairs}) p(persona, seg) ON lower(trim(a.segment)) = p.seg
  UNION ALL SELECT account_id, segment, group_id, territory, 'cfo' FROM acc)
SELECT s.account_id, s.persona, s.segment, coalesce(per.contacts, 0) AS contacts,
       coalesce(per.touched, 0) AS touched_contacts, coalesce(per.ht, 0) AS human_touches,
       s.group_id, s.territory
FROM scope s LEFT JOIN per USING (account_id, persona)""",
        f"""CREATE TEMP VIEW value_summary AS
WITH x AS (
  SELECT 0 AS gi, 'all' AS key, persona, contacts, touched_contacts FROM va
  UNION ALL SELECT 1, segment, persona, contacts, touched_contacts FROM va
  UNION ALL SELECT 2, c.cell, persona, contacts, touched_contacts FROM va JOIN cells c
  USING (account_id)),
g AS (SELECT gi, key, persona, count(*) AS accounts,
             count(*) FILTER (WHERE contacts > 0) AS with_p,
             count(*) FILTER (WHERE touched_contacts > 0) AS reached
      FROM x GROUP BY ALL),
a AS (SELECT 0 AS gi, 'all' AS key, p.persona, coalesce(g.accounts, 0) AS accounts,
             coalesce(g.with_p, 0) AS with_p, coalesce(g.reached, 0) AS reached
      FROM (VALUES {', '.join(f"('{p}')" for p in PERSONAS)}) p(persona)
      LEFT JOIN g ON g.gi = 0 AND g.persona = p.persona
      UNION ALL SELECT * FROM g WHERE gi > 0)
SELECT ['all', 'segment', 'cell'][gi + 1] AS "group", key, persona, accounts,
       with_p AS accounts_with_persona, reached AS accounts_reached,
       CASE WHEN with_p > 0 THEN reached / with_p END AS reach
FROM a ORDER BY gi, key, {prio}""",
        """CREATE TEMP VIEW value_touches AS
WITH k AS (SELECT DISTINCT contact_id FROM matched),
pa AS (SELECT h.account_id, sum(n) AS ht, coalesce(sum(n) FILTER (WHERE h.contact_id IS NULL), 0)
                AS wo, coalesce(sum(n) FILTER (WHERE k.contact_id IS NOT NULL), 0) AS kp
       FROM h LEFT JOIN k USING (contact_id) GROUP BY ALL),
x AS (SELECT 0 AS gi, 'all' AS key, ht, wo, kp FROM pa
      UNION ALL SELECT 1, a.segment, ht, wo, kp FROM pa LEFT JOIN accounts a USING (account_id)
      UNION ALL SELECT 2, c.cell, ht, wo, kp FROM pa JOIN cells c USING (account_id)),
g AS (SELECT gi, key, sum(ht) AS ht, sum(wo) AS wo, sum(kp) AS kp FROM x GROUP BY ALL),
a AS (SELECT 0 AS gi, 'all' AS key, coalesce(g.ht, 0) AS ht, coalesce(g.wo, 0) AS wo,
             coalesce(g.kp, 0) AS kp
      FROM (VALUES (0)) v(gi) LEFT JOIN g USING (gi) UNION ALL SELECT * FROM g WHERE gi > 0)
SELECT ['all', 'segment', 'cell'][gi + 1] AS "group", key, ht AS human_touches,
       wo AS without_contact, ht - wo AS with_contact, kp AS to_key_players,
       ht - wo - kp AS to_others, (ht - wo - kp) / nullif(ht - wo, 0) AS other_share
FROM a ORDER BY gi, key""",
        f"""CREATE TEMP TABLE sn AS
SELECT sc, human, {stage} AS content_stage, sum(n) AS n
FROM (SELECT sc, human, raw, count(*) AS n FROM t GROUP BY ALL) GROUP BY ALL""",
        f"""CREATE TEMP VIEW value_content AS
WITH p(sc, stage, human) AS (VALUES {plan}),
j AS (SELECT sn.*, (SELECT count(*) FROM p WHERE p.sc = sn.sc AND p.stage = sn.content_stage
                                             AND p.human = sn.human) > 0 AS on_plan,
             (SELECT count(*) FROM p WHERE p.sc = sn.sc AND p.stage = sn.content_stage) > 0
               AS planned
      FROM sn),
g AS (SELECT sc, sum(n) AS touches, sum(n) FILTER (WHERE content_stage IS NOT NULL) AS ws,
             sum(n) FILTER (WHERE on_plan) AS op,
             sum(n) FILTER (WHERE planned AND NOT on_plan) AS oc,
             sum(n) FILTER (WHERE content_stage IS NOT NULL AND NOT planned) AS off
      FROM j GROUP BY ALL)
SELECT s.state, s.planned, coalesce(touches, 0) AS touches, coalesce(ws, 0) AS with_stage,
       coalesce(op, 0) AS on_plan, coalesce(oc, 0) AS off_channel, coalesce(off, 0) AS off_plan,
       coalesce(touches, 0) - coalesce(ws, 0) AS without_stage,
       CASE WHEN s.planned <> '' AND touches > 0 THEN coalesce(op, 0) / touches END
         AS on_plan_share,
       coalesce(touches, 0) > 0 AND coalesce(ws, 0) = 0 AS no_stage_at_all
FROM (VALUES {planned}) s(sc, state, planned) LEFT JOIN g USING (sc) ORDER BY s.sc""",
        f"""CREATE TEMP VIEW value_content_stages AS
WITH g AS (SELECT sc, content_stage, sum(n) AS touches, sum(n) FILTER (WHERE human) AS human,
                  sum(n) FILTER (WHERE NOT human) AS digital
           FROM sn WHERE content_stage IS NOT NULL GROUP BY ALL),
j AS (SELECT coalesce(p.sc, g.sc) AS sc, coalesce(p.content_stage, g.content_stage)
               AS content_stage, p.channels, g.touches, g.human, g.digital
      FROM (VALUES {stage_plan}) p(sc, content_stage, channels)
      FULL JOIN g ON g.sc = p.sc AND g.content_stage = p.content_stage)
SELECT ['{"', '".join(STATES)}'][sc + 1] AS state, content_stage,
       channels IS NOT NULL AS planned, channels, coalesce(touches, 0) AS touches,
       coalesce(human, 0) AS human, coalesce(digital, 0) AS digital
FROM j ORDER BY sc, {stage_order}, content_stage""",
        f"""CREATE TEMP VIEW value_persona_stages AS
WITH x AS (SELECT account_id, contact_id, raw, count(*) AS n FROM t
           SEMI JOIN matched USING (contact_id) WHERE raw IS NOT NULL GROUP BY ALL),
d AS (SELECT * FROM (SELECT raw, {stage} AS content_stage FROM (SELECT DISTINCT raw FROM x))
      WHERE content_stage IS NOT NULL),
y AS (SELECT x.account_id, x.contact_id, d.content_stage, x.n FROM x JOIN d USING (raw))
SELECT * FROM (
  SELECT m.persona, content_stage, sum(n) AS touches,
         count(DISTINCT y.contact_id) AS contacts, count(DISTINCT y.account_id) AS accounts
  FROM y JOIN (SELECT contact_id, persona FROM matched) m USING (contact_id) GROUP BY ALL)
ORDER BY {prio}, {stage_order}, content_stage""",
        """CREATE TEMP VIEW value_accounts AS
SELECT account_id, persona, contacts, touched_contacts, human_touches, group_id, territory
FROM va ORDER BY account_id, persona""",
    ]


def baseline_on(con, out_dir: Path) -> None:
    """Run the baseline on the open DuckDB connection ``con`` and write
    ``baseline_<table>.csv`` for the six tables into ``out_dir``."""
    import pyarrow as pa
    from bench_map import PLACED_SQL

    values = [r[0] for r in con.execute(
        "SELECT title FROM contacts WHERE title IS NOT NULL UNION "
        "SELECT persona FROM contacts WHERE persona IS NOT NULL").fetchall()]
    norm = [" ".join(unicodedata.normalize("NFKC", v).casefold().split()) for v in values]
    con.register("titles", pa.table({"value": values, "norm": norm}))
    as_of = con.execute("SELECT max(occurred_at)::DATE FROM activities").fetchone()[0]
    ws, we = window(as_of)
    con.execute(f"SET VARIABLE w_start = DATE '{ws}'")  # PLACED_SQL reads the bounds
    con.execute(f"SET VARIABLE w_end = DATE '{we}'")
    groups = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                         "'account_groups' AND schema_name = 'main'").fetchone()[0] > 0
    for sql in statements(ws, we, PLACED_SQL, groups):
        con.execute(sql)
    for name in TABLES:
        target = str(Path(out_dir) / f"baseline_{name}.csv").replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {name}) TO '{target}' (HEADER)")


def run_baseline(store: Path, out_dir: Path) -> None:
    """:func:`baseline_on` a read-only connection to ``store`` (memory limited as covermap
    value's default)."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    con.execute("SET memory_limit = '1200MB'")
    baseline_on(con, out_dir)


def steps(store: Path, out_dir: Path, repeat: int = 3) -> list[Measurement]:
    """Time `covermap value --export` and the baseline on the same store, alternating them
    ``repeat`` times (medians of wall time, CPU time and peak memory), and count the rows
    where each table differs."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    argv = {"value --export": [sys.executable, "-m", "covermap", "value", "--store",
                               str(store), "--export", str(out_dir), "--force"],
            "value SQL baseline": python(
                f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                f"from bench_value import run_baseline; "
                f"run_baseline({str(store)!r}, {str(out_dir)!r})")}
    runs: dict[str, list[tuple[Measurement, float]]] = {step: [] for step in argv}
    loads = []
    for _ in range(repeat):
        loads.append(", ".join(f"{x:.2f}" for x in os.getloadavg()))
        for step, args in argv.items():
            m = measure(step, args, note="6 tables")
            runs[step].append((m, m.cpu))
    differ = {name: differing_rows(out_dir / f"{name}.csv", out_dir / f"baseline_{name}.csv",
                                   keys) for name, keys in TABLES.items()}
    out = []
    for step, ms in runs.items():
        cpu = statistics.median(c for _, c in ms)
        m = Measurement(step, statistics.median(x.seconds for x, _ in ms),
                        statistics.median(x.peak_mib for x, _ in ms), note="6 tables",
                        cpu=cpu)
        m.note += (f"; wall {', '.join(f'{x.seconds:.1f}' for x, _ in ms)} s, CPU median "
                   f"{cpu:.1f} s; load {' / '.join(loads)}")
        out.append(m)
    out[1].note += "; rows differing from covermap's: " + ", ".join(
        f"{name.removeprefix('value_')} {n}" for name, n in differ.items())
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    n = pop_repeat(args)
    if args and args[0] == "--baseline":
        run_baseline(Path(args[1]), Path(args[2]))
        raise SystemExit
    for m in steps(Path(args[0]), Path(args[1]), n):
        print(f"{m.step}: {m.seconds:.2f} s, peak {m.peak_mib:,.0f} MiB ({m.note})")
