"""Which outcomes make an activity a touch (DESIGN.md, "Time model"): an empty outcome,
missing or blank, always counts; otherwise it must be one the plan lists for the kind.

Blank is whitespace only (``str.strip``'s characters); the engine trims only values that can
be blank (empty, or starting with a character of code <= 32), so each case is pinned here.
"""

from __future__ import annotations

import datetime as dt

from test_coverage_company import insert

from covermap.engine.touches import touch_rows
from covermap.plan import default_plan

#: outcome of a call on 2026-06-10 -> whether it is a touch (the default plan's calls count
#: when "connected")
CASES = {
    "c1": (None, True), "c2": ("", True), "c3": ("   ", True), "c4": ("\t", True),
    "c5": (" \r\n\x0b\x0c", True), "c6": ("connected", True), "c7": ("no_answer", False),
    "c8": (" connected", False), "c9": ("\u3000", False), "c10": ("!", False),
    "c11": ("Connected", False),
}


def test_missing_and_blank_outcomes_count_and_others_only_when_listed(store):
    insert(store, "accounts", "account_id, name", [("A1", "Acme")])
    # each call names its own contact, so the touches say which calls they are
    insert(store, "activities", "activity_id, account_id, kind, occurred_at, outcome, "
                                "contact_id",
           [(k, "A1", "call", "2026-06-10 10:00:00", o, k) for k, (o, _) in CASES.items()])
    plan = default_plan()
    t = touch_rows(store, plan, dt.date(2026, 6, 1), dt.date(2026, 6, 30), [])
    act = store.table("activities")
    kept = act.filter(act.activity_id.isin(list(CASES))).count().to_pyarrow().as_py()
    assert kept == len(CASES)
    touched = sorted(t.contact_id.to_pyarrow().to_pylist())
    assert touched == sorted(k for k, (_, touch) in CASES.items() if touch)
    assert touched == ["c1", "c2", "c3", "c4", "c5", "c6"]
