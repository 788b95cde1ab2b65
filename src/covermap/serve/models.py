"""The JSON endpoints' response models (the OpenAPI schema documents each one).

Row models mirror the analyses' result tables column for column (every column may be
empty: ``null``); page models group the rows a page shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

S, I, F, B, D = str, int, float, bool, dt.date

_TABLES: dict[str, dict[str, type]] = {
    "SummaryRow": dict(group=S, key=S, accounts=I, accounts_with_checks=I, checks=I, passed=I,
                       compliance=F, breadth=F, label=S, has_standard=B, touched=I),
    "AccountRow": dict(account_id=S, name=S, state=S, label=S, segment=S, owner_id=S,
                       owner_name=S, checks=I, passed=I, compliance=F, human_touches=I,
                       digital_touches=I, weighted_touches=F, contacts_touched=I,
                       personas_touched=I, human_per_month=F, digital_per_month=F,
                       days_since_human_touch=I, touched=B),
    "CheckRow": dict(account_id=S, bucket_start=D, bucket_end=D, per=S, state=S, channel=S,
                     by=S, min=I, count=I, passed=B, entry=I),
    "WorklistRow": dict(rank=I, account_id=S, name=S, state=S, owner_id=S, owner_name=S,
                        segment=S, channel=S, per=S, by=S, min=I, count=I, missing=S,
                        reason=S, due_date=D, value=F, days_since_human_touch=I),
    "MapCellRow": dict(complexity=S, value=S, intended_channel=S, revenue=F, revenue_share=F,
                       accounts=I, deals=I, won_deals=I, closed_deals=I, win_rate=F,
                       avg_deal=F, median_cycle_days=F, touch_minutes_per_won_deal=F,
                       misaligned_revenue=F, priority_rank=I),
    "ChannelRow": dict(complexity=S, value=S, channel=S, revenue=F, deals=I),
    "UnplacedRow": dict(reason=S, lines=I, revenue=F, deals=I),
    "CellDealRow": dict(account_id=S, account=S, deal_id=S, deal=S, products=S, revenue=F,
                        channel=S, intended_channel=S, close_date=D),
    "TeamSummaryRow": dict(group=S, key=S, accounts=I, with_gap=I, with_duplicate=I,
                           with_over_coverage=I, with_silent=I, handoffs=I, on_time=I, late=I,
                           dropped=I, pending=I, median_days=F),
    "FindingRow": dict(account_id=S, stage=S, kind=S, role=S, user_id=S, detail=S),
    "HandoffRow": dict(account_id=S, rule=S, event_date=D, from_role=S, to_role=S,
                       first_touch_date=D, days=I, status=S, released=B, stage=S,
                       next_state=S),
    "RaciRow": dict(segment=S, stage=S, role=S, letter=S),
    "EffortRow": dict(role=S, stage=S, letter=S, outside_model=B, accounts=I, human_touches=I,
                      minutes=F),
    "CapacityRow": dict(scenario=S, segment=S, role=S, customers=I, arr=F,
                        hours_per_customer=F, engagement_hours=F, customers_per_person=F,
                        needed_bottom_up=F, needed_top_down=F, needed_by_standard=F,
                        in_place=F, gap=F),
    "CapacitySummaryRow": dict(segment=S, accounts=I, customers=I, arr=F, arr_share=F,
                               touch_minutes=F, time_share=F),
    "ReachRow": dict(group=S, key=S, persona=S, accounts=I, accounts_with_persona=I,
                     accounts_reached=I, reach=F),
    "TouchesRow": dict(group=S, key=S, human_touches=I, without_contact=I, with_contact=I,
                       to_key_players=I, to_others=I, other_share=F),
    "KeyPlayerRow": dict(account_id=S, persona=S, contacts=I, touched_contacts=I,
                         human_touches=I),
    "DealRow": dict(deal_id=S, name=S, stage=S, is_closed=B, is_won=B, amount=F,
                    created_at=S, close_date=D, owner_id=S, channel=S, deal_type=S),
    "MemberRow": dict(user_id=S, name=S, role=S, start_date=S, end_date=S),
    # per customer group or territory (covermap.coverage.rollups, covermap.team.rollups)
    "RollupRow": dict(key=S, name=S, parent=S, accounts=I, customers=I, arr=F, checks=I,
                      passed=I, compliance=F, touched=I, breadth=F, state_mix=S),
    "TeamRollupRow": dict(key=S, name=S, parent=S, accounts=I, customers=I, arr=F,
                          with_gap=I, with_duplicate=I, with_over_coverage=I, with_silent=I,
                          handoffs=I, on_time=I, late=I, dropped=I, pending=I, state_mix=S),
    "GroupAccountRow": dict(account_id=S, name=S, group_id=S, territory=S, state=S,
                            segment=S, owner_id=S, owner_name=S, checks=I, passed=I,
                            compliance=F, touched=B, days_since_human_touch=I, team=S,
                            team_size=I, gaps=I, duplicates=I),
}


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _row_model(name: str, fields: dict[str, type]) -> type[BaseModel]:
    return create_model(name, __base__=_Row, **{k: (t | None, None) for k, t in fields.items()})


ROWS = {name: _row_model(name, fields) for name, fields in _TABLES.items()}
SummaryRow, AccountRow, CheckRow, WorklistRow = (ROWS[n] for n in (
    "SummaryRow", "AccountRow", "CheckRow", "WorklistRow"))
MapCellRow, ChannelRow, UnplacedRow, CellDealRow = (ROWS[n] for n in (
    "MapCellRow", "ChannelRow", "UnplacedRow", "CellDealRow"))
TeamSummaryRow, FindingRow, HandoffRow, RaciRow, EffortRow = (ROWS[n] for n in (
    "TeamSummaryRow", "FindingRow", "HandoffRow", "RaciRow", "EffortRow"))
CapacityRow, CapacitySummaryRow, ReachRow, TouchesRow = (ROWS[n] for n in (
    "CapacityRow", "CapacitySummaryRow", "ReachRow", "TouchesRow"))
KeyPlayerRow, DealRow, MemberRow = (ROWS[n] for n in ("KeyPlayerRow", "DealRow", "MemberRow"))
RollupRow, TeamRollupRow, GroupAccountRow = (ROWS[n] for n in (
    "RollupRow", "TeamRollupRow", "GroupAccountRow"))


class Window(BaseModel):
    as_of: dt.date
    start: dt.date
    end: dt.date
    months: int


class Kpi(BaseModel):
    key: str
    label: str
    value: float | None
    text: str
    detail: str = ""


class Page(BaseModel):
    """What every page's data carries: the plan's name and the window measured."""

    plan: str
    window: Window


class Overview(Page):
    kpis: list[Kpi]
    by_state: list[SummaryRow]  # type: ignore[valid-type]
    map_total: str | None
    priorities: list[str]
    warnings: list[str]


class Coverage(Page):
    filters: dict[str, str | None]
    rollups: list[SummaryRow]  # type: ignore[valid-type]
    trend: list[SummaryRow]  # type: ignore[valid-type]
    breadth: list[SummaryRow]  # type: ignore[valid-type]
    accounts_total: int
    accounts: list[AccountRow]  # type: ignore[valid-type]


class CoverageMap(Page):
    currency: str | None
    total: str | None
    cells: list[MapCellRow]  # type: ignore[valid-type]
    channels: list[ChannelRow]  # type: ignore[valid-type]
    unplaced: list[UnplacedRow]  # type: ignore[valid-type]
    priorities: list[str]


class CellDrill(Page):
    complexity: str
    value: str
    deals: list[CellDealRow]  # type: ignore[valid-type]
    accounts: list[AccountRow]  # type: ignore[valid-type]


class Team(Page):
    raci: list[RaciRow]  # type: ignore[valid-type]
    summary: list[TeamSummaryRow]  # type: ignore[valid-type]
    findings_total: int
    findings: list[FindingRow]  # type: ignore[valid-type]
    handoffs: list[HandoffRow]  # type: ignore[valid-type]
    effort: list[EffortRow]  # type: ignore[valid-type]


class Capacity(Page):
    rows: list[CapacityRow]  # type: ignore[valid-type]
    summary: list[CapacitySummaryRow]  # type: ignore[valid-type]
    tradeoffs: list[str]
    scenario: dict[str, Any] | None = None


class Value(Page):
    reach: list[ReachRow]  # type: ignore[valid-type]
    touches: list[TouchesRow]  # type: ignore[valid-type]
    playbooks: list[dict[str, Any]]


class Worklist(Page):
    filters: dict[str, str | None]
    total: int
    rows: list[WorklistRow]  # type: ignore[valid-type]


class Account(Page):
    account: AccountRow  # type: ignore[valid-type]
    checks: list[CheckRow]  # type: ignore[valid-type]
    team: list[MemberRow]  # type: ignore[valid-type]
    findings: list[FindingRow]  # type: ignore[valid-type]
    deals: list[DealRow]  # type: ignore[valid-type]
    key_players: list[KeyPlayerRow]  # type: ignore[valid-type]


class Groups(Page):
    """The customer groups, largest first (by ``order``: ARR or accounts)."""

    order: str
    total: int
    groups: list[RollupRow]  # type: ignore[valid-type]


class Group(Page):
    """One customer group: its coverage and team roll-ups and its accounts."""

    group: RollupRow  # type: ignore[valid-type]
    team: TeamRollupRow | None  # type: ignore[valid-type]
    accounts_total: int
    accounts: list[GroupAccountRow]  # type: ignore[valid-type]


class TerritoryBreakdown(Page):
    """Every territory, each with the territories below it rolled in."""

    coverage: list[RollupRow]  # type: ignore[valid-type]
    team: list[TeamRollupRow]  # type: ignore[valid-type]


class Status(BaseModel):
    ready: bool
    progress: dict[str, Any] | None


class WhatIf(BaseModel):
    """A what-if on capacity: the plan's values with these changed (empty: unchanged)."""

    working_weeks: float | None = None
    #: role -> hours per week / engagement share
    hours_per_week: dict[str, float] = {}
    engagement_share: dict[str, float] = {}
    #: segment -> factor on its customers and ARR (1.2 = 20% more)
    customers: dict[str, float] = {}
