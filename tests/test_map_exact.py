"""The coverage map sums money and minutes exactly (issue 9: deterministic output).

A float sum depends on the order the backend adds rows in, so exports differed in their
last digits from run to run; decimals do not. One won deal, two lines of 0.10 and 0.20 USD
(simple product, high-value account), one 60-minute meeting during the deal: the cell's
revenue per human-touch hour is 0.30 / 1 h = 0.3 exactly, where a float sum gives
0.30000000000000004.
"""

from __future__ import annotations

import datetime as dt

from covermap.map.measure import build_map, map_tables
from covermap.plan import default_plan
from covermap.reports.export import export_tables

ROWS = """
INSERT INTO accounts (account_id, name, annual_revenue) VALUES ('A1', 'Big', 200000000);
INSERT INTO products (product_id, name, complexity) VALUES ('P1', 'Widget', 'simple');
INSERT INTO deals (deal_id, account_id, is_closed, is_won, amount, currency, created_at,
                   close_date, channel)
VALUES ('D1', 'A1', true, true, 0.30, 'USD', TIMESTAMP '2026-01-05 10:00', DATE '2026-02-10',
        'inside_sales');
INSERT INTO deal_lines (line_id, deal_id, product_id, quantity, amount)
VALUES ('L1', 'D1', 'P1', 1, 0.10), ('L2', 'D1', 'P1', 1, 0.20);
INSERT INTO activities (activity_id, account_id, kind, occurred_at, duration_minutes)
VALUES ('T1', 'A1', 'meeting', TIMESTAMP '2026-01-20 09:00', 60),
       ('T2', 'A1', 'note', TIMESTAMP '2026-03-31 09:00', 5);
"""


def test_sums_are_exact(store):
    store.duckdb.execute(ROWS)
    result = build_map(store, default_plan(), as_of=dt.date(2026, 3, 31))
    cell = next(r for r in result.cells.to_pyarrow().to_pylist()
                if (r["complexity"], r["value"]) == ("simple", "high"))
    assert (cell["revenue"], cell["won_deals"], cell["touch_minutes_per_won_deal"]) \
        == (0.3, 1, 60.0)
    assert cell["revenue_per_touch_hour"] == 0.3
    assert cell["revenue_share"] == 1.0
    assert (result.won_revenue, result.placed_revenue) == (0.3, 0.3)


def test_an_export_is_the_same_file_every_time(store, tmp_path):
    store.duckdb.execute(ROWS)
    files = []
    for run in ("one", "two"):
        result = build_map(store, default_plan(), as_of=dt.date(2026, 3, 31))
        files.append([p.read_bytes() for p in export_tables(map_tables(result), tmp_path / run)])
    assert files[0] == files[1]
    assert b"simple,high,inside_sales,0.3,1.0,1,1,1,1,1.0,0.3,36.0,60.0,0.0,1" in files[0][0]
