"""The team plan sections (journey, raci, handoffs, role fields): load errors with the
file, line and key, and ``covermap team check``'s findings on the plan and the store."""

from __future__ import annotations

import pytest
import test_team_data as fx

from covermap.cli.main import app
from covermap.errors import PlanInvalid
from covermap.plan import default_plan, parse_plan
from covermap.store.connect import open_store
from covermap.team.checks import check_team_plan, store_role_findings
from covermap.team.model import Raci


def test_the_fixture_plan_reads_as_written():
    plan = fx.plan()
    assert [s.id for s in plan.journey.stages] == ["nurture", "sell", "onboard"]
    assert plan.journey.stage_of("deal") == "sell" and plan.journey.stage_of("target") is None
    assert plan.raci.letters("onboard") == {"csm": "A", "ae": "R"}
    assert plan.raci.letters("onboard", "smb") == {"csm": "A"}
    assert plan.raci.letters("onboard", "ent") == {"csm": "A", "ae": "R"}
    marketing, sdr = plan.roles[0], plan.roles[1]
    assert (marketing.single_holder, sdr.single_holder) == (False, True)
    h = plan.handoffs[0]
    assert (h.id, h.when.stage, h.from_, h.to, h.within_days, h.model) == \
        ("to_ae", "sell", "sdr", "ae", 5, "baton")


def test_a_segment_override_sets_named_roles_and_keeps_the_others():
    raci = Raci.model_validate({"grow": {"ae": "A", "is": "R", "csm": "C"},
                                "segments": {"smb": {"grow": {"ae": "-", "is": "A"}}}})
    assert raci.letters("grow", "smb") == {"is": "A", "csm": "C"}
    assert raci.letters("grow", "mid") == {"ae": "A", "is": "R", "csm": "C"}


def test_the_default_template_reproduces_baton_and_paired_models():
    plan = default_plan()
    rules = {h.id: (h.when.stage or h.when.state, h.from_, h.to, h.model)
             for h in plan.handoffs}
    assert rules == {
        "lead_to_inside_sales": ("qualify", "marketing", "inside_sales", "baton"),
        "deal_to_account_executive": ("win", "inside_sales", "account_executive", "baton"),
        "onboarding_pair": ("onboard", "account_executive", "csm", "paired"),
        "loyal_to_csm": ("loyal", "account_executive", "csm", "baton"),
    }
    # paired through onboarding: both the account executive and the CSM are R or A there
    assert plan.raci.letters("onboard") == {"csm": "A", "account_executive": "R"}
    # every default state is in one stage
    assert sorted(st for s in plan.journey.stages for st in s.states) == \
        sorted(s.id for s in plan.states)
    assert check_team_plan(plan, {}) == []


def _replace(*pairs: tuple[str, str]) -> str:
    text = fx.PLAN_YAML
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(("text", "messages"), [
    (_replace(("  sell: {ae: A, sdr: C}", "  sell: {ae: A, cso: C}")),
     ["plan.yaml, line 28: raci.sell.cso: unknown role 'cso'; did you mean 'csm'? roles "
      "are: marketing, sdr, ae, csm (add it under `roles:`)"]),
    (_replace(("  sell: {ae: A, sdr: C}", "  sell: {ae: A, sdr: C}\n  close: {ae: A}")),
     ["plan.yaml, line 29: raci.close: unknown stage 'close'; stages are: nurture, sell, "
      "onboard (add it under `journey: stages:`)"]),
    (_replace(("states: [deal], skills", "states: [deals], skills")),
     ["plan.yaml, line 24: journey.stages[1].states[0]: unknown state 'deals'; did you mean "
      "'deal'? states are: customer, deal, lead, target (add it under `states:`)"]),
    (_replace(("states: [customer], skills", "states: [customer, lead], skills")),
     ["plan.yaml, line 25: journey.stages[2].states[1]: state 'lead' is already in stage "
      "'nurture' (journey.stages[0]); a state belongs to at most one stage"]),
    (_replace(('onboard: {ae: "-"}', 'onboard: {ae: "-", cfo: A}')),
     ["plan.yaml, line 32: raci.segments.smb.onboard.cfo: unknown role 'cfo'; roles are: "
      "marketing, sdr, ae, csm (add it under `roles:`)"]),
    (_replace(("nurture: {marketing: A, sdr: R}", "nurture: {marketing: A, sdr: X}")),
     ["plan.yaml, line 27: raci.nurture.sdr: Input should be 'R', 'A', 'C' or 'I' (got "
      "'X')"]),
    (_replace(("when: {stage: sell}, from: sdr", "when: {stage: close}, from: sdr")),
     ["plan.yaml, line 34: handoffs[0].when.stage: unknown stage 'close'; stages are: "
      "nurture, sell, onboard (add it under `journey: stages:`)"]),
    (_replace(("from: ae, to: csm, within_days: 7, model: paired",
               "from: ae, to: cs, within_days: -1, model: relay")),
     ["plan.yaml, line 35: handoffs[1].within_days: Input should be greater than or equal "
      "to 0",
      "plan.yaml, line 35: handoffs[1].model: Input should be 'baton' or 'paired' (got "
      "'relay')",
      "plan.yaml, line 35: handoffs[1].to: unknown role 'cs'; did you mean 'csm'? roles "
      "are: marketing, sdr, ae, csm (add it under `roles:`)"]),
    (_replace(("{id: to_csm, when: {state: customer}", "{id: to_ae, when: {stage: sell}")),
     ["plan.yaml, line 35: handoffs[1].id: duplicate hand-off id 'to_ae' (first at "
      "handoffs[0]); every hand-off needs its own id"]),
    (_replace(("when: {state: customer}", "when: {state: customer, stage: onboard}")),
     ["plan.yaml, line 35: handoffs[1].when: give exactly one of `state` (an account "
      "entering that state) or `stage` (entering that journey stage)"]),
    (_replace(("skills: [qualification]}", "skills: [qualification], single_holder: 2}")),
     ["plan.yaml, line 7: roles[1].single_holder: Input should be a valid boolean, unable "
      "to interpret input"]),
])
def test_bad_team_sections_name_file_line_and_key(text, messages):
    with pytest.raises(PlanInvalid) as info:
        parse_plan(text, "plan.yaml")
    assert info.value.messages() == messages


