"""Benchmark `covermap map` against hand-written DuckDB queries computing the same tables.

``steps(store, out_dir)`` is what ``benchmarks/run.py`` calls: it times
``covermap map --store STORE --export OUT`` and the plain-SQL baseline writing the same
three tables (map_cells, map_channels, map_unplaced) to CSV in the same run, alternating
them ``repeat`` times (medians of wall time, CPU time and peak memory; the load average
before each round), then counts the rows on which the two disagree (``same_tables``).
``python benchmarks/bench_map.py STORE OUT [--repeat N]`` prints the same.

The baseline is the fastest plain SQL we found, written for the built-in default plan: UTC,
a 6-month window ending on the latest activity's date, thresholds 10M / 100M on
annual_revenue, the template's channel grid, fx rates and activity kinds. Like covermap it
sums money and minutes as decimals (exact, so both give the same digits every run). The
window's bounds are constants (SET VARIABLE), so every scan filters by them; the window's
lines are placed once into a temporary table of the 12 columns the tables read (one left
join of deals and lines; bundled when a deal's least and greatest product differ, over the
window's lines, not every deal line); the won deals are joined to their accounts'
activities on raw timestamps against each deal's midnights before kinds and outcomes are
tested (testing them first, on every activity scanned, took twice as long).
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, alternate, pop_repeat, python

#: the window's bounds as constants (so the scans filter by them): w_end, the last day of the
#: last complete month on or before the latest activity's date, and w_start, five months
#: before w_end's month began
WINDOW_SQL = """
SET VARIABLE w_end = (
  SELECT CASE WHEN last_day(d) = d THEN d ELSE (date_trunc('month', d) - INTERVAL 1 DAY)::DATE
         END FROM (SELECT max(occurred_at)::DATE AS d FROM activities));
SET VARIABLE w_start = (date_trunc('month', getvariable('w_end')) - INTERVAL 5 MONTH)::DATE;
"""

#: every line of the deals open or closed in the window, placed in its cell (reason NULL)
#: or not (reason says why), with its deal's window flags and revenue in USD: only the
#: columns the three tables read. A deal is bundled when its least and greatest product
#: differ, taken over the window's lines (a CTE read twice, which DuckDB materialises),
#: not over every deal line.
PLACED_SQL = r"""
WITH d AS (
  SELECT deal_id, account_id, amount, close_date, created_at::DATE AS created,
         coalesce(is_won, false) AS won,
         coalesce(is_closed, false) OR coalesce(is_won, false) AS closed,
         nullif(upper(trim(currency)), '') AS cur, channel
  FROM deals),
flags AS (
  SELECT *,
    closed AND coalesce(close_date BETWEEN getvariable('w_start') AND getvariable('w_end'),
                        false) AS closed_in,
    coalesce(created <= getvariable('w_end'), false)
      AND NOT coalesce(closed AND close_date < getvariable('w_start'), false) AS open_in
  FROM d),
rel AS (
  SELECT deal_id, account_id, amount, close_date, created, cur, closed_in, open_in,
         won AND closed_in AS won_in,
         CASE WHEN cur IS NULL OR cur = 'USD' THEN 1.0 WHEN cur = 'EUR' THEN 1.08
              WHEN cur = 'GBP' THEN 1.27 WHEN cur = 'JPY' THEN 0.0067 END AS rate,
         nullif(regexp_replace(lower(trim(channel)), '[\s\-]+', '_', 'g'), '') AS channel
  FROM flags WHERE open_in OR closed_in),
lines AS (
  SELECT r.*, l.product_id,
         CASE WHEN l.deal_id IS NULL THEN r.amount ELSE l.amount END::DOUBLE AS line_amount
  FROM rel r LEFT JOIN deal_lines l ON l.deal_id = r.deal_id),
nprod AS (SELECT deal_id, min(product_id) <> max(product_id) AS several FROM lines
          GROUP BY deal_id),
