"""The HTML report as a person sees it: laid out by headless Chromium at 1400 and 1024 px.

Each report is opened twice per width: once for a screenshot (tests/artifacts/, git-ignored,
to look at), and once with a small script that reads the laid-out page (element boxes,
texts) into the DOM, which ``--dump-dom`` returns. The facts asserted are the ones a RevOps
lead would notice: a toolbar over a title, rotated state names, cents or ``nan`` in a
summary, the map upside down, a chart with nothing in it, a table wider than the page.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_demo_report import demo_company
from typer.testing import CliRunner

from covermap.cli.main import app
from covermap.store.connect import open_store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = (1400, 1024)

# .ci/run installs Debian's chromium and sets COVERMAP_REQUIRE_CHROMIUM, so CI never skips.
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("COVERMAP_REQUIRE_CHROMIUM"),
    reason="no chromium on this machine (CI installs it)")

PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const texts = sel => [...document.querySelectorAll(sel)].map(e => e.textContent.trim());
  const facts = {
    width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    plots: document.querySelectorAll(".js-plotly-plot").length,
    svgTitles: document.querySelectorAll(".gtitle").length,
    charts: [...document.querySelectorAll("figure.chart")].map(f => ({
      title: f.querySelector(".chart-title").textContent,
      titleBox: box(f.querySelector(".chart-title")),
      modebars: [...f.querySelectorAll(".modebar")].map(box),
      yticks: [...f.querySelectorAll(".ytick text")].map(e => ({text: e.textContent, ...box(e)})),
      empty: f.querySelector(".empty-chart") ? f.querySelector(".empty-chart").textContent : null,
      reading: f.querySelector(".reading") ? f.querySelector(".reading").textContent : null,
      readingBox: f.querySelector(".reading") ? box(f.querySelector(".reading")) : null,
      cells: [...f.querySelectorAll(".heatmaplayer text, text.bartext")].map(e => e.textContent),
    })),
    transforms: [...document.querySelectorAll(".xtick text, .ytick text, text.bartext")]
      .map(e => e.getAttribute("transform") || ""),
    tables: [...document.querySelectorAll("table")].map(t => ({
      wrap: t.parentElement.className, overflow: getComputedStyle(t.parentElement).overflowX,
      right: t.parentElement.getBoundingClientRect().right})),
    headers: texts("th"),
    kpis: texts(".kpi b"),
    owners: texts("td.col-owner_id"),
    empties: texts(".empty-chart"),
    body: document.body.innerText,
  };
  const pre = document.createElement("pre");
  pre.id = "layout-facts";
  pre.textContent = JSON.stringify(facts);
  document.body.appendChild(pre);
}, 1000));
</script>"""


