"""Text from the data is never read as terminal markup (issue 8, point 13): every command
prints hostile values as they are — Rich closing tags (``[/bold]``, ``[/]``), tags that
would restyle (``[red]``, ``[b]``), emoji codes (``:warning:``) and terminal escape
sequences (ESC, shown as ``\\x1b``) — through covermap.render.terminal.literal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covermap.cli.main import app
from covermap.plan import template_text
from covermap.render.terminal import literal

ESC = "\x1b"
FILES = {
    "accounts.csv": "account_id,name,owner_id,segment,created_at,annual_revenue\n"
                    "A[/]1,Evil [/bold] Corp,[/],[red]seg :warning:,2025-01-01,100000\n"
                    "A2,Good Co,U1,smb,2025-01-01,100000\n",
    "users.csv": f"user_id,name,role\nU1,Hana {ESC}[31mSato,csm\n[/],[/bold] Boss,csm\n",
    "products.csv": "product_id,name,family,complexity,list_price\nP1,[b]Widget,core,simple,"
                    "100\n",
    "deals.csv": "deal_id,account_id,stage,is_closed,is_won,amount,created_at,close_date,"
                 "channel\nD1,A[/]1,won,true,true,1000,2026-02-01,2026-03-01,[/i]\n"
                 "D2,A2,won,true,true,500,2026-02-01,2026-03-01,field\n",
    "deal_lines.csv": "line_id,deal_id,product_id,quantity,amount\nL1,D1,P1,1,1000\n"
                      "L2,D2,P1,1,500\n",
    "activities.csv": "activity_id,account_id,kind,occurred_at,user_id\n"
                      "X1,A[/]1,call,2026-05-01,[/]\nX2,A2,[/bold],2026-05-02,U1\n"
                      "X3,A2,call,[/bold],U1\nX4,A2,call,2026-06-02,[/b]nobody\n"
                      "X5,[/b]ghost,call,2026-06-03,U1\n",
}
#: the store's own name is markup too: every line that names it must print it as it is
STORE = "[b]crm.duckdb"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A folder with the exports and, imported from them, the store ``[b]crm.duckdb``."""
    folder = tmp_path_factory.mktemp("markup")
    (folder / "exports").mkdir()
    for name, text in FILES.items():
        (folder / "exports" / name).write_text(text, "utf-8")
    return folder


@pytest.fixture
def run(hostile, runner, monkeypatch):
    """Run a command in the hostile folder; assert it exits 0 and return its output."""
    monkeypatch.chdir(hostile)
    if not (hostile / STORE).exists():
        result = runner.invoke(app, ["import", "exports", "--store", STORE])
        assert result.exit_code == 0, result.output

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        assert ESC not in result.output  # the data's escape sequence never reaches a terminal
        return result.output

    return invoke


def flat(output: str) -> str:
    """The output with table borders and padding removed (cells compared as text)."""
    return re.sub(r"\s*[│┃]\s*", " | ", output)


def test_literal_is_the_one_escape():
    assert literal("Evil [/bold] Corp") == "Evil \\[/bold] Corp"
    assert literal("[/]") == "\\[/]"
    assert literal(f"Hana {ESC}[31mSato") == "Hana \\x1b[31mSato"
    assert literal(None) == ""
    assert literal(12) == "12"


def test_import_summary_and_dry_run(hostile, runner, monkeypatch, tmp_path):
    monkeypatch.chdir(hostile)
    store = str(tmp_path / "[b]new.duckdb")
    preview = runner.invoke(app, ["import", "exports", "--store", store, "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert f"Dry run: nothing was written; {store} is unchanged." in preview.output
    result = runner.invoke(app, ["import", "exports", "--store", store])
    assert result.exit_code == 0, result.output
    assert "unresolved: user_id 1 (e.g. [/b]nobody)" in result.output
    assert f"Inspect them: covermap status --quarantined --store {store}" in result.output


def test_import_progress_names_a_file_as_it_is(hostile, runner, monkeypatch, tmp_path):
    """The progress bar (shown on a terminal) takes the file's name as its description."""
    import rich.console

    monkeypatch.setattr(rich.console.Console, "is_terminal", property(lambda self: True))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "[b]accounts.csv").write_text("account_id,name\nA1,Acme\n", "utf-8")
    result = runner.invoke(app, ["import", str(folder), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 0, result.output
    assert "[b]accounts.csv" in result.output


def test_status(run):
    out = run("status", "--store", STORE)
    assert f"Store {STORE}" in out
    assert f"Inspect them: covermap status --quarantined --store {STORE}" in out


def test_status_quarantined(run):
    out = flat(run("status", "--quarantined", "--store", STORE))
    assert "| activities | activities.csv | 4 | occurred_at | [/bold] |" in out
    assert "| activities | activities.csv | 6 | account_id | [/b]ghost |" in out


def test_plan_check_quotes_the_datas_kinds(run):
    run("init", "plan.yaml", "--force")
    out = run("plan", "check", "plan.yaml", "--store", STORE)
    assert "[/bold]" in out and "kind" in out


def test_coverage_by_owner_and_segment(run):
    out = flat(run("coverage", "--by", "owner", "--store", STORE))
    assert "| [/bold] Boss ([/]) | 1 |" in out
    assert "| Hana \\x1b[31mSato (U1) | 1 |" in out
    assert "| [red]seg :warning: | 1 |" in flat(run("coverage", "--by", "segment",
                                                    "--store", STORE))


def test_worklist(run):
    out = flat(run("worklist", "--store", STORE))
    assert "| Evil [/bold] Corp (A[/]1) |" in out
    assert "| [/bold] Boss ([/]) |" in out


def test_an_error_quoting_a_value(run):
    out = run("worklist", "--store", STORE, "--owner", "[/x", code=1)
    assert out.splitlines()[0] == (
        "Error: unknown --owner '[/x'; did you mean '[/]'? The owners are: U1 "
        "(Hana \\x1b[31mSato), [/] ([/bold] Boss)")


def test_map_and_its_drill_down(run):
    out = run("map", "--store", STORE)
    assert "USD 1,500 (100.0%)" in out
    drill = flat(run("map", "--store", STORE, "--cell", "simple/low"))
    assert "| Evil [/bold] Corp (A[/]1) | D1 | [b]Widget | USD 1,000 | [/i] | online |" in drill


def test_report_summary(run):
    out = run("report", "--store", STORE, "--out", "[b]report.html")
    assert "Report: [b]report.html" in out
    assert Path("[b]report.html").exists()


def test_demo_summary_quotes_the_plans_labels(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = template_text("default").replace("{en: Loyal customer,",
                                            "{en: 'Loyal [/bold] customer :warning:',")
    assert text != template_text("default")
    Path("plan.yaml").write_text(text, "utf-8")
    result = CliRunner().invoke(app, ["demo", "--out", "[b]demo", "--accounts", "40",
                                      "--seed", "3", "--plan", "plan.yaml"])
    assert result.exit_code == 0, result.output
    assert "Loyal [/bold] customer :warning:" in result.output
    assert "Report: [b]demo/report.html" in result.output.replace("\n", "")
