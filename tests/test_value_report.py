"""The report's value section, on the hand-made company of tests/test_value_data.py."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import test_value_data as fx

from covermap.cli.main import app
from covermap.store.connect import open_store


def test_report_has_the_value_section_and_exports_its_tables(runner, tmp_path: Path):
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
    plan, vm = tmp_path / "plan.yaml", tmp_path / "value-map.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    vm.write_text(fx.MAP_YAML, "utf-8")
    out, results = tmp_path / "report.html", tmp_path / "results"
    r = runner.invoke(app, ["report", "--store", str(store), "--plan", str(plan), "--map",
                            str(vm), "--out", str(out), "--export", str(results)])
    assert r.exit_code == 0, r.output
    page = out.read_text("utf-8")
    section = page[page.index('<section id="value">'):]
    section = section[:section.index("</section>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert '<a href="#value">Key players</a>' in page
    assert "Value maps: Test map." in text
    assert "1 Production manager Electrical controls Issue: Unplanned downtime 30% less " \
           "downtime" in text
    assert "Production manager 2 2 100.0% 2 100.0%" in text       # the reach table
    assert "Plant manager 4 2 50.0% 0 0.0%" in text
    assert "3 of the 7 that name a contact (42.9%) went to contacts who match no key " \
           "player" in text
    assert "Reach of key players by segment" in text and "Content stages planned vs " \
                                                        "delivered" in text
    assert "Customer Relation (human), Education (digital) 5 1 20.0% 2 1 1" in text
    assert "States whose touches carry no content stage at all: Target." in text
    with (results / "value_summary.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["group", "key", "persona", "accounts",
                                       "accounts_with_persona", "accounts_reached", "reach"]
    assert (results / "value_accounts.csv").is_file()


def test_report_with_a_bad_value_map_is_one_red_line(runner, tmp_path: Path):
    vm = tmp_path / "value-map.yaml"
    vm.write_text(fx.MAP_YAML.replace("product: energy,", "product: enrgy,"), "utf-8")
    r = runner.invoke(app, ["report", "--store", str(tmp_path / "s.duckdb"), "--map", str(vm),
                            "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {vm}, line 30: impacts[0].product: unknown product "
                               f"'enrgy'")
