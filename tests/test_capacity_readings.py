"""The sentences that read capacity's charts (terminal and report), computed from the
numbers: two roles, a scenario that needs more and one that needs fewer, a shortfall."""

from __future__ import annotations

from covermap.capacity.readings import needed_reading, scenario_reading, scenario_totals


def _row(scenario, segment, role, bu, td=None, std=0.0, have=0.0, hpc=1.0):
    return {"scenario": scenario, "segment": segment, "role": role, "needed_bottom_up": bu,
            "needed_top_down": td, "needed_by_standard": std, "in_place": have,
            "hours_per_customer": hpc, "gap": None if bu is None else bu - have}


ROWS = [_row("base", "ent", "csm", 4.5), _row("base", "smb", "csm", 2.25),
        _row("base", "ent", "ae", 0.0, hpc=0.0),  # no journey: not charted
        _row("grow", "ent", "csm", 5.4), _row("grow", "smb", "csm", 2.25),
        _row("lean", "ent", "csm", 3.0), _row("lean", "smb", "csm", None)]


def test_scenario_totals_sum_the_segments_of_journey_roles():
    assert scenario_totals(ROWS, {"csm": 7.0, "ae": 3.0}) == [
        {"scenario": "base", "role": "csm", "needed": 6.75, "in_place": 7.0},
        {"scenario": "grow", "role": "csm", "needed": 7.65, "in_place": 7.0},
        {"scenario": "lean", "role": "csm", "needed": 3.0, "in_place": 7.0}]


def test_scenario_reading():
    totals = scenario_totals(ROWS, {"csm": 7.0})
    assert scenario_reading(totals) == (
        "Bottom-up, the base needs 6.75 csm against 7.00 in place (0.25 spare); grow 7.65 "
        "(+0.90 on the base), lean 3.00 (−3.75 on the base).")
    two = totals + [{"scenario": "base", "role": "ae", "needed": 1234.5, "in_place": 1000.0}]
    assert scenario_reading(two).endswith(
        "; the base needs 1,234.50 ae against 1,000.00 in place (234.50 short).")
    assert scenario_reading([]) == ("No role has journey touchpoints, so no scenario needs "
                                    "anyone bottom-up.")


def test_needed_reading_names_the_largest_shortfall():
    rows = [_row("base", "ent", "csm", 4.5, td=5.0, std=3.25, have=2.0),
            _row("base", "mid", "csm", 3.0, td=2.0, std=1.0, have=2.5),
            _row("base", "ent", "ae", 0.0, std=0.5, have=1.0, hpc=0.0)]
    # bottom-up 7.5, top-down 5 + 2 = 7 (ae has none), standard 4.75, in place 5.5;
    # gaps: ent/csm 2.5, mid/csm 0.5, ent/ae −1
    assert needed_reading(rows) == (
        "In all, the journeys need 7.50 people bottom-up, the benchmark 7.00 and the "
        "coverage standard 4.75, against 5.50 in place; ent / csm is the furthest short: "
        "4.50 needed, 2.00 in place.")
    spare = [_row("base", "ent", "csm", 1.0, have=2.0)]
    assert needed_reading(spare) == (
        "In all, the journeys need 1.00 people bottom-up and the coverage standard 0.00, "
        "against 2.00 in place; no segment and role is short of its bottom-up need.")


def test_with_no_journey_the_standard_is_read_against_in_place():
    rows = [_row("base", "ent", "csm", 0.0, std=12.5, have=10.0, hpc=0.0),
            _row("base", "smb", "csm", 0.0, std=10.4, have=5.0, hpc=0.0)]
    assert needed_reading(rows) == (
        "No segment has journey touchpoints, so nothing is needed bottom-up; the coverage "
        "standard needs 22.90 people in all against 15.00 in place (7.90 short).")
