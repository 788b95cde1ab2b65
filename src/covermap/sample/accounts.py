"""The account profile (every per-account fact the other tables draw from), accounts, account team.

``profile_sql`` builds the working table ``acct``: one row per account with its
archetype, size, place, timeline (first won deal, churn, open deals, creation),
how many contacts, deals and activities it has, and who of ours works on it.
The output tables are projections of it, so they agree with each other without
joins.
"""

from __future__ import annotations

from covermap.sample import archetypes as A
from covermap.sample import vocab as V
from covermap.sample.draws import Ctx, bucket_of, sql_list
from covermap.sample.people import RoleBlock, user_id

#: account-team roles, in the order of the profile's team_* lists
TEAM_ROLES = ("csm", "account_executive", "inside_sales", "executive", "marketing")
SEGMENT_WEIGHTS = (62, 27, 11)
_NAME_COMBOS = len(V.NAME_LEADS) * len(V.NAME_CORES) * len(V.NAME_TRADES)
_JA_COMBOS = len(V.JA_NAME_CORES) * len(V.JA_NAME_TRADES)
_STRIDE = 7919  # a prime: i -> i * stride mod combos visits every name once per block


def account_id(index: str, ctx: Ctx) -> str:
    """SQL: the account id of account number ``index`` (0-based)."""
    return f"'ACC-' || lpad(({index} + 1)::VARCHAR, {ctx.id_width}, '0')"


def _log_uniform(lo: float, hi: float, draw: str) -> str:
    return f"{lo} * exp({draw} * ln({hi / lo}))"


def _names() -> tuple[str, str]:
    """SQL (name, domain) of account ``i``: distinct domains, names repeat past 16,000."""
    c, rep = f"((i * {_STRIDE}) % {_NAME_COMBOS})", f"(i // {_NAME_COMBOS})"
    lead = f"{sql_list(V.NAME_LEADS)}[1 + {c} // {len(V.NAME_CORES) * len(V.NAME_TRADES)}]"
    core = f"{sql_list(V.NAME_CORES)}[1 + ({c} // {len(V.NAME_TRADES)}) % {len(V.NAME_CORES)}]"
    trade = f"{sql_list(V.NAME_TRADES)}[1 + {c} % {len(V.NAME_TRADES)}]"
    jc, jrep = f"((i * {_STRIDE}) % {_JA_COMBOS})", f"(i // {_JA_COMBOS})"
    jcore = f"1 + {jc} // {len(V.JA_NAME_TRADES)}"
    jtrade = f"1 + {jc} % {len(V.JA_NAME_TRADES)}"
    ja_name = (f"{sql_list(x[0] for x in V.JA_NAME_CORES)}[{jcore}] || "
               f"{sql_list(x[0] for x in V.JA_NAME_TRADES)}[{jtrade}]")
    ja_slug = (f"{sql_list(x[1] for x in V.JA_NAME_CORES)}[{jcore}] || "
               f"{sql_list(x[1] for x in V.JA_NAME_TRADES)}[{jtrade}]")
    suffix = f"{sql_list(country[3] for country in V.COUNTRIES)}[ci + 1]"
    name = (f"CASE WHEN is_japan AND u(i, 9) < 0.5 THEN '株式会社' || {ja_name} "
            f"WHEN is_japan THEN {ja_name} || '株式会社' "
            f"ELSE ltrim({lead} || ' ' || {core} || ' ' || {trade}) || ' ' || {suffix} END")
    slug = f"lower(regexp_replace({lead} || {core} || {trade}, '[^A-Za-z]', '', 'g'))"
    domain = (f"CASE WHEN is_japan THEN {ja_slug} || CASE WHEN {jrep} > 0 THEN {jrep}::VARCHAR "
              f"ELSE '' END || '.example.jp' ELSE {slug} || CASE WHEN {rep} > 0 THEN "
              f"{rep}::VARCHAR ELSE '' END || '.example.com' END")
    return name, domain


def _team(blocks: dict[str, RoleBlock]) -> str:
    """SQL select-list items: team_* lists, one element per TEAM_ROLES role."""
    on = ", ".join(f"u(i, {30 + r}) < {A.param('team_' + k)}"
                   for r, k in enumerate(("csm", "ae", "is", "ex", "mk")))
    cur = ", ".join(blocks[role].pick("region_idx", f"u(i, {40 + r})")
                    for r, role in enumerate(TEAM_ROLES))
    other = ", ".join(blocks[role].has_other("region_idx") for role in TEAM_ROLES)
    return f"""
        [{on}] AS team_on,
        -- a quarter of new customers wait a few weeks for their CSM (a late join)
        [coalesce(cs + CASE WHEN u(i, 70) < 0.25 THEN 2 + floor(u(i, 71) * 20)::INTEGER
                       ELSE 0 END, created_date + 30),
         created_date + 14, created_date + 7, coalesce(cs + 365, created_date + 30),
         created_date] AS team_from,
        CASE WHEN churned_at IS NOT NULL
             THEN [churned_at::DATE, churned_at::DATE, NULL, NULL, NULL]
             ELSE [NULL, NULL, NULL, NULL, NULL]::DATE[] END AS team_end,
        [{cur}] AS team_cur, [{other}] AS team_has_other"""


