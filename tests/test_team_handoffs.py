"""Hand-offs and phase-in/out from daily states (DESIGN.md, settled readings), on the
hand-made company of tests/test_team_data.py (as_of 2026-07-15, window from 2026-04-01)."""

from __future__ import annotations

import datetime as dt

import pytest
import test_team_data as fx

from covermap.store.connect import open_store
from covermap.team.tables import measure_team

D = dt.date


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("handoffs") / "covermap.duckdb") as s:
        fx.build(s)
        yield s


@pytest.fixture(scope="module")
def result(store):
    return measure_team(store, fx.plan())


def rows(table) -> list[dict]:
    return table.to_pyarrow().to_pylist()


HANDOFFS = [
    # account, rule, event, from, to, first touch, days, status, released, stage, next
    ("D", "to_ae", D(2026, 5, 4), "sdr", "ae", D(2026, 5, 9), 5, "on_time", True, "sell",
     "none"),  # a touch on the SLA's last day; s1 ends on event + 5: released
    ("E", "to_ae", D(2026, 4, 10), "sdr", "ae", None, None, "dropped", False, "sell",
     "customer"),  # won on 06-01, 52 days later
    ("E", "to_csm", D(2026, 6, 1), "ae", "csm", D(2026, 6, 9), 8, "late", None, "onboard",
     "none"),  # paired: released is empty
    ("F", "to_ae", D(2026, 6, 30), "sdr", "ae", D(2026, 7, 2), 2, "on_time", True, "sell",
     "none"),  # an event on the window's last day; no sdr member: released
    ("G", "to_ae", D(2026, 7, 12), "sdr", "ae", None, None, "pending", True, "sell", "none"),
    ("H", "to_ae", D(2026, 6, 10), "sdr", "ae", D(2026, 6, 10), 0, "on_time", False, "sell",
     "none"),  # a touch on the event date; s1 ends a day after the SLA
]


def test_handoffs(result):
    cols = ("account_id", "rule", "event_date", "from_role", "to_role", "first_touch_date",
            "days", "status", "released", "stage", "next_state")
    assert [tuple(r[c] for c in cols) for r in rows(result.handoffs)] == HANDOFFS


def test_first_day_and_window_start_states_are_no_entries(result):
    h = {r["account_id"] for r in rows(result.handoffs)}
    # N is in a deal from its first day; A, B, C are leads since before the window
    assert not h & {"N", "A", "B", "C"}


PHASES = [
    ("D", "sell", "late_join", "ae", "a1",
     "joined on 2026-05-06, 2 days after the stage began on 2026-05-04"),
    ("D", "nurture", "stayed_on", "marketing", "m1",
     "still on the team more than 14 days after the stage ended on 2026-05-03"),
    ("E", "sell", "stayed_on", "ae", "a2",  # smb: ae has no letter at onboard
     "still on the team more than 14 days after the stage ended on 2026-05-31"),
    # an entry on the window's last day; a1 starts the next day
    ("F", "sell", "late_join", "ae", "a1",
     "joined on 2026-07-01, 1 day after the stage began on 2026-06-30"),
    ("H", "sell", "never_joined", "ae", None,
     "nobody of this role from 2026-06-10 (the stage began) to 2026-07-15"),
]


def test_phase_in_and_out(result):
    f = result.findings
    f = f.filter(f.kind.isin(["late_join", "stayed_on", "never_joined"]))
    assert [(r["account_id"], r["stage"], r["kind"], r["role"], r["user_id"], r["detail"])
            for r in rows(f)] == PHASES


def test_entries_after_the_window_have_no_phase_findings(result):
    # G enters sell on 07-12, after the window's last day (06-30): its hand-off is
    # measured (pending), but nobody of ae joining is no phase finding
    f = result.findings
    assert rows(f.filter((f.account_id == "G") & (f.kind == "never_joined"))) == []


def test_stay_on_is_judged_once_the_grace_has_passed(store):
    # G's nurture ended on 07-11: m1 stays on, but 14 days have not passed by 07-15; they
    # have by 07-26 (m1 is on the team on day 15 after the stage's last day)
    def stayed(as_of):
        r = measure_team(store, fx.plan(), as_of=as_of)
        f = r.findings
        return rows(f.filter((f.account_id == "G") & (f.kind == "stayed_on")))

    assert stayed(D(2026, 7, 25)) == []
    [row] = stayed(D(2026, 7, 26))
    assert (row["role"], row["user_id"], row["stage"]) == ("marketing", "m1", "nurture")


def test_dropped_once_the_sla_has_passed(store):
    # G's event is 07-12 with 5 days: pending through 07-17, dropped from 07-18
    def status(as_of):
        r = measure_team(store, fx.plan(), as_of=as_of)
        h = r.handoffs
        return rows(h.filter(h.account_id == "G"))[0]["status"]

    assert (status(D(2026, 7, 17)), status(D(2026, 7, 18))) == ("pending", "dropped")


def test_what_followed_each_rule(result):
    # E's deal (to_ae, 2026-04-10) was won 52 days later; every other hand-off stayed
    assert [(r["rule"], r["next_state"], r["handoffs"], r["share"])
            for r in rows(result.followed)] == [
        ("to_ae", "none", 4, 0.8), ("to_ae", "customer", 1, 0.2), ("to_csm", "none", 1, 1.0)]


def test_dates_are_local_to_the_plans_time_zone(store):
    from covermap.plan import parse_plan

    # D's deal opens at 2026-05-04 18:00 in Tokyo (09:00 UTC); the ae's call at 16:00 UTC
    # on 05-09 is 01:00 on 05-10 there: 6 days, a day past the SLA
    plan = parse_plan(fx.PLAN_YAML.replace("timezone: UTC", "timezone: Asia/Tokyo"),
                      "plan.yaml")
    h = measure_team(store, plan).handoffs
    [d] = rows(h.filter(h.account_id == "D"))
    assert (d["event_date"], d["first_touch_date"], d["days"], d["status"]) == \
        (D(2026, 5, 4), D(2026, 5, 10), 6, "late")
