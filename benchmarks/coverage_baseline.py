"""The fastest plain DuckDB SQL we could write for coverage_accounts + coverage_checks.

    python benchmarks/coverage_baseline.py STORE OUT_DIR

Written for the built-in default plan only (UTC, as_of = the latest activity's date, a
6-month window, the template's kinds, states and standard), so it may use what that plan
fixes: the month thresholds of its rules (6 and 24) are the only anniversaries it
evaluates, roles are small integers, and each counter is a column. Python computes only
the handful of calendar dates (as covermap does); every per-account step is SQL:

1. ``steps``: per account, the state on the evaluation dates (each bucket's day before and
   as_of) as steps: fact events are mapped to the first evaluation date on or after them,
   summed cumulatively, the state rule evaluated at those indexes only, equal neighbours
   merged;
2. ``t``: one scan of the activities from the first worklist bucket to as_of, narrow
   (account, day, class, role code, weight in millionths, contact);
3. ``wk`` / ``mo``: touches per (account, week) and (account, month), one column per
   counter; checks = steps x standard x buckets (a range join on the tiny bucket table)
   left-joined to those counts;
4. the accounts table: current state, checks, depth, last human touch (an aggregate over
   the older activities for accounts without a recent one), owners.

A blank outcome is trimmed only where it can be blank (``ascii(outcome) <= 32``: empty, or a
first character that is whitespace), as covermap does. Counts are ``count_if`` (faster than
``count(*) FILTER`` or a sum of booleans), the temporary tables are written with
``preserve_insertion_order`` off. Both files are written with COPY; the accounts sorted,
``coverage_checks.csv`` unsorted, which is the cheapest.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb

DAY = dt.timedelta(days=1)
KINDS = [  # kind, human, weight in millionths, counting outcomes (empty: all)
    ("call", True, 1_000_000, ["connected"]), ("email", True, 500_000, ["sent", "replied"]),
    ("meeting", True, 3_000_000, []), ("visit", True, 4_000_000, []),
    ("marketing_email", False, 200_000, ["delivered", "opened", "clicked"]),
    ("webinar", False, 1_000_000, ["attended"]), ("newsletter", False, 100_000, []),
]
ROLES = ["account_executive", "csm", "executive", "inside_sales"]  # rk = index + 1
# state, entry, channel, per, by, min, counter column
STANDARD = [
    ("loyal", 1, "human", "month", "csm|executive", 1, "m_ce"),
    ("active", 1, "human", "month", "account_executive|inside_sales", 1, "m_ai"),
    ("new", 1, "human", "week", "csm|account_executive", 1, "w_ca"),
    ("churned", 1, "digital", "month", None, 1, "m_d"),
    ("in_deal", 1, "human", "week", "account_executive", 1, "w_a"),
    ("hot_lead", 1, "human", "week", "inside_sales", 1, "w_i"),
    ("potential_lead", 1, "human", "month", "inside_sales", 1, "m_i"),
    ("potential_lead", 2, "digital", "month", None, 2, "m_d"),
    ("lead", 1, "digital", "month", None, 2, "m_d"),
]
LABELS = {"loyal": "Loyal customer", "active": "Active customer", "new": "New customer (first 6 months after the first purchase)",
          "churned": "Churned customer", "in_deal": "Customer in a deal",
          "hot_lead": "Lead with high deal probability",
          "potential_lead": "Lead with high potential", "lead": "Other lead",
          "target": "Target with no lead", "unclassified": "Unclassified"}


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, k: int) -> dt.date:
    i = d.year * 12 + d.month - 1 + k
    return dt.date(i // 12, i % 12 + 1, 1)


def calendar(as_of: dt.date) -> dict:
    """The window, buckets, evaluation dates and first touch day of the default plan."""
    end = as_of if add_months(month_start(as_of), 1) - DAY == as_of \
        else month_start(as_of) - DAY
    start = add_months(month_start(end), -5)
    weeks, d = [], start + dt.timedelta(days=(7 - start.weekday()) % 7)
    while d + 6 * DAY <= end:
        weeks.append(d)
        d += 7 * DAY
    months = [add_months(start, k) for k in range(6)]
    dates = sorted({b - DAY for b in weeks + months} | {as_of})
    week_of = as_of - dt.timedelta(days=as_of.weekday())
    last_week = week_of if week_of + 6 * DAY == as_of else week_of - 7 * DAY
    last_month = month_start(as_of) if end == as_of else add_months(month_start(as_of), -1)
    nxt = as_of + DAY
    first = min(start, last_week, last_month, nxt - dt.timedelta(days=nxt.weekday()),
                month_start(nxt))
    return {"as_of": as_of, "start": start, "end": end, "weeks": weeks, "months": months,
            "dates": dates, "first": first}


def lit(d: dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


def index_of(expr: str, dates: list[dt.date]) -> str:
    """SQL: the index of the first evaluation date on or after ``expr`` (len when none)."""
    whens = " ".join(f"WHEN {expr} <= {lit(d)} THEN {i}" for i, d in enumerate(dates))
    return f"(CASE {whens} ELSE {len(dates)} END)"


def statements(c: dict) -> list[str]:
    ds, n = c["dates"], len(c["dates"])
    dates_values = ", ".join(f"({i}, {lit(d)})" for i, d in enumerate(ds))
    nulls = "NULL::BIGINT, NULL::DATE, NULL::BIGINT, NULL::BIGINT, NULL::DOUBLE"
    anniversary = ("CASE WHEN day(since + to_months(k)) = day(since) THEN "
                   "(since + to_months(k))::DATE ELSE (since + to_months(k))::DATE + 1 END")
    steps = f"""
