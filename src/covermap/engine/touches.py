"""Touches: activities that count as coverage, classified by the plan's activity kinds.

An activity is a touch when it is on or before ``as_of``, its ``kind`` maps
(exact match) to the channel class ``human`` or ``digital``, and its outcome
counts: an empty outcome (missing or blank) always counts; a kind with no
``outcomes`` list accepts every outcome; otherwise the outcome must be in the
list (exact match). The touch's user role is ``users.role`` of its ``user_id``
(empty when the activity has no user, the user is unknown, or has no role).

Date limits are turned into UTC instants once (local midnight in the plan's time
zone), so filters compare raw ``occurred_at`` values; only kept rows pay for the
time-zone conversion of their date. Outside UTC, an ``occurred_at`` that is only a
calendar date (``occurred_at_is_date``, stored at 00:00 UTC of that date) is in the
range by its own date: the raw bounds are widened to hold both kinds, and each row
is then tested against the bounds of its kind.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import ibis
import ibis.expr.types as ir

from covermap.engine.window import date_flag, local_date
from covermap.plan.model import Plan

CHANNELS: tuple[str, ...] = ("human", "digital")


def utc_start(day: dt.date, timezone: str) -> dt.datetime:
    """The naive-UTC instant at which ``day`` begins in ``timezone``.

    >>> utc_start(dt.date(2026, 3, 2), "Asia/Tokyo").isoformat()
    '2026-03-01T15:00:00'
    """
    local = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(timezone))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _ts(value: dt.datetime) -> ir.TimestampScalar:
    return ibis.literal(value, type="timestamp")


def is_touch(plan: Plan, act: ir.Table, channels: tuple[str, ...] = CHANNELS) -> ir.BooleanValue:
    """Whether each activity's kind and outcome make it a touch of one of ``channels``
    (dates aside)."""
    kinds = [k for k, v in plan.activity_kinds.items() if v.channel in channels]
    if not kinds:
        return ibis.literal(False)
    any_outcome = [k for k in kinds if not plan.activity_kinds[k].outcomes]
    counts: ir.BooleanValue = act.outcome.isnull()
    if any_outcome:
        counts = counts | act.kind.isin(any_outcome)
    for kind in kinds:
        if plan.activity_kinds[kind].outcomes:
            counts = counts | ((act.kind == kind)
                               & act.outcome.isin(list(plan.activity_kinds[kind].outcomes)))
    # a blank outcome counts like a missing one; tested last, on the rows still undecided,
    # and trimmed only where it can be blank: an empty value or one whose first character
    # is whitespace (code <= 32), which a cheap ascii() finds (TRIM of every undecided row
    # was a third of the filter's time; issue 9)
    counts = counts | ((act.outcome.ascii_str() <= 32) & (act.outcome.strip() == ""))
    return act.kind.isin(kinds) & counts


def channel_of(plan: Plan, kind: ir.StringValue) -> ir.StringValue:
    human = plan.kinds_of("human")
    return (kind.isin(human) if human else ibis.literal(False)).ifelse("human", "digital")


def weight_of(plan: Plan, kind: ir.StringValue) -> ir.FloatingValue:
    branches = [(kind == k, float(v.weight)) for k, v in plan.activity_kinds.items()
                if v.channel in CHANNELS]
    return ibis.cases(*branches, else_=0.0) if branches else ibis.literal(0.0)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def local_range(act: ir.Table, column: str, timezone: str, start: dt.date | None,
                end: dt.date) -> list[ir.BooleanValue]:
    """Filters keeping the rows whose local date of ``column`` (see ``window.local_date``)
    lies in ``[start, end]`` (``start`` None: no lower bound), over raw values only."""
    ts, after = act[column], end + dt.timedelta(days=1)
    hi = utc_start(after, timezone)
    lo = utc_start(start, timezone) if start is not None else None
    if timezone == "UTC":
        return [ts < _ts(hi)] + ([ts >= _ts(lo)] if lo is not None else [])
    # a cheap range over both kinds first (it prunes by the column's min/max), then each
    # row against its own kind's bounds
    conds = [ts < _ts(max(hi, _midnight(after)))]
    exact_date, exact_instant = ts < _ts(_midnight(after)), ts < _ts(hi)
    if lo is not None:
        conds.append(ts >= _ts(min(lo, _midnight(start))))
        exact_date = exact_date & (ts >= _ts(_midnight(start)))
        exact_instant = exact_instant & (ts >= _ts(lo))
    conds.append(date_flag(act, column).fill_null(False).ifelse(exact_date, exact_instant))
    return conds


def _activities_between(store, plan: Plan, start: dt.date | None, end: dt.date) -> ir.Table:
    """Activities whose local date lies in ``[start, end]`` (``start`` None: no lower bound)."""
    act = store.table("activities")
    return act.filter(*local_range(act, "occurred_at", plan.timezone, start, end))


def _roles(store) -> ir.Table:
    u = store.table("users")
    return u.filter(u.user_id.notnull()).group_by(u.user_id).aggregate(role=u.role.min())


def touches(store, plan: Plan, start: dt.date, as_of: dt.date) -> ir.Table:
    """Touches dated ``start``..``as_of``: ``account_id, day, channel, weight, kind,
    user_id, role, contact_id, content_stage``."""
    act = _activities_between(store, plan, start, as_of)
    act = act.filter(is_touch(plan, act))
    roles = _roles(store)
    joined = act.left_join(roles, act.user_id == roles.user_id)
    return joined.select(
        account_id=joined.account_id,
        day=local_date(joined.occurred_at, plan.timezone, date_flag(joined, "occurred_at")),
        channel=channel_of(plan, joined.kind),
        weight=weight_of(plan, joined.kind),
        kind=joined.kind,
        user_id=joined.user_id,
        role=joined.role,
        contact_id=joined.contact_id,
        content_stage=joined.content_stage,
    ).view()  # a fresh relation: Ibis 12 cannot extend a join chain on computed columns


#: weights are summed exactly, in these units (millionths), so sums never depend on order
WEIGHT_UNITS = 1_000_000


def weight_units_of(plan: Plan, kind: ir.StringValue, type: str = "int64") -> ir.IntegerValue:
    """A kind's weight in :data:`WEIGHT_UNITS` (an integer, so sums are exact)."""
    branches = [(kind == k, round(float(v.weight) * WEIGHT_UNITS))
                for k, v in plan.activity_kinds.items() if v.channel in CHANNELS]
    return (ibis.cases(*branches, else_=0) if branches else ibis.literal(0)).cast(type)


