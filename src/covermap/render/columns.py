"""How each result column is shown: its kind and its human header, declared once.

Every front end (terminal tables, the HTML report, later XLSX and the dashboard)
looks a column up here, so a column reads the same everywhere and a new analysis
only has to add its table to :data:`TABLES`.

>>> column("map_cells", "win_rate")
Column(kind=<Kind.percent: 'percent'>, header='Win rate', empty='', name_from=None)
>>> column("worklist", "rank").header
'Rank (by {measure})'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """What a column holds, which decides how a value of it is written."""

    money = "money"        # plan currency, thousands separators, no cents in summaries
    percent = "percent"    # a fraction shown as a percent with one decimal
    count = "count"        # a whole number with thousands separators
    number = "number"      # a measure with one decimal (touches per month, minutes)
    people = "people"      # a headcount or a ratio of people, two decimals (0.71 csm)
    days = "days"          # a number of calendar days
    date = "date"          # an ISO date, YYYY-MM-DD
    text = "text"
    flag = "flag"          # a boolean: yes / no
    user = "user"          # a user id, shown with the user's name
    account = "account"    # an account id, shown with the account's name
    state = "state"        # a state id, shown with its label
    measure = "measure"    # the plan's worklist value measure: money when it is one


NUMERIC = frozenset({Kind.money, Kind.percent, Kind.count, Kind.number, Kind.people,
                     Kind.days, Kind.measure})


@dataclass(frozen=True)
class Column:
    """One column's kind and header. ``empty`` is what an empty value reads as;
    ``name_from`` names the column of the same row that holds the id's name."""

    kind: Kind
    header: str
    empty: str = ""
    name_from: str | None = None


def _c(kind: Kind, header: str, empty: str = "", name_from: str | None = None) -> Column:
    return Column(kind, header, empty, name_from)


K = Kind
_DAYS_SINCE = _c(K.days, "Days since last human touch", "never")
_ACCOUNT = _c(K.account, "Account", name_from="name")
_OWNER = _c(K.user, "Owner", name_from="owner_name")
#: the customer group and territory every per-account export ends with
#: (covermap.engine.account_keys); a group is keyed by its top account's id
ACCOUNT_KEYS = {"group_id": _c(K.account, "Group"),
                "territory": _c(K.text, "Territory", "(none)")}
#: every roll-up per group or territory (covermap.engine.rollups), coverage's measures
#: (covermap.coverage.rollups) among them
_ROLLUP = {
    "accounts": _c(K.count, "Accounts"), "customers": _c(K.count, "Customers"),
    "arr": _c(K.money, "ARR"), "checks": _c(K.count, "Checks"), "passed": _c(K.count, "Passed"),
    "compliance": _c(K.percent, "Compliance"), "touched": _c(K.count, "Touched"),
    "breadth": _c(K.percent, "Breadth"), "state_mix": _c(K.text, "States"),
}


def _rollups(analysis: str, measures: dict[str, Column]) -> dict[str, dict[str, Column]]:
    """The columns of ``analysis``'s roll-ups per group and per territory."""
    return {
        f"{analysis}_groups": {"key": _c(K.account, "Group", "(none)", name_from="name"),
                               "name": _c(K.text, "Name"), **_ROLLUP, **measures},
        f"{analysis}_territories": {"key": _c(K.text, "Territory", "(none)", name_from="name"),
                                    "name": _c(K.text, "Name"),
                                    "parent": _c(K.text, "Rolls into"), **_ROLLUP, **measures},
    }


_MAP_ROLLUP = {
    "won_revenue": _c(K.money, "Won revenue"), "won_deals": _c(K.count, "Won deals"),
    "deals": _c(K.count, "Deals"), "misaligned_revenue": _c(K.money, "Misaligned"),
}
_TEAM_ROLLUP = {
    "with_gap": _c(K.count, "With a gap"), "with_duplicate": _c(K.count, "With a duplicate"),
    "with_over_coverage": _c(K.count, "Over-covered"), "with_silent": _c(K.count, "With silent"),
    "handoffs": _c(K.count, "Hand-offs"), "on_time": _c(K.count, "On time"),
    "late": _c(K.count, "Late"), "dropped": _c(K.count, "Dropped"),
    "pending": _c(K.count, "Pending"),
}
#: the depth measures coverage_accounts and coverage_depth share
_DEPTH = {
    "human_touches": _c(K.count, "Human touches"),
    "digital_touches": _c(K.count, "Digital touches"),
    "human_per_month": _c(K.number, "Human touches per month"),
    "digital_per_month": _c(K.number, "Digital touches per month"),
    "weighted_touches": _c(K.number, "Weighted touches"),
    "contacts_touched": _c(K.count, "Contacts touched"),
    "personas_touched": _c(K.count, "Key players touched"),
}

