"""Outcomes by compliance band, against hand-made rows.

as_of 2026-06-30, 3-month window (April–June), months_after 3: compliance is
measured over January–March (E = 2026-03-31) and outcomes are read over
2026-04-01 .. 2026-06-30. One human touch a month is the standard for everyone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_coverage import records
from test_coverage_company import insert

from covermap.coverage.measure import measure_coverage
from covermap.coverage.outcomes import band_labels, outcome_window
from covermap.engine.window import Window
from covermap.plan import parse_plan

D = dt.date
PLAN = """\
timezone: UTC
window_months: 3
activity_kinds:
  call: {channel: human, weight: 1.0}
states:
  - id: customer
    label: {en: Customer}
    rule: is_customer
    standard: [{channel: human, min: 1, per: month}]
  - id: prospect
    label: {en: Prospect}
    rule: lead_count > 0 or open_deals > 0
    standard: [{channel: human, min: 1, per: month}]
outcomes: {months_after: 3, bands: [0.5]}
"""


@pytest.fixture
def result(store):
    insert(store, "accounts", "account_id, name, churned_at, created_at", [
        ("K1", "Churns", "2026-05-10 09:00:00", None),
        ("K2", "Expands", None, None),
        ("K3", "Stays", None, None),
        ("K4", "Late customer", None, "2026-03-05 00:00:00"),
        ("L1", "Converts", None, None),
        ("L2", "Loses", None, None),
        ("X1", "Nothing", None, None),
        ("Y1", "Too new", None, "2026-04-15 00:00:00"),
    ])
    insert(store, "contacts", "contact_id, account_id", [("c1", "L1"), ("c2", "L2"), ("c3", "Y1")])
    insert(store, "deals", "deal_id, account_id, is_closed, is_won, created_at, close_date, "
                           "deal_type", [
        ("k1", "K1", True, True, "2024-12-01 00:00:00", "2025-01-01", "new"),
        ("k2", "K2", True, True, "2024-12-01 00:00:00", "2025-01-01", "new"),
        ("k2x", "K2", True, True, "2026-04-01 00:00:00", "2026-04-20", "expansion"),
        ("k3", "K3", True, True, "2024-12-01 00:00:00", "2025-01-01", "new"),
        ("k3r", "K3", True, True, "2026-04-01 00:00:00", "2026-04-20", "renewal"),
        ("k4", "K4", True, True, "2026-03-05 00:00:00", "2026-03-06", "new"),
        ("l1", "L1", True, True, "2026-04-05 00:00:00", "2026-05-01", "new"),
        ("l2a", "L2", True, False, "2026-02-01 00:00:00", "2026-04-10", "new"),
        ("l2b", "L2", False, False, "2026-06-01 00:00:00", None, "new"),
    ])
    calls = [("K1", "2026-01-10"), ("K1", "2026-02-10"), ("K1", "2026-03-10"),
             ("K2", "2026-01-10"), ("L1", "2026-01-10"), ("L1", "2026-02-10"),
             ("X1", "2026-06-30")]
    insert(store, "activities", "activity_id, account_id, kind, occurred_at",
           [(f"a{i}", a, "call", f"{d} 10:00:00") for i, (a, d) in enumerate(calls)])
    return measure_coverage(store, parse_plan(PLAN, "plan.yaml"), as_of=D(2026, 6, 30))


def test_earlier_window():
    w = outcome_window(Window.ending(D(2026, 6, 30), 3), 3)
    assert (w.start, w.end, w.as_of) == (D(2026, 1, 1), D(2026, 3, 31), D(2026, 3, 31))
    assert band_labels((0.8, 0.5)) == ["<50%", "50–80%", "≥80%"]
    assert band_labels((0.5,)) == ["<50%", "≥50%"]


def test_outcomes_by_band(result):
    rows = records(result.outcomes)
    got = [(r["band"], r["cohort"], r["measure"], r["count"], r["total"], r["rate"])
           for r in rows]
    assert got == [
        # K2 (1 of 3) expands; K3 (0 of 3) renews, which is not an expansion
        ("<50%", "customers", "expansion", 1, 2, 0.5),
        ("<50%", "customers", "retention", 2, 2, 1.0),
        # L2: a new deal in June; its February deal was lost in April
        ("<50%", "prospects", "conversion", 1, 1, 1.0),
        ("<50%", "prospects", "win_rate", 0, 1, 0.0),
        # K1 (3 of 3) churns in May
        ("≥50%", "customers", "expansion", 0, 1, 0.0),
        ("≥50%", "customers", "retention", 0, 1, 0.0),
        # L1 (2 of 3): created a deal in April and won it in May
        ("≥50%", "prospects", "conversion", 1, 1, 1.0),
        ("≥50%", "prospects", "win_rate", 1, 1, 1.0),
        # K4 became a customer after every bucket of the earlier window began
        ("no checks", "customers", "expansion", 0, 1, 0.0),
        ("no checks", "customers", "retention", 1, 1, 1.0),
        ("no checks", "prospects", "conversion", 0, 0, None),
        ("no checks", "prospects", "win_rate", 0, 0, None),
    ]
    assert {(r["measured_from"], r["measured_to"], r["followed_from"], r["followed_to"])
            for r in rows} == {(D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 1), D(2026, 6, 30))}
