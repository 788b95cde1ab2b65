"""The report's capacity section on the hand-made three-segment company
(tests/test_capacity_data.py): needed against in place per segment and role."""

from __future__ import annotations

import re
from pathlib import Path

import test_capacity_data as fx

from covermap.cli.main import app
from covermap.store.connect import open_store


def test_report_has_the_capacity_section(runner, tmp_path: Path):
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", "--store", str(store), "--plan", str(plan), "--out",
                            str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text("utf-8")
    assert '<a href="#capacity">Capacity</a>' in page
    section = page[page.index('<section id="capacity">'):]
    section = section[:section.index("</section>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "ent csm 2 9.50 0.02 1.00 0.01 0.67 -0.64" in text
    assert "mid csm 1 4.00 0.01 0.20 0.01 1.33 -1.33" in text
    assert "smb csm 0 1.00 0.00 0.00 0.00 0.00 0.00" in text
    assert "Trade-offs ent / csm: the journey needs 0.0 people (1 rounded up)" in text
    assert "capacity.journeys.smb[0].role: touchpoint &#39;webinar&#39;" in section
    # the chart of needs against in place, and its reading: bottom-up 0.0238 + 0.005,
    # benchmark 1.0 + 0.2, standard 0.015 + 0.0075, in place 0.6667 + 1.3333
    assert section.count('<figure class="chart">') == 1
    assert "People needed vs in place, per segment and role" in text
    assert ("In all, the journeys need 0.03 people bottom-up, the benchmark 1.20 and the "
            "coverage standard 0.02, against 2.00 in place; no segment and role is short of "
            "its bottom-up need.") in text
