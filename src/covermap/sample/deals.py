"""Products, deals, deal lines and deal contacts.

An account's deals, in order: lost deals before it bought (``nl``), its first won
deal (``hw``), follow-up renewals and expansions up to now or its churn (``nf``),
and open deals (``no``). Each deal's product complexity and the account's value
tier give the channel the plan intends; most deals use it, some do not, so the
coverage map has misaligned revenue to find.
"""

from __future__ import annotations

from covermap.plan import default_plan
from covermap.sample import archetypes as A
from covermap.sample import vocab as V
from covermap.sample.draws import Ctx, bucket_of, sql_list
from covermap.sample.people import contact_id, title_group, user_id

COMPLEXITIES = ("simple", "bundled", "customised")
# name, family, complexity index, list price (USD per unit and year)
PRODUCTS = (
    ("Starter Seat", "Core Platform", 0, 240.0), ("Pro Seat", "Core Platform", 0, 600.0),
    ("Analytics Add-on", "Analytics", 0, 1800.0), ("Mobile Access", "Core Platform", 0, 120.0),
    ("API Access Pack", "Integrations", 0, 2400.0),
    ("Extra Storage 1 TB", "Core Platform", 0, 960.0),
    ("Premium Support", "Support", 0, 4800.0), ("Training Credits", "Services", 0, 1500.0),
    ("Sandbox Environment", "Core Platform", 0, 3000.0),
    ("SSO Connector", "Integrations", 0, 1200.0),
    ("Data Export Connector", "Integrations", 0, 1800.0),
    ("Compliance Archive", "Security", 0, 3600.0),
    ("Growth Suite", "Suites", 1, 18000.0), ("Revenue Suite", "Suites", 1, 36000.0),
    ("Service Suite", "Suites", 1, 30000.0), ("Marketing Suite", "Suites", 1, 24000.0),
    ("Enterprise Suite", "Suites", 1, 90000.0), ("Analytics Bundle", "Analytics", 1, 15000.0),
    ("Security Bundle", "Security", 1, 20000.0), ("Onboarding Package", "Services", 1, 12000.0),
    ("Partner Portal Bundle", "Integrations", 1, 16000.0),
    ("Japan Localization Pack", "Integrations", 1, 10000.0),
    ("Custom Integration", "Professional Services", 2, 60000.0),
    ("Data Migration Project", "Professional Services", 2, 45000.0),
    ("Dedicated Instance", "Infrastructure", 2, 150000.0),
    ("Custom Workflow Build", "Professional Services", 2, 80000.0),
    ("Enterprise Implementation", "Professional Services", 2, 200000.0),
    ("Custom Reporting Project", "Professional Services", 2, 50000.0),
    ("On-premise Deployment", "Infrastructure", 2, 250000.0),
    ("Managed Service Contract", "Managed Services", 2, 120000.0),
)
_BY_COMPLEXITY = [sum(1 for p in PRODUCTS if p[2] == c) for c in range(3)]
# complexity mix of new business and renewals, by segment; expansions are add-ons
_MIX = ((65, 30, 5), (35, 45, 20), (15, 40, 45))
_EXPANSION_MIX = (70, 30, 0)
_S = 300


def product_id(index: str) -> str:
    """SQL: the product id of catalog entry ``index`` (0-based)."""
    return f"'PRD-' || lpad(({index} + 1)::VARCHAR, 3, '0')"


def deal_id(num: str, k: str) -> str:
    """SQL: the id of deal ``k`` (0-based) of the account numbered ``num``."""
    return f"'DEA-' || {num} || '-' || lpad(({k} + 1)::VARCHAR, 2, '0')"


def products_sql() -> str:
    """SELECT of the product catalog."""
    rows = ", ".join(f"({n}, '{name}', '{family}', '{COMPLEXITIES[c]}', {price})"
                     for n, (name, family, c, price) in enumerate(PRODUCTS))
    return (f"SELECT {product_id('n')} AS product_id, name, family, complexity, list_price "
            f"FROM (VALUES {rows}) p(n, name, family, complexity, list_price)")


def _intended_channel() -> str:
    """SQL: the default plan's channel for the deal's complexity ``cx`` and value ``tier``."""
    cm = default_plan().coverage_map
    arms = " ".join(f"WHEN {c * 3 + t} THEN '{cm.channels[cx][tier]}'"
                    for c, cx in enumerate(COMPLEXITIES)
                    for t, tier in enumerate(("low", "medium", "high")))
    return f"CASE cx * 3 + tier {arms} END"


