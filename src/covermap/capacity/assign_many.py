"""Several people of a role per account (``assign.people_per_account`` k > 1).

Accounts are grouped in the store (Ibis) into *classes*: same segment (hours a year), same
region when regions must match, same previous people (the distinct users of the role on
the account team in force on ``as_of``) and whether the account is locked. Accounts of a
class are interchangeable, so :mod:`covermap.capacity.solver` decides how many accounts of
each class every person covers (``need`` = k per account, at most every account of the
class once per person). Locked accounts keep their active previous people (the first k by
user_id) and get the rest of their k.

Any such counts are exact: McNaughton's wrap-around rule lays each class's people one after
the other over k × n slots, slot s going to the account of rank s mod n; a person's run is
at most n long, so it never meets an account twice, and every account gets k slots. In the
store, the account of rank r gets person u when ``(r − lo_u) mod n < y_u``.

The assignment lists every (account, person) pair; a new person is paired with the
account's dropped previous people in user_id order (``previous_user_id``, ``moved``).
"""

from __future__ import annotations

import datetime as dt
import uuid

import ibis
import ibis.expr.types as ir

from covermap.capacity.solver import Problem
from covermap.engine.segments import segment_accounts
from covermap.errors import PlanError
from covermap.plan.load import rule_line
from covermap.plan.model import Plan
from covermap.plan.rules import plan_origin
from covermap.store.arrow import memtable, to_pylist
from covermap.team.queries import team_on

SEP, PEOPLE_SEP, CLASS_SEP = "\x1f", "\x1d", "\x1e"


def _rows(t: ir.Table) -> list[dict]:
    return to_pylist(t)


def _check_role(plan: Plan, role: str) -> None:
    r = next(r for r in plan.roles if r.id == role)
    if r.single_holder:
        file, lines = plan_origin(plan)
        k = plan.assign.people_per_account
        raise PlanError(f"assign.people_per_account is {k}, but role {role!r} is "
                        f"single_holder (at most one person of it per account); set "
                        f"single_holder: false on the role, or people_per_account: 1",
                        file=file, line=rule_line(lines, ("assign", "people_per_account")),
                        key="assign.people_per_account")


def scoped_classes(store, plan: Plan, role: str, as_of: dt.date) -> tuple[ir.Table, ir.Table]:
    """(accounts in scope with ``gkey`` and ``ckey``, their previous people of ``role``)."""
    a = segment_accounts(store, plan, as_of)
    if plan.assign.scope == "customers":
        a = a.filter(a.is_customer)
    region = a.region if plan.assign.match_region else ibis.null("string")
    team = team_on(store, as_of)
    team = team.filter(team.role == role, team.user_id.notnull()) \
        .select("account_id", "user_id").distinct()
    team = team.semi_join(a, "account_id")
    prevs = team.group_by("account_id").aggregate(
        prevs=team.user_id.group_concat(PEOPLE_SEP, order_by=team.user_id),
        n_prev=team.count())
    a = a.left_join(prevs, "account_id").drop("account_id_right")
    gkey = a.segment.fill_null("") + SEP + region.fill_null("")
    locked = (a.account_id.isin(list(plan.assign.locked)) if plan.assign.locked
              else ibis.literal(False)) & a.prevs.notnull()
    ckey = gkey + CLASS_SEP + a.prevs.fill_null("") + CLASS_SEP + locked.ifelse("L", "")
    acc = a.select("account_id", "segment", "prevs", region=region, gkey=gkey, ckey=ckey,
                   locked=locked, n_prev=a.n_prev.fill_null(0))
    return acc, team