prod AS (
  SELECT product_id, CASE WHEN c IN ('customized', 'custom') THEN 'customised'
                          WHEN c IN ('simple', 'bundled', 'customised') THEN c END AS pc
  FROM (SELECT product_id, lower(trim(complexity)) AS c FROM products)),
tiers AS (
  SELECT account_id, CASE WHEN annual_revenue >= 100000000 THEN 'high'
                          WHEN annual_revenue >= 10000000 THEN 'medium'
                          WHEN annual_revenue IS NOT NULL THEN 'low' END AS tier
  FROM accounts)
SELECT deal_id, account_id, close_date, created, open_in, won_in, closed_in, channel,
       complexity, tier, revenue,
       CASE WHEN rate IS NULL THEN 'no exchange rate for ' || cur
            WHEN complexity IS NULL THEN 'unknown product complexity'
            WHEN tier IS NULL THEN 'no value measure' END AS reason
FROM (
  SELECT ln.*, t.tier, ln.line_amount * ln.rate AS revenue,
         CASE WHEN coalesce(np.several, false) THEN 'bundled' ELSE p.pc END AS complexity
  FROM lines ln
  LEFT JOIN nprod np ON np.deal_id = ln.deal_id
  LEFT JOIN prod p ON p.product_id = ln.product_id
  LEFT JOIN tiers t ON t.account_id = ln.account_id)
"""

#: the CTEs every table below starts with, over ``placed`` (PLACED_SQL's rows)
_DEAL_CELLS = r"""
dc AS (
  SELECT deal_id, account_id, complexity, tier, open_in, won_in, closed_in, channel, created,
         close_date, coalesce(sum(revenue::DECIMAL(38, 9)), 0) AS revenue
  FROM placed WHERE reason IS NULL GROUP BY ALL),
grid(complexity, tier, intended, pos) AS (VALUES
  ('simple', 'high', 'inside_sales', 0), ('simple', 'medium', 'online', 1),
  ('simple', 'low', 'online', 2), ('bundled', 'high', 'field_sales', 3),
  ('bundled', 'medium', 'inside_sales', 4), ('bundled', 'low', 'inside_sales', 5),
  ('customised', 'high', 'field_sales', 6), ('customised', 'medium', 'field_sales', 7),
  ('customised', 'low', 'partner', 8))
"""

_CELLS = r"""
won AS (SELECT DISTINCT deal_id, account_id, created, close_date FROM dc WHERE won_in),
mins AS (
  SELECT won.deal_id, sum(coalesce(a.duration_minutes, CASE a.kind
           WHEN 'call' THEN 15 WHEN 'email' THEN 5 WHEN 'meeting' THEN 45 WHEN 'visit' THEN 120
           END)::DECIMAL(38, 9)) FILTER (WHERE a.kind IN ('call', 'email', 'meeting', 'visit')
           AND (a.outcome IS NULL OR a.kind IN ('meeting', 'visit')
                OR (a.kind = 'call' AND a.outcome = 'connected')
                OR (a.kind = 'email' AND a.outcome IN ('sent', 'replied'))
                OR (ascii(a.outcome) <= 32 AND trim(a.outcome) = ''))) AS minutes
  FROM won JOIN activities a ON a.account_id = won.account_id
                            AND a.occurred_at >= won.created::TIMESTAMP
                            AND a.occurred_at < (won.close_date + 1)::TIMESTAMP
  {bounds}
  GROUP BY won.deal_id),
