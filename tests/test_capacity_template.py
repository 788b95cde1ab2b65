"""The built-in template's commented capacity example: uncommented, it is a valid plan, and
``covermap capacity`` runs it on a sample company."""

from __future__ import annotations

from covermap.plan import parse_plan, template_text


def _uncommented() -> str:
    text = template_text()
    head, example = text.split("# segments:\n", 1)
    body = "\n".join(line.removeprefix("# ") for line in ("# segments:\n" + example)
                     .splitlines())
    return head + body + "\n"


def test_the_capacity_example_is_a_valid_plan():
    plan = parse_plan(_uncommented(), "plan.yaml")
    assert [s.id for s in plan.segments] == ["enterprise", "mid_market", "smb"]
    tps = plan.capacity.journeys["enterprise"]
    # (90 + 60) × 1 + (60 + 90) × 4 + (30 + 15) × 12 = 150 + 600 + 540 minutes = 21.5 h
    assert sum(tp.hours_per_year for tp in tps) == 21.5
    assert plan.capacity.benchmark.arr_per_person == {"csm": 2000000}
    assert plan.assign.max_accounts == 150


def test_the_template_without_it_has_no_capacity_section():
    plan = parse_plan(template_text(), "plan.yaml")
    assert plan.segments == () and plan.capacity.journeys == {}