def _fx() -> tuple[str, str]:
    """SQL (currency, USD per unit) of the deal, drawn from the account's country."""
    rates = default_plan().coverage_map.fx_rates
    local = sql_list(c[4] or "USD" for c in V.COUNTRIES)
    currency = f"CASE WHEN u2(i, k, {_S + 1}) < 0.6 THEN {local}[ci + 1] ELSE 'USD' END"
    rate = " ".join(f"WHEN '{cur}' THEN {r}" for cur, r in rates.items())
    return currency, f"CASE currency {rate} ELSE 1.0 END"


def create_deal_view(ctx: Ctx) -> str:
    """CREATE VIEW deal: one row per deal with every drawn attribute (not yet canonical)."""
    as_of = ctx.as_of_sql
    cm = default_plan().coverage_map
    currency, rate = _fx()
    customer = A.is_one_of(A.CUSTOMERS)
    mix = " ".join(f"WHEN {s} THEN {bucket_of(w, f'u2(i, k, {_S + 2})')}"
                   for s, w in enumerate(_MIX))
    return f"""
    CREATE OR REPLACE VIEW deal AS
    SELECT *, {deal_id('num', 'k')} AS deal_id,
           round(usd / rate, CASE WHEN currency = 'JPY' THEN 0 ELSE 2 END) AS amount
    FROM (
      SELECT *, {rate} AS rate,
             round(acv * CASE deal_type
                 WHEN 'renewal' THEN 0.9 + 0.3 * u2(i, k, {_S + 3})
                 WHEN 'expansion' THEN 0.15 + 0.45 * u2(i, k, {_S + 3})
                 ELSE [0.6, 1.0, 1.8][cx + 1] * (0.7 + 0.6 * u2(i, k, {_S + 3})) END, -2) AS usd,
             CASE WHEN u2(i, k, {_S + 4}) < 0.82 THEN intended
                  ELSE pick(list_filter({sql_list(V.CHANNELS)}, c -> c <> intended),
                            u2(i, k, {_S + 5})) END AS channel
      FROM (
        SELECT *, {_intended_channel()} AS intended, {currency} AS currency
        FROM (
          SELECT *,
                 CASE WHEN deal_type = 'expansion'
                      THEN {bucket_of(_EXPANSION_MIX, f'u2(i, k, {_S + 2})')}
                      ELSE CASE sg {mix} END END AS cx,
                 CASE WHEN annual_revenue >= {cm.value.high} THEN 2
                      WHEN annual_revenue >= {cm.value.medium} THEN 1 ELSE 0 END AS tier
          FROM (
            SELECT *,
                   CASE part WHEN 'lost' THEN 'new' WHEN 'won' THEN 'new'
                        WHEN 'follow' THEN CASE WHEN last_renewal OR u2(i, k, {_S + 6}) < 0.55
                                                THEN 'renewal' ELSE 'expansion' END
                        ELSE CASE WHEN NOT {customer} THEN 'new'
                                  WHEN u2(i, k, {_S + 6}) < 0.5 THEN 'renewal'
                                  ELSE 'expansion' END END AS deal_type,
                   part <> 'open' AS is_closed,
                   part = 'won' OR (part = 'follow' AND NOT last_renewal
                                    AND u2(i, k, {_S + 7}) < 0.8) AS is_won,
                   CASE part
                     WHEN 'lost' THEN anchor - 30 - (m * 150)::INTEGER
                                      - floor(u2(i, k, {_S + 8}) * 60)::INTEGER
                     WHEN 'won' THEN cs
                     WHEN 'follow' THEN cs + ((m + 1) * date_diff('day', cs,
                         coalesce(churned_at::DATE, {as_of} - 1)) // (nf + 1))::INTEGER
                     ELSE {as_of} + 10 + floor(u2(i, k, {_S + 8}) * 120)::INTEGER END AS close_date
            FROM (
              SELECT *,
                     CASE WHEN k < nl THEN 'lost' WHEN k < nl + hw THEN 'won'
                          WHEN k < nl + hw + nf THEN 'follow' ELSE 'open' END AS part,
                     k - CASE WHEN k < nl THEN 0 WHEN k < nl + hw THEN nl
                              WHEN k < nl + hw + nf THEN nl + hw ELSE nl + hw + nf END AS m,
                     churned_at IS NOT NULL AND k = nl + hw + nf - 1 AND nf > 0 AS last_renewal
              FROM (SELECT *, unnest(range(nl + hw + nf + no)) AS k FROM acct))))))
    """


