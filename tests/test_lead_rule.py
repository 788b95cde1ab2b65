"""Leads are what the plan says (issue 7, point 4): ``leads: {rule: ...}`` over contact
columns decides which contacts ``lead_count`` and ``max_lead_score`` count; without it
every contact of the account counts (DESIGN.md, "Derived facts")."""

from __future__ import annotations

import datetime as dt

import pytest

from covermap.cli.main import app
from covermap.engine.facts import derived_facts
from covermap.errors import PlanError
from covermap.importing import import_paths
from covermap.plan import parse_plan

D = dt.date
RULE = "lifecycle_stage in ['lead', 'mql', 'sql'] or lead_status is not empty"
PLAN = """\
as_of: 2024-09-20
states:
  - {{id: lead, label: {{en: Lead}}, rule: "lead_count >= 1"}}
  - {{id: none, label: {{en: No lead}}, rule: "won_deals >= 0"}}
{leads}"""
ACCOUNTS = "account_id,name\nL1,Four contacts\nL2,A later lead\nL3,No lead\n"
# K3's status is blank text (two spaces), which `is not empty` does not accept
CONTACTS = """\
contact_id,account_id,lifecycle_stage,lead_status,lead_score,created_at
K1,L1,lead,,10,
K2,L1,customer,Open,90,
K3,L1,customer,"  ",99,
K4,L1,subscriber,,70,
K5,L2,mql,,50,2024-09-15
K6,L2,sql,,,
K7,L3,customer,,80,
"""


def _plan(leads: str = ""):
    return parse_plan(PLAN.format(leads=leads), "plan.yaml")


@pytest.fixture
def leads_store(store, tmp_path):
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, "utf-8")
    (tmp_path / "contacts.csv").write_text(CONTACTS, "utf-8")
    report = import_paths(store, [tmp_path / "accounts.csv", tmp_path / "contacts.csv"])
    assert (report.loaded, report.quarantined) == (10, 0)
    return store


def _facts(store, plan) -> dict[tuple[str, dt.date], tuple]:
    t = derived_facts(store, plan, [D(2024, 9, 10), D(2024, 9, 20)],
                      facts={"lead_count", "max_lead_score"})
    return {(r["account_id"], r["eval_date"]): (r["lead_count"], r["max_lead_score"])
            for r in t.to_pyarrow().to_pylist()}


def test_without_a_rule_every_contact_is_a_lead(leads_store):
    assert _facts(leads_store, _plan()) == {
        ("L1", D(2024, 9, 10)): (4, 99.0), ("L1", D(2024, 9, 20)): (4, 99.0),
        # K5 was created on 09-15; K6 has no created date, so it always counts
        ("L2", D(2024, 9, 10)): (1, None), ("L2", D(2024, 9, 20)): (2, 50.0),
        ("L3", D(2024, 9, 10)): (1, 80.0), ("L3", D(2024, 9, 20)): (1, 80.0)}


def test_the_plans_rule_decides_which_contacts_are_leads(leads_store):
    plan = _plan(f'leads: {{rule: "{RULE}"}}\n')
    assert plan.leads.rule == RULE
    # L1: K1 (stage lead) and K2 (status Open); not K3 (blank status) nor K4 (subscriber)
    assert _facts(leads_store, plan) == {
        ("L1", D(2024, 9, 10)): (2, 90.0), ("L1", D(2024, 9, 20)): (2, 90.0),
        ("L2", D(2024, 9, 10)): (1, None), ("L2", D(2024, 9, 20)): (2, 50.0),
        ("L3", D(2024, 9, 10)): (0, None), ("L3", D(2024, 9, 20)): (0, None)}


def test_plan_check_counts_states_with_the_lead_rule(runner, tmp_path, leads_store,
                                                     store_path):
    leads_store.close()
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.format(leads=f'leads: {{rule: "{RULE}"}}\n'), "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store_path)],
                           terminal_width=250)
    assert result.exit_code == 0, result.output
    counts = {line.split("│")[2].strip(): line.split("│")[5].strip()
              for line in result.output.splitlines() if line.count("│") == 7}
    assert counts == {"lead": "2", "none": "1", "unclassified": "0"}


def test_plan_check_names_an_unknown_contact_column(runner, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.format(leads="leads:\n  rule: lifecycle_stag == 'lead'\n"), "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan)], terminal_width=400)
    assert result.exit_code == 1
    assert (f"{plan}, line 6: leads.rule: unknown contact column 'lifecycle_stag'; did you "
            f"mean 'lifecycle_stage'? the lead rule uses contact columns: contact_id, "
            f"account_id, name, email, title, persona, buying_role, lifecycle_stage, "
            f"lead_status, lead_score, created_at") in result.output.replace("\n", "")


def test_a_lead_rule_is_type_checked_against_contact_columns():
    with pytest.raises(PlanError) as e:
        _plan("leads: {rule: \"lead_score > 'hot'\"}\n")
    assert str(e.value) == ("plan.yaml, line 5: leads.rule: `>` compares a number with a "
                            "string in rule \"lead_score > 'hot'\"")
    with pytest.raises(PlanError) as e:  # facts are account-level: not in a contact rule
        _plan('leads: {rule: "won_deals > 0"}\n')
    assert "unknown contact column 'won_deals'" in str(e.value)
