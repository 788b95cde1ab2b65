"""Roles from the CRM: Salesforce UserRole names and HubSpot owner teams, mapped onto the
plan's roles on import; `plan check --store` warns about roles nobody holds."""

from __future__ import annotations

import shutil

import pytest

from covermap.cli.main import app
from covermap.cli.options import console
from covermap.errors import PlanError
from covermap.importing.load import import_paths
from covermap.plan import parse_plan, template_text
from covermap.store.connect import open_store

SF = "fivetran-salesforce-seeds"
HS = "fivetran-hubspot-seeds"
# the seeds' users point at 4 role ids; the seed role file has 10 other ids (checked by hand)
USER_ROLE_IDS = {"Brandon Zinn": "BK8ye8s2vCtRuIzk3Iy7Og==",
                 "Eric Welsh": "aDWPUItc1uc9iqJvMkP82Q==",
                 "Nomadmktg Nomadmktg": "a21b1bWPBhKAAug5Jxk73g==",
                 "Justin Clark": "7IHceHBUAWjctCBt2VZXiA=="}
# the role file's first four rows (id, name)
ROLE_ROWS = [("StB7ADpIfsOKUVMS9KkJWw==", "ev8AzWxVDGisAlHLhbswRw=="),
             ("Pb7q3GyRtA1b+mjhRsCisw==", "stoIWxwAppBt1wOf0ZrEXw=="),
             ("M2E7lAPWS91Qs5fLzFxciQ==", "DpYNTT8JrVEsoGY/4jQu4A=="),
             ("/UCbUKKXllVd2xJJlKrNSw==", "F2ZX+UKPrvm19As4fX6CeQ==")]
ROLE_NAMES = 'role_names: {"EV8AZWXVDGISALHLHBSWRW==": csm, "stoiw*": account_executive}\n'


def users(store) -> dict[str, tuple]:
    rows = store.duckdb.execute("SELECT name, role, team, active FROM users").fetchall()
    return {name: rest for name, *rest in rows}


def salesforce_folder(realdata, tmp_path, *, joined: bool):
    """The seeds' User and UserRole files. ``joined``: the role file's first four ids are
    replaced by the four role ids the users name (in the seeds no id joins)."""
    folder = tmp_path / "sf"
    folder.mkdir()
    shutil.copy(realdata / SF / "sf_user_data.csv", folder)
    text = (realdata / SF / "sf_user_role_data.csv").read_text("utf-8")
    if joined:
        for (old, _), new in zip(ROLE_ROWS, USER_ROLE_IDS.values()):
            text = text.replace(old, new)
    (folder / "sf_user_role_data.csv").write_text(text, "utf-8")
    return folder


def test_salesforce_seed_role_ids_match_no_user_role(realdata, tmp_path, store):
    report = import_paths(store, [salesforce_folder(realdata, tmp_path, joined=False)])
    assert [(p.split("/")[-1], n) for p, n in report.associations] == [
        ("sf_user_role_data.csv", 10)]
    assert {f.table: f.loaded for f in report.files} == {"users": 10}
    got = users(store)
    assert len(got) == 10 and all(role is None for role, _, _ in got.values())
    assert got["empty account"][2] is False and got["Brandon Zinn"][2] is True


def test_salesforce_users_get_their_role_names_mapped_by_the_plan(realdata, tmp_path, store):
    folder = salesforce_folder(realdata, tmp_path, joined=True)
    import_paths(store, [folder])
    ae, nomad, justin = ROLE_ROWS[1][1], ROLE_ROWS[2][1], ROLE_ROWS[3][1]
    got = {name: role for name, (role, _, _) in users(store).items()}
    assert got == {
        "Brandon Zinn": ROLE_ROWS[0][1], "Eric Welsh": ae, "Saurabh Kapadia": ae,
        "Jodie Navarre": ae, "Christian Kletzl": ae, "Andrey Lukyanov": ae,
        "Nomadmktg Nomadmktg": nomad, "Justin Clark": justin,
        "Artyom Vasilyev": None, "empty account": None}
    # the plan maps names without case; a pattern takes every matching name
    import_paths(store, [folder], plan=parse_plan(ROLE_NAMES, "plan.yaml"))
    got = {name: role for name, (role, _, _) in users(store).items()}
    assert got == {
        "Brandon Zinn": "csm", "Eric Welsh": "account_executive",
        "Saurabh Kapadia": "account_executive", "Jodie Navarre": "account_executive",
        "Christian Kletzl": "account_executive", "Andrey Lukyanov": "account_executive",
        "Nomadmktg Nomadmktg": nomad, "Justin Clark": justin,
        "Artyom Vasilyev": None, "empty account": None}


