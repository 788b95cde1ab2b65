"""Users' roles from the CRM, mapped onto the plan's roles while importing.

CRMs keep role and team names apart from users, in metadata tables that, like
the HubSpot association bridges (``covermap.importing.hubspot``), fill columns
of another file when imported together with it (reference §1.3, §4.2)::

    user_role(id, name)                     Salesforce UserRole (Fivetran sf_user_role)
    role(id, name)                          HubSpot roles (Fivetran role)
        -> users.role, by the users file's user_role_id / role_id
    team(id, name)                          HubSpot teams (Fivetran team)
    owner_team(owner_id, team_id[, is_team_primary])
        -> users.team and, when the user has no role, users.role (primary team first,
           then the smallest team name)

A users file's own ``role`` column wins over these. Then every role value of
``users`` and ``account_team`` is mapped onto a plan role, compared without case
and surrounding blanks: the plan's ``role_names`` first (exact names, then
``*``/``?`` patterns, in file order), then each plan role's id and labels. A name
that matches nothing is kept as it is; ``covermap plan check --store`` lists such
names with the mapping to add (``covermap.plan.store_checks``).

All of it is SQL inside the import's INSERT ... SELECT: no row is read into Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from covermap.importing.readers import RawSource, ident, sql_str
from covermap.importing.recognise import Mapping, stem_key
from covermap.plan.model import Plan


@dataclass(frozen=True)
class Lookup:
    """A metadata file: ``key`` column -> ``value`` column (and an optional flag)."""

    name: str
    table: str
    key: tuple[str, ...]
    value: tuple[str, ...]
    flag: tuple[str, ...] = ()


LOOKUPS = (
    Lookup("user_role", "__roles_names", ("id", "user_role_id"), ("name",)),
    Lookup("userrole", "__roles_names", ("id", "user_role_id"), ("name",)),
    Lookup("role", "__roles_names", ("id", "role_id"), ("name", "role_name")),
    Lookup("team", "__roles_teams", ("id", "team_id"), ("name", "team_name")),
    Lookup("owner_team", "__roles_owner_teams", ("owner_id",), ("team_id",),
           ("is_team_primary", "is_primary")),
)
#: a users file's column holding the id of its user role
ROLE_ID_COLUMNS = ("user_role_id", "role_id")


class RoleNames:
    """The role and team metadata files of one import, loaded into temporary tables."""

    def __init__(self, files: list[tuple[str, int]] | None = None) -> None:
        self.loaded: set[str] = set()
        #: (file, rows) of every metadata file used (the import report's associations)
        self.files: list[tuple[str, int]] = [] if files is None else files

    def take(self, con: duckdb.DuckDBPyConnection, raw: RawSource) -> bool:
        """Load ``raw`` when it is a role or team file; False when it is not one."""
        stem = stem_key(raw.path)
        for lk in LOOKUPS:
            key, value = raw.column_named(lk.key), raw.column_named(lk.value)
            if stem != lk.name or not key or not value:
                continue
            flag = raw.column_named(lk.flag) if lk.flag else None
            flag_sql = f"TRY_CAST({ident(flag)} AS BOOLEAN)" if flag else "NULL"
            select = (f"SELECT trim({ident(key)}) AS k, trim({ident(value)}) AS v, "
                      f"{flag_sql} AS p FROM {raw.scan()} AS s WHERE nullif(trim({ident(key)}), "
                      f"'') IS NOT NULL AND nullif(trim({ident(value)}), '') IS NOT NULL")
            con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {lk.table} "
                        f"(k VARCHAR, v VARCHAR, p BOOLEAN)")
            con.execute(f"INSERT INTO {lk.table} {select}")
            self.loaded.add(lk.table)
            self.files.append((str(raw.path), con.execute(
                f"SELECT count(*) FROM ({select})").fetchone()[0]))
            return True
        return False

    def _teams(self, user_key: str) -> str | None:
        if not {"__roles_teams", "__roles_owner_teams"} <= self.loaded:
            return None
        return (f"(SELECT t.v FROM __roles_owner_teams AS ot JOIN __roles_teams AS t "
                f"ON t.k = ot.v WHERE ot.k = trim({user_key}) "
                f"ORDER BY ot.p DESC NULLS LAST, t.v LIMIT 1)")

    def fill(self, m: Mapping, plan: Plan) -> None:
        """Fill ``m``'s users role/team from the metadata files, then map role names
        onto the plan's roles (users and account_team)."""
        if m.table.name == "users":
            parts = [f"nullif(trim({m.exprs['role']}), '')"] if "role" in m.exprs else []
            role_id = m.raw.column_named(ROLE_ID_COLUMNS)
            if role_id and "__roles_names" in self.loaded:
                parts.append(f"(SELECT min(r.v) FROM __roles_names AS r "
                             f"WHERE r.k = trim({ident(role_id)}))")
                header = m.raw.header_of(role_id)
                m.labels.setdefault("role", f"{header} (role names)")
                if header in m.ignored:
                    m.ignored.remove(header)
            teams = self._teams(m.exprs["user_id"]) if "user_id" in m.exprs else None
            if teams:
                if "team" in m.exprs:
                    m.exprs["team"] = f"coalesce(nullif(trim({m.exprs['team']}), ''), {teams})"
                else:
                    m.exprs["team"], m.labels["team"] = teams, "team (owner teams)"
                parts.append(teams)
                m.labels.setdefault("role", "team (owner teams)")
            if parts:
                m.exprs["role"] = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        if m.table.name in ("users", "account_team") and "role" in m.exprs:
            m.exprs["role"] = role_map_sql(m.exprs["role"], plan)

    def filled(self, mappings: list[Mapping], plan: Plan) -> list[Mapping]:
        """``mappings``, each after :meth:`fill`."""
        for m in mappings:
            self.fill(m, plan)
        return mappings

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in self.loaded:
            con.execute(f"DROP TABLE IF EXISTS {name}")