agg AS (
  SELECT dc.complexity, dc.tier,
         sum(revenue) FILTER (WHERE won_in) AS rev,
         count(DISTINCT account_id) FILTER (WHERE won_in) AS accounts,
         count(*) FILTER (WHERE open_in) AS deals,
         count(*) FILTER (WHERE won_in) AS won_deals,
         count(*) FILTER (WHERE closed_in) AS closed_deals,
         median(close_date - created) FILTER (WHERE won_in) AS median_cycle_days,
         sum(coalesce(m.minutes, 0)) FILTER (WHERE won_in)::DOUBLE AS minutes,
         sum(revenue) FILTER (WHERE won_in AND channel IS NOT NULL
                              AND channel <> g.intended) AS mis
  FROM dc JOIN grid g ON g.complexity = dc.complexity AND g.tier = dc.tier
  LEFT JOIN mins m ON m.deal_id = dc.deal_id
  GROUP BY dc.complexity, dc.tier),
cells AS (
  SELECT g.pos, g.complexity, g.tier AS value, g.intended AS intended_channel,
         coalesce(a.rev, 0)::DOUBLE AS revenue,
         coalesce(a.rev, 0)::DOUBLE
           / nullif(sum(coalesce(a.rev, 0)) OVER ()::DOUBLE, 0) AS revenue_share,
         coalesce(a.accounts, 0) AS accounts, coalesce(a.deals, 0) AS deals,
         coalesce(a.won_deals, 0) AS won_deals, coalesce(a.closed_deals, 0) AS closed_deals,
         a.won_deals / nullif(a.closed_deals, 0) AS win_rate,
         a.rev::DOUBLE / nullif(a.won_deals, 0) AS avg_deal,
         a.median_cycle_days::DOUBLE AS median_cycle_days,
         a.minutes / nullif(a.won_deals, 0) AS touch_minutes_per_won_deal,
         coalesce(a.mis, 0)::DOUBLE AS misaligned_revenue,
         a.rev::DOUBLE / nullif(a.minutes / 60, 0) AS rph
  FROM grid g LEFT JOIN agg a ON a.complexity = g.complexity AND a.tier = g.tier),
scored AS (
  SELECT *,
    coalesce(revenue / nullif(max(revenue) OVER (), 0), 0)
    + coalesce(rph / nullif(max(rph) OVER (), 0), 0)
    + coalesce(1 - win_rate, 0)
    + coalesce(median_cycle_days / nullif(max(median_cycle_days) OVER (), 0), 0)
    + coalesce(misaligned_revenue / nullif(revenue, 0), 0) AS score,
    deals > 0 OR won_deals > 0 OR closed_deals > 0 OR revenue > 0 AS active
  FROM cells)
SELECT complexity, value, intended_channel, round(revenue, 2) AS revenue, revenue_share,
       accounts, deals, won_deals, closed_deals, win_rate, round(avg_deal, 2) AS avg_deal,
       median_cycle_days, touch_minutes_per_won_deal,
       round(misaligned_revenue, 2) AS misaligned_revenue,
       CASE WHEN active THEN row_number() OVER (
         ORDER BY active DESC, score DESC, revenue DESC, pos) END AS priority_rank
FROM scored ORDER BY pos
"""

#: map_channels: won revenue and won deals per cell and channel
CHANNELS_TAIL = r"""
SELECT dc.complexity, dc.tier AS value, dc.channel, round(sum(revenue)::DOUBLE, 2) AS revenue,
       count(*) AS deals
FROM dc JOIN grid g ON g.complexity = dc.complexity AND g.tier = dc.tier
WHERE won_in GROUP BY dc.complexity, dc.tier, dc.channel, g.pos
ORDER BY g.pos, revenue DESC, channel
"""

#: map_unplaced: the lines that fit no cell, by reason
UNPLACED_TAIL = r"""
SELECT reason, count(*) FILTER (WHERE won_in) AS lines,
       round(sum(revenue::DECIMAL(38, 9)) FILTER (WHERE won_in)::DOUBLE, 2) AS revenue,
       count(DISTINCT deal_id) FILTER (WHERE open_in) AS deals
