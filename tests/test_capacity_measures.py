"""Capacity on the hand-made three-segment company (tests/test_capacity_data.py): every
number worked out by hand from the table in its docstring."""

from __future__ import annotations

import pytest
import test_capacity_data as fx

from covermap.capacity.tables import measure_capacity
from covermap.errors import PlanInvalid
from covermap.store.connect import open_store


@pytest.fixture
def company(tmp_path):
    path = tmp_path / "covermap.duckdb"
    with open_store(path) as s:
        fx.build(s)
    return path


def measure(path, text=fx.PLAN_YAML):
    with open_store(path, read_only=True) as s:
        return measure_capacity(s, fx.plan(text))


def test_segments_by_rule(company):
    r = measure(company)
    assert r.summary == [
        # ARR: E1 600,000 + E2's deal of 2026-03-01 (its 2025-05-01 deal is older than 12
        # months); M2 is no customer, so its 50,000 does not count
        {"segment": "ent", "accounts": 2, "customers": 2, "arr": 1000000.0,
         "arr_share": 0.8333, "touch_minutes": 60.0, "time_share": 0.6667},
        {"segment": "mid", "accounts": 2, "customers": 1, "arr": 200000.0,
         "arr_share": 0.1667, "touch_minutes": 30.0, "time_share": 0.3333},
        {"segment": "smb", "accounts": 1, "customers": 0, "arr": 0.0, "arr_share": 0.0,
         "touch_minutes": 0.0, "time_share": 0.0},
        {"segment": None, "accounts": 1, "customers": 0, "arr": 0.0, "arr_share": 0.0,
         "touch_minutes": 0.0, "time_share": 0.0}]


def test_worked_example(company):
    r = measure(company)
    # engagement hours 40 × 40 × 0.5 = 800; ent: kickoff (60+30)/60 × 1 = 1.5 h + qbr
    # (60+60)/60 × 4 = 8 h = 9.5 h; mid: (30+10)/60 × 6 = 4 h; smb: 1 h.
    # needed by standard: 12 touches a year per customer × 30 min (median of u1's durations
    # 40 and 20) / 60 = 6 h per customer / 800. In place: u1 has 3 accounts (E1, E2 ent, M1
    # mid), u2 2 (M1, M2 mid), u3 is inactive, u4 has none.
    assert r.rows == [
        {"segment": "ent", "role": "csm", "customers": 2, "arr": 1000000.0,
         "hours_per_customer": 9.5, "engagement_hours": 800.0,
         "customers_per_person": 84.2105, "needed_bottom_up": 0.0238,
         "needed_top_down": 1.0, "needed_by_standard": 0.015, "in_place": 0.6667,
         "gap": -0.6429},
        {"segment": "mid", "role": "csm", "customers": 1, "arr": 200000.0,
         "hours_per_customer": 4.0, "engagement_hours": 800.0,
         "customers_per_person": 200.0, "needed_bottom_up": 0.005,
         "needed_top_down": 0.2, "needed_by_standard": 0.0075, "in_place": 1.3333,
         "gap": -1.3283},
        {"segment": "smb", "role": "csm", "customers": 0, "arr": 0.0,
         "hours_per_customer": 1.0, "engagement_hours": 800.0,
         "customers_per_person": 800.0, "needed_bottom_up": 0.0,
         "needed_top_down": 0.0, "needed_by_standard": 0.0, "in_place": 0.0, "gap": 0.0}]
    assert r.idle == {"csm": 1.0}
    # measured: ent 60 min on 2 customers in 6 months = 0.5 h × 2 = 1 h a year; mid 30 min
    assert r.reality == [
        {"segment": "ent", "role": "csm", "customers": 2, "planned_hours_per_customer": 9.5,
         "measured_hours_per_customer": 1.0, "delivered_share": 0.1053},
        {"segment": "mid", "role": "csm", "customers": 1, "planned_hours_per_customer": 4.0,
         "measured_hours_per_customer": 1.0, "delivered_share": 0.25}]
    assert r.tradeoffs == [
        "ent / csm: the journey needs 0.0 people (1 rounded up), the benchmark 1.0; the "
        "journey leaves 1.0 people of the benchmark spare (42,105,263 ARR per person)",
        "mid / csm: the journey needs 0.0 people (1 rounded up), the benchmark 0.2; the "
        "journey leaves 0.2 people of the benchmark spare (40,000,000 ARR per person)"]
    # journey gaps: ent and mid have no nurture touchpoint, smb no onboard one; smb's
    # webinar is by csm, who has no letter at nurture
    assert [f.message for f in r.findings] == [
        "stage 'nurture' has no touchpoint for segment 'ent'",
        "stage 'nurture' has no touchpoint for segment 'mid'",
        "stage 'onboard' has no touchpoint for segment 'smb'",
        "touchpoint 'webinar': role 'csm' is not in the RACI at stage 'nurture', not R or A"]


def test_tradeoff_pares_the_largest_touchpoints(company):
    text = fx.PLAN_YAML.replace("{csm: 1000000}", "{csm: 100000000}")
    r = measure(company, text)
    # top-down 1,000,000 / 100,000,000 = 0.01 people: 0.01 × 800 / 2 customers = 4 h each;
    # paring qbr (8 h) leaves 1.5 h
    assert r.tradeoffs[0] == (
        "ent / csm: the journey needs 0.0 people (1 rounded up), the benchmark 0.0; at 0.0 "
        "people each customer gets 4.0 hours a year instead of 9.5: pare qbr (8.0 h); or "
        "accept 42,105,263 ARR per person")


def test_zero_engagement_hours_names_the_plan_key(company):
    text = fx.PLAN_YAML.replace("engagement_share: 0.5", "engagement_share: 0")
    with pytest.raises(PlanInvalid) as e:
        measure(company, text)
    assert str(e.value) == (
        "plan.yaml, line 6: roles[0].engagement_share: role 'csm' has zero engagement hours "
        "a year (hours_per_week × capacity.working_weeks × engagement_share), so capacity "
        "cannot count its people; set engagement_share above 0")


def test_unknown_references_name_file_line_and_key(company):
    text = fx.PLAN_YAML.replace("stage: onboard, role: csm, minutes: 30",
                                "stage: onbord, role: cms, minutes: 30")
    with pytest.raises(PlanInvalid) as e:
        measure(company, text)
    assert e.value.messages() == [
        "plan.yaml, line 33: capacity.journeys.mid[0].stage: unknown stage 'onbord'; did you "
        "mean 'onboard'? journey stages are: onboard, nurture",
        "plan.yaml, line 33: capacity.journeys.mid[0].role: unknown role 'cms'; did you mean "
        "'csm'? roles are: csm"]
