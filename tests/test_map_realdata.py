"""The coverage map on real data: Maven Analytics' CRM Sales Opportunities (public domain).

The expected numbers were worked out from the raw CSVs with pandas, apart from
covermap: won deals of 2017 by product (GTXPro read as GTX Pro, complexity by
edition as in examples/maven-crm-map.yaml) x account revenue in millions
(medium from 500, high from 2000). Rows without an account (Prospecting and
Engaging) cannot be deals; Prospecting rows have no engage_date, so they are
never "open in the window".
"""

from __future__ import annotations

from pathlib import Path

from covermap.importing import import_paths
from covermap.map.measure import build_map
from covermap.plan import load_plan

EXAMPLE = Path(__file__).parents[1] / "examples" / "maven-crm-map.yaml"
FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")

# complexity, value -> revenue, won deals, accounts, closed deals, deals, median cycle days
EXPECTED = {
    ("simple", "high"): (598685.0, 1060, 32, 1654, 1762, 62.0),
    ("simple", "medium"): (389378.0, 769, 31, 1239, 1332, 56.0),
    ("simple", "low"): (260243.0, 532, 22, 817, 906, 58.5),
    ("bundled", "high"): (3997485.0, 900, 32, 1430, 1500, 54.0),
    ("bundled", "medium"): (2824106.0, 625, 31, 1006, 1079, 50.0),
    ("bundled", "low"): (1535025.0, 337, 22, 540, 601, 58.0),
    ("customised", "high"): (295782.0, 11, 8, 21, 24, 68.0),
    ("customised", "medium"): (48645.0, 2, 2, 2, 5, 46.5),
    ("customised", "low"): (56185.0, 2, 2, 2, 3, 117.5),
}
TOTAL = 10005534.0

LOAD_SQL = """
ALTER TABLE accounts ADD COLUMN revenue_musd DOUBLE;
INSERT INTO accounts (account_id, name, industry, revenue_musd, employees, country,
                      parent_account_id)
SELECT account, account, sector, revenue, employees, office_location, subsidiary_of
FROM read_csv('{d}/accounts.csv', header = true);
INSERT INTO products (product_id, name, family, complexity, list_price)
SELECT product, product, series,
       CASE WHEN product IN ('MG Special', 'GTX Basic', 'GTX Plus Basic') THEN 'simple'
            WHEN product = 'GTK 500' THEN 'customised' ELSE 'bundled' END, sales_price
FROM read_csv('{d}/products.csv', header = true);
INSERT INTO deals (deal_id, account_id, name, stage, is_closed, is_won, created_at, close_date,
                   amount, currency, owner_id)
SELECT opportunity_id, account, opportunity_id, deal_stage, deal_stage IN ('Won', 'Lost'),
       deal_stage = 'Won', engage_date, close_date, close_value, 'USD', sales_agent
FROM read_csv('{d}/sales_pipeline.csv', header = true) WHERE account IS NOT NULL;
INSERT INTO deal_lines (line_id, deal_id, product_id, quantity, amount)
SELECT opportunity_id, opportunity_id, replace(product, 'GTXPro', 'GTX Pro'), 1, close_value
FROM read_csv('{d}/sales_pipeline.csv', header = true) WHERE account IS NOT NULL;
"""


def assert_maven_map(store) -> None:
    result = build_map(store, load_plan(EXAMPLE))
    assert (str(result.window.start), str(result.window.end)) == ("2017-01-01", "2017-12-31")
    got = {(r["complexity"], r["value"]): (r["revenue"], r["won_deals"], r["accounts"],
                                           r["closed_deals"], r["deals"], r["median_cycle_days"])
           for r in result.cells.to_pyarrow().to_pylist()}
    assert got == EXPECTED
    shares = {(r["complexity"], r["value"]): round(r["revenue_share"], 6)
              for r in result.cells.to_pyarrow().to_pylist()}
    assert shares[("bundled", "high")] == round(3997485.0 / TOTAL, 6)
    assert result.unplaced.count().execute() == 0
    # no activities in this data: no cost to serve, so no revenue per touch hour either
    assert {r["touch_minutes_per_won_deal"] for r in result.cells.to_pyarrow().to_pylist()} \
        == {0.0}
    assert result.priorities[0].explanation.startswith(
        "Bundled products, high-value customers: largest revenue (40.0% of mapped revenue)")


def test_maven_crm_map_from_the_raw_files(store, realdata):
    store.duckdb.execute(LOAD_SQL.format(d=realdata / "maven-crm-sales-opportunities"))
    assert_maven_map(store)


def test_maven_crm_map_through_the_importer(store, realdata):
    folder = realdata / "maven-crm-sales-opportunities"
    import_paths(store, [folder / f for f in FILES], plan=load_plan(EXAMPLE))
    assert_maven_map(store)