TABLES: dict[str, dict[str, Column]] = {
    "coverage_summary": {
        "group": _c(K.text, "Group"), "key": _c(K.text, "Key"),
        "accounts": _c(K.count, "Accounts"), "accounts_with_checks": _c(K.count, "With checks"),
        "checks": _c(K.count, "Checks"), "passed": _c(K.count, "Passed"),
        "compliance": _c(K.percent, "Compliance"), "breadth": _c(K.percent, "Breadth"),
        "label": _c(K.text, "State"), "has_standard": _c(K.flag, "Has a standard"),
        "touched": _c(K.count, "Touched"),
    },
    **_rollups("coverage", {}),
    **_rollups("map", _MAP_ROLLUP),
    **_rollups("team", _TEAM_ROLLUP),
    "capacity_segments": {
        "segment": _c(K.text, "Segment", "(no segment)"), "role": _c(K.text, "Role"),
        "customers": _c(K.count, "Customers"), "arr": _c(K.money, "ARR"),
        "hours_per_customer": _c(K.number, "Hours per customer"),
        "engagement_hours": _c(K.number, "Engagement hours a person"),
        "customers_per_person": _c(K.number, "Customers per person"),
        "needed_bottom_up": _c(K.people, "Needed bottom-up"),
        "needed_top_down": _c(K.people, "Needed top-down"),
        "needed_by_standard": _c(K.people, "Needed by standard"),
        "in_place": _c(K.people, "In place"), "gap": _c(K.people, "Gap"),
    },
    "capacity_summary": {
        "segment": _c(K.text, "Segment", "(no segment)"), "accounts": _c(K.count, "Accounts"),
        "customers": _c(K.count, "Customers"), "arr": _c(K.money, "ARR"),
        "arr_share": _c(K.percent, "Share of ARR"),
        "touch_minutes": _c(K.count, "Human-touch minutes"),
        "time_share": _c(K.percent, "Share of human-touch time"),
    },
    "capacity_reality": {
        "segment": _c(K.text, "Segment", "(no segment)"), "role": _c(K.text, "Role"),
        "customers": _c(K.count, "Customers"),
        "planned_hours_per_customer": _c(K.number, "Planned hours per customer"),
        "measured_hours_per_customer": _c(K.number, "Measured hours per customer"),
        "delivered_share": _c(K.percent, "Delivered"),
    },
    "coverage_accounts": {
        "account_id": _ACCOUNT, "name": _c(K.text, "Name"), "state": _c(K.state, "State"),
        "label": _c(K.text, "State"), "segment": _c(K.text, "Segment"), "owner_id": _OWNER,
        "owner_name": _c(K.text, "Owner name"), "owner_source": _c(K.text, "Owner from"),
        "checks": _c(K.count, "Checks"), "passed": _c(K.count, "Passed"),
        "compliance": _c(K.percent, "Compliance"),
        **_DEPTH,
        "days_since_human_touch": _DAYS_SINCE, "touched": _c(K.flag, "Touched"),
        "has_standard": _c(K.flag, "Has a standard"), **ACCOUNT_KEYS,
    },
    "coverage_depth": {
        "account_id": _c(K.account, "Account"),
        **_DEPTH,
        "content_stages": _c(K.text, "Content stages"), "days_since_human_touch": _DAYS_SINCE,
        **ACCOUNT_KEYS,
    },
    "coverage_checks": {
        "account_id": _c(K.account, "Account"), "bucket_start": _c(K.date, "Bucket start"),
        "bucket_end": _c(K.date, "Bucket end"), "per": _c(K.text, "Per"),
        "state": _c(K.state, "State"), "channel": _c(K.text, "Channel"),
        "by": _c(K.text, "By"), "min": _c(K.count, "Minimum"),
        "count": _c(K.count, "Touches"), "passed": _c(K.flag, "Passed"),
        "entry": _c(K.count, "Entry"),
    },
    "worklist": {
        "rank": _c(K.count, "Rank (by {measure})"), "account_id": _ACCOUNT,
        "name": _c(K.text, "Name"), "state": _c(K.state, "State"), "owner_id": _OWNER,
        "owner_name": _c(K.text, "Owner name"), "owner_source": _c(K.text, "Owner from"),
        "segment": _c(K.text, "Segment"),
        "channel": _c(K.text, "Channel"), "per": _c(K.text, "Per"), "by": _c(K.text, "By"),
        "min": _c(K.count, "Minimum"), "count": _c(K.count, "Touches so far"),
        "missing": _c(K.text, "Due now"), "reason": _c(K.text, "Why"),
        "due_date": _c(K.date, "Due by"), "value": _c(K.measure, "{measure}"),
        "days_since_human_touch": _DAYS_SINCE, "entry": _c(K.count, "Entry"),
        "last_bucket_start": _c(K.date, "Last bucket start"),
        "last_bucket_end": _c(K.date, "Last bucket end"),
        "last_count": _c(K.count, "Touches in last bucket"),
        "expected": _c(K.number, "Expected at pace"), **ACCOUNT_KEYS,
    },
    "transitions": {
        "account_id": _c(K.account, "Account"), "from_state": _c(K.state, "From"),
        "to_state": _c(K.state, "To"), "date": _c(K.date, "Date"), **ACCOUNT_KEYS,
    },
    "coverage_outcomes": {
        "band": _c(K.text, "Compliance"), "cohort": _c(K.text, "Cohort"),
        "measure": _c(K.text, "Measure"), "count": _c(K.count, "Count"),
        "total": _c(K.count, "Of"), "rate": _c(K.percent, "Rate"),
        "band_order": _c(K.count, "Band order"),
        "measured_from": _c(K.date, "Measured from"), "measured_to": _c(K.date, "Measured to"),
        "followed_from": _c(K.date, "Followed from"), "followed_to": _c(K.date, "Followed to"),
    },
    "map_cells": {
        "complexity": _c(K.text, "Complexity"), "value": _c(K.text, "Value"),
        "intended_channel": _c(K.text, "Intended channel"), "revenue": _c(K.money, "Revenue"),
        "revenue_share": _c(K.percent, "Share of revenue"), "accounts": _c(K.count, "Accounts"),
        "deals": _c(K.count, "Deals open in window"), "won_deals": _c(K.count, "Won deals"),
        "closed_deals": _c(K.count, "Closed deals"), "win_rate": _c(K.percent, "Win rate"),
        "avg_deal": _c(K.money, "Average won deal"),
        "median_cycle_days": _c(K.days, "Median cycle (days)"),
        "touch_minutes_per_won_deal": _c(K.number, "Human-touch minutes per won deal"),
        "misaligned_revenue": _c(K.money, "Revenue through another channel"),
        "priority_rank": _c(K.count, "Priority"),
        "revenue_per_touch_hour": _c(K.money, "Revenue per human-touch hour"),
        "priority_score": _c(K.number, "Priority score"),
    },
    "map_channels": {
        "complexity": _c(K.text, "Complexity"), "value": _c(K.text, "Value"),
        "channel": _c(K.text, "Channel"), "revenue": _c(K.money, "Won revenue"),
        "deals": _c(K.count, "Won deals"),
    },
    "map_unplaced": {
        "reason": _c(K.text, "Reason"), "lines": _c(K.count, "Won lines"),
        "revenue": _c(K.money, "Won revenue"), "deals": _c(K.count, "Deals open in window"),
    },
    "map_cell_deals": {
        "account_id": _c(K.account, "Account", name_from="account"),
        "account": _c(K.text, "Account name"),
        "deal_id": _c(K.text, "Deal", name_from="deal"), "deal": _c(K.text, "Deal name"),
        "products": _c(K.text, "Products"), "revenue": _c(K.money, "Revenue"),
        "channel": _c(K.text, "Channel"), "intended_channel": _c(K.text, "Intended channel"),
        "close_date": _c(K.date, "Close date"),
    },
    "assignment": {
        "account_id": _c(K.account, "Account"), "user_id": _c(K.user, "Person"),
        "previous_user_id": _c(K.user, "Before"), "moved": _c(K.flag, "Moved"),
        "reason": _c(K.text, "Reason"), **ACCOUNT_KEYS,
    },
}


def column(table: str, name: str) -> Column:
    """The declaration of ``table.name``; an undeclared column is text under its own name
    made readable (``won_deals`` -> ``Won deals``)."""
    found = TABLES.get(table, {}).get(name)
    return found if found is not None else Column(Kind.text, humanize(name))


#: how a few account measures read as words
_MEASURE_WORDS = {"arr": "ARR", "mrr": "MRR", "annual_revenue": "Annual revenue"}
#: account measures that are amounts of money in the plan's currency
MONEY_MEASURES = frozenset({"arr", "mrr", "annual_revenue", "amount", "revenue"})


def humanize(name: str) -> str:
    """A column or measure name as words: ``arr`` -> ``ARR``, ``human_touches`` ->
    ``Human touches``.

    >>> humanize("revenue_musd")
    'Revenue musd'
    """
    if name in _MEASURE_WORDS:
        return _MEASURE_WORDS[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