def propose_many(store, plan: Plan, role: str, as_of: dt.date, people: dict, caps: dict,
                 hours: dict, *, time_limit: float = 110.0):
    """``propose_assignment`` with k people per account (module doc)."""
    from covermap.capacity.assign import AssignResult, load_rows, solved

    _check_role(plan, role)
    k = plan.assign.people_per_account
    token = uuid.uuid4().hex[:10]
    acc, team = scoped_classes(store, plan, role, as_of)
    acc = store.ibis.create_table(f"_covermap_assign_{token}", acc, temp=True)
    team = store.ibis.create_table(f"_covermap_assign_prev_{token}", team, temp=True)
    counts = _rows(acc.group_by(["ckey", "gkey", "segment", "region", "prevs", "locked"])
                   .aggregate(n=acc.count()).order_by("ckey"))
    groups, need, current, locked, before = {}, {}, {}, {}, {}
    seg_of, fixed, size, gkey = {}, {}, {}, {}
    for r in counts:
        c, n, h = r["ckey"], int(r["n"]), hours.get(r["segment"], 0.0)
        seg_of[c], size[c], gkey[c] = (r["segment"], r["region"]), n, r["gkey"]
        active = [u for u in (r["prevs"] or "").split(PEOPLE_SEP) if u in people]
        for u in active:
            before[u] = before.get(u, 0.0) + n * h
        fixed[c] = active[:k] if r["locked"] else []
        for u in fixed[c]:
            m, hh = locked.get(u, (0, 0.0))
            locked[u] = (m + n, hh + n * h)
        if len(fixed[c]) < k:
            groups[c], need[c] = (h, n), k - len(fixed[c])
            current.update({(c, u): n for u in active if u not in fixed[c]})
    spec = plan.assign.specialists
    eligible = [(c, u) for c in groups for u in people if caps[u] > 0 and u not in fixed[c]
                and (seg_of[c][1] is None or people[u]["region"] is None
                     or seg_of[c][1] == people[u]["region"])
                and (u not in spec or seg_of[c][0] in spec[u])]
    ok = set(eligible)
    problem = Problem(groups=groups, people=caps, eligible=eligible,
                      current={key: v for key, v in current.items() if key in ok},
                      locked=locked, max_accounts=plan.assign.max_accounts,
                      move_penalty=plan.assign.move_penalty, time_limit=time_limit, need=need,
                      parent=dict(gkey))
    sol = solved(problem, seg_of, role,
                 f"{k} {role} people to each of the {sum(size.values()):,} accounts")
    taken: dict[str, dict[str, int]] = {c: {u: size[c] for u in fixed[c]} for c in size}
    for (c, u), y in [*sol.keep.items(), *sol.add.items()]:
        taken[c][u] = taken[c].get(u, 0) + y
    spans = []
    for c, n in size.items():
        lo = 0
        for u, y in sorted(taken[c].items()):
            if y > 0:
                spans.append((c, u, lo % n, y, n))
                lo += y
    may = {(g, u) for g, (seg, region) in {gkey[c]: seg_of[c] for c in size}.items()
           for u in people
           if (region is None or people[u]["region"] is None or region == people[u]["region"])
           and (u not in spec or seg in spec[u])}
    table = _realise(store, acc, team, spans, people, may, role, k, token)
    reasons = {r["reason"]: int(r["n"]) for r in _rows(
        table.group_by("reason").aggregate(n=table.count()).order_by("reason"))}
    return AssignResult(role=role, as_of=as_of, solution=sol, assignment=table,
                        load=load_rows(problem, sol, before), reasons=reasons,
                        accounts=sum(size.values()), people_per_account=k)


def _realise(store, acc: ir.Table, team: ir.Table, spans: list[tuple], people: dict,
             may: set, role: str, k: int, token: str) -> ir.Table:
    """The (account, person) pairs, paired with the previous people they replace;
    ``may``: the (gkey, user_id) pairs regions and specialists allow."""
    sp = memtable({name: [s[i] for s in spans] for i, name in
                        enumerate(("ckey", "user_id", "lo", "y", "n"))},
                       schema={"ckey": "string", "user_id": "string", "lo": "int64",
                               "y": "int64", "n": "int64"})
    a = acc.mutate(r=ibis.row_number().over(group_by=acc.ckey, order_by=acc.account_id))
    j = a.join(sp, "ckey")
    pairs = j.filter((j.r - j.lo + j.n) % j.n < j.y).select(
        "account_id", "user_id", "gkey", "locked", "n_prev")
    prev = team.rename(prev_user="user_id")
    kept = pairs.semi_join(prev, (pairs.account_id == prev.account_id)
                           & (pairs.user_id == prev.prev_user))
    kept = kept.select("account_id", "user_id", previous_user_id=kept.user_id,
                       moved=ibis.literal(False),
                       reason=kept.locked.ifelse("locked", "kept"))
    new = pairs.anti_join(prev, (pairs.account_id == prev.account_id)
                          & (pairs.user_id == prev.prev_user))
    new = new.mutate(rank=ibis.row_number().over(group_by=new.account_id,
                                                 order_by=new.user_id))
    gone = prev.anti_join(pairs, (prev.account_id == pairs.account_id)
                          & (prev.prev_user == pairs.user_id))
    gone = gone.mutate(drank=ibis.row_number().over(group_by=gone.account_id,
                                                    order_by=gone.prev_user))
    gone = gone.rename(gone_account="account_id")
    j = new.left_join(gone, (new.account_id == gone.gone_account) & (new.rank == gone.drank))
    el = memtable({"egkey": [g for g, _ in may], "euser": [u for _, u in may]},
                       schema={"egkey": "string", "euser": "string"})
    active = memtable({"puser": list(people)}, schema={"puser": "string"})
    j = j.left_join(el, (j.gkey == el.egkey) & (j.prev_user == el.euser))
    j = j.left_join(active, j.prev_user == active.puser)
    reason = ibis.cases(
        (j.prev_user.isnull() & (j.n_prev == 0), f"had no {role}"),
        (j.prev_user.isnull(), f"had fewer than {k} {role}"),
        (j.puser.isnull(), f"previous {role} is not an active {role}"),
        (j.euser.isnull(), f"previous {role}'s region or segments exclude it"),
        else_="moved to balance load")
    new = j.select("account_id", "user_id", previous_user_id=j.prev_user,
                   moved=j.prev_user.notnull(), reason=reason)
    out = ibis.union(kept, new).order_by(["account_id", "user_id"])
    return store.ibis.create_table(f"_covermap_assigned_{token}", out, temp=True)
