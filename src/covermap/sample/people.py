"""Users (our people, by role and region) and contacts (theirs, with titles and personas)."""

from __future__ import annotations

from dataclasses import dataclass

from covermap.sample import archetypes as A
from covermap.sample import vocab as V
from covermap.sample.draws import Ctx, bucket_of, sql_list

ROLES = ("csm", "account_executive", "inside_sales", "marketing", "executive")
ROLE_SHARES = (0.28, 0.27, 0.22, 0.13, 0.10)
# at least two in each role that hands accounts over, so there is someone to hand to
ROLE_MINIMUM = (2, 2, 2, 1, 1)
ROLE_TEAMS = ("Customer Success", "Field Sales", "Inside Sales", "Marketing", "Leadership")
ACCOUNTS_PER_USER = 70
OUR_DOMAIN = "sample-vendor.example.com"

_S_USER, _S_CONTACT = 100, 200


def _apportion(total: int, weights: tuple[float, ...], minimum: tuple[int, ...]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), each part at least its minimum."""
    free = total - sum(minimum)
    exact = [free * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda k: exact[k] - parts[k], reverse=True)
    for k in by_remainder[: free - sum(parts)]:
        parts[k] += 1
    return [p + m for p, m in zip(parts, minimum, strict=True)]


@dataclass(frozen=True)
class RoleBlock:
    """The users of one role: a contiguous index range, split by region.

    A region with nobody of this role falls back to the whole role, so every
    account can be given someone of every role."""

    role: str
    start: int
    count: int
    #: users of this role in each region
    own_counts: tuple[int, ...]

    def cells(self) -> list[tuple[int, int, int]]:
        """(region index, first user index, users) for each staffed region."""
        return [(r, s, n) for r, (s, n) in enumerate(zip(self._starts, self.own_counts,
                                                        strict=True)) if n]

    @property
    def _starts(self) -> list[int]:
        return [self.start + sum(self.own_counts[:r]) for r in range(len(self.own_counts))]

    def _region(self, region: str) -> tuple[str, str]:
        starts = [s if n else self.start for s, n in zip(self._starts, self.own_counts,
                                                          strict=True)]
        counts = [n if n else self.count for n in self.own_counts]
        return f"{sql_list(starts)}[{region} + 1]", f"{sql_list(counts)}[{region} + 1]"

    def pick(self, region: str, draw: str) -> str:
        """SQL: the index of one user of this role, for an account in ``region``."""
        start, count = self._region(region)
        return f"{start} + floor({draw} * {count})::BIGINT"

    def pick_other(self, region: str, draw: str, other: str) -> str:
        """SQL: a user of this role other than user ``other`` (same region when possible)."""
        start, count = self._region(region)
        return (f"{start} + ({other} - {start} + 1 + floor({draw} * greatest({count} - 1, 1))"
                f"::BIGINT) % {count}")

    def has_other(self, region: str) -> str:
        """SQL: this role has two or more users for an account in ``region``."""
        return f"{self._region(region)[1]} > 1"


def _region_weights() -> tuple[float, ...]:
    return tuple(sum(c[2] for c in V.COUNTRIES if c[1] == r) for r in range(len(V.REGIONS)))


def role_blocks(accounts: int) -> dict[str, RoleBlock]:
    """Our people for a company of ``accounts`` accounts: about one per 70 accounts."""
    users = max(sum(ROLE_MINIMUM), round(accounts / ACCOUNTS_PER_USER))
    blocks, at = {}, 0
    for role, n in zip(ROLES, _apportion(users, ROLE_SHARES, ROLE_MINIMUM), strict=True):
        own = _apportion(n, _region_weights(), (0,) * len(V.REGIONS))
        blocks[role] = RoleBlock(role, at, n, tuple(own))
        at += n
    return blocks


def user_id(index: str) -> str:
    """SQL: the user id of user number ``index`` (0-based)."""
    return f"'USR-' || lpad(({index} + 1)::VARCHAR, 5, '0')"


def person_name(key: str, japanese: str, salt: int) -> tuple[str, str]:
    """SQL (display name, email local part) of a person drawn from ``key``."""
    ja_f, ja_g = V.JA_FAMILY_NAMES, V.JA_GIVEN_NAMES
    f = f"(1 + floor(u2({key}, {salt}, 1) * {len(ja_f)})::BIGINT)"
    g = f"(1 + floor(u2({key}, {salt}, 2) * {len(ja_g)})::BIGINT)"
    en_first = f"pick({sql_list(V.FIRST_NAMES)}, u2({key}, {salt}, 3))"
    en_last = f"pick({sql_list(V.LAST_NAMES)}, u2({key}, {salt}, 4))"
    name = (f"CASE WHEN {japanese} THEN {sql_list(x[0] for x in ja_f)}[{f}] || ' ' || "
            f"{sql_list(x[0] for x in ja_g)}[{g}] ELSE {en_first} || ' ' || {en_last} END")
    local = (f"CASE WHEN {japanese} THEN {sql_list(x[1] for x in ja_g)}[{g}] || '.' || "
             f"{sql_list(x[1] for x in ja_f)}[{f}] "
             f"ELSE lower(replace({en_first} || '.' || {en_last}, 'ü', 'ue')) END")
    return name, local


def users_sql(blocks: dict[str, RoleBlock]) -> str:
    """SELECT of the users table, one row per user, in user-index order."""
    cells = ", ".join(f"({ROLES.index(b.role)}, {region}, {start}, {n})"
                      for b in blocks.values() for region, start, n in b.cells())
    apac = V.REGIONS.index("APAC")
    name, local = person_name("idx", f"region = {apac} AND u(idx, {_S_USER}) < 0.5", _S_USER)
    return f"""
    SELECT {user_id('idx')} AS user_id, {name} AS name,
           local || CASE WHEN twin > 1 THEN twin::VARCHAR ELSE '' END
               || '@{OUR_DOMAIN}' AS email,
           {sql_list(ROLES)}[r + 1] AS role,
           {sql_list(ROLE_TEAMS)}[r + 1] ||
               CASE WHEN r = 4 THEN '' ELSE ' ' || {sql_list(V.REGIONS)}[region + 1] END AS team,
           {sql_list(V.REGIONS)}[region + 1] AS region,
           CASE WHEN r = 4 THEN 50 WHEN u(idx, {_S_USER + 1}) < 0.05 THEN 20
                WHEN u(idx, {_S_USER + 1}) < 0.17 THEN 32 ELSE 40 END AS hours_per_week,
           -- a few have left; the fixed one makes sure even a small company has one
           NOT (u(idx, {_S_USER + 2}) < 0.04 OR idx % 23 = 7) AS active
    FROM (SELECT *, row_number() OVER (PARTITION BY local ORDER BY idx) AS twin
          FROM (SELECT *, {local} AS local
                FROM (SELECT r, region, start + k AS idx
                      FROM (SELECT r, region, start, unnest(range(n)) AS k
                            FROM (VALUES {cells}) cell(r, region, start, n)))))
    ORDER BY idx
    """


def title_group(i: str, k: str) -> str:
    """SQL: the title group (index into ``vocab.TITLE_GROUPS``) of contact ``k`` of account
    ``i``."""
    return bucket_of(V.TITLE_WEIGHTS, f"u2({i}, {k}, {_S_CONTACT})")


def contact_id(num: str, k: str) -> str:
    """SQL: the id of contact ``k`` (0-based) of the account numbered ``num``."""
    return f"'CON-' || {num} || '-' || lpad(({k} + 1)::VARCHAR, 2, '0')"


def contacts_sql(ctx: Ctx) -> str:
    """SELECT of the contacts table from the account profile ``acct``."""
    groups = V.TITLE_GROUPS
    en = sql_list(t for g in groups for t in g[1])
    ja = sql_list(t for g in groups for t in g[2])
    personas = sql_list(g[0] or "" for g in groups)
    name, local = person_name("i * 100 + k", f"is_japan AND u2(i, k, {_S_CONTACT + 1}) < 0.9",
                              _S_CONTACT)
    title_at = f"g * 4 + 1 + floor(u2(i, k, {_S_CONTACT + 2}) * 4)::BIGINT"
    stages = sql_list(("customer", "customer", "customer", "other", "opportunity",
                       "salesqualifiedlead", "marketingqualifiedlead", "lead", "", ""))
    statuses = {
        A.code("in_deal"): ("open_deal", "in_progress", "connected"),
        A.code("hot_lead"): ("connected", "in_progress", "open"),
        A.code("potential_lead"): ("attempted_to_contact", "open", "in_progress", "new"),
        A.code("lead"): ("new", "open", "unqualified", "bad_timing", "attempted_to_contact"),
        A.code("churned"): ("bad_timing", "unqualified"),
    }
    status = " ".join(f"WHEN {c} THEN pick({sql_list(v)}, u2(i, k, {_S_CONTACT + 3}))"
                      for c, v in statuses.items())
    score_lo, score_hi = A.param("score_lo"), A.param("score_hi")
    may_be_empty = A.is_one_of((*A.WON, "in_deal", "lead"))
    return f"""
    SELECT {contact_id('num', 'k')} AS contact_id, account_id,
           {name} AS name,
           CASE WHEN u2(i, k, {_S_CONTACT + 4}) < 0.04 THEN NULL
                ELSE {local} || '@' || domain END AS email,
           CASE WHEN is_japan AND u2(i, k, {_S_CONTACT + 5}) < 0.85
                THEN {ja}[{title_at}] ELSE {en}[{title_at}] END AS title,
           CASE WHEN u2(i, k, {_S_CONTACT + 6}) < 0.78 THEN nullif({personas}[g + 1], '')
                END AS persona,
           CASE WHEN u2(i, k, {_S_CONTACT + 7}) < 0.7
                THEN {sql_list(r or "" for r in V.BUYING_ROLES)}[g + 1] END AS buying_role,
           CASE WHEN arch = {A.code("loyal")} AND u2(i, k, {_S_CONTACT + 8}) < 0.1
                THEN 'evangelist' ELSE nullif({stages}[arch + 1], '') END AS lifecycle_stage,
           CASE arch {status} END AS lead_status,
           CASE WHEN k = 0 THEN {score_lo} + floor(u2(i, k, {_S_CONTACT + 9})
                                                   * ({score_hi} - {score_lo} + 1))
                WHEN {may_be_empty} AND u2(i, k, {_S_CONTACT + 10}) < 0.3 THEN NULL
                ELSE floor(u2(i, k, {_S_CONTACT + 9}) * ({score_hi} + 1)) END AS lead_score,
           CASE WHEN k > 0 AND u2(i, k, {_S_CONTACT + 11}) < 0.03 THEN NULL
                ELSE clock(between_days(created_at::DATE, {ctx.as_of_sql},
                                        u2(i, k, {_S_CONTACT + 12})),
                           u2(i, k, {_S_CONTACT + 13})) END AS created_at
    FROM (SELECT *, {title_group('i', 'k')} AS g
          FROM (SELECT *, unnest(range(nc)) AS k FROM acct WHERE nc > 0))
    """