def _pattern(name: str) -> str:
    """A LIKE pattern (escape ``\\``) for a ``*``/``?`` glob, lower-cased."""
    out = name.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return out.replace("*", "%").replace("?", "_")


def role_entries(plan: Plan) -> list[tuple[str, str, bool]]:
    """(name, plan role, is a pattern) in the order they are tried (module doc)."""
    explicit = [(n, r, any(c in n for c in "*?")) for n, r in plan.role_names.items()]
    out = [e for e in explicit if not e[2]] + [e for e in explicit if e[2]]
    for role in plan.roles:
        out += [(n, role.id, False) for n in (role.id, role.label.en, role.label.ja) if n]
    return out


def role_map_sql(expr: str, plan: Plan) -> str:
    """SQL mapping the role name ``expr`` onto a plan role (module doc).

    >>> from covermap.plan.model import Label, Role, State
    >>> plan = Plan(activity_kinds={}, states=[State(id="a", label=Label(en="A"), rule="true")],
    ...             roles=[Role(id="csm", label=Label(en="CSM"))], role_names={"Success*": "csm"})
    >>> role_map_sql("x", plan)
    "CASE WHEN lower(nullif(trim(x), '')) LIKE 'success%' ESCAPE '\\\\' THEN 'csm' WHEN \
lower(nullif(trim(x), '')) = 'csm' THEN 'csm' ELSE nullif(trim(x), '') END"
    """
    value = f"nullif(trim({expr}), '')"
    whens, seen = [], set()
    for name, role, is_pattern in role_entries(plan):
        test = (f"LIKE {sql_str(_pattern(name))} ESCAPE '\\'" if is_pattern
                else f"= {sql_str(name.strip().lower())}")
        if test not in seen:
            seen.add(test)
            whens.append(f"WHEN lower({value}) {test} THEN {sql_str(role)}")
    return f"CASE {' '.join(whens)} ELSE {value} END" if whens else value