FROM placed WHERE reason IS NOT NULL GROUP BY reason ORDER BY lines DESC, reason
"""

#: map_cells as one query after the window's bounds (the engine's test runs it against
#: covermap's cell table; DuckDB's execute runs every statement and returns the last one's rows)
BASELINE_SQL = (f"{WINDOW_SQL} WITH placed AS ({PLACED_SQL}),{_DEAL_CELLS},"
                + _CELLS.format(bounds=""))

_BOUNDS = ("WHERE a.occurred_at >= getvariable('first')::TIMESTAMP "
           "AND a.occurred_at < (getvariable('w_end') + 1)::TIMESTAMP")


def baseline_script(out_dir: Path) -> list[str]:
    """The statements that write map_cells, map_channels and map_unplaced (as
    ``baseline_<table>.csv``) into ``out_dir``."""
    def copy(query: str, name: str) -> str:
        path = str(Path(out_dir) / f"baseline_{name}.csv").replace("'", "''")
        return f"COPY ({query}) TO '{path}' (HEADER)"

    return [
        WINDOW_SQL,
        f"CREATE TEMP TABLE placed AS {PLACED_SQL}",
        ("SET VARIABLE first = (SELECT coalesce(min(created), DATE '9999-12-31') FROM placed "
         "WHERE won_in AND reason IS NULL)"),
        copy(f"WITH {_DEAL_CELLS}," + _CELLS.format(bounds=_BOUNDS), "map_cells"),
        copy(f"WITH {_DEAL_CELLS} {CHANNELS_TAIL}", "map_channels"),
        copy(UNPLACED_TAIL, "map_unplaced"),
    ]


def baseline_code(store: Path, out_dir: Path) -> str:
    """Python source that runs :func:`baseline_script` on ``store``."""
    return (
        f"import duckdb, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "from bench_map import baseline_script; "
        f"con = duckdb.connect({str(store)!r}, read_only=True); "
        f"[con.execute(q) for q in baseline_script({str(out_dir)!r})]"
    )


def steps(store: Path, out_dir: Path, repeat: int = 3) -> list[Measurement]:
    """Time `covermap map --export` and the hand-written baseline on the same store,
    alternating them ``repeat`` times: medians of wall time, CPU time and peak memory, with
    the load average before each round."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    argv = {"map --export": ([sys.executable, "-m", "covermap", "map", "--store", str(store),
                              "--export", str(out_dir), "--force"], "3 tables + priorities"),
            "map SQL baseline": (python(baseline_code(store, out_dir)), "the same 3 tables")}
    out = alternate(argv, repeat)
    out[1].note += f"; rows differing from covermap's: {same_tables(out_dir)}"
    return out


def same_tables(out_dir: Path) -> int:
    """Rows where covermap's map_*.csv and the baseline's differ (numbers compared to 1e-9
    relative), plus the rows one has and the other has not."""
    def rows(name: str) -> list[list[str]]:
        with (Path(out_dir) / name).open(newline="", encoding="utf-8") as f:
            return list(csv.reader(f))

    def same(a: str, b: str) -> bool:
        if a == b:
            return True
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9)
        except ValueError:
            return False

    differing = 0
    for table in ("map_cells", "map_channels", "map_unplaced"):
        ours, base = rows(f"{table}.csv"), rows(f"baseline_{table}.csv")
        differing += abs(len(ours) - len(base))
        differing += sum(len(a) != len(b) or not all(map(same, a, b))
                         for a, b in zip(ours, base))
    return differing


