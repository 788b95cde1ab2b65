"""Why an assignment is infeasible, in words: the first constraint that cannot hold, and by
how much (checked before solving, on the group counts)."""

from __future__ import annotations

from covermap.capacity.solver import Problem


def _h(x: float) -> str:
    return f"{x:,.1f} h"


def explain(p: Problem, seg_of: dict[str, tuple], role: str) -> str | None:
    """The reason ``p`` has no solution, or None when these checks find none (HiGHS may
    still prove it infeasible: the constraints together)."""
    if not p.people:
        return f"there are no active {role} people to assign the accounts to"
    need = sum(h * n * p.need.get(g, 1) for g, (h, n) in p.groups.items()) \
        + sum(h for _, h in p.locked.values())
    have = sum(p.people.values())
    if need > have * (1 + 1e-9):
        return (f"capacity: the accounts need {_h(need)} a year of {role} time and the "
                f"{len(p.people)} {role} people have {_h(have)}: {_h(need - have)} short")
    for u, (n, h) in sorted(p.locked.items()):
        if h > p.people[u] * (1 + 1e-9):
            return (f"locked accounts: {u}'s {n} locked accounts need {_h(h)} a year, "
                    f"{_h(h - p.people[u])} more than their capacity of {_h(p.people[u])}")
        if p.max_accounts is not None and n > p.max_accounts:
            return (f"max_accounts: {u} has {n} locked accounts, {n - p.max_accounts} more "
                    f"than max_accounts ({p.max_accounts})")
    # per (segment, region): with several people per account, its groups are classes of
    # accounts that share their previous people
    who: dict[tuple, set[str]] = {}
    for g, u in p.eligible:
        who.setdefault(seg_of[g], set()).add(u)
    size: dict[tuple, list] = {}
    for g, (h, n) in p.groups.items():
        s = size.setdefault(seg_of[g], [h, 0, 0, 0])
        k = p.need.get(g, 1)
        s[1] += n
        s[2] += n * k
        s[3] = max(s[3], k if n else 0)
    for key, (h, n, slots, k) in sorted(size.items(), key=lambda kv: tuple(
            x or "" for x in kv[0])):
        seg, region = key
        name = f"segment {seg or '(none)'}" + (f", region {region}" if region else "")
        many = len(who.get(key, ()))
        if n and not many:
            return (f"{name}: {n:,} accounts and no {role} may cover them (region or "
                    f"specialist constraints leave nobody)")
        if many < k:
            return (f"{name}: each account needs {k} different {role} people "
                    f"(assign.people_per_account) and only {many} may cover them (region "
                    f"or specialist constraints)")
        # nobody covers an account twice: a person takes at most n of the group's slots
        room = sum(min(p.people[u] - p.locked.get(u, (0, 0.0))[1], n * h)
                   for u in who.get(key, ()))
        if h * slots > room * (1 + 1e-9):
            return (f"{name}: its {n:,} accounts need {_h(h * slots)} a year, the {role} "
                    f"people who may cover them have {_h(room)}: {_h(h * slots - room)} "
                    f"short")
    if p.max_accounts is not None:
        total = sum(n * p.need.get(g, 1) for g, (_, n) in p.groups.items()) \
            + sum(n for n, _ in p.locked.values())
        most = p.max_accounts * len(p.people)
        what = f"{total:,} accounts"
        if any(k > 1 for k in p.need.values()):  # locked people included
            what = f"{total:,} (account, {role}) pairs"
        if total > most:
            return (f"max_accounts: {what} and {len(p.people)} {role} people of "
                    f"at most {p.max_accounts} each ({most:,}): {total - most:,} too many")
    return None