def test_plan_check_warns_about_roles(realdata, tmp_path, store_path, runner, monkeypatch):
    monkeypatch.setattr(console, "width", 1000)
    plan = tmp_path / "plan.yaml"
    plan.write_text(template_text() + ROLE_NAMES, "utf-8")
    folder = salesforce_folder(realdata, tmp_path, joined=True)
    imported = runner.invoke(app, ["import", str(folder), "--store", str(store_path),
                                   "--plan", str(plan)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("Warning")] == [
        "Warning: no user has role executive: checks with by: [csm, executive] count only "
        "touches by csm (state loyal)",
        "Warning: no user has role inside_sales: checks with by: [account_executive, "
        "inside_sales] count only touches by account_executive (state active); every check "
        "with by: [inside_sales] fails (states hot_lead, potential_lead)",
        "Warning: 1 active user has no role: import the users with their roles (a role "
        "column, or Salesforce UserRole / HubSpot owner_team and team files beside the users "
        "file), or give a whole file's users one in the plan: sources: [{file: "
        "sf_user_data.csv, table: users, constants: {role: <role>}}]",
        "Warning: users have roles the plan does not define: 'DpYNTT8JrVEsoGY/4jQu4A==' (1 "
        "user), 'F2ZX+UKPrvm19As4fX6CeQ==' (1 user); map them in the plan, then import the "
        "users again with --plan: role_names: {\"DpYNTT8JrVEsoGY/4jQu4A==\": <role>, "
        "\"F2ZX+UKPrvm19As4fX6CeQ==\": <role>}",
    ]


def test_plan_check_names_the_role_nobody_holds(tmp_path, store_path, runner, monkeypatch):
    """The issue's example: no csm, so every check of the entry by: [csm] fails."""
    monkeypatch.setattr(console, "width", 1000)
    with open_store(store_path) as s:
        s.duckdb.execute("INSERT INTO users (user_id, name, role, active) VALUES "
                         "('u1', 'Ann', 'csm', false), ('u2', 'Bo', 'Sales Rep', true), "
                         "('u3', 'Cy', 'Sales Rep', NULL)")
    plan = tmp_path / "plan.yaml"
    plan.write_text("states:\n  - id: new\n    label: {en: New}\n    rule: is_customer\n"
                    "    standard: [{channel: human, min: 1, per: week, by: [csm]}]\n", "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("Warning")] == [
        "Warning: no active user has role csm (1 inactive user has it): every check with by: "
        "[csm] fails (state new)",
        "Warning: users have roles the plan does not define: 'Sales Rep' (2 users); map them "
        "in the plan, then import the users again with --plan: role_names: {\"Sales Rep\": "
        "account_executive}",
    ]


def test_hubspot_owner_teams_become_roles(realdata, tmp_path, store):
    folder = tmp_path / "hs"
    folder.mkdir()
    shutil.copy(realdata / HS / "owner_data.csv", folder)  # the seed has no team files
    (folder / "team_data.csv").write_text(
        "id,name\n1,Customer Success\n2,Sales EMEA\n3,Sales APAC\n", "utf-8")
    (folder / "owner_team_data.csv").write_text(
        "owner_id,team_id,is_team_primary\n44023296,2,false\n44023296,1,true\n"
        "42972304,3,\n42972304,2,\n", "utf-8")
    plan = parse_plan('role_names: {"customer success": csm, "Sales *": account_executive}\n')
    report = import_paths(store, [folder], plan=plan)
    assert sorted((p.split("/")[-1], n) for p, n in report.associations) == [
        ("owner_team_data.csv", 4), ("team_data.csv", 3)]
    rows = store.duckdb.execute("SELECT user_id, role, team FROM users WHERE team IS NOT NULL "
                                "ORDER BY user_id").fetchall()
    # 44023296: its primary team; 42972304: no primary, so the first team name
    assert rows == [("42972304", "account_executive", "Sales APAC"),
                    ("44023296", "csm", "Customer Success")]
    assert store.duckdb.execute("SELECT count(*), count(role) FROM users").fetchone() == (100, 2)


def test_account_team_roles_and_own_role_columns_are_mapped(tmp_path, store):
    (tmp_path / "users.csv").write_text(
        "user_id,name,role\nu1,Ann,Customer success manager\nu2,Bo, CSM Lead \nu3,Cy,VP\n"
        "u4,Di,\n", "utf-8")
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Acme\n", "utf-8")
    (tmp_path / "account_team.csv").write_text(
        "account_id,user_id,role\nA1,u1,Customer Success Manager\nA1,u2,インサイドセールス\n",
        "utf-8")
    plan = parse_plan('role_names: {"csm*": csm, "vp": executive}\n')
    import_paths(store, [tmp_path], plan=plan)
    # a label (en or ja) or id of a plan role is that role, without case or blanks
    assert store.duckdb.execute("SELECT user_id, role FROM users ORDER BY 1").fetchall() == [
        ("u1", "csm"), ("u2", "csm"), ("u3", "executive"), ("u4", None)]
    assert store.duckdb.execute("SELECT user_id, role FROM account_team ORDER BY 1").fetchall() \
        == [("u1", "csm"), ("u2", "inside_sales")]


@pytest.mark.parametrize(("yaml", "message"), [
    ('role_names: {"Sales Rep": rep}\n',
     "plan.yaml, line 1: role_names: 'Sales Rep' maps to unknown role 'rep'; roles are: csm, "
     "account_executive, inside_sales, marketing, executive"),
    ('role_names: {" ": csm}\n',
     "plan.yaml, line 1: role_names: a source role name must not be empty"),
])
def test_role_names_must_name_plan_roles(yaml, message):
    with pytest.raises(PlanError) as e:
        parse_plan(yaml, "plan.yaml")
    assert str(e.value) == message


def test_account_team_roles_the_plan_does_not_define_are_listed(store):
    from covermap.plan.store_checks import role_warnings

    store.duckdb.execute(
        "INSERT INTO users (user_id, name, role) VALUES ('u1', 'Ann', 'csm'), "
        "('u2', 'Bo', 'account_executive'), ('u3', 'Cy', 'inside_sales'), "
        "('u4', 'Di', 'executive');"
        "INSERT INTO account_team (account_id, user_id, role) VALUES ('A1', 'u1', 'csm'), "
        "('A1', 'u2', 'Sales Rep'), ('A2', 'u2', 'Sales Rep'), ('A2', 'u3', 'Partner')")
    assert role_warnings(store, parse_plan("")) == [
        "account-team rows have roles the plan does not define: 'Sales Rep' (2 rows), "
        "'Partner' (1 row); map them in the plan, then import the account team again with "
        "--plan: role_names: {\"Sales Rep\": account_executive, \"Partner\": <role>}"]