def _chromium(*args: str, profile: Path) -> str:
    return subprocess.run(
        [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={profile}", "--virtual-time-budget=10000", *args],
        capture_output=True, text=True, timeout=180, check=True).stdout


def layout(report: Path, width: int, work: Path, name: str) -> dict:
    """The laid-out facts of ``report`` at ``width`` px; saves a full-page screenshot."""
    probed = work / f"{name}-{width}-probe.html"
    probed.write_text(report.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    dom = _chromium(f"--window-size={width},2000", "--dump-dom", probed.as_uri(),
                    profile=work / f"profile-{name}-{width}")
    found = re.search(r'<pre id="layout-facts">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    facts = json.loads(html.unescape(found.group(1)))
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{name}-{width}.png"
    _chromium(f"--window-size={width},{min(facts['height'], 16000)}",
              f"--screenshot={shot}", report.as_uri(), profile=work / f"shot-{name}-{width}")
    assert int.from_bytes(shot.read_bytes()[16:20], "big") == width  # PNG header: width
    return facts


def _overlap(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def _no_empty_words(body: str) -> None:
    assert not re.search(r"\b(nan|NaN|None|NaT|null|undefined)\b", body)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    return demo_company(tmp_path_factory)[0] / "report.html"


QUIET_PLAN = "as_of: 2026-06-30\n"


@pytest.fixture(scope="module")
def quiet_report(tmp_path_factory) -> Path:
    """A company with customers but no activities and no deal won in the window."""
    folder = tmp_path_factory.mktemp("layout-quiet")
    store = folder / "covermap.duckdb"
    with open_store(store) as s:
        s.duckdb.execute("""
            INSERT INTO users (user_id, name, role) VALUES ('U1', 'Hana Sato', 'csm');
            INSERT INTO accounts (account_id, name, segment, owner_id, arr) VALUES
              ('A1', 'Acme Corporation', 'enterprise', 'U1', 120000),
              ('A2', 'Globex', NULL, 'U1', NULL), ('A3', 'Initech', 'smb', NULL, 5000);
            INSERT INTO deals (deal_id, account_id, is_closed, is_won, amount, created_at,
                               close_date)
              VALUES ('D1', 'A1', true, true, 50000, '2025-01-10', '2025-03-01'),
                     ('D2', 'A3', true, false, 9000, '2026-02-01', '2026-03-15');
        """)
    plan = folder / "plan.yaml"
    plan.write_text(QUIET_PLAN, "utf-8")
    out = folder / "report.html"
    result = CliRunner().invoke(app, ["report", "--store", str(store), "--plan", str(plan),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_demo_report_reads_well(demo_report, tmp_path, width):
    facts = layout(demo_report, width, tmp_path, "demo")
    assert facts["scrollWidth"] <= facts["width"]  # the page never scrolls sideways
    # every chart is drawn, titled in HTML above it (Plotly draws no title of its own)
    assert facts["plots"] == 12 and facts["svgTitles"] == 0
    titles = [c["title"] for c in facts["charts"]]
    assert titles[:6] == [
        "Compliance by state (passed checks / checks)", "Compliance by month",
        "Breadth by state (accounts touched in the window)",
        "Breadth by segment (accounts touched in the window)",
        "Customer coverage map: won revenue by product complexity × customer value "
        "(intended channel in bold)", "Hand-offs: first touch by the new owner"]
    assert re.fullmatch(r"Phase-in/out of ACC-\d+", titles[6])  # the team section's timeline
    assert titles[7:] == [  # the capacity section, the value section, territories, groups
        "People needed vs in place, per segment and role",
        "Reach of key players by segment (accounts reached / accounts with the player)",
        "Content stages planned vs delivered, per state (the window's touches)",
        "Compliance and breadth by territory (each with the territories inside it)",
        "The 10 largest customer groups by ARR"]
    for chart in facts["charts"]:
        assert chart["modebars"], chart["title"]
        assert not any(_overlap(m, chart["titleBox"]) for m in chart["modebars"]), chart["title"]
        # one sentence under the title saying what the chart shows, never under the toolbar
        assert re.fullmatch(r"[A-Z].+\.", chart["reading"]), chart["title"]
        assert not any(_overlap(m, chart["readingBox"]) for m in chart["modebars"]), \
            chart["title"]
    assert facts["charts"][1]["reading"].startswith("Compliance rose from ")
    # state names are rows of horizontal bars, wrapped, never rotated
    states = [t["text"] for t in sorted(facts["charts"][0]["yticks"], key=lambda t: t["t"])]
    assert states[:2] == ["Loyal customer", "Active customer"]
    assert "New customer (first 6months after the firstpurchase)" in states  # 3 lines
    assert all(not re.search(r"rotate\((?!0[,)\s])", t) for t in facts["transforms"])
    # the map as in the terminal: high value on top
    heat = facts["charts"][4]
    rows = sorted(heat["yticks"], key=lambda t: t["t"])
    assert [t["text"] for t in rows] == ["High", "Medium", "Low"]
    assert all(re.fullmatch(r"\d+\.\d%|[\d,]+|USD [\d,]+|[+-]?[\d,]+\.\d|not planned", k)
               for k in facts["kpis"])
    assert len(facts["kpis"]) == 7
    # one number format: percents with one decimal, money without cents, in charts too
    bar_texts = [t for c in facts["charts"][:4] for t in c["cells"]]
    assert bar_texts and all(re.match(r"\d+\.\d% ", t) for t in bar_texts)
    assert any(re.search(r"#1USD [\d,]+ \(\d+\.\d%\)[\d,]+ won deals", t) for t in heat["cells"])
    assert not re.search(r"USD [\d,]+\.\d", facts["body"])
    _no_empty_words(facts["body"])
    # human column headers; owners are named beside their ids
    assert all(h[:1].isupper() and "_" not in h for h in facts["headers"])
    assert facts["owners"] and all(re.fullmatch(r".+ \(USR-\d+\)", o) for o in facts["owners"])
    # wide tables scroll inside their own box, never past the page
    assert all(t["wrap"] == "table-wrap" and t["overflow"] == "auto" and t["right"] <= width
               for t in facts["tables"])


@pytest.mark.parametrize("width", WIDTHS)
def test_empty_charts_say_why(quiet_report, tmp_path, width):
    facts = layout(quiet_report, width, tmp_path, "quiet")
    assert facts["scrollWidth"] <= facts["width"]
    # the team section: Initech's deal (Feb to March) is a dropped hand-off, and its
    # phase-in/out timeline; the capacity section's people needed by standard
    assert facts["plots"] == 3
    assert facts["empties"] == [
        "No activities in the window (2026-01-01 – 2026-06-30) count as touches, so every "
        "check failed and no account was touched.",
        "No won deals in the window (2026-01-01 – 2026-06-30), so the map has no revenue to "
        "place.",
        "No account has a contact matching a key player, so there is no reach to chart.",
        "No touch in the window, so there is no content to chart.",
    ]
    _no_empty_words(facts["body"])
    assert facts["owners"] == ["Hana Sato (U1)"]
    # an empty chart says why, and has no reading
    assert all(c["reading"] is None for c in facts["charts"] if c["empty"])
