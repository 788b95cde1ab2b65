"""`covermap init` and `covermap plan check` on a real store."""

from __future__ import annotations

from covermap.cli.main import app
from covermap.plan import template_text
from covermap.store.connect import open_store


def test_init_writes_the_template_and_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "plan.yaml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    assert path.read_text("utf-8") == template_text()
    again = runner.invoke(app, ["init", str(path)])
    assert again.exit_code == 1
    assert f"{path} exists already; pass --force to overwrite it" in again.output


def test_plan_check_counts_what_each_rule_matches(runner, tmp_path, store_path):
    with open_store(store_path) as s:
        s.duckdb.execute("""
            INSERT INTO accounts (account_id, name, is_target, churned_at) VALUES
              ('A', 'Customer 3 years', NULL, NULL), ('B', 'Churned', NULL, '2026-01-10'),
              ('C', 'Prospect in a deal', NULL, NULL), ('D', 'Target', true, NULL),
              ('E', 'Nothing', NULL, NULL);
            INSERT INTO deals (deal_id, account_id, is_closed, is_won, created_at, close_date)
              VALUES ('a1', 'A', true, true, '2023-01-01', '2023-02-01'),
                     ('b1', 'B', true, true, '2025-01-01', '2025-02-01'),
                     ('c1', 'C', false, false, '2026-05-01', NULL);
            INSERT INTO activities (activity_id, account_id, kind, occurred_at)
              VALUES ('x', 'A', 'call', '2026-06-30 10:00:00');
        """)
    plan = tmp_path / "plan.yaml"
    plan.write_text(template_text(), "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store_path)],
                           terminal_width=250)
    assert result.exit_code == 0, result.output
    assert "valid — accounts per state as of 2026-06-30" in result.output
    counts = {line.split("│")[2].strip(): line.split("│")[5].strip()
              for line in result.output.splitlines() if line.count("│") == 7}
    assert counts == {"loyal": "1", "active": "0", "new": "0", "churned": "1", "in_deal": "1",
                      "hot_lead": "0", "potential_lead": "0", "lead": "0", "target": "1",
                      "unclassified": "1"}


def test_plan_check_names_an_unknown_column_with_line_and_key(runner, tmp_path, store_path):
    open_store(store_path).close()  # without a store, `tier` may be an extra column
    plan = tmp_path / "plan.yaml"
    plan.write_text("states:\n  - id: big\n    label: {en: Big}\n    rule: tier == 'A'\n",
                    "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store_path)],
                           terminal_width=250)
    assert result.exit_code == 1
    assert f"{plan}, line 4: states[0].rule: unknown column 'tier'; known columns and facts:" \
        in result.output.replace("\n", "")


THREE_ERRORS = ("name: yes\n"
                "states:\n  - id: a\n    label: {en: A}\n    rule: churned\n    owners: [cms]\n"
                "window_months: 0\n")


def test_plan_check_prints_every_error_on_its_own_line_in_file_order(runner, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(THREE_ERRORS, "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--store",
                                 str(tmp_path / "none.duckdb")], terminal_width=400)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines() == [
        f'Error: {plan}, line 1: name: expected text, but YAML read yes as a boolean; write it '
        f'in quotes: "yes"',
        f"Error: {plan}, line 6: states[0].owners[0]: unknown role 'cms'; did you mean 'csm'? "
        f"roles are: csm, account_executive, inside_sales, marketing, executive (add it under "
        f"`roles:`)",
        f"Error: {plan}, line 7: window_months: Input should be greater than or equal to 1",
    ]
    assert not (tmp_path / "none.duckdb").exists()


def test_every_command_that_loads_a_plan_lists_all_its_errors(runner, tmp_path, store_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(THREE_ERRORS, "utf-8")
    open_store(store_path).close()
    result = runner.invoke(app, ["coverage", "--store", str(store_path), "--plan", str(plan)],
                           terminal_width=400)
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in result.output.splitlines()] == [
        f"{plan}, line 1", f"{plan}, line 6", f"{plan}, line 7"]


def test_plan_check_without_a_store_checks_the_plan_alone_and_writes_nothing(
        runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.yaml").write_text(template_text(), "utf-8")
    result = runner.invoke(app, ["plan", "check", "plan.yaml"], terminal_width=250)
    assert result.exit_code == 0, result.output
    assert "plan.yaml: valid — 9 states" in result.output
    assert "No store at covermap.duckdb, so the plan was checked alone." in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_plan_check_against_a_store_suggests_columns_and_warns_of_unmapped_kinds(
        runner, tmp_path, store_path):
    with open_store(store_path) as s:
        s.duckdb.execute("""
            INSERT INTO accounts (account_id, name, segment) VALUES ('A', 'Acme', 'smb');
            INSERT INTO activities (activity_id, account_id, kind, occurred_at) VALUES
              ('1', 'A', 'Call', '2026-06-01 10:00'), ('2', 'A', 'Call', '2026-06-02 10:00'),
              ('3', 'A', 'call', '2026-06-03 10:00'), ('4', 'A', 'fax', '2026-06-04 10:00');
        """)
    plan = tmp_path / "plan.yaml"
    plan.write_text("states:\n  - id: big\n    label: {en: Big}\n    rule: segmnt == 'smb'\n"
                    "  - id: tiny\n    label: {en: Tiny}\n    rule: employes < 10\n"
                    "worklist: {value_measure: arrr}\n", "utf-8")
    args = ["plan", "check", str(plan), "--store", str(store_path)]
    result = runner.invoke(app, args, terminal_width=400)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(" known columns")[0].split(" account columns")[0] for line in lines] == [
        f"Error: {plan}, line 4: states[0].rule: unknown column 'segmnt'; did you mean "
        f"'segment'?",
        f"Error: {plan}, line 7: states[1].rule: unknown column 'employes'; did you mean "
        f"'employees'?",
        f"Error: {plan}, line 8: worklist.value_measure: unknown account column 'arrr'; did you "
        f"mean 'arr'?",
    ]
    plan.write_text(template_text(), "utf-8")
    result = runner.invoke(app, args, terminal_width=400)
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines()  # role warnings: tests/test_roles.py
            if line.startswith("Warning") and " of kind " in line] == [
        "Warning: 2 activities of kind 'Call' are not in the plan's `activity_kinds`, so they "
        "never count as touches; did you mean 'call'? If not, add the kind under "
        "`activity_kinds` with its channel (human, digital or none)",
        "Warning: 1 activities of kind 'fax' are not in the plan's `activity_kinds`, so they "
        "never count as touches; add the kind under `activity_kinds` with its channel (human, "
        "digital or none)",
    ]
