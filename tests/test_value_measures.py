"""``covermap value``'s measures on the hand-made company of tests/test_value_data.py: every
expected value is read off that module's docstring by hand."""

from __future__ import annotations

import pytest
import test_value_data as fx

from covermap.store.connect import open_store
from covermap.value.matching import contact_personas, title_report
from covermap.value.tables import measure_value, value_tables


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("value") / "covermap.duckdb") as s:
        fx.build(s)
        yield s


@pytest.fixture(scope="module")
def result(store):
    return measure_value(store, fx.plan(), fx.value_maps())


def rows(table) -> list[tuple]:
    return [tuple(r.values()) for r in table.to_pyarrow().to_pylist()]


def test_window(result):
    w = result.window
    assert (str(w.as_of), str(w.start), str(w.end)) == ("2026-07-15", "2026-04-01",
                                                        "2026-06-30")


def test_contacts_match_personas_after_normalisation(store):
    got = sorted(rows(contact_personas(store, fx.value_maps())))
    assert got == [
        ("A1", "A", "pm"),        # full-width letters and space
        ("A2", "A", "cfo"), ("A2", "A", "plant"),  # one title, two personas: each
        ("B1", "B", "plant"),     # case and extra spaces
        ("B2", "B", "cfo"),       # by the CRM persona column, compared without case
        ("C1", "C", "pm"),        # Japanese keyword
        ("C2", "C", "pm"),        # pattern
    ]


def test_value_accounts(result):
    # (account, persona): contacts, touched contacts, human touches in the window; every
    # persona where it matters, missing ones with 0 contacts; then its group (no account
    # has a parent: each is its own) and territory (no rule matches: empty)
    assert [r[:-2] for r in rows(value_tables(result)["value_accounts"])] == [
        ("A", "cfo", 1, 0, 0),      # A2 only got a digital touch (a4)
        ("A", "plant", 1, 0, 0),
        ("A", "pm", 1, 1, 2),       # a1, a2 (a13 is before the window)
        ("B", "cfo", 1, 1, 1),      # a7 to B2
        ("B", "plant", 1, 0, 0),    # a6 is no touch (no answer), a8 after the window
        ("C", "plant", 0, 0, 0),    # missing entirely
        ("C", "pm", 2, 1, 1),       # C1 touched (a9), C2 not
        ("D", "plant", 0, 0, 0),
    ]
    assert [r[-2:] for r in rows(value_tables(result)["value_accounts"])] == [
        (a, None) for a in "AAABBCCD"]


def test_value_summary(result):
    assert rows(value_tables(result)["value_summary"]) == [
        ("all", "all", "pm", 2, 2, 2, 1.0),
        ("all", "all", "plant", 4, 2, 0, 0.0),
        ("all", "all", "cfo", 2, 2, 1, 0.5),
        ("segment", "ent", "pm", 2, 2, 2, 1.0),
        ("segment", "ent", "plant", 2, 1, 0, 0.0),
        ("segment", "ent", "cfo", 1, 1, 0, 0.0),     # A, through its cell simple/high
        ("segment", "smb", "plant", 1, 1, 0, 0.0),
        ("segment", "smb", "cfo", 1, 1, 1, 1.0),
        ("segment", None, "plant", 1, 0, 0, None),   # D: nobody with the persona, no reach
        ("cell", "customised/low", "plant", 1, 1, 0, 0.0),
        ("cell", "customised/low", "cfo", 1, 1, 1, 1.0),
        ("cell", "simple/high", "pm", 1, 1, 1, 1.0),
        ("cell", "simple/high", "plant", 1, 1, 0, 0.0),
        ("cell", "simple/high", "cfo", 1, 1, 0, 0.0),
    ]


