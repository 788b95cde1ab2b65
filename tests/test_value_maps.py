"""Value map files: the built-in example, and bad input reported with file and line."""

from __future__ import annotations

import time

import pytest
import test_value_data as fx

from covermap.errors import PlanError, PlanInvalid
from covermap.store.connect import open_store
from covermap.value.load import catalog_problems, default_value_maps, parse_value_maps
from covermap.value.matching import contact_personas
from covermap.value.normalize import normalize_title

GOOD = fx.MAP_YAML


def problems(*sources: tuple[str, str]) -> list[str]:
    with pytest.raises(PlanInvalid) as e:
        parse_value_maps(list(sources))
    return e.value.messages()


def test_built_in_example_is_the_seeds():
    vm = default_value_maps()
    assert [p.id for p in vm.personas] == ["production_manager", "plant_manager",
                                           "maintenance_engineer", "cfo"]
    pm = vm.persona("production_manager")
    assert {"throughput", "yield"} <= {o.id for o in pm.objectives}
    assert "unplanned_downtime" in {i.id for i in pm.issues}
    first = vm.impacts[0]
    assert (first.persona, first.product) == ("production_manager", "electrical_controls")
    assert first.moves.issues == ("unplanned_downtime",)
    assert pm.label.ja == "製造部長" and "工場長" in vm.persona("plant_manager").titles.keywords
    assert all(p.label.ja for p in vm.personas)


def test_normalisation():
    assert normalize_title("Ｐｌａｎｔ　ＭＡＮＡＧＥＲ") == "plant manager"
    assert normalize_title("ﾌﾟﾗﾝﾄﾏﾈｰｼﾞｬｰ") == "プラントマネージャー"
    assert normalize_title(" Straße \t Leiter ") == "strasse leiter"  # case folding


def test_impacts_ranked_by_the_hierarchy_of_value():
    vm = fx.value_maps()
    assert [(i.persona, i.priority) for i in vm.impacts] == [
        ("pm", 1), ("pm", 2), ("plant", 1), ("cfo", 1)]


def test_unknown_product_and_objective_name_file_and_line():
    text = GOOD.replace("product: energy,", "product: enrgy,").replace(
        "moves: {objectives: [payback]}", "moves: {objectives: [pay_back]}")
    assert problems(("vm.yaml", text)) == [
        "vm.yaml, line 30: impacts[0].product: unknown product 'enrgy'; did you mean "
        "'energy'? products are: controls, energy (add it under `products:`)",
        "vm.yaml, line 35: impacts[3].moves.objectives[0]: persona cfo has no objective "
        "'pay_back'; did you mean 'payback'? its objectives are: payback",
    ]


def test_unknown_persona_and_item_kind():
    text = GOOD.replace("{persona: plant, product: energy, moves: {objectives: [cost]}",
                        "{persona: plnt, product: energy, moves: {goals: [cost]}")
    got = problems(("vm.yaml", text))
    assert got == ["vm.yaml, line 30: impacts[0].moves.goals: unknown key; see the built-in "
                   "example (`covermap value table --help`)"]
    text = GOOD.replace("{persona: plant, product: energy,", "{persona: plnt, product: energy,")
    assert problems(("vm.yaml", text)) == [
        "vm.yaml, line 30: impacts[0].persona: unknown persona 'plnt'; did you mean 'plant'? "
        "personas are: pm, plant, cfo"]


def test_invalid_regular_expression_is_an_error_not_a_crash():
    text = GOOD.replace("patterns: ['^(vp|head) of production$']",
                        "patterns: ['(vp|head of production', '(?=manager)']")
    assert problems(("vm.yaml", text)) == [
        "vm.yaml, line 8: personas[0].titles.patterns[0]: invalid regular expression "
        "'(vp|head of production': missing ): (?i)(vp|head of production (RE2 syntax: no "
        "look-around or back-references)",
        "vm.yaml, line 8: personas[0].titles.patterns[1]: invalid regular expression "
        "'(?=manager)': invalid perl operator: (?= (RE2 syntax: no look-around or "
        "back-references)",
    ]


