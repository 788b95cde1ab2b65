"""Activities: the touches (and non-touches) our people and campaigns logged on each account.

Volumes are strongly skewed (a lognormal count per account, many accounts with
none); dates fall in the 24 months up to ``as_of``, mostly on weekdays. What is
done, by whom and with what outcome follows the account's archetype and moment:
onboarding for new customers, the deal for accounts in a deal, campaigns after
churn. Human activities are made by the account-team member of the right role at
that date (before or after a hand-over), digital ones by marketing or by nobody.
"""

from __future__ import annotations

from covermap.sample import archetypes as A
from covermap.sample import vocab as V
from covermap.sample.deals import deal_id
from covermap.sample.draws import Ctx, bucket_of, cumulative, sql_list, sql_str
from covermap.sample.people import RoleBlock, contact_id, user_id

HUMAN_KINDS = ("call", "email", "meeting", "visit")
# mix of human kinds by team role: csm, account executive, inside sales, executive
HUMAN_MIX = ((35, 35, 22, 8), (33, 33, 20, 14), (55, 42, 3, 0), (0, 10, 45, 45))
DIGITAL_KINDS, DIGITAL_MIX = ("marketing_email", "newsletter", "webinar"), (60, 25, 15)
OTHER_KINDS, OTHER_MIX = ("note", "task"), (60, 40)
NOT_A_TOUCH = 0.07
HISTORY_DAYS = 730
_S = 500
# the profile columns activities use (fewer columns to carry through the unnest)
_PROFILE = ("i, num, account_id, arch, cs, cycle, created_date, open_created, churned_at, "
            "nc, nl, hw, nf, no, team_hand, team_prev, team_cur, region_idx, is_japan")

# kind: (outcome, upper bound of its draw) in order; the rest of the draw is no outcome
_OUTCOMES = {
    "call": (("", 0.03), ("no_answer", 0.48), ("voicemail", 0.70), ("connected", 1.0)),
    "meeting": (("completed", 0.85), ("no_show", 0.92), ("rescheduled", 0.95)),
    "visit": (("completed", 0.9),),
    "marketing_email": (("delivered", 0.42), ("opened", 0.72), ("clicked", 0.87),
                        ("bounced", 0.97)),
    "webinar": (("registered", 0.55), ("attended", 0.95)),
    "newsletter": (("delivered", 0.85), ("bounced", 0.9)),
    "task": (("completed", 0.7), ("not_started", 1.0)),
}


def _outcome() -> str:
    arms = []
    for kind, steps in _OUTCOMES.items():
        inner = " ".join(f"WHEN o < {hi} THEN {sql_str(name) if name else 'NULL'}"
                         for name, hi in steps)
        arms.append(f"WHEN '{kind}' THEN CASE {inner} END")
    email = ("WHEN 'email' THEN CASE WHEN direction = 'inbound' THEN 'replied' "
             "WHEN o < 0.06 THEN 'bounced' WHEN o < 0.96 THEN 'sent' END")
    return f"CASE kind {' '.join(arms)} {email} END"


def _subject() -> str:
    arms = " ".join(f"WHEN '{kind}' THEN pick(CASE WHEN ja THEN {sql_list(ja)} "
                    f"ELSE {sql_list(en)} END, u2(i, j, {_S + 20}))"
                    for kind, (en, ja) in V.SUBJECTS.items())
    return f"CASE kind {arms} END"


def _stage() -> str:
    """SQL: the communication purpose, from the deal it serves or the account's moment."""
    return f"""CASE
        WHEN u2(i, j, {_S + 21}) < CASE WHEN cls = 'none' THEN 0.4 ELSE 0.04 END THEN NULL
        WHEN deal_k IS NOT NULL AND deal_k = nl + hw + nf
             THEN pick(['Selection', 'Negotiation', 'Solution'], u2(i, j, {_S + 22}))
        WHEN deal_k IS NOT NULL
             THEN pick(['Solution', 'Selection', 'Negotiation'], u2(i, j, {_S + 22}))
        WHEN after_churn THEN pick(['Education', 'Relation'], u2(i, j, {_S + 22}))
        WHEN cs IS NOT NULL AND d >= cs
             THEN pick(['Relation', 'Relation', 'Relation', 'Solution', 'Education'],
                       u2(i, j, {_S + 22}))
        ELSE pick(['Education', 'Education', 'Education', 'Solution'], u2(i, j, {_S + 22}))
        END"""


