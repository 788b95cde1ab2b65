"""Checks of a valid plan against the data in a store: warnings, never errors.

``role_warnings`` says, in plan order, which roles that standard entries name
(``by``) no active user holds (``users.active`` not false) and so which checks
cannot pass, and which roles users have that the plan does not know, with the
``role_names`` mapping to add (``covermap.importing.roles`` applies it on import);
the same for account-team roles. ``owner_warnings`` counts accounts with no owner and
names the ``owners.fallback`` source that would give the most of them one.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

from covermap.plan.model import LATEST_DEAL, OWNER_TEAM_PREFIX, AccountOwners, Plan
from covermap.store.arrow import scalar, to_pylist


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
    return {r["role"]: (r["users"], r["active"]) for r in to_pylist(t)}


def _users_file(store) -> str:
    """The name of the file the users were last imported from (else ``users.csv``)."""
    row = store.duckdb.execute("SELECT file FROM imports WHERE table_name = 'users' "
                               "ORDER BY import_id DESC LIMIT 1").fetchone()
    return Path(row[0]).name if row else "users.csv"


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
                       f"users file), or give a whole file's users one in the plan: "
                       f"sources: [{{file: {_users_file(store)}, table: users, "
                       f"constants: {{role: <role>}}}}]")
    known = {r.id for r in plan.roles} or set(named)
    unknown = {r: n for r, (n, _) in counts.items() if r is not None and r not in known}
    if unknown:
        out.append(_unmapped("users have", unknown, "user", "users", plan))
    t = store.table("account_team")
    t = t.filter(t.role.notin(sorted(known)))
    team = {r["role"]: r["n"] for r in
            to_pylist(t.group_by("role").aggregate(n=t.count()))}
    if team:
        out.append(_unmapped("account-team rows have", team, "row", "account team", plan))
    return out


def _unmapped(who: str, counts: dict[str, int], unit: str, what: str, plan: Plan) -> str:
    """The warning listing role names the plan does not define, with the mapping to add."""
    names = sorted(counts, key=lambda r: (-counts[r], r))
    listed = ", ".join(f"{r!r} ({_plural(counts[r], unit)})" for r in names)
    mapping = ", ".join(f'"{r}": {_suggest(r, plan)}' for r in names)
    return (f"{who} roles the plan does not define: {listed}; map them in the plan, then "
            f"import the {what} again with --plan: role_names: {{{mapping}}}")


def owner_warnings(store, plan: Plan, as_of: dt.date) -> list[str]:
    """How many accounts have no owner on ``as_of`` (``covermap.engine.owners``), and which
    fallback source the plan could add to give them one; fallback account-team roles that
    no account-team row has."""
    from covermap.engine.owners import account_owners

    out = []
    t = store.table("account_team")
    for role in plan.owners.team_roles():
        if scalar(t.filter(t.role == role).count()) == 0:
            out.append(f"owners.fallback names {OWNER_TEAM_PREFIX}{role}, but no account-team "
                       f"row has role {role}: it never gives an owner")

    def missing(p: Plan) -> int:
        o = account_owners(store, p, as_of)
        return scalar(o.filter(o.owner_id.isnull()).count())

    n, none = scalar(store.table("accounts").count()), missing(plan)
    if not none:
        return out
    have = list(plan.owners.fallback)
    msg = f"{none:,} of {n:,} accounts have no owner on {as_of.isoformat()}"
    tries = [f"{OWNER_TEAM_PREFIX}{r}" for r in _team_roles(store)] + [LATEST_DEAL]
    gains = []
    for source in (s for s in tries if s not in have):
        trial = plan.model_copy(update={"owners": AccountOwners(fallback=(*have, source))})
        if (gained := none - missing(trial)) > 0:
            gains.append((gained, source))
    if gains:
        gained, source = max(gains, key=lambda g: g[0])
        fallback = ", ".join((*have, source))
        msg += (f"; with owners: {{fallback: [{fallback}]}} in the plan, {gained:,} of them "
                f"would get one")
    out.append(msg)
    return out


def _team_roles(store) -> list[str]:
    t = store.table("account_team")
    return sorted(to_pylist(t.select(r=t.role).distinct().r))