def _team_changes(blocks: dict[str, RoleBlock], ctx: Ctx) -> str:
    prev = ", ".join(blocks[role].pick_other("region_idx", f"u(i, {60 + r})", f"team_cur[{r + 1}]")
                     for r, role in enumerate(TEAM_ROLES))
    hand = ", ".join(
        f"CASE WHEN team_has_other[{r + 1}] AND u(i, {50 + r}) < 0.3 AND date_diff('day', "
        f"team_from[{r + 1}], coalesce(team_end[{r + 1}], {ctx.as_of_sql})) > 90 "
        f"THEN team_from[{r + 1}] + 30 + floor(u(i, {55 + r}) * (date_diff('day', "
        f"team_from[{r + 1}], coalesce(team_end[{r + 1}], {ctx.as_of_sql})) - 60))::INTEGER END"
        for r in range(len(TEAM_ROLES)))
    return f"[{prev}] AS team_prev, [{hand}] AS team_hand"


def profile_sql(ctx: Ctx, blocks: dict[str, RoleBlock]) -> str:
    """CREATE TABLE acct: one row per account, in account order."""
    as_of = ctx.as_of_sql
    countries = V.COUNTRIES
    won, churned = A.is_one_of(A.WON), f"arch = {A.code('churned')}"
    name, domain = _names()
    employees, revenue = employees_and_revenue()
    return f"""
    CREATE OR REPLACE TABLE acct AS
    SELECT *, {_team_changes(blocks, ctx)},
           {account_id('i', ctx)} AS account_id, {name} AS name, {domain} AS domain
    FROM (
      SELECT *, {_team(blocks)}
      FROM (
        SELECT *, clock(created_date, u(i, 18)) AS created_at,
               CASE WHEN u(i, 20) < {A.param('zero_acts')} THEN 0
                    ELSE least(5000, greatest(1, round({A.param('acts_median')}
                                                       * exp(1.1 * gauss(i, 0, 21)))))
               END::BIGINT AS n_act
        FROM (
          SELECT *, (anchor - 90 - nl * 150 - cycle
                     - floor(u(i, 17) * CASE WHEN hw = 1 THEN 365 ELSE 1200 END)::INTEGER
                    ) AS created_date
          FROM (
            SELECT *,
                   coalesce(cs - cycle, open_created, {as_of} - 45) AS anchor,
                   CASE WHEN hw = 1 THEN least(6, date_diff('day', cs,
                        coalesce(churned_at::DATE, {as_of} - 1)) // 300) ELSE 0 END AS nf
            FROM (
              SELECT *,
                     CASE WHEN no > 0 THEN {as_of} - floor(u(i, 16) * CASE WHEN cs IS NULL
                          THEN 150 ELSE least(120, date_diff('day', cs, {as_of})) END)::INTEGER
                     END AS open_created,
                     CASE WHEN {churned} THEN clock(cs + 180 + floor(u(i, 11)
                          * (date_diff('day', cs, {as_of}) - 194))::INTEGER, u(i, 12)) END
                       AS churned_at
              FROM (
                SELECT *, ({won})::INTEGER AS hw,
                       {employees} AS employees, {revenue} AS annual_revenue, {base_acv()} AS acv,
                       CASE WHEN {won} THEN {as_of} - ({A.param('won_from')}
                            + floor(u(i, 10) * {A.param('won_span')}))::INTEGER END AS cs,
                       {sql_list([14, 30, 60])}[sg + 1]
                         + floor(u(i, 13) * {sql_list([46, 90, 150])}[sg + 1])::INTEGER AS cycle,
                       CASE WHEN u(i, 14) < {A.param('lost_before')}
                            THEN 1 + (u(i, 15) < 0.25)::INTEGER ELSE 0 END AS nl,
                       CASE WHEN u(i, 22) >= {A.param('open_one')} THEN 0
                            WHEN u(i, 23) < {A.param('open_two')} THEN 2 ELSE 1 END AS no,
                       {A.param('contacts_min')} + floor(u(i, 24)
                         * ({A.param('contacts_add')} + 1))::INTEGER AS nc,
                       {sql_list(c[1] for c in countries)}[ci + 1] AS region_idx,
                       ci = {V.JAPAN} AS is_japan
                FROM (
                  SELECT i, lpad((i + 1)::VARCHAR, {ctx.id_width}, '0') AS num,
                         {A.draw_archetype('u(i, 1)')} AS arch,
                         {bucket_of([c[2] for c in countries], 'u(i, 2)')} AS ci,
                         {bucket_of(SEGMENT_WEIGHTS, 'u(i, 3)')} AS sg
                  FROM range({ctx.accounts}) t(i))))))))
    """