CREATE TEMP TABLE steps AS
WITH ev(account_id, i, won_n, won_date, open_n, lead_n, score) AS (
  SELECT account_id, {index_of('close_date', ds)}, 1, close_date, NULL, NULL, NULL
  FROM deals WHERE is_won AND close_date IS NOT NULL
  UNION ALL SELECT account_id, {index_of('created_at::DATE', ds)}, NULL, NULL, 1, NULL, NULL
  FROM deals WHERE created_at IS NOT NULL
  UNION ALL SELECT account_id, {index_of('greatest(close_date, created_at::DATE)', ds)},
         NULL, NULL, -1, NULL, NULL
  FROM deals WHERE created_at IS NOT NULL AND close_date IS NOT NULL AND (is_closed OR is_won)
  UNION ALL SELECT account_id, {index_of("coalesce(created_at::DATE, DATE '0001-01-01')", ds)},
         NULL, NULL, NULL, 1, lead_score
  FROM contacts WHERE account_id IS NOT NULL
  UNION ALL SELECT account_id, 0, {nulls} FROM accounts
  UNION ALL SELECT account_id, {index_of('churned_at::DATE', ds)}, {nulls}
  FROM accounts WHERE churned_at IS NOT NULL
  UNION ALL SELECT account_id, {index_of(anniversary, ds)}, {nulls}
  FROM (SELECT account_id, min(close_date) AS since FROM deals
        WHERE is_won AND close_date IS NOT NULL GROUP BY ALL), (VALUES (6), (24)) m(k)),
g AS (SELECT account_id, i, sum(won_n) AS won_n, min(won_date) AS first_won,
             sum(open_n) AS open_n, sum(lead_n) AS lead_n, max(score) AS score
      FROM ev WHERE i < {n} GROUP BY ALL),
