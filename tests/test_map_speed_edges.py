"""The edges that map's faster queries must keep (issue 9): a won deal's cost to serve counts
the human touches from its creation day's first second to its close day's last one, in the
plan's time zone (UTC compares raw timestamps with the deal's midnights; other zones take each
activity's local date), a date-only activity is that date in every zone, and a deal is bundled
only when its lines hold two different products (the same product twice is not).

Hand-computed, account A1 (high value), window 2026-01-01 .. 2026-03-31:
  W1 won, created 2026-01-10 09:00 UTC, closed 2026-02-09, lines P1 + P1 -> simple/high
  W2 won, created 2026-02-01 09:00 UTC, closed 2026-02-05, lines P1 + P2 -> bundled/high
  connected calls: E1 2026-01-09 23:59:59 (1 min), E2 2026-01-10 00:00:00 (2),
  E3 2026-02-09 23:59:59 (4), E4 2026-02-10 00:00:00 (8), E5 date-only 2026-02-01 (16)
  UTC:              W1 = E2 + E3 + E5 = 22, W2 = E5 = 16
  America/New_York: E2 is 2026-01-09 and E4 2026-02-09 there, E5 stays 2026-02-01:
                    W1 = E3 + E4 + E5 = 28, W2 = E5 = 16
"""

from __future__ import annotations

import pytest
import test_map_data as fx

from covermap.map.measure import build_map
from covermap.store.arrow import to_pylist
from covermap.store.connect import open_store

DEALS = [("W1", "A1", "2026-01-10 09:00", "2026-02-09", True, True, 1000, "USD", "inside_sales"),
         ("W2", "A1", "2026-02-01 09:00", "2026-02-05", True, True, 300, "USD", "field_sales")]
LINES = [("L1", "W1", "P1", 600), ("L2", "W1", "P1", 400),
         ("L3", "W2", "P1", 100), ("L4", "W2", "P2", 200)]
CALLS = [("E1", "2026-01-09 23:59:59", 1, False), ("E2", "2026-01-10 00:00:00", 2, False),
         ("E3", "2026-02-09 23:59:59", 4, False), ("E4", "2026-02-10 00:00:00", 8, False),
         ("E5", "2026-02-01 00:00:00", 16, True)]


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("map_edges") / "covermap.duckdb") as s:
        fx.insert(s, accounts=[("A1", "Alpha", 5000)],
                  products=[("P1", "Widget", "simple"), ("P2", "Gadget", "simple")],
                  deals=DEALS, lines=LINES,
                  activities=[(a, "A1", "call", at, "connected", minutes, is_date)
                              for a, at, minutes, is_date in CALLS])
        yield s


def _cells(store, timezone: str) -> dict[tuple[str, str], tuple]:
    plan = fx.plan(fx.PLAN_YAML + f"timezone: {timezone}\n")
    rows = to_pylist(build_map(store, plan, as_of=fx.AS_OF).cells)
    return {(r["complexity"], r["value"]): (r["revenue"], r["won_deals"],
                                            r["touch_minutes_per_won_deal"])
            for r in rows if r["won_deals"]}


@pytest.mark.parametrize(("timezone", "w1", "w2"), [("UTC", 22.0, 16.0),
                                                    ("America/New_York", 28.0, 16.0)])
def test_cost_to_serve_spans_whole_local_days(edges, timezone, w1, w2):
    assert _cells(edges, timezone) == {("simple", "high"): (1000.0, 1, w1),
                                       ("bundled", "high"): (300.0, 1, w2)}
