"""The coverage map engine on a hand-computed fixture (tests/test_map_data.py) in a real store.

Window 2026-01-01 .. 2026-03-31; thresholds medium 1000, high 5000; EUR at 2.0.

Placed (derive_bundled on):
  simple/high      D1 won 600+400 (cycle 30, touches T1 20 + T3 15 = 35 min), D7 lost,
                   D8 open since 2025 (D9 closed before, D10 created after: not counted)
  bundled/high     D2 won, P1+P3 (two products) 300 EUR -> 600 USD, cycle 90,
                   T1 20 + T3 15 + T4 45 + T9 7 = 87 min, channel "Field Sales" = intended
  bundled/medium   D11 open, P4 + P1 (A5 at 4999.99 is medium)
  customised/med   D3 won 500, currency empty (USD), cycle 10, T10 30 min, sold online
                   (intended field_sales): 500 misaligned
  customised/low   D12 won 250 (no channel, cycle 4, T11 12) + D13 won 150 (partner, cycle
                   30, T11 12 + T12 60): median 17, (12 + 72) / 2 = 42 min
Unplaced: unknown complexity D4 (no lines, 700) + D14 (80) won, D15 open;
          no value measure D5 (300); no exchange rate for SEK D6.
"""

from __future__ import annotations

import datetime as dt

import pytest
import test_map_data as fx

from covermap.errors import AnalysisError, RuleError
from covermap.map.measure import CELL_COLUMNS, build_map, cell_deals, map_tables, parse_cell

N = None
# complexity, value, intended, revenue, share, accounts, deals, won, closed, win_rate,
# avg_deal, median_cycle, touch_minutes_per_won_deal, misaligned, rank
EXPECTED = [
    ("simple", "high", "inside_sales", 1000.0, 0.4, 1, 3, 1, 2, 0.5, 1000.0, 30.0, 35.0, 0.0, 1),
    ("simple", "medium", "online", 0.0, 0.0, 0, 0, 0, 0, N, N, N, N, 0.0, N),
    ("simple", "low", "online", 0.0, 0.0, 0, 0, 0, 0, N, N, N, N, 0.0, N),
    ("bundled", "high", "field_sales", 600.0, 0.24, 1, 1, 1, 1, 1.0, 600.0, 90.0, 87.0, 0.0, 3),
    ("bundled", "medium", "inside_sales", 0.0, 0.0, 0, 1, 0, 0, N, N, N, N, 0.0, 5),
    ("bundled", "low", "inside_sales", 0.0, 0.0, 0, 0, 0, 0, N, N, N, N, 0.0, N),
    ("customised", "high", "field_sales", 0.0, 0.0, 0, 0, 0, 0, N, N, N, N, 0.0, N),
    ("customised", "medium", "field_sales", 500.0, 0.2, 1, 1, 1, 1, 1.0, 500.0, 10.0, 30.0, 500.0,
     2),
    ("customised", "low", "partner", 400.0, 0.16, 1, 2, 2, 2, 1.0, 200.0, 17.0, 42.0, 0.0, 4),
]


@pytest.fixture
def filled(store):
    fx.insert(store)
    return store


def rows(table, columns=CELL_COLUMNS):
    out = []
    for r in table.select(*columns).to_pyarrow().to_pylist():
        out.append(tuple(round(v, 6) if isinstance(v, float) else v for v in r.values()))
    return out


def cells_of(result):
    return {(r["complexity"], r["value"]): r for r in result.cells.to_pyarrow().to_pylist()}