def _segment_employees() -> str:
    ranges = ((5, 199), (200, 1999), (2000, 150000))
    arms = " ".join(f"WHEN {s} THEN {_log_uniform(lo, hi, 'u(i, 4)')}"
                    for s, (lo, hi) in enumerate(ranges))
    return f"round(CASE sg {arms} END)::BIGINT"


def base_acv() -> str:
    """SQL: the account's typical yearly contract value in USD (by segment)."""
    ranges = ((3000, 25000), (20000, 150000), (100000, 1200000))
    arms = " ".join(f"WHEN {s} THEN {_log_uniform(lo, hi, 'u(i, 5)')}"
                    for s, (lo, hi) in enumerate(ranges))
    return f"round(CASE sg {arms} END, -2)"


def employees_and_revenue() -> tuple[str, str]:
    """SQL (employees, annual revenue in USD) of account ``i`` with segment draw ``sg``."""
    employees = _segment_employees()
    return employees, f"round({employees} * {_log_uniform(50000, 400000, 'u(i, 6)')}, -3)"


def accounts_sql(ctx: Ctx) -> str:
    """SELECT of the accounts table from ``acct``."""
    parent = "floor(u(i, 8) * i)::BIGINT"
    stages = sql_list(("customer", "customer", "customer", "other", "opportunity",
                       "salesqualifiedlead", "marketingqualifiedlead", "lead", "", ""))
    return f"""
    SELECT account_id, name, domain,
           {sql_list(V.INDUSTRIES)}[1 + {bucket_of(V.INDUSTRY_WEIGHTS, 'u(i, 7)')}] AS industry,
           {sql_list(c[0] for c in V.COUNTRIES)}[ci + 1] AS country,
           {sql_list(V.REGIONS)}[region_idx + 1] AS region,
           employees, annual_revenue,
           CASE WHEN {A.is_one_of(A.CUSTOMERS)} THEN round(acv * (1 + 0.15 * nf), -2)
                END AS arr,
           nullif({stages}[arch + 1], '') AS lifecycle_stage,
           {user_id('owner')} AS owner_id,
           CASE WHEN i > 0 AND u(i, 19) < 0.25
                     AND {bucket_of(SEGMENT_WEIGHTS, f'u({parent}, 3)')} = 2
                THEN {account_id(parent, ctx)} END AS parent_account_id,
           CASE WHEN arch = {A.code('unclassified')} AND u(i, 25) < 0.3 THEN NULL
                ELSE u(i, 25) < {A.param('target')} END AS is_target,
           created_at, churned_at,
           CASE WHEN employees < 200 THEN 'smb' WHEN employees < 2000 THEN 'mid_market'
                ELSE 'enterprise' END AS segment
    FROM (SELECT *, CASE WHEN team_on[2] THEN team_cur[2] WHEN team_on[3] THEN team_cur[3]
                         WHEN sg = 0 THEN team_cur[3] ELSE team_cur[2] END AS owner
          FROM acct)
    """


def account_team_sql() -> str:
    """SELECT of the account_team table: current members, and earlier ones who handed over."""
    return f"""
    SELECT account_id,
           {user_id('CASE WHEN phase = 1 THEN team_cur[r + 1] ELSE team_prev[r + 1] END')}
             AS user_id,
           {sql_list(TEAM_ROLES)}[r + 1] AS role,
           CASE WHEN phase = 1 THEN coalesce(team_hand[r + 1], team_from[r + 1])
                ELSE team_from[r + 1] END AS start_date,
           CASE WHEN phase = 1 THEN team_end[r + 1]
                WHEN u2(i, r, 65) < 0.1 THEN NULL  -- a hand-over never closed: a duplicate
                ELSE team_hand[r + 1] - 1 END AS end_date
    FROM (SELECT *, s // 2 AS r, s % 2 AS phase
          FROM (SELECT *, unnest(range({2 * len(TEAM_ROLES)})) AS s FROM acct))
    WHERE team_on[r + 1] AND (phase = 1 OR team_hand[r + 1] IS NOT NULL)
    """
