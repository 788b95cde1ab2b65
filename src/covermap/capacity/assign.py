"""``propose_assignment``: which person of a role covers which account (``covermap assign``).

The accounts in scope (customers on ``as_of``, or every account with ``assign.scope: all``)
are grouped in the store (Ibis) by segment (their hours a year: the segment journey's
touchpoints of the role) and, with ``match_region``, region; only the group counts reach
Python, where :mod:`covermap.capacity.solver` places them; the solution is mapped back to
accounts by window ranks in the store (an account's previous person is the smallest
user_id of the role on its team in force on ``as_of``). People: active users of the role;
capacity: their own ``hours_per_week`` (else the role's) × working weeks × engagement share.

Results: ``assignment`` (account_id, user_id, previous_user_id, moved, reason) and ``load``
(user_id, accounts, hours, capacity, utilisation_before, utilisation_after). With
``assign.people_per_account`` k > 1, :mod:`covermap.capacity.assign_many` gives each account
k distinct people (``assignment`` then has k rows per account), each carrying the account's
full hours.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.capacity.queries import active_users
from covermap.capacity.solver import Problem, Solution, person_loads, solve
from covermap.engine.segments import segment_accounts
from covermap.engine.window import resolve_window
from covermap.errors import AnalysisError, PlanError
from covermap.plan.model import Plan
from covermap.store.arrow import memtable, to_pylist
from covermap.team.queries import team_on

ASSIGNMENT_COLUMNS = ("account_id", "user_id", "previous_user_id", "moved", "reason")
LOAD_COLUMNS = ("user_id", "accounts", "hours", "capacity", "utilisation_before",
                "utilisation_after")
SEP = "\x1f"


def solved(problem: Problem, seg_of: dict[str, tuple], role: str, what: str) -> Solution:
    """HiGHS's solution of ``problem``; :class:`AssignmentInfeasible` in words when a
    constraint cannot hold (``covermap.capacity.explain``), when the solver proves there is
    no assignment of ``what`` (e.g. "the 1,200 accounts"), or finds none in time."""
    from covermap.capacity.explain import explain

    reason = explain(problem, seg_of, role)
    if reason is not None:
        raise AssignmentInfeasible(reason)
    sol = solve(problem)
    if sol.status == "no_solution":
        raise AssignmentInfeasible(
            f"HiGHS found no assignment within the time limit ({problem.time_limit:,.0f} s) "
            f"and did not prove there is none; the constraints (capacity, regions, "
            f"specialists, locked accounts, max_accounts) are close to infeasible: relax "
            f"assign: in the plan or add {role} people")
    if sol.status == "infeasible":
        raise AssignmentInfeasible(
            f"no assignment of {what} meets every constraint together (capacity, regions, "
            f"specialists, locked accounts, max_accounts); relax assign: in the plan or add "
            f"{role} people")
    return sol


class AssignmentInfeasible(AnalysisError):
    """No assignment meets every constraint; the message says which and by how much."""


@dataclass(frozen=True)
class AssignResult:
    role: str
    as_of: dt.date
    solution: Solution
    assignment: ir.Table
    load: list[dict]
    reasons: dict[str, int]
    #: accounts in scope (the rows of ``assignment`` are (account, person) pairs: with
    #: ``assign.people_per_account`` k, k rows per account)
    accounts: int
    people_per_account: int = 1

    @property
    def moved(self) -> int:
        """Rows whose person replaces a previous one who no longer covers the account."""
        return sum(n for r, n in self.reasons.items()
                   if r not in ("kept", "locked") and not r.startswith("had "))


def _hours(plan: Plan, role: str) -> dict[str | None, float]:
    return {seg: sum(tp.hours_per_year for tp in tps if tp.role == role)
            for seg, tps in plan.capacity.journeys.items()}


def _capacity(plan: Plan, role: str, hours_per_week: float | None) -> float:
    r = next(r for r in plan.roles if r.id == role)
    return (hours_per_week or r.hours_per_week or 0.0) * plan.capacity.working_weeks \
        * (r.engagement_share or 0.0)


def _rows(t: ir.Table) -> list[dict]:
    return to_pylist(t)


def scoped_accounts(store, plan: Plan, role: str, as_of: dt.date) -> ir.Table:
    """``account_id, segment, gkey, prev, locked`` of the accounts in scope."""
    a = segment_accounts(store, plan, as_of)
    if plan.assign.scope == "customers":
        a = a.filter(a.is_customer)
    region = a.region if plan.assign.match_region else ibis.null("string")
    team = team_on(store, as_of)
    team = team.filter(team.role == role).group_by("account_id").aggregate(
        prev=team.user_id.min())
    a = a.left_join(team, "account_id").drop("account_id_right")
    gkey = a.segment.fill_null("") + SEP + region.fill_null("")
    locked = a.account_id.isin(list(plan.assign.locked)) if plan.assign.locked \
        else ibis.literal(False)
    return a.select("account_id", "segment", "prev", region=region, gkey=gkey,
                    locked=locked & a.prev.notnull())


def propose_assignment(store, plan: Plan, role: str, *, as_of: dt.date | None = None,
                       time_limit: float = 110.0) -> AssignResult:
    """Propose the assignment (module doc); raises :class:`AssignmentInfeasible` with the
    constraint that makes it infeasible, in words."""
    roles = [r.id for r in plan.roles]
    if role not in roles:
        raise PlanError(f"unknown role {role!r}; roles are: {', '.join(roles)}", key="--role")
    window = resolve_window(store, plan, as_of)
    token = uuid.uuid4().hex[:10]
    # sorted, so that the solver sees the same model (and breaks ties alike) every run
    people = {r["user_id"]: r for r in _rows(active_users(store, [role]).order_by("user_id"))}
    caps = {u: _capacity(plan, role, r["hours_per_week"]) for u, r in people.items()}
    hours = _hours(plan, role)
    if plan.assign.people_per_account > 1:
        from covermap.capacity.assign_many import propose_many

        return propose_many(store, plan, role, window.as_of, people, caps, hours,
                            time_limit=time_limit)
    acc = store.ibis.create_table(f"_covermap_assign_{token}",
                                  scoped_accounts(store, plan, role, window.as_of), temp=True)
    counts = _rows(acc.group_by(["gkey", "segment", "region", "prev", "locked"]).aggregate(
        n=acc.count()).order_by(["gkey", "prev", "locked"]))
    groups: dict[str, list] = {}
    current: dict[tuple[str, str], int] = {}
    locked: dict[str, list] = {}
    before: dict[str, float] = {}
    seg_of: dict[str, tuple] = {}
    for r in counts:
        g, n, h = r["gkey"], int(r["n"]), hours.get(r["segment"], 0.0)
        seg_of[g] = (r["segment"], r["region"])
        groups.setdefault(g, [h, 0])
        if r["prev"] in people:
            before[r["prev"]] = before.get(r["prev"], 0.0) + n * h
        if r["locked"] and r["prev"] in people:
            lk = locked.setdefault(r["prev"], [0, 0.0])
            lk[0] += n
            lk[1] += n * h
            continue
        groups[g][1] += n
        if r["prev"] in people:
            current[g, r["prev"]] = current.get((g, r["prev"]), 0) + n
    spec = plan.assign.specialists
    eligible = [(g, u) for g in groups for u in people if caps[u] > 0
                and (seg_of[g][1] is None or people[u]["region"] is None
                     or seg_of[g][1] == people[u]["region"])
                and (u not in spec or seg_of[g][0] in spec[u])]
    ok = set(eligible)
    problem = Problem(groups={g: (h, n) for g, (h, n) in groups.items()}, people=caps,
                      eligible=eligible, current={k: v for k, v in current.items() if k in ok},
                      locked={u: (v[0], v[1]) for u, v in locked.items()},
                      max_accounts=plan.assign.max_accounts,
                      move_penalty=plan.assign.move_penalty, time_limit=time_limit)
    sol = solved(problem, seg_of, role, f"the {sum(n for _, n in groups.values()):,} accounts")
    table = _realise(store, acc, problem, sol, people, ok, role, token)
    reasons = {r["reason"]: int(r["n"]) for r in _rows(
        table.group_by("reason").aggregate(n=table.count()).order_by("reason"))}
    return AssignResult(role=role, as_of=window.as_of, solution=sol, assignment=table,
                        load=load_rows(problem, sol, before), reasons=reasons,
                        accounts=sum(reasons.values()))


def load_rows(p: Problem, sol: Solution, before: dict[str, float]) -> list[dict]:
    """The ``load`` rows: per person (sorted), accounts, hours, capacity, utilisation."""
    out = []
    for u, (n, h) in sorted(person_loads(p, sol).items()):
        cap = p.people[u]
        out.append({"user_id": u, "accounts": n, "hours": round(h, 4),
                    "capacity": round(cap, 4),
                    "utilisation_before": round(before.get(u, 0.0) / cap, 4) if cap else None,
                    "utilisation_after": round(h / cap, 4) if cap else None})
    return out


def _realise(store, acc: ir.Table, p: Problem, sol: Solution, people: dict, ok: set,
             role: str, token: str) -> ir.Table:
    """The solution's counts mapped back to accounts, in the store."""
    keep = [(g, u, n) for (g, u), n in sol.keep.items() if n > 0]
    kt = memtable({"gkey": [k[0] for k in keep], "kuser": [k[1] for k in keep],
                        "keep_n": [k[2] for k in keep]},
                       schema={"gkey": "string", "kuser": "string", "keep_n": "int64"})
    spans, edge = [], {}
    for (g, u), n in sorted(sol.add.items()):
        if n > 0:
            lo = edge.get(g, 0)
            spans.append((g, u, lo, lo + n))
            edge[g] = lo + n
    at = memtable({"gkey": [s[0] for s in spans], "auser": [s[1] for s in spans],
                        "lo": [s[2] for s in spans], "hi": [s[3] for s in spans]},
                       schema={"gkey": "string", "auser": "string", "lo": "int64",
                               "hi": "int64"})
    el = memtable({"gkey": [g for g, _ in ok], "euser": [u for _, u in ok]},
                       schema={"gkey": "string", "euser": "string"})
    active = memtable({"puser": list(people)}, schema={"puser": "string"})
    a = acc.mutate(fixed=acc.locked & acc.prev.isin(list(p.locked)) if p.locked
                   else ibis.literal(False))
    a = a.mutate(krank=ibis.row_number().over(group_by=[a.gkey, a.prev, a.fixed],
                                              order_by=a.account_id))
    a = a.left_join(kt, (a.gkey == kt.gkey) & (a.prev == kt.kuser)).drop("gkey_right")
    a = a.mutate(kept=~a.fixed & (a.krank < a.keep_n.fill_null(0)))
    a = a.mutate(prank=ibis.row_number().over(group_by=[a.gkey, a.fixed | a.kept],
                                              order_by=a.account_id))
    a = a.left_join(at, (a.gkey == at.gkey) & (a.prank >= at.lo) & (a.prank < at.hi)
                    & ~a.fixed & ~a.kept).drop("gkey_right")
    a = a.left_join(el, (a.gkey == el.gkey) & (a.prev == el.euser)).drop("gkey_right")
    a = a.left_join(active, a.prev == active.puser)
    user = (a.fixed | a.kept).ifelse(a.prev, a.auser)
    reason = ibis.cases(
        (a.fixed, "locked"), (a.kept, "kept"), (a.prev.isnull(), f"had no {role}"),
        (a.puser.isnull(), f"previous {role} is not an active {role}"),
        (a.euser.isnull(), f"previous {role}'s region or segments exclude it"),
        else_="moved to balance load")
    out = a.select("account_id", user_id=user, previous_user_id=a.prev,
                   moved=a.prev.notnull() & (user != a.prev).fill_null(True), reason=reason)
    return store.ibis.create_table(f"_covermap_assigned_{token}", out.order_by("account_id"),
                                   temp=True)