c AS (SELECT account_id, i, sum(won_n) OVER w AS won, min(first_won) OVER w AS since,
             sum(open_n) OVER w AS open, sum(lead_n) OVER w AS leads, max(score) OVER w AS mx
      FROM g WINDOW w AS (PARTITION BY account_id ORDER BY i
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
f AS (SELECT c.*, d.d, a.churned_at::DATE <= d.d AS churned, coalesce(a.is_target, false) AS tgt,
             CASE WHEN a.created_at IS NULL THEN 0
                  ELSE {index_of('a.created_at::DATE - 1', ds)} END AS made
      FROM c JOIN accounts a USING (account_id) JOIN (VALUES {dates_values}) d(i, d) USING (i)),
s AS (SELECT account_id, i, made, CASE
        WHEN coalesce(won, 0) >= 1 AND NOT coalesce(churned, false) THEN CASE
          WHEN 12 * (year(d) - year(since)) + month(d) - month(since)
               - (day(d) < day(since))::INT >= 24 THEN 'loyal'
          WHEN 12 * (year(d) - year(since)) + month(d) - month(since)
               - (day(d) < day(since))::INT >= 6 THEN 'active'
          ELSE 'new' END
        WHEN coalesce(churned, false) THEN 'churned' WHEN coalesce(open, 0) > 0 THEN 'in_deal'
        WHEN mx >= 80 THEN 'hot_lead' WHEN mx >= 50 THEN 'potential_lead'
        WHEN coalesce(leads, 0) > 0 THEN 'lead' WHEN tgt THEN 'target'
        ELSE 'unclassified' END AS state FROM f),
m AS (SELECT *, lag(state) OVER (PARTITION BY account_id ORDER BY i) AS before FROM s)
SELECT account_id, i, lead(i, 1, {n}) OVER (PARTITION BY account_id ORDER BY i) AS next_i,
       state, made
FROM m WHERE before IS DISTINCT FROM state"""
    kinds = ", ".join(f"('{k}', {h}, {w}, {list(o)!r}::VARCHAR[])" for k, h, w, o in KINDS)
    roles = " ".join(f"WHEN '{r}' THEN {i + 1}" for i, r in enumerate(ROLES))
    touches = f"""
CREATE TEMP TABLE t AS
SELECT a.account_id, a.occurred_at::DATE AS day, k.human, coalesce(u.rk, 0)::TINYINT AS rk,
       k.wu, CASE WHEN k.human THEN a.contact_id END AS contact_id
FROM activities a
JOIN (VALUES {kinds}) k(kind, human, wu, outcomes) ON k.kind = a.kind
LEFT JOIN (SELECT user_id, CASE min(role) {roles} ELSE 0 END AS rk FROM users
           WHERE user_id IS NOT NULL GROUP BY ALL) u ON u.user_id = a.user_id
WHERE a.occurred_at >= TIMESTAMP '{c['first']}' AND a.occurred_at < TIMESTAMP '{c['as_of'] + DAY}'
  AND (a.outcome IS NULL OR len(k.outcomes) = 0 OR list_contains(k.outcomes, a.outcome)
       OR (ascii(a.outcome) <= 32 AND trim(a.outcome) = ''))"""
    cols = {"w_ca": "human AND rk IN (1, 2)", "w_a": "human AND rk = 1",
            "w_i": "human AND rk = 4", "m_ce": "human AND rk IN (2, 3)",
            "m_ai": "human AND rk IN (1, 4)", "m_d": "NOT human", "m_i": "human AND rk = 4"}

    def counts(per: str) -> str:
        mine = ", ".join(f"count_if({cond}) AS {name}"
                         for name, cond in cols.items() if name[0] == per[0])
        return (f"CREATE TEMP TABLE {per[:2]} AS SELECT account_id, "
                f"date_trunc('{per}', day)::DATE AS bs, {mine} FROM t GROUP BY ALL")

    std = ", ".join(f"('{s}', {e}, '{ch}', '{p}', {('NULL' if b is None else repr(b))}, {mn}, "
                    f"'{col}')" for s, e, ch, p, b, mn, col in STANDARD)
    idx = {d: i for i, d in enumerate(ds)}
    buckets = ", ".join(
        [f"('week', {lit(b)}, {lit(b + 6 * DAY)}, {idx[b - DAY]})" for b in c["weeks"]]
        + [f"('month', {lit(b)}, {lit(add_months(b, 1) - DAY)}, {idx[b - DAY]})"
           for b in c["months"]])

    def checks_of(per: str, table: str) -> str:
        pick = " ".join(f"WHEN '{col}' THEN n.{col}" for *_, p, _b, _m, col in STANDARD
                        if p == per)
        return f"""
SELECT s.account_id, b.bs AS bucket_start, b.be AS bucket_end, '{per}' AS per, s.state,
       st.channel, st."by", st.min, coalesce(CASE st.col {pick} END, 0) AS count,
       coalesce(CASE st.col {pick} END, 0) >= st.min AS passed, st.entry
FROM steps s
JOIN (VALUES {std}) st(state, entry, channel, per, "by", min, col)
  ON st.state = s.state AND st.per = '{per}'
JOIN (VALUES {buckets}) b(per, bs, be, bi)
  ON b.per = '{per}' AND b.bi >= s.i AND b.bi < s.next_i AND b.bi >= s.made
LEFT JOIN {table} n ON n.account_id = s.account_id AND n.bs = b.bs"""

    checks = ("CREATE TEMP TABLE checks AS " + checks_of("week", "we") + " UNION ALL "
              + checks_of("month", "mo"))
    human = ", ".join(f"'{k}'" for k, h, _, _ in KINDS if h)
    outcome = " OR ".join(
        [f"a.kind = '{k}'" for k, h, _, o in KINDS if h and not o]
        + [f"(a.kind = '{k}' AND a.outcome IN ({', '.join(repr(x) for x in o)}))"
           for k, h, _, o in KINDS if h and o])
    labels = ", ".join(f"('{s}', '{lab}', {s not in ('target', 'unclassified')})"
                       for s, lab in LABELS.items())
    accounts = f"""
CREATE TEMP TABLE acc_out AS
WITH win AS (SELECT * FROM t WHERE day BETWEEN {lit(c['start'])} AND {lit(c['end'])}),
dep AS (SELECT account_id, count_if(human) AS h, count_if(NOT human) AS d, sum(wu) AS wu FROM win GROUP BY ALL),
who AS (SELECT w.account_id, count(*) AS contacts, count(DISTINCT k.persona) AS personas
        FROM (SELECT DISTINCT account_id, contact_id FROM win
              WHERE contact_id IS NOT NULL) w
        LEFT JOIN contacts k ON k.contact_id = w.contact_id GROUP BY ALL),
recent AS (SELECT account_id, max(day) AS last_day FROM t WHERE human GROUP BY ALL),
older AS (SELECT account_id, max(occurred_at)::DATE AS last_day FROM activities a
          WHERE a.occurred_at < TIMESTAMP '{c['first']}' AND a.kind IN ({human})
            AND (a.outcome IS NULL OR {outcome}
                 OR (ascii(a.outcome) <= 32 AND trim(a.outcome) = '')) GROUP BY ALL),
chk AS (SELECT account_id, count(*) AS checks, count_if(passed) AS passed
        FROM checks GROUP BY ALL),
cur AS (SELECT account_id, state FROM steps WHERE next_i = {n}),
own AS (SELECT a.account_id, CASE WHEN trim(a.owner_id) <> '' THEN a.owner_id END AS owner_id
        FROM accounts a)
SELECT a.account_id, cur.state, a.segment, own.owner_id, coalesce(chk.checks, 0) AS checks,
       coalesce(chk.passed, 0) AS passed,
       CASE WHEN chk.checks > 0 THEN chk.passed / chk.checks END AS compliance,
       coalesce(dep.h, 0) AS human_touches, coalesce(dep.d, 0) AS digital_touches,
       coalesce(dep.wu, 0) / 1000000 AS weighted_touches,
       coalesce(who.contacts, 0) AS contacts_touched,
       {lit(c['as_of'])} - coalesce(recent.last_day, older.last_day) AS days_since_human_touch,
       coalesce(dep.h, 0) + coalesce(dep.d, 0) > 0 AS touched,
       CASE WHEN trim(u.name) <> '' THEN u.name END AS owner_name,
       CASE WHEN own.owner_id IS NOT NULL THEN 'account' END AS owner_source, a.name,
       lab.label, lab.has_standard, coalesce(who.personas, 0) AS personas_touched,
       coalesce(dep.h, 0) / 6 AS human_per_month, coalesce(dep.d, 0) / 6 AS digital_per_month
FROM accounts a
LEFT JOIN cur USING (account_id) LEFT JOIN own USING (account_id)
LEFT JOIN chk USING (account_id) LEFT JOIN dep USING (account_id)
LEFT JOIN who USING (account_id) LEFT JOIN recent USING (account_id)
LEFT JOIN older USING (account_id)
LEFT JOIN (VALUES {labels}) lab(state, label, has_standard) ON lab.state = cur.state
LEFT JOIN users u ON u.user_id = own.owner_id"""
    return [steps, touches, counts("week"), counts("month"), checks, accounts]


def run(store: Path, out_dir: Path) -> None:
    con = duckdb.connect(str(store), read_only=True)
    con.execute("SET memory_limit = '1200MB'")
    # the temporary tables keep no order (parallel inserts, less buffering); the accounts
    # file is sorted as it is written, the checks file is written unsorted
    con.execute("SET preserve_insertion_order = false")
    as_of = con.sql("SELECT max(occurred_at)::DATE FROM activities").fetchone()[0]
    for sql in statements(calendar(as_of)):
        con.execute(sql)
    out_dir.mkdir(parents=True, exist_ok=True)
    con.execute("SET preserve_insertion_order = true")
    for query, name in (("SELECT * FROM acc_out ORDER BY account_id", "baseline_accounts.csv"),
                        ("FROM checks", "baseline_checks.csv")):
        target = str(out_dir / name).replace("'", "''")
        con.execute(f"COPY ({query}) TO '{target}' (HEADER, DATEFORMAT '%Y-%m-%d')")


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]))
