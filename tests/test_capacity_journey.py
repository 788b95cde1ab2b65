"""Journey gaps (issue 11, point 2) are judged on the stages the journeys are meant to cover:
``capacity.stages``, else the stages some segment's journey has a touchpoint at, so a
customer-success journey is not asked for touchpoints at lead or deal stages."""

from __future__ import annotations

import pytest
import test_capacity_data as fx
from test_capacity_template import _uncommented

from covermap.capacity.checks import capacity_problems, journey_findings
from covermap.plan import parse_plan


def _messages(plan) -> list[str]:
    return [f"{f.key}: {f.message}" for f in journey_findings(plan)]


def test_the_template_example_has_no_gaps_at_lead_or_deal_stages():
    # the template's journey runs acquire, qualify, win, onboard, grow, retain, win_back;
    # the example's journeys touch onboard, grow and retain only
    assert _messages(parse_plan(_uncommented(), "plan.yaml")) == [
        "capacity.journeys.enterprise[2].role: touchpoint 'health check': role 'csm' is C at "
        "stage 'grow', not R or A",
        "capacity.journeys.mid_market: stage 'grow' has no touchpoint for segment "
        "'mid_market'",
        "capacity.journeys.smb: stage 'grow' has no touchpoint for segment 'smb'",
        "capacity.journeys.smb: stage 'retain' has no touchpoint for segment 'smb'"]


def test_stages_named_in_the_plan_are_the_ones_judged():
    text = fx.PLAN_YAML.replace("  tolerance: 0.1\n", "  tolerance: 0.1\n  stages: [onboard]\n")
    # nurture is no longer asked of ent and mid; smb still lacks onboard, and its webinar
    # (at nurture) is still by a role with no letter there
    assert _messages(fx.plan(text)) == [
        "capacity.journeys.smb: stage 'onboard' has no touchpoint for segment 'smb'",
        "capacity.journeys.smb[0].role: touchpoint 'webinar': role 'csm' is not in the RACI "
        "at stage 'nurture', not R or A"]


@pytest.mark.parametrize("stages", ["[]", "[onboard, nurture]"])
def test_every_stage_or_none(stages):
    text = fx.PLAN_YAML.replace("  tolerance: 0.1\n", f"  tolerance: 0.1\n  stages: {stages}\n")
    gaps = [m for m in _messages(fx.plan(text)) if "has no touchpoint" in m]
    assert len(gaps) == (0 if stages == "[]" else 3)


def test_an_unknown_stage_names_file_line_and_key():
    text = fx.PLAN_YAML.replace("  tolerance: 0.1\n", "  tolerance: 0.1\n  stages: [onbord]\n")
    problems = capacity_problems(fx.plan(text), None, ["ent", "mid", "smb"])
    assert [str(p) for p in problems] == [
        "plan.yaml, line 27: capacity.stages[0]: unknown stage 'onbord'; did you mean "
        "'onboard'? journey stages are: onboard, nurture"]
