"""state_changes and span_end: the spans' starts, and their ends from the next start (the
form team's staged spans compute in one window; hand-computed on test_state_spans' data)."""

from __future__ import annotations

import datetime as dt

from test_coverage import records
from test_state_spans import PLAN, company  # noqa: F401  (the fixture)

from covermap.engine.states import span_end, state_changes
from covermap.plan import parse_plan

D = dt.date


def test_state_changes_are_the_spans_starts(company):  # noqa: F811
    plan = parse_plan(PLAN, "plan.yaml")
    got = [(r["account_id"], r["state"], r["span_start"]) for r in records(
        state_changes(company, plan, D(2026, 1, 1), D(2026, 4, 30)), "account_id",
        "span_start")]
    assert got == [
        ("A", "in_deal", D(2026, 1, 1)), ("A", "customer", D(2026, 1, 31)),
        ("A", "loyal", D(2026, 3, 31)),
        ("B", "in_deal", D(2026, 1, 1)), ("B", "customer", D(2026, 1, 15)),
        ("B", "loyal", D(2026, 3, 15)),
        ("C", "loyal", D(2026, 1, 1)), ("C", "churned", D(2026, 2, 20)),
        ("D", "unclassified", D(2026, 2, 5)), ("D", "lead", D(2026, 3, 1)),
        ("F", "unclassified", D(2026, 1, 1)), ("F", "in_deal", D(2026, 2, 1)),
        ("F", "unclassified", D(2026, 2, 10)),
    ]


def test_span_end_is_the_day_before_the_next_start_else_the_range_end(company):  # noqa: F811
    t = company.ibis.sql("SELECT DATE '2026-03-01' AS n UNION ALL SELECT NULL")
    got = sorted(t.select(e=span_end(t.n, D(2026, 4, 30))).execute()["e"].tolist(),
                 key=str)
    assert [dt.date.fromisoformat(str(x)[:10]) for x in got] == [D(2026, 2, 28),
                                                                 D(2026, 4, 30)]
