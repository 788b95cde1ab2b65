"""The assignment problem over classes of identical accounts, solved with HiGHS.

Accounts of one *group* (same segment, so the same hours a year, and the same region when
regions must match) are interchangeable, so the model counts them instead of naming them:
per eligible (group g, person u), ``keep[g,u]`` of u's current accounts in g stay with u
(at most ``current[g,u]``) and ``add[g,u]`` accounts of g's pool (accounts released, new or
whose person left) go to u. This is exact: which of u's accounts in g stay changes no load.

With ``need[g]`` = k > 1 people per account (``assign.people_per_account``), g is a class
of accounts that also share their previous people, each needs k distinct people
(``Σ keep + Σ add = k n_g``, and ``keep[g,u] + add[g,u] ≤ n_g``: nobody covers an account
twice); any such counts are realised by McNaughton's wrap-around rule (see
:mod:`covermap.capacity.assign_many`).

Constraints: every unlocked account of g is kept or placed (``Σ keep + Σ add = n_g``);
u's load (locked hours + Σ h_g (keep + add)) ≤ capacity_u × T with T ≤ 1 (nobody above
capacity); at most ``max_accounts``. Objectives, in turn (lexicographic): minimise T, the
maximum utilisation; then, with T held at its optimum, the spread (T − the minimum
utilisation) plus ``move_penalty`` per moved account. Each stage stops within one account
of its bound (see :func:`solve`); ``gap`` reports how far the first stage was from it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

#: a person's utilisation may exceed the first stage's optimum by this much in the second
#: (HiGHS's feasibility tolerance is 1e-7)
SLACK = 1e-6


@dataclass(frozen=True)
class Problem:
    """``groups``: gkey -> (hours per account, unlocked accounts); ``people``: user_id ->
    capacity hours; ``eligible``: the (gkey, user_id) pairs allowed; ``current``: (gkey,
    user_id) -> unlocked accounts u holds now (eligible pairs only); ``locked``: user_id ->
    (accounts, hours) fixed on u."""

    groups: dict[str, tuple[float, int]]
    people: dict[str, float]
    eligible: list[tuple[str, str]]
    current: dict[tuple[str, str], int] = field(default_factory=dict)
    locked: dict[str, tuple[int, float]] = field(default_factory=dict)
    max_accounts: int | None = None
    move_penalty: float = 0.01
    time_limit: float = 110.0
    #: solve the LP relaxation instead (continuous counts): the bound the benchmark reports
    relaxed: bool = False
    #: gkey -> distinct people each of its accounts needs (default 1)
    need: dict[str, int] = field(default_factory=dict)
    #: class -> its parent group, when ``groups`` are classes of one group's accounts
    #: (several people per account): counts are then whole per (parent, person) and
    #: continuous per class, which is exact (see :func:`solve`)
    parent: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Solution:
    status: str                      # optimal | time_limit | infeasible | no_solution
    max_utilisation: float | None
    spread: float | None
    moves: int
    keep: dict[tuple[str, str], int]
    add: dict[tuple[str, str], int]
    #: relative gap of the first stage to HiGHS's bound (0: proven optimal)
    gap: float | None
    lp_bound: float | None
    seconds: float


def _highs():
    """A silent HiGHS instance (1.16 prints its banner when an instance is made)."""
    import highspy

    fd = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(fd, 1)
        os.close(fd)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def solve(p: Problem) -> Solution:
    """Solve ``p`` (module doc); ``status`` ``infeasible`` when no assignment meets every
    constraint (explained by ``covermap.capacity.assign.explain``)."""
    import highspy

    start = time.perf_counter()
    h = _highs()
    # half the time for each stage. Counts are whole accounts, so the bound (the LP's,
    # loads spread continuously) is rarely reached: a stage stops once it is within one
    # account's utilisation (the smallest hours on the largest capacity) of its bound
    step = min((hrs for hrs, n in p.groups.values() if hrs > 0 and n), default=1.0) \
        / max(p.people.values(), default=1.0)
    h.setOptionValue("time_limit", p.time_limit / 2)
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.setOptionValue("mip_abs_gap", step)
    integer = highspy.HighsVarType.kContinuous if p.relaxed else highspy.HighsVarType.kInteger
    # with classes, a person's count per parent group is whole and the per-class counts
    # continuous: given whole parent counts, the classes form a transportation problem
    # (integral vertices), so the last stage's LP gives whole per-class counts
    per_class = highspy.HighsVarType.kContinuous if p.parent else integer
    keep, add = {}, {}
    for g, u in p.eligible:
        add[g, u] = h.addVariable(lb=0, ub=p.groups[g][1], type=per_class)
        if p.current.get((g, u), 0) > 0:
            keep[g, u] = h.addVariable(lb=0, ub=p.current[g, u], type=per_class)
    t = h.addVariable(lb=0, ub=1)
    lo = h.addVariable(lb=0, ub=1)
    by_group: dict[str, list] = {g: [] for g in p.groups}
    by_person: dict[str, list] = {u: [] for u in p.people}
    whole: dict[tuple[str, str], Any] = {}
    if p.parent:
        parts: dict[tuple[str, str], list] = {}
        for (g, u), v in [*add.items(), *keep.items()]:
            by_group[g].append(v)
            parts.setdefault((p.parent[g], u), []).append(v)
        hours = {p.parent[g]: hrs for g, (hrs, _) in p.groups.items()}
        room: dict[tuple[str, str], int] = {}
        for g, u in p.eligible:
            room[p.parent[g], u] = room.get((p.parent[g], u), 0) + p.groups[g][1]
        for (pg, u), vs in parts.items():
            whole[pg, u] = x = h.addVariable(lb=0, ub=room[pg, u], type=integer)
            h.addConstr(sum(vs) - x == 0)
            by_person[u].append((hours[pg], x))
    else:
        for (g, u), v in [*add.items(), *keep.items()]:
            by_group[g].append(v)
            by_person[u].append((p.groups[g][0], v))
    for g, (_, n) in p.groups.items():
        if n and not by_group[g]:
            return Solution("infeasible", None, None, 0, {}, {}, None, None,
                            time.perf_counter() - start)
        if by_group[g]:
            h.addConstr(sum(by_group[g]) == n * p.need.get(g, 1))
    for (g, u), kv in keep.items():
        if p.need.get(g, 1) > 1:
            h.addConstr(add[g, u] + kv <= p.groups[g][1])
    for u, cap in p.people.items():
        n_locked, h_locked = p.locked.get(u, (0, 0.0))
        terms = by_person[u]
        load = sum((hrs * v for hrs, v in terms), h_locked) if terms else h_locked
        if terms:
            h.addConstr(load - cap * t <= 0)
            h.addConstr(load - cap * lo >= 0)
        elif h_locked > cap * (1 + SLACK):
            return Solution("infeasible", None, None, 0, {}, {}, None, None,
                            time.perf_counter() - start)
        if p.max_accounts is not None and terms:
            h.addConstr(sum(v for _, v in terms) <= p.max_accounts - n_locked)
    h.minimize(t)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible or h.getInfo().primal_solution_status < 2:
        # the time limit can end the first stage before any assignment is found
        return Solution("infeasible" if status == highspy.HighsModelStatus.kInfeasible
                        else "no_solution", None, None, 0, {}, {}, None, None,
                        time.perf_counter() - start)
    info = h.getInfo()
    best, bound, gap = h.val(t), info.mip_dual_bound, info.mip_gap
    timed_out = status != highspy.HighsModelStatus.kOptimal
    h.changeColBounds(t.index, 0, best + SLACK)
    h.setOptionValue("time_limit", max(p.time_limit - (time.perf_counter() - start), 1.0))
    h.setOptionValue("mip_abs_gap", min(step, p.move_penalty) if p.move_penalty else step)
    kept = sum(keep.values()) if keep else 0
    h.minimize(t - lo - p.move_penalty * kept if keep else t - lo)
    if h.getInfo().primal_solution_status >= 2:
        timed_out |= h.getModelStatus() != highspy.HighsModelStatus.kOptimal
    if whole and not p.relaxed:
        # whole parent counts fixed: an LP whose simplex vertex is whole per class
        for x in whole.values():
            v = round(h.val(x))
            h.changeColBounds(x.index, v, v)
        h.changeColBounds(t.index, 0, h.val(t) + SLACK)
        h.minimize(t - lo - p.move_penalty * kept if keep else t - lo)
        values = [h.val(v) for v in [*add.values(), *keep.values()]]
        if any(abs(v - round(v)) > 1e-6 for v in values):
            return solve(replace(p, parent={}, time_limit=max(
                p.time_limit - (time.perf_counter() - start), 1.0)))
    num = (lambda x: x) if p.relaxed else round
    keep_v = {k: num(h.val(v)) for k, v in keep.items()}
    add_v = {k: num(h.val(v)) for k, v in add.items()}
    moves = sum(p.current.values()) - sum(keep_v.values())
    return Solution("time_limit" if timed_out else "optimal", h.val(t), h.val(t) - h.val(lo),
                    moves, keep_v, add_v, gap, bound, time.perf_counter() - start)


def person_loads(p: Problem, sol: Solution) -> dict[str, tuple[int, float]]:
    """user_id -> (accounts, hours a year) after ``sol``, locked accounts included."""
    out = {u: p.locked.get(u, (0, 0.0)) for u in p.people}
    for (g, u), n in [*sol.keep.items(), *sol.add.items()]:
        if n:
            a, h = out[u]
            out[u] = (a + n, h + n * p.groups[g][0])
    return out
