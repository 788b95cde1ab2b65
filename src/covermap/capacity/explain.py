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
    need = sum(h * n for h, n in p.groups.values()) + sum(h for _, h in p.locked.values())
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
    who: dict[str, list[str]] = {}
    for g, u in p.eligible:
        who.setdefault(g, []).append(u)
    for g, (h, n) in sorted(p.groups.items()):
        seg, region = seg_of[g]
        name = f"segment {seg or '(none)'}" + (f", region {region}" if region else "")
        if n and not who.get(g):
            return (f"{name}: {n:,} accounts and no {role} may cover them (region or "
                    f"specialist constraints leave nobody)")
        room = sum(p.people[u] - p.locked.get(u, (0, 0.0))[1] for u in who.get(g, []))
        if h * n > room * (1 + 1e-9):
            return (f"{name}: its {n:,} accounts need {_h(h * n)} a year, the {role} people "
                    f"who may cover them have {_h(room)}: {_h(h * n - room)} short")
    if p.max_accounts is not None:
        total = sum(n for _, n in p.groups.values()) + sum(n for n, _ in p.locked.values())
        most = p.max_accounts * len(p.people)
        if total > most:
            return (f"max_accounts: {total:,} accounts and {len(p.people)} {role} people of "
                    f"at most {p.max_accounts} each ({most:,}): {total - most:,} too many")
    return None
