"""Checks of a valid plan against the data in a store: warnings, never errors.

``role_warnings`` says, in plan order, which roles that standard entries name
(``by``) no active user holds (``users.active`` not false) and so which checks
cannot pass, and which roles users have that the plan does not know, with the
``role_names`` mapping to add (``covermap.importing.roles`` applies it on import).
"""

from __future__ import annotations

import difflib

from covermap.plan.model import Plan


def _named_roles(plan: Plan) -> dict[str, list[tuple[tuple[str, ...], list[str]]]]:
    """role -> [(by, states)] for each role a standard entry names, in plan order."""
    out: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for state in plan.states:
        for entry in state.standard:
            for role in entry.by:
                states = out.setdefault(role, {}).setdefault(entry.by, [])
                if state.id not in states:
                    states.append(state.id)
    return {role: list(bys.items()) for role, bys in out.items()}


def _role_counts(store) -> dict[str | None, tuple[int, int]]:
    """role -> (users, active users); a store has few distinct roles."""
    u = store.table("users")
    active = u.active.fill_null(True)
    t = u.group_by("role").aggregate(users=u.count(), active=active.cast("int64").sum())
    return {r["role"]: (r["users"], r["active"]) for r in t.to_pyarrow().to_pylist()}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _suggest(name: str, plan: Plan) -> str:
    """The plan role a source role name most resembles, else ``<role>``."""
    names = {r.id.lower(): r.id for r in plan.roles}
    names |= {r.label.en.lower(): r.id for r in plan.roles}
    within = [n for n in names if name.lower() in n or n in name.lower()]
    close = within or difflib.get_close_matches(name.lower(), list(names), n=1, cutoff=0.5)
    return names[close[0]] if close else "<role>"


def role_warnings(store, plan: Plan) -> list[str]:
    """Plain-language warnings about users' roles (module doc).

    >>> from covermap.plan import default_plan
    >>> from covermap.store.connect import open_store
    >>> with open_store(":memory:") as s:
    ...     _ = s.duckdb.execute("INSERT INTO users (user_id, name, role) VALUES "
    ...                          "('u1', 'Ann', 'csm'), ('u2', 'Bo', 'account_executive')")
    ...     role_warnings(s, default_plan())[0]
    'no user has role executive: checks with by: [csm, executive] count only touches by csm \
(state loyal)'
    """
    counts = _role_counts(store)
    named = _named_roles(plan)
    if not counts and named:
        states = [s.id for s in plan.states if any(e.by for e in s.standard)]
        return [f"the store has no users, so nobody holds a role: every check of an entry "
                f"with by: fails (states {', '.join(states)}); import the users with their "
                f"roles"]
    held = {r for r, (_, active) in counts.items() if r is not None and active}
    out = []
    for role, entries in named.items():
        if role in held:
            continue
        inactive = counts.get(role, (0, 0))[0]
        who = (f"no active user has role {role} ({_plural(inactive, 'inactive user')} "
               f"{'has' if inactive == 1 else 'have'} it)" if inactive
               else f"no user has role {role}")
        parts = []
        for by, states in entries:
            where = f"({'state' if len(states) == 1 else 'states'} {', '.join(states)})"
            others = [r for r in by if r in held]
            parts.append(f"checks with by: [{', '.join(by)}] count only touches by "
                         f"{' or '.join(others)} {where}" if others else
                         f"every check with by: [{', '.join(by)}] fails {where}")
        out.append(f"{who}: {'; '.join(parts)}")
    if out:
        no_role = counts.get(None, (0, 0))[1]
        if no_role:
            out.append(f"{_plural(no_role, 'active user')} {'has' if no_role == 1 else 'have'} "
                       f"no role: import the users with their roles (a role column, or "
                       f"Salesforce UserRole / HubSpot owner_team and team files beside the "
                       f"users file)")
    known = {r.id for r in plan.roles} or set(named)
    unknown = sorted(((r, n) for r, (n, _) in counts.items() if r is not None and r not in known),
                     key=lambda rn: (-rn[1], rn[0]))
    if unknown:
        listed = ", ".join(f"{r!r} ({_plural(n, 'user')})" for r, n in unknown)
        mapping = ", ".join(f'"{r}": {_suggest(r, plan)}' for r, _ in unknown)
        out.append(f"users have roles the plan does not define: {listed}; map them in the "
                   f"plan, then import the users again with --plan: role_names: {{{mapping}}}")
    return out