BAD = _replace(
    ("skills: [negotiation]}\n  - {id: csm", "skills: []}\n  - {id: csm"),
    ("  - {id: csm, label: {en: CSM}, skills: [onboarding]}\n",
     "  - {id: csm, label: {en: CSM}, skills: [onboarding]}\n"
     "  - {id: partner, label: {en: Partner}}\n"),
    ("nurture: {marketing: A, sdr: R}", "nurture: {marketing: A, sdr: A}"),
    ('onboard: {ae: "-"}', 'onboard: {csm: "-"}'))
BAD_FINDINGS = [
    "plan.yaml, line 10: roles[4].id: role partner is R or A at no stage; give it a "
    "responsibility in raci, or remove the role",
    "plan.yaml, line 25: journey.stages[1].skills[0]: stage sell requires skill "
    "'negotiation', but no role that is R or A there has it (R/A: ae); roles with it: none "
    "(roles: skills)",
    "plan.yaml, line 28: raci.nurture: stage nurture has 2 accountable roles (marketing, "
    "sdr); exactly one role is A at each stage",
    "plan.yaml, line 33: raci.segments.smb.onboard: stage onboard for segment smb requires "
    "skill 'onboarding', but no role that is R or A there has it (R/A: ae); roles with it: "
    "csm (roles: skills)",
    "plan.yaml, line 33: raci.segments.smb.onboard: stage onboard for segment smb has no "
    "accountable role; exactly one role is A at each stage",
]


def test_team_check_findings_name_the_key_and_line(runner, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(BAD, "utf-8")
    result = runner.invoke(app, ["team", "check", str(plan)])
    assert result.exit_code == 1
    out = result.output.replace(str(plan), "plan.yaml")
    assert out.splitlines() == [f"Finding: {m}" for m in BAD_FINDINGS] + ["5 findings"]


def test_team_check_passes_a_sound_plan_and_lists_unknown_store_roles(runner, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    ok = runner.invoke(app, ["team", "check", str(plan)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == f"{plan}: the account coverage model is sound — 3 stages, " \
                                f"2 hand-off rules"
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
        fx.insert(s, "account_team", "account_id, user_id, role",
                  [("A", "u9", "Partner Manager"), ("B", "u9", "Partner Manager")])
        [finding] = store_role_findings(s, fx.plan(), {("roles",): 5})
    assert finding.text("plan.yaml") == (
        "plan.yaml, line 5: roles: account-team rows have role 'Partner Manager' (2 rows), "
        "which the plan does not define; add it under roles:, or map it with role_names and "
        "import the account team again")
    result = runner.invoke(app, ["team", "check", str(plan), "--store", str(store)])
    assert result.exit_code == 1
    assert "line 5: roles: account-team rows have role 'Partner Manager'" in result.output


def test_a_bad_plan_is_an_error_not_a_finding(runner, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(_replace(("  sell: {ae: A, sdr: C}", "  sell: {ae: A, cso: C}")), "utf-8")
    result = runner.invoke(app, ["team", "check", str(plan)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {plan}, line 28: raci.sell.cso: unknown role")


def test_team_check_names_segment_overrides_no_account_has(runner, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML.replace("    smb:\n", "    smbb:\n"), "utf-8")
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
    result = runner.invoke(app, ["team", "check", str(plan), "--store", str(store)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Finding: {plan}, line 31: raci.segments.smbb: no account has segment 'smbb', so "
        f"this override applies to none; segments in the store: ent, smb", "1 finding"]