def test_cells_match_the_hand_computed_grid(filled):
    result = build_map(filled, fx.plan(), as_of=fx.AS_OF)
    assert (result.window.start, result.window.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert rows(result.cells) == EXPECTED
    assert result.currency == "USD"


def test_value_exactly_on_a_threshold_belongs_to_the_higher_tier(filled):
    result = build_map(filled, fx.plan(), as_of=fx.AS_OF)
    w, high = cell_deals(filled, fx.plan(), "simple/high", as_of=fx.AS_OF)
    assert high.select("account_id").to_pyarrow().column(0).to_pylist() == ["A1"]  # 5000
    _, medium = cell_deals(filled, fx.plan(), "customised/medium", as_of=fx.AS_OF)
    assert medium.select("account_id").to_pyarrow().column(0).to_pylist() == ["A2"]  # 1000
    _, low = cell_deals(filled, fx.plan(), "customised/low", as_of=fx.AS_OF)
    assert set(low.select("account_id").to_pyarrow().column(0).to_pylist()) == {"A3"}  # 999.99
    assert cells_of(result)[("bundled", "medium")]["deals"] == 1  # A5 at 4999.99


def test_unplaced_lines_keep_their_reason_and_are_never_dropped(filled):
    result = build_map(filled, fx.plan(), as_of=fx.AS_OF)
    assert rows(result.unplaced, ("reason", "lines", "revenue", "deals")) == [
        ("unknown product complexity", 2, 780.0, 3),
        ("no exchange rate for SEK", 1, None, 1),
        ("no value measure", 1, 300.0, 1),
    ]


def test_channel_mix_per_cell(filled):
    result = build_map(filled, fx.plan(), as_of=fx.AS_OF)
    assert rows(result.channels, ("complexity", "value", "channel", "revenue", "deals")) == [
        ("simple", "high", "inside_sales", 1000.0, 1),
        ("bundled", "high", "field_sales", 600.0, 1),
        ("customised", "medium", "online", 500.0, 1),
        ("customised", "low", None, 250.0, 1),
        ("customised", "low", "partner", 150.0, 1),
    ]


NO_DERIVE = fx.PLAN_YAML.replace("derive_bundled: true", "derive_bundled: false")


def test_without_derivation_a_deal_spanning_complexities_counts_in_each(filled):
    result = build_map(filled, fx.plan(NO_DERIVE), as_of=fx.AS_OF)
    cells = {k: tuple(round(v, 6) if isinstance(v, float) else v
                      for v in (r["revenue"], r["deals"], r["won_deals"], r["closed_deals"],
                                r["win_rate"], r["avg_deal"], r["median_cycle_days"],
                                r["touch_minutes_per_won_deal"], r["misaligned_revenue"]))
             for k, r in cells_of(result).items()}
    # D2's P1 line (100 EUR) is simple/high, sold by field_sales where inside_sales is intended
    assert cells[("simple", "high")] == (1200.0, 4, 2, 3, 0.666667, 600.0, 60.0, 61.0, 200.0)
    assert cells[("customised", "high")] == (400.0, 1, 1, 1, 1.0, 400.0, 90.0, 87.0, 0.0)
    assert cells[("bundled", "high")][:2] == (0.0, 0)
    assert cells[("simple", "medium")][:4] == (0.0, 1, 0, 0)  # D11's P1 line
    assert cells[("bundled", "medium")][:2] == (0.0, 0)
    unplaced = rows(result.unplaced, ("reason", "lines", "revenue", "deals"))
    assert unplaced[0] == ("unknown product complexity", 2, 780.0, 4)  # + D11's P4 line


def test_win_rate_is_empty_not_zero_without_closed_deals(filled):
    cell = cells_of(build_map(filled, fx.plan(), as_of=fx.AS_OF))[("bundled", "medium")]
    assert (cell["closed_deals"], cell["win_rate"], cell["avg_deal"]) == (0, None, None)


def test_cost_to_serve_follows_the_plan_time_zone(filled):
    # T3 at 2026-02-09 23:00 UTC is 2026-02-10 in Tokyo: after D1 closed, so D1 has 20 minutes
    tokyo = fx.plan(fx.PLAN_YAML + "timezone: Asia/Tokyo\n")
    cells = cells_of(build_map(filled, tokyo, as_of=fx.AS_OF))
    assert cells[("simple", "high")]["touch_minutes_per_won_deal"] == 20.0
    assert cells[("bundled", "high")]["touch_minutes_per_won_deal"] == 87.0


def test_touch_outcomes_follow_the_plan(filled):
    # calls of any outcome count once the plan's call kind lists no outcomes: T2 (30 min) too
    text = fx.PLAN_YAML + "activity_kinds:\n  call: {channel: human, minutes: 15}\n"
    cells = cells_of(build_map(filled, fx.plan(text), as_of=fx.AS_OF))
    assert cells[("simple", "high")]["touch_minutes_per_won_deal"] == 65.0
    # meetings, visits and emails are no longer human kinds in this plan
    assert cells[("bundled", "high")]["touch_minutes_per_won_deal"] == 65.0


def test_default_as_of_is_the_latest_activity(filled):
    # latest activity 2026-03-02 -> the window is the 3 complete months Dec..Feb
    result = build_map(filled, fx.plan())
    assert (result.window.as_of, result.window.start, result.window.end) == (
        dt.date(2026, 3, 2), dt.date(2025, 12, 1), dt.date(2026, 2, 28))
    cells = cells_of(result)
    assert cells[("simple", "high")]["revenue"] == 1000.0
    assert cells[("bundled", "high")]["revenue"] == 0.0  # D2 closed on 2026-03-01


def test_value_tiers_by_rules(filled):
    text = fx.PLAN_YAML.replace(
        "value: {measure: annual_revenue, medium: 1000, high: 5000}",
        "value: {rules: {high: \"annual_revenue >= 999\"}}")
    cells = cells_of(build_map(filled, fx.plan(text), as_of=fx.AS_OF))
    assert cells[("customised", "high")]["revenue"] == 900.0  # D3 + D12 + D13
    assert cells[("simple", "low")]["revenue"] == 300.0  # D5: A4 has no measure, so low


def test_priority_order_and_its_reasons(filled):
    result = build_map(filled, fx.plan(), as_of=fx.AS_OF)
    assert [(p.rank, p.complexity, p.value) for p in result.priorities] == [
        (1, "simple", "high"), (2, "customised", "medium"), (3, "bundled", "high"),
        (4, "customised", "low"), (5, "bundled", "medium")]
    assert [round(p.score, 6) for p in result.priorities] == [
        2.833333, 2.194444, 1.841379, 0.755556, 0.0]
    assert result.explanations[:2] == (
        "Simple products, high-value customers: largest revenue (40.0% of mapped revenue), "
        "USD 1,714 per human-touch hour (highest), win rate 50.0% (low), median cycle 30 days",
        "Customised products, medium-value customers: 100.0% of it through a channel other "
        "than field sales, USD 1,000 per human-touch hour, revenue 20.0% of mapped revenue, "
        "median cycle 10 days",
    )


@pytest.mark.parametrize(("weights", "order"), [
    ("{misaligned: 3}", ["customised/medium", "simple/high", "bundled/high", "customised/low"]),
    ("{revenue: 0, revenue_per_hour: 0, win_rate: 0, misaligned: 0}",
     ["bundled/high", "simple/high", "customised/low", "customised/medium"]),
    ("{revenue: 0, revenue_per_hour: 0, cycle: 0, misaligned: 0}",
     ["simple/high", "bundled/high", "customised/medium", "customised/low"]),
])
def test_priority_weights_reorder_the_cells(filled, weights, order):
    plan = fx.plan(fx.PLAN_YAML + f"  priority_weights: {weights}\n")
    result = build_map(filled, plan, as_of=fx.AS_OF)
    assert [f"{p.complexity}/{p.value}" for p in result.priorities][:4] == order


def test_map_tables_have_the_export_columns(filled):
    tables = map_tables(build_map(filled, fx.plan(), as_of=fx.AS_OF))
    assert {k: list(t.columns) for k, t in tables.items()} == {
        "map_cells": list(CELL_COLUMNS),
        "map_channels": ["complexity", "value", "channel", "revenue", "deals"],
        "map_unplaced": ["reason", "lines", "revenue", "deals"],
    }


def test_empty_store_still_has_nine_cells(store):
    result = build_map(store, fx.plan(), as_of=fx.AS_OF)
    assert [(r[0], r[1], r[3], r[5], r[14]) for r in rows(result.cells)] == [
        (c, v, 0.0, 0, None) for c in ("simple", "bundled", "customised")
        for v in ("high", "medium", "low")]
    assert result.priorities == ()


def test_drill_down_lists_the_won_deals_of_a_cell(filled):
    window, table = cell_deals(filled, fx.plan(NO_DERIVE), "simple/high", as_of=fx.AS_OF)
    assert window.end == dt.date(2026, 3, 31)
    assert table.to_pyarrow().to_pylist() == [
        {"account_id": "A1", "account": "Alpha", "deal_id": "D1", "deal": None,
         "products": "Widget", "revenue": 1000.0, "channel": "inside_sales",
         "intended_channel": "inside_sales", "close_date": dt.date(2026, 2, 9)},
        {"account_id": "A1", "account": "Alpha", "deal_id": "D2", "deal": None,
         "products": "Widget", "revenue": 200.0, "channel": "field_sales",
         "intended_channel": "inside_sales", "close_date": dt.date(2026, 3, 1)},
    ]


def test_bad_input_is_reported(filled):
    with pytest.raises(AnalysisError, match="no cell 'huge/high'; a cell is COMPLEXITY/VALUE"):
        parse_cell("huge/high")
    assert parse_cell("Customized/HIGH") == ("customised", "high")
    text = fx.PLAN_YAML.replace("measure: annual_revenue", "measure: industry")
    with pytest.raises(AnalysisError, match="accounts have no numeric column 'industry'; "
                                            "numeric account columns are: employees, "
                                            "annual_revenue, arr"):
        build_map(filled, fx.plan(text), as_of=fx.AS_OF)
    rule = fx.PLAN_YAML.replace(
        "value: {measure: annual_revenue, medium: 1000, high: 5000}",
        "value: {rules: {high: \"won_deals > 2\"}}")
    with pytest.raises(RuleError, match="unknown column 'won_deals'"):
        build_map(filled, fx.plan(rule), as_of=fx.AS_OF)
    with pytest.raises(AnalysisError, match="the plan has no coverage_map section"):
        build_map(filled, fx.plan("coverage_map: null\n"), as_of=fx.AS_OF)


def test_default_as_of_is_the_latest_activity_date_in_the_plan_time_zone(filled):
    filled.duckdb.execute("INSERT INTO activities (activity_id, account_id, kind, occurred_at) "
                          "VALUES ('T99', 'A1', 'note', '2026-03-31 16:00')")
    assert build_map(filled, fx.plan()).window.as_of == dt.date(2026, 3, 31)
    tokyo = build_map(filled, fx.plan(fx.PLAN_YAML + "timezone: Asia/Tokyo\n")).window
    assert (tokyo.as_of, tokyo.end) == (dt.date(2026, 4, 1), dt.date(2026, 3, 31))


def test_value_at_group_moves_a_subsidiary_to_its_groups_tier(filled):
    """Gamma (999.99, low) is a subsidiary of Beta (1000): their group's 1,999.99 is
    medium, so Gamma's won D12 (250) and D13 (150, partner: misaligned) leave customised/low
    for customised/medium (intended field_sales)."""
    from covermap.store import groups

    filled.duckdb.execute("UPDATE accounts SET parent_account_id = 'A2' WHERE account_id = 'A3'")
    groups.rebuild(filled.duckdb)
    plan = fx.plan(fx.PLAN_YAML.replace("  currency: USD", "  currency: USD\n  value_at: group"))
    cells = cells_of(build_map(filled, plan, as_of=fx.AS_OF))
    medium, low = cells[("customised", "medium")], cells[("customised", "low")]
    assert (medium["revenue"], medium["accounts"], medium["deals"], medium["won_deals"],
            medium["misaligned_revenue"], round(medium["revenue_share"], 6)) == (
        900.0, 2, 3, 3, 650.0, 0.36)
    assert (low["revenue"], low["accounts"], low["deals"]) == (0.0, 0, 0)
    # by account, as before
    assert cells_of(build_map(filled, fx.plan(), as_of=fx.AS_OF))[
        ("customised", "low")]["revenue"] == 400.0


def test_by_group(filled):
    """Gamma (A3) inside Beta's (A2) group. Won in the window with a rate: A2's D3 500,
    A3's D4 700 (no lines), D12 250, D13 150, D14 80 (unknown complexity): 1,680; D6 (SEK,
    no rate) is won but has no amount: 6 won deals; with D15 open, 7 deals. Misaligned:
    D3 sold online where customised/medium intends field_sales (500); D13's partner is
    customised/low's intended channel."""
    from covermap.engine.window import resolve_window
    from covermap.map.rollups import COLUMNS, rollup
    from covermap.store import groups

    filled.duckdb.execute("UPDATE accounts SET parent_account_id = 'A2' WHERE account_id = 'A3'")
    groups.rebuild(filled.duckdb)
    plan = fx.plan()
    window = resolve_window(filled, plan, fx.AS_OF)
    got = {r["key"]: tuple(r[c] for c in COLUMNS[3:])
           for r in rollup(filled, plan, window, "group").to_pyarrow().to_pylist()}
    # accounts, customers, arr, won revenue, won deals, deals, misaligned, states
    assert got["A2"][0] == 2 and got["A2"][3:7] == (1680.0, 6, 7, 500.0)
    assert got["A1"][3:7] == (1600.0, 2, 4, 0.0)  # D1 1,000 + D2 300 EUR = 600; D7, D8 open
    assert set(got) == {"A1", "A2", "A4", "A5"}
