"""``covermap assign`` on the small company of tests/test_assign_data.py: the proposal
worked out by hand, its optimum checked by brute force over every assignment of accounts
(not of the solver's classes), and infeasible plans explained in words."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import test_assign_data as fx

from covermap.capacity.assign import AssignmentInfeasible, propose_assignment
from covermap.capacity.solver import Problem, solve
from covermap.cli.main import app
from covermap.store.connect import open_store

# each account is its own group; the plan's territories match no region (eu, us)
ASSIGNMENT_CSV = """\
account_id,user_id,previous_user_id,moved,reason,group_id,territory
B1,u1,u1,false,locked,B1,
B2,u1,u1,false,kept,B2,
B3,u2,u1,true,previous csm's region or segments exclude it,B3,
S1,u3,u1,true,moved to balance load,S1,
S2,u2,u2,false,kept,S2,
S3,u2,u9,true,previous csm is not an active csm,S3,
S4,u3,,false,had no csm,S4,
"""
LOAD_CSV = """\
user_id,accounts,hours,capacity,utilisation_before,utilisation_after
u1,2,100.0,200.0,0.85,0.5
u2,3,90.0,200.0,0.1,0.45
u3,2,40.0,100.0,0.0,0.4
"""


@pytest.fixture
def files(tmp_path: Path):
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s)
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    return store, plan


def test_the_proposal_worked_out_by_hand(runner, files, tmp_path):
    store, plan = files
    out = tmp_path / "out"
    r = runner.invoke(app, ["assign", "--role", "csm", "--store", str(store), "--plan",
                            str(plan), "--export", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "assignment.csv").read_text("utf-8") == ASSIGNMENT_CSV
    assert (out / "assignment_load.csv").read_text("utf-8") == LOAD_CSV
    assert "7 accounts, 3 people; 3 moved" in r.output
    assert "Maximum utilisation 85.0% -> 50.0%, spread 10.0%" in r.output


PEOPLE = {"u1": ("eu", 200.0), "u2": ("us", 200.0), "u3": (None, 100.0)}
PREV = {a: u for a, u in fx.TEAM}


def _objective(assign: dict[str, str]) -> tuple[float, float] | None:
    """(max utilisation, spread + 0.01 × moves) of an assignment, None when infeasible."""
    load = {u: 0.0 for u in PEOPLE}
    count = {u: 0 for u in PEOPLE}
    moves = 0
    for (a, e, region), u in zip(fx.ACCOUNTS, assign.values(), strict=True):
        seg = "big" if e >= 100 else "small"
        pr, cap = PEOPLE[u]
        if pr is not None and region != pr or (u == "u3" and seg != "small"):
            return None
        if a == "B1" and u != "u1":
            return None
        load[u] += fx.HOURS[seg]
        count[u] += 1
        moves += PREV.get(a) in PEOPLE and PREV[a] != u
    util = {u: load[u] / PEOPLE[u][1] for u in PEOPLE}
    if max(util.values()) > 1 or max(count.values()) > 4:
        return None
    return max(util.values()), max(util.values()) - min(util.values()) + 0.01 * moves


def test_the_optimum_is_the_brute_forces():
    # every one of the 3^7 assignments: the proposal above is the only optimum
    # (50 % maximum; spread 10 points + 0.01 × 2 moves: S1, and B3 which must move)
    accounts = [a for a, _, _ in fx.ACCOUNTS]
    found = sorted((o, combo) for combo in itertools.product(PEOPLE, repeat=len(accounts))
                   if (o := _objective(dict(zip(accounts, combo, strict=True)))) is not None)
    (best, combo), (second, _) = found[0], found[1]
    assert combo == ("u1", "u1", "u2", "u3", "u2", "u2", "u3")
    assert best == pytest.approx((0.5, 0.12))
    assert second[0] == pytest.approx(0.6)


def test_solver_on_classes_matches_brute_force_on_items():
    # 5 identical-load accounts in two classes, three people of unequal capacity
    p = Problem(groups={"a": (3.0, 4), "b": (5.0, 2)}, people={"x": 12.0, "y": 12.0,
                                                              "z": 6.0},
                eligible=[(g, u) for g in "ab" for u in "xyz"],
                current={("a", "x"): 4, ("b", "x"): 2}, move_penalty=0.001)
    sol = solve(p)
    items = [("a", 3.0)] * 4 + [("b", 5.0)] * 2
    prev = ["x"] * 6
    best = None
    for combo in itertools.product("xyz", repeat=len(items)):
        load = {u: 0.0 for u in "xyz"}
        for (_, h), u in zip(items, combo, strict=True):
            load[u] += h
        util = [load[u] / p.people[u] for u in "xyz"]
        if max(util) > 1:
            continue
        moves = sum(u != q for u, q in zip(combo, prev, strict=True))
        o = (round(max(util), 9), max(util) - min(util) + 0.001 * moves)
        best = o if best is None or o < best else best
    assert sol.status == "optimal"
    assert (round(sol.max_utilisation, 9), sol.spread + 0.001 * sol.moves) == \
        pytest.approx(best)


def test_not_enough_capacity_is_explained(files):
    store, _ = files
    text = fx.PLAN_YAML.replace("minutes: 60, per_year: 50", "minutes: 60, per_year: 500")
    with open_store(store, read_only=True) as s, pytest.raises(AssignmentInfeasible) as e:
        propose_assignment(s, fx.plan(text), "csm")
    assert str(e.value) == ("capacity: the accounts need 1,580.0 h a year of csm time and "
                            "the 3 csm people have 500.0 h: 1,080.0 h short")


def test_a_region_nobody_may_cover_is_explained(runner, tmp_path):
    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.build(s, users=[u for u in fx.USERS if u[0] != "u2"])
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    r = runner.invoke(app, ["assign", "--role", "csm", "--store", str(store), "--plan",
                            str(plan)])
    assert r.exit_code == 1
    assert r.output == ("Error: segment big, region us: 1 accounts and no csm may cover "
                        "them (region or specialist constraints leave nobody)\n")


def test_an_unknown_role(runner, files):
    store, plan = files
    r = runner.invoke(app, ["assign", "--role", "cms", "--store", str(store), "--plan",
                            str(plan)])
    assert r.exit_code == 1
    assert r.output == "Error: --role: unknown role 'cms'; roles are: csm\n"


def test_a_role_without_journey_hours_is_warned(runner, files):
    """With no touchpoint of the role, every account weighs 0: balancing means nothing."""
    store, plan = files
    text = plan.read_text("utf-8")
    import yaml

    data = yaml.safe_load(text)
    data["capacity"]["journeys"] = {}
    plan.write_text(yaml.safe_dump(data), "utf-8")
    r = runner.invoke(app, ["assign", "--role", "csm", "--store", str(store), "--plan",
                            str(plan)])
    assert r.exit_code == 0, r.output
    assert "no hours per customer in any segment, so every account weighs 0" in \
        " ".join(r.output.split())
