"""A hand-computed coverage-map fixture, inserted straight into a real DuckDB store.

Window: as_of 2026-03-31, 3 months -> 2026-01-01 .. 2026-03-31. Value tiers on
annual_revenue: medium >= 1000, high >= 5000. USD; EUR at 2.0; SEK has no rate.
The expected numbers are worked out by hand in tests/test_map.py.
"""

from __future__ import annotations

import datetime as dt

from covermap.plan import parse_plan

AS_OF = dt.date(2026, 3, 31)

PLAN_YAML = """
window_months: 3
coverage_map:
  value: {measure: annual_revenue, medium: 1000, high: 5000}
  derive_bundled: true
  channels:
    simple:     {low: online,       medium: online,       high: inside_sales}
    bundled:    {low: inside_sales, medium: inside_sales, high: field_sales}
    customised: {low: partner,      medium: field_sales,  high: field_sales}
  currency: USD
  fx_rates: {EUR: 2.0}
"""

ACCOUNTS = [
    # id, name, annual_revenue
    ("A1", "Alpha", 5000),      # exactly on `high` -> high
    ("A2", "Beta", 1000),       # exactly on `medium` -> medium
    ("A3", "Gamma", 999.99),    # just under `medium` -> low
    ("A4", "Delta", None),      # no value measure
    ("A5", "Epsilon", 4999.99),  # just under `high` -> medium
]

PRODUCTS = [
    ("P1", "Widget", "simple"),
    ("P2", "Gadget", "simple"),
    ("P3", "Platform", "customised"),
    ("P4", "Mystery", None),
    ("P5", "Bespoke", "Customized "),
]

# deal_id, account, created_at, close_date, is_closed, is_won, amount, currency, channel
DEALS = [
    ("D1", "A1", "2026-01-10 09:00", "2026-02-09", True, True, 1000, "USD", "inside_sales"),
    ("D2", "A1", "2025-12-01 09:00", "2026-03-01", True, True, 300, "EUR", "Field Sales"),
    ("D3", "A2", "2026-02-01 09:00", "2026-02-11", True, True, 500, None, "online"),
    ("D4", "A3", "2026-01-01 09:00", "2026-01-31", True, True, 700, "USD", "online"),
    ("D5", "A4", "2026-01-01 09:00", "2026-01-15", True, True, 300, "USD", "online"),
    ("D6", "A2", "2026-01-01 09:00", "2026-01-20", True, True, 50, "SEK", "online"),
    ("D7", "A1", "2026-01-05 09:00", "2026-02-20", True, False, 900, "USD", "online"),
    ("D8", "A1", "2025-06-01 09:00", None, False, False, 100, "USD", None),
    ("D9", "A1", "2025-10-01 09:00", "2025-12-15", True, False, 100, "USD", None),
    ("D10", "A1", "2026-04-05 09:00", None, False, False, 100, "USD", None),
    ("D11", "A5", "2026-01-20 09:00", None, False, False, 100, "", None),
    ("D12", "A3", "2026-03-01 09:00", "2026-03-05", True, True, 250, "USD", None),
    ("D13", "A3", "2026-02-01 09:00", "2026-03-03", True, True, 150, "USD", "Partner"),
    ("D14", "A3", "2026-02-01 09:00", "2026-02-28", True, True, 80, "USD", "online"),
    ("D15", "A3", "2026-01-01 09:00", None, False, False, 10, "USD", None),
]

# line_id, deal_id, product_id, amount
LINES = [
    ("L1", "D1", "P1", 600), ("L2", "D1", "P1", 400),
    ("L3", "D2", "P1", 100), ("L4", "D2", "P3", 200),
    ("L5", "D3", "P3", 500),
    ("L6", "D5", "P1", 300),
    ("L7", "D6", "P1", 50),
    ("L8", "D7", "P1", 900),
    ("L9", "D8", "P1", 100),
    ("L10", "D9", "P1", 100),
    ("L11", "D10", "P1", 100),
    ("L12", "D11", "P4", 60), ("L13", "D11", "P1", 40),
    ("L14", "D12", "P5", 250),
    ("L15", "D13", "P3", 150),
    ("L16", "D14", "P4", 80),
    ("L17", "D15", "P4", 10),
]

# activity_id, account, kind, occurred_at, outcome, duration_minutes
ACTIVITIES = [
    ("T1", "A1", "call", "2026-01-15 10:00", "connected", 20),   # D1 and D2
    ("T2", "A1", "call", "2026-01-20 10:00", "no_answer", 30),   # attempt: not a touch
    ("T3", "A1", "call", "2026-02-09 23:00", None, None),        # D1 close day, D2: 15 (plan)
    ("T4", "A1", "meeting", "2026-02-20 10:00", None, None),     # D2 only: 45 (plan)
    ("T5", "A1", "marketing_email", "2026-01-15 10:00", None, 5),  # digital
    ("T6", "A1", "note", "2026-01-16 10:00", None, 50),          # not a touch
    ("T7", "A1", "visit", "2026-03-02 10:00", None, 100),        # after D2 closed
    ("T8", "A1", "call", "2025-11-30 10:00", "connected", 10),   # before D2 was created
    ("T9", "A1", "email", "2025-12-01 08:00", "sent", 7),        # D2 creation day
    ("T10", "A2", "meeting", "2026-02-05 10:00", None, 30),      # D3
    ("T11", "A3", "call", "2026-03-02 10:00", "connected", 12),  # D12 and D13
    ("T12", "A3", "meeting", "2026-02-10 10:00", None, 60),      # D13
]


def plan(text: str = PLAN_YAML):
    return parse_plan(text, "<map fixture>")


def insert(store, *, accounts=ACCOUNTS, products=PRODUCTS, deals=DEALS, lines=LINES,
           activities=ACTIVITIES) -> None:
    """Insert the fixture rows (or the rows given) into an open store; activity rows of 7
    values end with ``occurred_at_is_date``."""
    con = store.duckdb
    con.executemany("INSERT INTO accounts (account_id, name, annual_revenue) VALUES (?, ?, ?)",
                    accounts)
    con.executemany("INSERT INTO products (product_id, name, complexity) VALUES (?, ?, ?)",
                    products)
    con.executemany(
        "INSERT INTO deals (deal_id, account_id, created_at, close_date, is_closed, is_won, "
        "amount, currency, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", deals)
    con.executemany("INSERT INTO deal_lines (line_id, deal_id, product_id, amount) "
                    "VALUES (?, ?, ?, ?)", lines)
    dated = len(activities[0]) == 7
    con.executemany(
        "INSERT INTO activities (activity_id, account_id, kind, occurred_at, outcome, "
        f"duration_minutes{', occurred_at_is_date' if dated else ''}) "
        f"VALUES (?, ?, ?, ?, ?, ?{', ?' if dated else ''})", activities)