def test_catastrophic_backtracking_pattern_does_not_hang(store):
    # (a+)+$ takes exponential time in a backtracking engine (Python's re: seconds at 30
    # characters); RE2 is linear
    text = GOOD.replace("patterns: ['^(vp|head) of production$']", "patterns: ['(a+)+$']")
    vm = parse_value_maps([("vm.yaml", text)])
    store.duckdb.execute("INSERT INTO contacts (contact_id, account_id, title) VALUES "
                         "('X', 'A', ?), ('Y', 'A', ?)", ["a" * 20_000 + "!", "a" * 30])
    start = time.perf_counter()
    got = sorted(r["contact_id"] for r in contact_personas(store, vm).to_pyarrow().to_pylist()
                 if r["persona"] == "pm")
    assert got == ["A1", "C1", "Y"]  # A1 and C1 by the keywords
    assert time.perf_counter() - start < 10


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "covermap.duckdb") as s:
        fx.build(s)
        yield s


def test_schema_problems_name_line_and_key():
    text = GOOD.replace("    priority: 2\n", "    priority: high\n").replace(
        "    titles: {keywords: [cfo]}\n", "    titels: {keywords: [cfo]}\n")
    assert problems(("vm.yaml", text)) == [
        "vm.yaml, line 15: personas[1].priority: Input should be a valid integer, unable to "
        "parse string as an integer",
        "vm.yaml, line 21: personas[2].titels: unknown key; see the built-in example "
        "(`covermap value table --help`)",
    ]


def test_duplicate_ids_across_files_name_both():
    other = ("name: Other\npersonas:\n  - id: pm\n    label: {en: PM}\n    priority: 5\n"
             "    titles: {keywords: [pm]}\n")
    assert problems(("a.yaml", GOOD), ("b.yaml", other)) == [
        "b.yaml, line 3: personas[0].id: duplicate persona id 'pm' (first at a.yaml, line 3); "
        "every persona needs its own id"]


def test_two_files_combine():
    other = ("personas:\n  - id: buyer\n    label: {en: Buyer, ja: 購買部長}\n    priority: 2\n"
             "    titles: {keywords: [buyer, 購買]}\n    issues: [{id: price, text: Price}]\n"
             "impacts:\n  - {persona: buyer, product: controls, moves: {issues: [price]},"
             " value: Lower total cost}\n")
    vm = parse_value_maps([("a.yaml", GOOD), ("b.yaml", other)])
    assert [p.id for p in vm.personas] == ["pm", "plant", "buyer", "cfo"]
    assert [i.persona for i in vm.impacts] == ["pm", "pm", "plant", "buyer", "cfo"]


def test_persona_that_nothing_can_match_and_bad_cells():
    text = GOOD.replace("    titles: {keywords: [plant manager, 工場長]}\n", "").replace(
        "cells: [simple/high]", "cells: [simple-high]").replace("[cfo]}", "['  ']}")
    assert problems(("vm.yaml", text)) == [
        "vm.yaml, line 13: personas[1]: persona plant has no title keywords, patterns or crm "
        "values, so no contact can match it",
        "vm.yaml, line 20: personas[2].titles.keywords[0]: a title keyword must not be empty",
        "vm.yaml, line 24: personas[2].cells[0]: no coverage-map cell 'simple-high'; a cell is "
        "COMPLEXITY/VALUE such as customised/high",
    ]


def test_yaml_syntax_and_shape():
    assert problems(("vm.yaml", "personas: [\n")) == [
        "vm.yaml, line 2: not valid YAML: did not find expected node content; fix the syntax"]
    assert problems(("vm.yaml", "- a\n")) == [
        "vm.yaml, line 1: a value map is a mapping of keys (name, personas, products, impacts)"]


def test_catalog_names_are_checked_against_the_store(store):
    text = GOOD.replace("  - {id: energy, label: Energy monitoring}",
                        "  - {id: energy, label: Energy monitoring, catalog: [P1, Custom Line,"
                        " Energy Suite]}")
    vm = parse_value_maps([("vm.yaml", text)])
    assert [str(p) for p in catalog_problems(vm, store)] == [
        "vm.yaml, line 28: products[1].catalog[2]: the store has no product 'Energy Suite' (by "
        "id or name); import the products, or fix the name"]


def test_unknown_persona_lookup():
    with pytest.raises(PlanError, match="no persona 'pmm'; did you mean 'pm'"):
        fx.value_maps().persona("pmm")