def deals_sql(ctx: Ctx) -> str:
    """SELECT of the deals table from the ``deal`` view."""
    created = (f"CASE part WHEN 'lost' THEN close_date - cycle WHEN 'won' THEN cs - cycle "
               f"WHEN 'follow' THEN close_date - 15 - floor(u2(i, k, {_S + 9}) * 75)::INTEGER "
               f"ELSE open_created - (m * (20 + floor(u2(i, k, {_S + 9}) * 40)))::INTEGER END")
    # field and partner deals are run by the account executive, the rest by inside sales
    owner_role = "CASE WHEN channel IN ('field_sales', 'partner') THEN 2 ELSE 3 END"
    return f"""
    SELECT deal_id, account_id,
           name || ' - ' || CASE deal_type WHEN 'new' THEN 'New business'
                WHEN 'renewal' THEN 'Renewal' ELSE 'Expansion' END
                || ' ' || year(close_date)::VARCHAR AS name,
           CASE WHEN part = 'open' THEN pick({sql_list(V.OPEN_STAGES)}, u2(i, k, {_S + 10}))
                WHEN is_won THEN 'Closed Won' ELSE 'Closed Lost' END AS stage,
           is_closed, is_won, amount, currency,
           clock(created, u2(i, k, {_S + 11})) AS created_at, close_date,
           {user_id(f'CASE WHEN team_hand[{owner_role}] IS NOT NULL AND created < '
                    f'team_hand[{owner_role}] THEN team_prev[{owner_role}] '
                    f'ELSE team_cur[{owner_role}] END')} AS owner_id,
           channel, deal_type
    FROM (SELECT *, {created} AS created FROM deal)
    """


def deal_lines_sql() -> str:
    """SELECT of the deal_lines table: products of each deal; a few deals have none."""
    simple, bundled, custom = _BY_COMPLEXITY
    prices = sql_list(p[3] for p in PRODUCTS)
    lines = (f"CASE WHEN (is_won AND u2(i, k, {_S + 12}) < 0.06) "
             f"OR (is_closed AND NOT is_won AND u2(i, k, {_S + 12}) < 0.3) "
             f"OR (NOT is_closed AND u2(i, k, {_S + 12}) < 0.2) THEN 0 "
             f"WHEN cx <> 1 OR u2(i, k, {_S + 13}) < 0.5 THEN 1 "
             f"ELSE 2 + (u2(i, k, {_S + 14}) < 0.4)::INTEGER END")
    product = (f"CASE WHEN n_lines > 1 "
               f"THEN (floor(u2(i, k, {_S + 15}) * {simple + bundled})::INTEGER + li * 7) "
               f"% {simple + bundled} "
               f"ELSE [0, {simple}, {simple + bundled}][cx + 1] + floor(u2(i, k, {_S + 15}) "
               f"* [{simple}, {bundled}, {custom}][cx + 1])::INTEGER END")
    cents = "CASE WHEN currency = 'JPY' THEN 0 ELSE 2 END"
    share = (f"CASE WHEN li < n_lines - 1 "
             f"THEN round(amount * [[1.0], [0.65], [0.5, 0.3]][n_lines][li + 1], {cents}) "
             f"WHEN n_lines = 1 THEN amount "
             f"WHEN n_lines = 2 THEN amount - round(amount * 0.65, {cents}) "
             f"ELSE amount - round(amount * 0.5, {cents}) - round(amount * 0.3, {cents}) END")
    return f"""
    SELECT deal_id || '-' || (li + 1)::VARCHAR AS line_id, deal_id,
           {product_id('p')} AS product_id,
           CASE WHEN cx = 2 AND n_lines = 1 THEN 1
                ELSE greatest(1, round(line_amount * rate / {prices}[p + 1])) END AS quantity,
           line_amount AS amount
    FROM (SELECT *, {share} AS line_amount
          FROM (SELECT *, {product} AS p
                FROM (SELECT *, unnest(range(n_lines)) AS li
                      FROM (SELECT *, {lines} AS n_lines FROM deal))))
    """


def deal_contacts_sql() -> str:
    """SELECT of the deal_contacts table: 1-3 of the account's contacts per deal, one primary."""
    roles = sql_list(V.DEAL_CONTACT_ROLES)
    return f"""
    SELECT deal_id, {contact_id('num', 'ck')} AS contact_id,
           CASE WHEN u2(i, k * 10 + j, {_S + 16}) < 0.1 THEN NULL
                ELSE {roles}[{title_group('i', 'ck')} + 1] END AS role,
           j = 0 AS is_primary
    FROM (SELECT *, ((first + j) % nc)::BIGINT AS ck
          FROM (SELECT *, floor(u2(i, k, {_S + 17}) * nc)::INTEGER AS first,
                       unnest(range(least(nc, 1 + floor(u2(i, k, {_S + 18}) * 3)::INTEGER))) AS j
                FROM deal WHERE nc > 0 AND u2(i, k, {_S + 19}) >= 0.15))
    """
