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
    plan = tmp_path / "plan.yaml"
    plan.write_text("states:\n  - id: big\n    label: {en: Big}\n    rule: tier == 'A'\n",
                    "utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--store", str(store_path)],
                           terminal_width=250)
    assert result.exit_code == 1
    assert f"{plan}, line 4: states[0].rule: unknown column 'tier'; known columns and facts:" \
        in result.output.replace("\n", "")