BUILD_SQL = """
-- hash() is UBIGINT; list indexes and arithmetic want BIGINT
CREATE TEMP MACRO hb(a, b) AS (hash(a, b) >> 1)::BIGINT;
CREATE TEMP MACRO hb3(a, b, c) AS (hash(a, b, c) >> 1)::BIGINT;

INSERT INTO accounts (account_id, name, annual_revenue, created_at)
SELECT 'A' || i, 'Account ' || i,
       CASE WHEN hb(i, 1) % 50 = 0 THEN NULL
            ELSE round(pow(10, 5 + (hb(i, 2) % 400) / 100.0), 2) END,
       TIMESTAMP '2020-01-01'
FROM range({n}) t(i);

INSERT INTO products (product_id, name, complexity)
SELECT 'P' || j, 'Product ' || j,
       CASE WHEN j = 4 THEN NULL WHEN j = 9 THEN 'Customized'
            ELSE ['simple', 'simple', 'bundled', 'customised', 'customised'][j % 5 + 1] END
FROM range(20) t(j);

CREATE TEMP TABLE gen_deals AS
SELECT k, 'A' || (hb(k, 3) % {n}) AS account_id,
       TIMESTAMP '2024-01-01' + to_days((hb(k, 4) % 1000)::INT)
         + to_hours((hb(k, 14) % 24)::INT) AS created_at,
       (5 + hb(k, 6) % 200)::INT AS cycle
FROM range({deals}) t(k);

INSERT INTO deals (deal_id, account_id, created_at, close_date, is_closed, is_won, amount,
                   currency, channel)
SELECT 'D' || k, account_id, created_at,
       CASE WHEN closes THEN created_at::DATE + cycle END,
       closes, closes AND hb(k, 7) % 10 < 4,
       1000 + hb(k, 8) % 100000,
       ['EUR', 'SEK', '', 'USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'USD'][hb(k, 9) % 10 + 1],
       ['online', 'inside_sales', 'Field Sales', 'partner', NULL][hb(k, 10) % 5 + 1]
FROM (SELECT *, created_at::DATE + cycle <= DATE '2026-09-30' AND hb(k, 5) % 20 < 17 AS closes
      FROM gen_deals);

INSERT INTO deal_lines (line_id, deal_id, product_id, quantity, amount)
SELECT 'L' || k || '-' || j, 'D' || k, 'P' || (hb3(k, j, 12) % 20), 1, 100 + hb3(k, j, 13) % 5000
FROM range({deals}) t(k), range(3) u(j)
WHERE j < hb(k, 11) % 4;

INSERT INTO activities (activity_id, account_id, kind, occurred_at, outcome, duration_minutes)
SELECT 'T' || m, 'A' || (m % {n}), kind,
       TIMESTAMP '2024-01-01' + to_seconds((hb(m, 2) % (1004 * 86400))::BIGINT),
       CASE kind WHEN 'call' THEN ['connected', 'no_answer', 'voicemail', NULL][hb(m, 3) % 4 + 1]
                 WHEN 'email' THEN ['sent', 'bounced', NULL][hb(m, 3) % 3 + 1] END,
       CASE WHEN hb(m, 4) % 10 < 3 THEN NULL ELSE 5 + hb(m, 5) % 60 END
FROM (SELECT m, ['call', 'call', 'email', 'meeting', 'visit', 'marketing_email', 'note']
                [hb(m, 1) % 7 + 1] AS kind
      FROM range({activities}) t(m));
"""


def build_store(path: Path, accounts: int, *, deals_per_account: int = 3,
                activities_per_account: int = 50) -> Path:
    """A synthetic store of canonical rows made by DuckDB's range(): ``accounts`` accounts,
    3 deals, about 1.5 lines per deal and 50 activities per account (through 2026-09-30)."""
    from covermap.store.connect import open_store

    path = Path(path)
    path.unlink(missing_ok=True)
    with open_store(path) as s:
        s.duckdb.execute(BUILD_SQL.format(n=accounts, deals=accounts * deals_per_account,
                                          activities=accounts * activities_per_account))
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    n = pop_repeat(args)
    ms = steps(Path(args[0]), Path(args[1]), n)
    for m in ms:
        print(f"{m.step}: wall {m.seconds:.2f} s, CPU {m.cpu:.2f} s, peak {m.peak_mib:,.0f} MiB "
              f"({m.note})")
    print(f"ratio (medians): wall {ms[0].seconds / ms[1].seconds:.2f}x, "
          f"CPU {ms[0].cpu / ms[1].cpu:.2f}x")
