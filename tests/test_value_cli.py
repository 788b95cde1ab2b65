"""``covermap value`` and its sales tools through the CLI, on the hand-made company of
tests/test_value_data.py (real DuckDB file, real plan and value map files)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import test_value_data as fx

from covermap.cli.main import app
from covermap.store.connect import open_store
from covermap.value.load import parse_value_maps


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
    plan, vm = tmp_path / "plan.yaml", tmp_path / "value-map.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    vm.write_text(fx.MAP_YAML, "utf-8")
    return {"store": store, "plan": plan, "map": vm}


def args(files, *extra: str, store: bool = True, plan: bool = True) -> list[str]:
    out = [*extra, "--map", str(files["map"])]
    if store:
        out += ["--store", str(files["store"])]
    if plan:
        out += ["--plan", str(files["plan"])]
    return out


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_export_writes_the_issues_files(runner, files, tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, args(files, "value", "--export", str(out)))
    assert r.exit_code == 0, r.output
    assert "Wrote 6 files" in r.output
    # each row ends with its account's group (each account is its own) and territory
    # (none matches)
    assert read(out / "value_accounts.csv") == [
        ["account_id", "persona", "contacts", "touched_contacts", "human_touches", "group_id",
         "territory"],
        ["A", "cfo", "1", "0", "0", "A", ""], ["A", "plant", "1", "0", "0", "A", ""],
        ["A", "pm", "1", "1", "2", "A", ""], ["B", "cfo", "1", "1", "1", "B", ""],
        ["B", "plant", "1", "0", "0", "B", ""], ["C", "plant", "0", "0", "0", "C", ""],
        ["C", "pm", "2", "1", "1", "C", ""], ["D", "plant", "0", "0", "0", "D", ""]]
    summary = read(out / "value_summary.csv")
    assert summary[0] == ["group", "key", "persona", "accounts", "accounts_with_persona",
                          "accounts_reached", "reach"]
    assert summary[1:4] == [["all", "all", "pm", "2", "2", "2", "1.0"],
                            ["all", "all", "plant", "4", "2", "0", "0.0"],
                            ["all", "all", "cfo", "2", "2", "1", "0.5"]]
    assert ["segment", "", "plant", "1", "0", "0", ""] in summary  # empty, never nan
    # a second export replaces the files it wrote
    assert runner.invoke(app, args(files, "value", "--export", str(out))).exit_code == 0


def test_terminal_view(runner, files):
    r = runner.invoke(app, args(files, "value"))
    assert r.exit_code == 0, r.output
    assert "Value test — key players as of 2026-07-15, window 2026-04-01 to 2026-06-30" \
        in r.output
    lines = [" ".join(x.split()) for x in r.output.splitlines()]
    assert "│ Production manager │ 2 │ 2 │ 100.0% │ 2 │ 100.0% │" in lines
    assert "│ Plant manager │ 4 │ 2 │ 50.0% │ 0 │ 0.0% │" in lines
    assert ("Human touches in the window: 8; 3 of the 7 that name a contact (42.9%) went to "
            "contacts who match no key player; 1 names no contact (counted apart).") in lines
    assert "States whose touches carry no content stage at all: Target" in lines
    assert "│ Customer │ 5 │ 1 │ 20.0% │ 2 │ 1 │ 1 │" in lines
    assert "nan" not in r.output and "None" not in r.output


def test_by_segment_and_cell(runner, files):
    r = runner.invoke(app, args(files, "value", "--by", "segment"))
    lines = [" ".join(x.split()) for x in r.output.splitlines()]
    assert "│ (none) │ Plant manager │ 1 │ 0 │ 0.0% │ 0 │ no contact │" in lines
    r = runner.invoke(app, args(files, "value", "--by", "cell"))
    lines = [" ".join(x.split()) for x in r.output.splitlines()]
    assert "│ customised/low │ CFO │ 1 │ 1 │ 100.0% │ 1 │ 100.0% │" in lines


def test_value_table_in_every_format(runner, files, tmp_path):
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format",
                            "markdown"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:7] == [
        "# Value propositions", "", "_Test map_", "",
        "| Rank | Key player | Product | Moves | Value statement |", "|---|---|---|---|---|",
        "| 1 | Production manager | Electrical controls | Issue: Unplanned downtime | "
        "30% less downtime |"]
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format",
                            "markdown", "--lang", "ja"])
    assert "| 1 | 製造部長 | 電気制御機器 | 課題: 突発停止 | 突発停止を30%削減 |" in r.output
    assert "| 4 | CFO | 電気制御機器 | 目標: Payback | Payback in 14 months |" in r.output
    page = tmp_path / "table.html"
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format", "html",
                            "--out", str(page)])
    assert r.exit_code == 0, r.output
    html = page.read_text("utf-8")
    assert "<td>30% less downtime</td>" in html
    assert "<script" not in html and "http" not in html  # self-contained
    book = tmp_path / "table.xlsx"
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format", "xlsx",
                            "--out", str(book)])
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(book).active
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert cells[0][0] == "Value propositions"
    assert ("Rank", "Key player", "Product", "Moves", "Value statement") in \
        [tuple(r) for r in cells]
    assert ["4", "CFO", "Electrical controls", "Objective: Payback", "Payback in 14 months"] \
        in [list(r) for r in cells]


def test_texts_are_escaped_for_each_format(runner, files, tmp_path):
    files["map"].write_text(fx.MAP_YAML.replace("value: Payback in 14 months",
                                                "value: \"=1+1 | <b>x</b>\""), "utf-8")
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format",
                            "markdown"])
    assert "=1+1 \\| &lt;b>x&lt;/b> |" in r.output
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format", "html"])
    assert "<td>=1+1 | &lt;b&gt;x&lt;/b&gt;</td>" in r.output
    book = tmp_path / "t.xlsx"
    runner.invoke(app, ["value", "table", "--map", str(files["map"]), "--format", "xlsx",
                        "--out", str(book)])
    cell = [c for row in openpyxl.load_workbook(book).active.iter_rows() for c in row
            if c.value and str(c.value).startswith("=1+1")][0]
    assert cell.data_type == "s"  # text, not a formula
    r = runner.invoke(app, ["value", "table", "--map", str(files["map"])])
    assert "=1+1 | <b>x</b>" in " ".join(r.output.split())  # Rich prints markup as text


def test_playbook(runner, files):
    r = runner.invoke(app, ["value", "playbook", "--persona", "pm", "--map",
                            str(files["map"]), "--format", "markdown"])
    assert r.exit_code == 0, r.output
    assert r.output.split("\n## ")[1:] == [
        "Who they are\n\n- Titles: production manager, 製造部長, /^(vp\\|head) of production$/\n"
        "- Where they matter: ent\n- Rank in the hierarchy of value: 1 / 3\n",
        "Objectives\n\n- Throughput\n",
        "Issues\n\n- Unplanned downtime\n",
        "What we say\n\n| Rank | Key player | Product | Moves | Value statement |\n"
        "|---|---|---|---|---|\n"
        "| 1 | Production manager | Electrical controls | Issue: Unplanned downtime | "
        "30% less downtime |\n"
        "| 2 | Production manager | Electrical controls | Objective: Throughput | "
        "5 OEE points |\n",
        "High-impact questions\n\n- What does an hour of downtime cost?\n",
        "Our products\n\n- Electrical controls\n\n"]
    r = runner.invoke(app, ["value", "playbook", "--persona", "pmm", "--map",
                            str(files["map"])])
    assert r.exit_code == 1
    assert r.output.strip() == ("Error: no persona 'pmm'; did you mean 'pm'? personas are: "
                                "pm, plant, cfo")


def test_players_of_a_segment_with_reach(runner, files):
    r = runner.invoke(app, args(files, "value", "players", "--segment", "smb", "--format",
                                "markdown"))
    assert r.exit_code == 0, r.output
    table = [line for line in r.output.splitlines() if line.startswith("| ")]
    assert table == [
        "| Rank | Key player | Titles | Cares most about | Biggest issue | Ask first | Our "
        "products | Accounts | With the player | Reached | Reach |",
        "| 1 | Plant manager | plant manager, 工場長 | Cost per unit |  |  | Energy monitoring "
        "| 1 | 1 | 0 | 0.0% |",
        "| 2 | CFO | cfo | Payback |  |  | Electrical controls | 1 | 1 | 1 | 100.0% |"]
    r = runner.invoke(app, ["value", "players", "--segment", "ENT", "--map",
                            str(files["map"])])
    assert r.exit_code == 0, r.output
    assert "Production manager" in r.output and "CFO" not in r.output


def test_match_lists_unmatched_and_multiple_titles(runner, files):
    r = runner.invoke(app, ["value", "match", "--map", str(files["map"]), "--store",
                            str(files["store"])])
    assert r.exit_code == 0, r.output
    lines = [" ".join(x.split()) for x in r.output.splitlines()]
    assert ("8 distinct titles (after normalisation) over 8 contacts with a title; 3 of "
            "those contacts match no persona by title") in lines
    assert "│ assistant to vp of production │ Assistant to VP of Production │ 1 │" in lines
    assert "│ plant manager / cfo │ Plant manager, CFO │ 1 │" in lines


def test_check_and_bad_files(runner, files, tmp_path):
    r = runner.invoke(app, ["value", "check", "--map", str(files["map"]), "--store",
                            str(files["store"])])
    assert r.exit_code == 0, r.output
    assert "3 personas, 2 products, 4 impacts; no problem found" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(fx.MAP_YAML.replace("product: energy,", "product: nope,").replace(
        "['^(vp|head) of production$']", "['(unclosed']"), "utf-8")
    r = runner.invoke(app, ["value", "check", "--map", str(bad)])
    assert r.exit_code == 1
    assert r.output.splitlines()[0].startswith(
        f"Error: {bad}, line 8: personas[0].titles.patterns[0]: invalid regular expression")
    assert r.output.splitlines()[1].startswith(
        f"Error: {bad}, line 30: impacts[0].product: unknown product 'nope'")
    r = runner.invoke(app, ["value", "table", "--map", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 1 and "no value map file here" in r.output
    r = runner.invoke(app, ["value", "table", "--format", "xlsx"])
    assert r.exit_code == 1 and "--format xlsx needs --out FILE.xlsx" in r.output


def test_example_is_the_built_in_map_and_loads(runner):
    r = runner.invoke(app, ["value", "example"])
    assert r.exit_code == 0
    vm = parse_value_maps([("example.yaml", r.output)])
    assert [p.id for p in vm.personas][0] == "production_manager"


def test_every_value_command_has_help_with_an_example(runner):
    for sub in ([], ["table"], ["playbook"], ["players"], ["match"], ["check"], ["example"]):
        r = runner.invoke(app, ["value", *sub, "--help"], terminal_width=200)
        assert r.exit_code == 0 and "Example: covermap value" in r.output