def _units_type(plan: Plan) -> str:
    """int32 when every kind's weight fits in it (a narrower stored column), else int64."""
    top = max((round(float(v.weight) * WEIGHT_UNITS) for v in plan.activity_kinds.values()),
              default=0)
    return "int32" if top < 2**31 else "int64"


def touch_rows(store, plan: Plan, start: dt.date, as_of: dt.date,
               roles: list[str]) -> ir.Table:
    """The narrow touches dated ``start``..``as_of``: ``account_id, day, human`` (its class),
    ``rk`` (1 + the index of its user's role in ``roles``, 0 for any other or none), ``wu``
    (its weight in :data:`WEIGHT_UNITS`; 32 bits when every weight fits), ``contact_id`` (of a
    human touch only: reach counts the contacts of human touches; empty for a digital one,
    so the wide strings of half the rows are never stored) and ``content_stage``."""
    act = _activities_between(store, plan, start, as_of)
    act = act.filter(is_touch(plan, act))
    u = _roles(store)
    codes = [(u.role == r, k + 1) for k, r in enumerate(roles)]
    u = u.select(uid=u.user_id, rk=(ibis.cases(*codes, else_=0) if codes
                                    else ibis.literal(0)).cast("int8"))
    j = act.left_join(u, act.user_id == u.uid)
    human = plan.kinds_of("human")
    is_human = j.kind.isin(human) if human else ibis.literal(False)
    return j.select(
        account_id=j.account_id,
        day=local_date(j.occurred_at, plan.timezone, date_flag(j, "occurred_at")),
        human=is_human,
        rk=j.rk.fill_null(0).cast("int8"),
        wu=weight_units_of(plan, j.kind, _units_type(plan)),
        contact_id=is_human.ifelse(j.contact_id, ibis.null("string")),
        content_stage=j.content_stage,
    ).view()


def last_human_touch(store, plan: Plan, before: dt.date) -> ir.Table:
    """``account_id, last_human_day``: the latest human touch dated before ``before``."""
    act = _activities_between(store, plan, None, before - dt.timedelta(days=1))
    act = act.filter(is_touch(plan, act, ("human",)))
    if plan.timezone == "UTC":
        last = act.group_by("account_id").aggregate(last_at=act.occurred_at.max())
        return last.select("account_id", last_human_day=last.last_at.date())
    # local dates are monotonic within each kind: convert only each kind's latest value
    flag = date_flag(act, "occurred_at").fill_null(False)
    last = act.group_by("account_id").aggregate(
        last_day=act.occurred_at.max(where=flag), last_at=act.occurred_at.max(where=~flag))
    instant = local_date(last.last_at, plan.timezone, ibis.literal(False))
    day = last.last_day.date()
    return last.select("account_id",
                       last_human_day=ibis.greatest(day.coalesce(instant), instant.coalesce(day)))