def activities_sql(ctx: Ctx, marketing: RoleBlock) -> str:
    """SELECT of the activities table from ``acct``, account by account."""
    as_of = ctx.as_of_sql
    start = (f"greatest({as_of} - {HISTORY_DAYS - 1}, created_date + 1, "
             f"CASE arch WHEN {A.code('new')} THEN cs - cycle - 30 "
             f"WHEN {A.code('in_deal')} THEN open_created - 90 "
             f"ELSE {as_of} - {HISTORY_DAYS - 1} END)")
    # most weekend dates move to a weekday of the same week (never after the weekend)
    weekday = (f"CASE WHEN isodow(d0) < 6 OR u2(i, j, {_S + 2}) >= 0.88 THEN d0 "
               f"ELSE greatest(lo, d0 - (isodow(d0) - 1)::INTEGER "
               f"+ floor(u2(i, j, {_S + 17}) * 5)::INTEGER) END")
    human_mix = [cumulative(mix) for mix in HUMAN_MIX]
    kinds = (f"CASE cls WHEN 'human' THEN {sql_list(HUMAN_KINDS)}[1 + len(list_filter("
             f"{human_mix}[tr + 1], b -> b <= u2(i, j, {_S + 4})))] "
             f"WHEN 'digital' THEN {sql_list(DIGITAL_KINDS)}[1 + "
             f"{bucket_of(DIGITAL_MIX, f'u2(i, j, {_S + 4})')}] "
             f"ELSE {sql_list(OTHER_KINDS)}[1 + {bucket_of(OTHER_MIX, f'u2(i, j, {_S + 4})')}] END")
    holder = ("CASE WHEN team_hand[tr + 1] IS NOT NULL AND d < team_hand[tr + 1] "
              "THEN team_prev[tr + 1] ELSE team_cur[tr + 1] END")
    user = (f"CASE WHEN cls <> 'digital' THEN {holder} "
            f"WHEN u2(i, j, {_S + 6}) >= 0.2 "
            f"THEN {marketing.pick('region_idx', f'u2(i, j, {_S + 7})')} END")
    deal = (f"CASE WHEN cls = 'digital' OR u2(i, j, {_S + 8}) >= 0.7 THEN NULL "
            f"WHEN no > 0 AND d >= open_created THEN nl + hw + nf "
            f"WHEN hw = 1 AND d BETWEEN cs - cycle AND cs THEN nl END")
    duration = (f"CASE WHEN u2(i, j, {_S + 10}) < 0.12 THEN NULL "
                f"WHEN kind = 'call' THEN CASE outcome WHEN 'connected' THEN 3 + "
                f"floor(u2(i, j, {_S + 11}) * 40) WHEN 'voicemail' THEN 1 "
                f"WHEN 'no_answer' THEN 0 END "
                f"WHEN kind = 'meeting' "
                f"THEN pick([15, 30, 30, 45, 60, 60, 90], u2(i, j, {_S + 11})) "
                f"WHEN kind = 'visit' "
                f"THEN pick([60, 90, 120, 120, 180, 240], u2(i, j, {_S + 11})) "
                f"END")
    return f"""
    SELECT 'ACT-' || num || '-' || lpad((j + 1)::VARCHAR, 4, '0') AS activity_id, account_id,
           kind, clock(d, u2(i, j, {_S + 12})) AS occurred_at,
           CASE WHEN nc > 0 AND u2(i, j, {_S + 13}) >= 0.1
                THEN {contact_id('num', f'floor(nc * pow(u2(i, j, {_S + 14}), 2))::BIGINT')}
                END AS contact_id,
           CASE WHEN deal_k IS NOT NULL THEN {deal_id('num', 'deal_k')} END AS deal_id,
           CASE WHEN user_idx IS NOT NULL THEN {user_id('user_idx')} END AS user_id,
           direction, outcome, {duration} AS duration_minutes,
           {_stage()} AS content_stage, {_subject()} AS subject
    FROM (
      SELECT *, {_outcome()} AS outcome
      FROM (
        SELECT *, {user} AS user_idx, {deal} AS deal_k,
               CASE kind WHEN 'call' THEN CASE WHEN u2(i, j, {_S + 15}) < 0.85 THEN 'outbound'
                                          ELSE 'inbound' END
                         WHEN 'email' THEN CASE WHEN u2(i, j, {_S + 15}) < 0.8 THEN 'outbound'
                                           ELSE 'inbound' END
                         WHEN 'meeting' THEN NULL WHEN 'note' THEN NULL WHEN 'task' THEN NULL
                         ELSE 'outbound' END AS direction,
               u2(i, j, {_S + 9}) AS o,
               is_japan AND u2(i, j, {_S + 16}) < 0.8 AS ja
        FROM (
          SELECT *, {kinds} AS kind
          FROM (
            SELECT *,
                   CASE WHEN u2(i, j, {_S + 3}) < {NOT_A_TOUCH} THEN 'none'
                        WHEN u2(i, j, {_S + 3}) < {NOT_A_TOUCH} + {1 - NOT_A_TOUCH}
                             * CASE WHEN after_churn THEN 0.03 ELSE {A.param('human')} END
                        THEN 'human' ELSE 'digital' END AS cls,
                   {A.draw_team_role(f'u2(i, j, {_S + 5})')} AS tr
            FROM (
              SELECT *, coalesce(d > churned_at::DATE, false) AS after_churn
              FROM (
                SELECT *, {weekday} AS d
                FROM (
                  SELECT *, between_days(lo, {as_of}, u2(i, j, {_S + 1})) AS d0
                  FROM (SELECT *, {start} AS lo
                        FROM (SELECT {_PROFILE}, unnest(range(n_act)) AS j
                              FROM acct WHERE n_act > 0)))))))))
    """
