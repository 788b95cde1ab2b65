"""The report's team section on the hand-made company (tests/test_team_data.py): the RACI
matrix, gap and duplicate counts by stage and segment, the hand-off funnel and the
timeline of the account with the most phase findings (D)."""

from __future__ import annotations

import re

import pytest
import test_team_data as fx

from covermap.cli.main import app
from covermap.store.connect import open_store


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)]


@pytest.fixture(scope="module")
def team_html(tmp_path_factory) -> str:
    from typer.testing import CliRunner

    d = tmp_path_factory.mktemp("team_report")
    with open_store(d / "covermap.duckdb") as s:
        fx.build(s)
    (d / "plan.yaml").write_text(fx.PLAN_YAML, "utf-8")
    result = CliRunner().invoke(app, ["report", "--store", str(d / "covermap.duckdb"),
                                      "--plan", str(d / "plan.yaml"), "--out",
                                      str(d / "report.html"), "--export", str(d / "out")])
    assert result.exit_code == 0, result.output
    assert (d / "out" / "team_handoffs.csv").exists()
    html = (d / "report.html").read_text("utf-8")
    assert '<a href="#team">Account team</a>' in html
    start = html.index('<section id="team">')
    return html[start:html.index("</section>", start)]


def test_raci_matrix_is_coloured_by_letter(team_html):
    matrix = team_html[:team_html.index("</table>")]
    assert re.findall(r"<th>(.*?)</th>", matrix) == ["Stage", "Marketing", "SDR",
                                                     "Account executive", "CSM"]
    assert _cells(matrix)[1:] == [["Nurture", "A", "R", "", ""], ["Sell", "", "C", "A", ""],
                                  ["Onboard", "", "", "R", "A"]]
    assert '<td class="raci raci-A" title="accountable">A</td>' in matrix
    assert "Segment overrides: smb: onboard ae -." in team_html


def test_gaps_and_duplicates_by_stage_and_segment(team_html):
    tables = re.findall(r"<table>(.*?)</table>", team_html, flags=re.S)
    by_stage, by_segment = _cells(tables[1])[1:], _cells(tables[2])[1:]
    assert by_stage == [["Nurture", "3", "2", "1", "1", "1"], ["Sell", "5", "2", "0", "2", "1"],
                        ["Onboard", "1", "0", "0", "1", "0"],
                        ["(no stage)", "1", "0", "0", "0", "0"]]
    assert by_segment == [["ent", "8", "4", "1", "3", "2"], ["smb", "1", "0", "0", "1", "0"],
                          ["(no segment)", "1", "0", "0", "0", "0"]]


def test_funnel_and_timeline(team_html):
    assert "Hand-offs: first touch by the new owner" in team_html
    # 3 on time, 1 late, 1 dropped, 1 pending of 6
    assert '"x":[3,1,1,1]' in team_html.replace(" ", "")
    assert "first human touch by the new owner: 3.5." in team_html
    assert "Phase-in/out of D</figcaption>" in team_html
    phases = _cells(re.findall(r"<table>(.*?)</table>", team_html, flags=re.S)[4])[1:]
    assert phases == [
        ["sell", "late_join", "ae", "Al (a1)",
         "joined on 2026-05-06, 2 days after the stage began on 2026-05-04"],
        ["nurture", "stayed_on", "marketing", "Mia (m1)",
         "still on the team more than 14 days after the stage ended on 2026-05-03"]]


def test_what_followed(team_html):
    followed = re.findall(r"<table>(.*?)</table>", team_html, flags=re.S)[3]
    assert _cells(followed)[1:] == [["to_ae", "stayed", "4", "80.0%"],
                                    ["to_ae", "Customer", "1", "20.0%"],
                                    ["to_csm", "stayed", "1", "100.0%"]]


def test_effort_outside_the_model(team_html):
    effort = re.findall(r"<table>(.*?)</table>", team_html, flags=re.S)[5]
    assert _cells(effort)[1:] == [["ae", "Nurture", "none", "1", "1", "5.0"]]