def test_touches_to_non_key_players(result):
    # human touches a1 a2 a3 a5 a7 a9 a10 a11; a5 names no contact; a3 (Intern), a10
    # (not matched) and a11 (unknown contact) go to non-key players
    assert rows(value_tables(result)["value_touches"]) == [
        ("all", "all", 8, 1, 7, 4, 3, 3 / 7),
        ("segment", "ent", 7, 1, 6, 3, 3, 0.5),
        ("segment", "smb", 1, 0, 1, 1, 0, 0.0),
        ("cell", "customised/low", 1, 0, 1, 1, 0, 0.0),
        ("cell", "simple/high", 4, 1, 3, 2, 1, 1 / 3),
    ]


def test_content_per_state(result):
    assert rows(value_tables(result)["value_content"]) == [
        # a2 on plan; a4 (Relation by email) and a7 (Education in a meeting) through another
        # channel; a3 Selection off plan; a5 no stage
        ("customer", "Relation (human), Education (digital)", 5, 4, 1, 2, 1, 1, 0.2, False),
        ("deal", "Selection (human), Solution", 1, 1, 1, 0, 0, 0, 1.0, False),
        ("lead", "", 3, 2, 0, 0, 2, 1, None, False),    # plans no content: no share
        ("target", "", 1, 0, 0, 0, 0, 1, None, True),   # touches, none with a stage
        ("unclassified", "", 0, 0, 0, 0, 0, 0, None, False),
    ]


def test_content_stages_planned_and_delivered(result):
    assert rows(value_tables(result)["value_content_stages"]) == [
        ("customer", "Education", True, "digital", 1, 1, 0),
        ("customer", "Selection", False, None, 1, 1, 0),
        ("customer", "Relation", True, "human", 2, 1, 1),
        ("deal", "Solution", True, "human/digital", 1, 1, 0),
        ("deal", "Selection", True, "human", 0, 0, 0),    # planned, never delivered
        ("lead", "Solution", False, None, 1, 1, 0),
        ("lead", "Webinar", False, None, 1, 1, 0),       # not a stage covermap knows
    ]


def test_content_stages_per_persona(result):
    assert rows(value_tables(result)["value_persona_stages"]) == [
        ("pm", "Solution", 2, 2, 2), ("pm", "Relation", 1, 1, 1),
        ("plant", "Relation", 1, 1, 1),
        ("cfo", "Education", 1, 1, 1), ("cfo", "Relation", 1, 1, 1),
    ]


def test_title_report(store):
    got = {r["title"]: (r["example"], r["contacts"], r["personas"], r["persona_ids"])
           for r in title_report(store, fx.value_maps()).to_pyarrow().to_pylist()}
    assert got == {
        "production manager": ("Ｐｒｏｄｕｃｔｉｏｎ　Ｍａｎａｇｅｒ", 1, 1, "pm"),
        "plant manager / cfo": ("Plant Manager / CFO", 1, 2, "cfo|plant"),
        "intern": ("Intern", 1, 0, ""),
        "plant manager": ("  plant   MANAGER ", 1, 1, "plant"),
        "finance": ("Finance", 1, 0, ""),     # the CRM column is not its title
        "製造部長": ("製造部長", 1, 1, "pm"),
        "vp of production": ("vp of production", 1, 1, "pm"),
        "assistant to vp of production": ("Assistant to VP of Production", 1, 0, ""),
    }


def test_export_columns_are_the_issues(result):
    t = value_tables(result)
    assert t["value_accounts"].columns == ("account_id", "persona", "contacts",
                                           "touched_contacts", "human_touches", "group_id",
                                           "territory")
    assert t["value_summary"].columns == ("group", "key", "persona", "accounts",
                                          "accounts_with_persona", "accounts_reached",
                                          "reach")


def test_key_player_presence(result):
    s = result.summary
    got = {r["persona"]: r["presence"] for r in s.filter(s["group"] == "all").to_pyarrow()
           .to_pylist()}
    assert got == {"pm": 1.0, "plant": 0.5, "cfo": 1.0}  # with the persona / accounts
