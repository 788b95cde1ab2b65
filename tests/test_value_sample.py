"""The sample company through the whole pipeline (generate, import, ``covermap value``),
checked against an independent computation: plain SQL for the window's human touches and
Python's own ``unicodedata`` and ``re`` for the title matching, nothing shared with the
engine. Also: every number a user reads is non-trivial on the sample."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from covermap.importing import import_paths
from covermap.plan import default_plan
from covermap.reports.export import export_tables
from covermap.sample import generate_company
from covermap.store.connect import open_store
from covermap.value.load import default_value_maps
from covermap.value.tables import measure_value, value_tables

AS_OF = dt.date(2026, 11, 15)  # window: 2026-05-01 .. 2026-10-31


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    generate_company(folder / "csv", accounts=400, seed=5, as_of=AS_OF)
    with open_store(folder / "covermap.duckdb") as s:
        import_paths(s, [folder / "csv"])
        plan, vm = default_plan(), default_value_maps()
        yield s, plan, vm, measure_value(s, plan, vm, as_of=AS_OF)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _matches(vm, title, persona, buying_role) -> set[str]:
    out = set()
    t = _norm(title) if title else None
    for p in vm.personas:
        hit = t is not None and (any(_norm(k) in t for k in p.titles.keywords)
                                 or any(re.search(x, t, re.IGNORECASE) for x in p.titles.patterns))
        hit = hit or (persona is not None and _norm(persona) in {_norm(v) for v in p.crm.persona})
        hit = hit or (buying_role is not None
                      and _norm(buying_role) in {_norm(v) for v in p.crm.buying_role})
        if hit:
            out.add(p.id)
    return out


def _human_touches(store, plan) -> list[tuple]:
    kinds = {k: v for k, v in plan.activity_kinds.items() if v.channel == "human"}
    cond = " OR ".join(
        f"(kind = '{k}'" + (f" AND (outcome IS NULL OR trim(outcome) = '' OR outcome IN "
                             f"({', '.join(repr(o) for o in v.outcomes)}))" if v.outcomes
                            else "") + ")" for k, v in kinds.items())
    return store.duckdb.execute(
        f"SELECT account_id, contact_id FROM activities WHERE CAST(occurred_at AS DATE) "
        f"BETWEEN DATE '2026-05-01' AND DATE '2026-10-31' AND ({cond})").fetchall()


def test_reach_matches_an_independent_computation(sample):
    store, plan, vm, result = sample
    contacts = store.duckdb.execute(
        "SELECT contact_id, account_id, title, persona, buying_role FROM contacts").fetchall()
    segment = dict(store.duckdb.execute("SELECT account_id, segment FROM accounts").fetchall())
    of = {c[0]: (c[1], _matches(vm, *c[2:])) for c in contacts}
    touched = {c for _, c in _human_touches(store, plan) if c is not None}
    want = {}
    for p in vm.personas:
        scope = [a for a, s in segment.items() if not p.segments or s in p.segments]
        having = {a for a, ps in of.values() if p.id in ps}
        reached = {of[c][0] for c in touched if c in of and p.id in of[c][1]}
        n_with = len(having & set(scope))
        n_reached = len(reached & set(scope))
        want[p.id] = (len(scope), n_with, n_reached, n_reached / n_with if n_with else None)
    got = {r["persona"]: (r["accounts"], r["accounts_with_persona"], r["accounts_reached"],
                          r["reach"])
           for r in result.summary.to_pyarrow().to_pylist() if r["group"] == "all"}
    assert got == want
    for accounts, with_p, reached, reach in got.values():  # nothing trivial
        assert 0 < reached < with_p < accounts and 0 < reach < 1


def test_touch_shares_match_an_independent_computation(sample):
    store, plan, vm, result = sample
    contacts = store.duckdb.execute(
        "SELECT contact_id, title, persona, buying_role FROM contacts").fetchall()
    key = {c[0] for c in contacts if _matches(vm, *c[1:])}
    touches = _human_touches(store, plan)
    named = [c for _, c in touches if c is not None]
    others = [c for c in named if c not in key]
    total = next(r for r in result.touches.to_pyarrow().to_pylist() if r["group"] == "all")
    assert (total["human_touches"], total["without_contact"], total["with_contact"],
            total["to_others"]) == (len(touches), len(touches) - len(named), len(named),
                                    len(others))
    assert 0.2 < total["other_share"] < 0.9


def test_sample_titles_exercise_normalisation_and_multiple_personas(sample):
    store, _, vm, _ = sample
    titles = [t for t, in store.duckdb.execute("SELECT DISTINCT title FROM contacts")
              .fetchall() if t]
    assert any(t != unicodedata.normalize("NFKC", t) for t in titles)  # full/half width
    assert any(re.search("[\u3040-\u30ff\u4e00-\u9fff]", t) for t in titles)
    multi = [t for t in titles if len(_matches(vm, t, None, None)) > 1]
    assert multi  # a title naming two key players counts for each
    per = defaultdict(set)
    for t in titles:
        for p in _matches(vm, t, None, None):
            per[p].add(bool(re.search("[\u3040-\u30ff\u4e00-\u9fff]", t)))
    assert all(v == {True, False} for v in per.values())  # every persona: both languages


def test_content_per_state_is_non_trivial(sample):
    _, plan, _, result = sample
    rows = {r["state"]: r for r in result.content.to_pyarrow().to_pylist()}
    planned = [s.id for s in plan.states if s.content]
    assert planned == [s.id for s in plan.states]
    for sid in planned:
        r = rows[sid]
        if r["touches"]:
            assert r["touches"] == r["on_plan"] + r["off_channel"] + r["off_plan"] + \
                r["without_stage"]
    assert sum(r["on_plan"] for r in rows.values()) > 0
    assert sum(r["off_plan"] for r in rows.values()) > 0
    assert sum(r["off_channel"] for r in rows.values()) > 0
    stages = {r["content_stage"] for r in result.persona_stages.to_pyarrow().to_pylist()}
    assert stages == {"Education", "Solution", "Selection", "Negotiation", "Relation"}


def test_the_benchmark_baseline_writes_the_same_six_files(sample, tmp_path):
    # benchmarks/bench_value.py times covermap against hand-written SQL for the same six
    # tables; the two formulations must agree byte for byte
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_value import TABLES, baseline_on

    store, _, _, result = sample
    export_tables(value_tables(result), tmp_path)  # group_id and territory included
    baseline_on(store.duckdb, tmp_path)
    for name in TABLES:
        ours = (tmp_path / f"{name}.csv").read_text("utf-8")
        assert ours == (tmp_path / f"baseline_{name}.csv").read_text("utf-8"), name
        assert ours.count("\n") > 1, name  # a header and rows
