"""Checks: one per (account, standard entry of its state in that bucket, bucket in the window).

The plan's standard entries become a tiny table; entries with the same channel,
roles and period share a *counter*. A touch counts for a counter when its channel
class matches and, if the counter names roles, its user's role is one of them (a
touch with no user or no role never counts for an entry with ``by``). A check
passes when ``count >= min``.

How it stays cheap (issue 9):

- states are per-account *steps* over the evaluation dates (``states.state_steps``):
  a few rows per account, not one per (account, date);
- the touches from the first day any result needs to ``as_of`` are read once into a
  narrow table (``touches.touch_rows``: class, role as a small integer, weight in
  integer units); it is grouped per (account, bucket) of each period with one column
  per counter (``bucket_counts``) and per account over the window (``window_counts``);
- a check is a step joined to its state's entries and to the tiny table of buckets
  whose evaluation index lies in the step, then to the counts of its bucket; it is
  stored narrow (account, bucket start and end, entry id, count) in no order and read
  sorted by (account, bucket start, entry id), so that every export is in the same order
  (the export sorts as it writes, where a sorted copy was a second table); the entry's
  columns are looked up by its id in list literals;
- on DuckDB touches and checks are counted with ``count_if`` (a 64-bit count, where a
  sum of booleans cast to INT adds in 128 bits: slower, and twice the memory per group).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine import buckets as bk
from covermap.engine.states import state_steps
from covermap.engine.touches import touch_rows
from covermap.engine.window import Window
from covermap.plan.model import Plan

#: ``keep(expr, name)`` returns a table to reuse: a temp table, or ``expr`` itself.
Keep = Callable[[ir.Table, str], ir.Table]
#: ``tally(condition)``: in an aggregate, the number of rows where ``condition`` is true.
Tally = Callable[[ir.BooleanValue], ir.IntegerValue]
ANYONE = "anyone"


@ibis.udf.agg.builtin(name="count_if")
def _count_if(condition: bool) -> int:  # type: ignore[empty-body]
    """DuckDB's ``count_if``: the rows where ``condition`` is true, as a BIGINT."""


def sum_true(condition: ir.BooleanValue) -> ir.IntegerValue:
    """A :data:`Tally` every backend runs: the sum of the condition as 0/1."""
    return condition.sum().cast("int64")


def tally_for(store) -> Tally:
    """The store's cheapest :data:`Tally`: ``count_if`` on DuckDB, else :func:`sum_true`."""
    return _count_if if getattr(store.ibis, "name", "") == "duckdb" else sum_true


def by_text(by: tuple[str, ...]) -> str | None:
    """The ``by`` roles as written in results: joined with ``|``, empty when none."""
    return "|".join(by) if by else None


def counters(plan: Plan) -> dict[tuple[str, tuple[str, ...], str], int]:
    """(channel, sorted distinct roles, per) -> counter id, for every standard entry."""
    out: dict[tuple[str, tuple[str, ...], str], int] = {}
    for state in plan.states:
        for e in state.standard:
            out.setdefault((e.channel, tuple(sorted(set(e.by))), e.per), len(out))
    return out


def entry_rows(plan: Plan) -> list[dict]:
    """Every standard entry: ``state, entry`` (1-based), ``channel, per, by, min, counter``
    and ``eid``, its number in (state, period, entry) order."""
    ids = counters(plan)
    rows = [{"state": s.id, "entry": i + 1, "channel": e.channel, "per": e.per,
             "by": by_text(e.by), "min": e.min,
             "counter": ids[(e.channel, tuple(sorted(set(e.by))), e.per)],
             "key": (k, bk.PERS.index(e.per), i)}
            for k, s in enumerate(plan.states) for i, e in enumerate(s.standard)]
    for eid, r in enumerate(sorted(rows, key=lambda r: r["key"])):
        r["eid"] = eid
    return rows


def entry_table(plan: Plan) -> ir.Table:
    """``state, entry, channel, per, by, min, counter, eid`` (see :func:`entry_rows`)."""
    rows = entry_rows(plan)
    types = {"state": "string", "entry": "int64", "channel": "string", "per": "string",
             "by": "string", "min": "int64", "counter": "int64", "eid": "int64"}
    return bk.small_table({n: [r[n] for r in rows] for n in types}, types)


def entry_roles(plan: Plan) -> ir.Table:
    """``state, entry, role``: each role an entry names, or ``anyone`` when it names none."""
    rows = [(s.id, i + 1, r) for s in plan.states for i, e in enumerate(s.standard)
            for r in (dict.fromkeys(e.by) or [ANYONE])]
    return bk.small_table({"state": [r[0] for r in rows], "entry": [r[1] for r in rows],
                           "role": [r[2] for r in rows]},
                          {"state": "string", "entry": "int64", "role": "string"})


def plan_pers(plan: Plan) -> list[str]:
    used = {e.per for s in plan.states for e in s.standard}
    return [p for p in bk.PERS if p in used]


def entry_role_names(plan: Plan) -> list[str]:
    """Every role a standard entry names, sorted: the roles touches are counted by."""
    return sorted({r for st in plan.states for e in st.standard for r in e.by})


def counter_match(t: ir.Table, channel: str, roles: tuple[str, ...],
                  names: list[str]) -> ir.BooleanValue:
    """Whether each touch of :func:`touches.touch_rows` counts for a counter."""
    cond = t.human if channel == "human" else ~t.human
    if roles:
        cond = cond & t.rk.isin([names.index(r) + 1 for r in roles])
    return cond


def bucket_counts(plan: Plan, t: ir.Table, per: str, names: list[str],
                  tally: Tally = sum_true) -> ir.Table:
    """``account_id, bucket_start, c<id>...``: touches per (account, bucket of ``per``) for
    every counter of that period, and ``n_all`` (every touch) for months."""
    cols = {f"c{cid}": tally(counter_match(t, ch, roles, names))
            for (ch, roles, p), cid in counters(plan).items() if p == per}
    if per == "month":
        cols["n_all"] = t.count()
    return t.group_by(["account_id", bk.bucket_start_of(t.day, per).name("bucket_start")]) \
        .aggregate(**cols)


def window_counts(plan: Plan, t: ir.Table, window: Window, names: list[str],
                  tally: Tally = sum_true) -> ir.Table:
    """One row per touched account: ``human_touches, digital_touches, weight_units``,
    ``w<id>`` (touches per counter) and ``r<k>`` (touches by the k-th entry role, from 1)
    inside the window, and ``last_day``, its latest human touch of ``t``."""
    inside = t.day.between(ibis.date(window.start), ibis.date(window.end))
    cols = {"human_touches": tally(inside & t.human),
            "digital_touches": tally(inside & ~t.human),
            "weight_units": inside.ifelse(t.wu, 0).sum().cast("int64")}
    for (ch, roles, _), cid in counters(plan).items():
        cols[f"w{cid}"] = tally(inside & counter_match(t, ch, roles, names))
    for k in range(1, len(names) + 1):
        cols[f"r{k}"] = tally(inside & (t.rk == k))
    cols["last_day"] = t.day.max(where=t.human)
    return t.group_by("account_id").aggregate(**cols)


@dataclass(frozen=True)
class CheckTables:
    """The reusable intermediates of one measurement window."""

    window: Window
    touches_from: dt.date
    buckets: list[bk.Bucket]
    dates: list[dt.date]  # the evaluation dates of the state steps
    steps: ir.Table       # see states.state_steps
    roles: list[str]      # see entry_role_names: rk k is roles[k - 1]
    counts: dict[str, ir.Table]  # per period, see bucket_counts
    per_account: ir.Table  # see window_counts
    reach: ir.Table       # see reach_of
    checks: ir.Table      # see measure_checks
    months: ir.Table      # see check_months

    @property
    def current(self) -> ir.Table:
        """``account_id, state`` as of ``as_of`` (the last evaluation date)."""
        s = self.steps
        return s.filter(s.next_i == len(self.dates)).select("account_id", "state")


def touch_start(plan: Plan, window: Window) -> dt.date:
    """First day whose touches any result needs: the window, and the worklist's buckets."""
    starts = [window.start]
    for per in plan_pers(plan):
        starts += [bk.last_complete(per, window.as_of).start, bk.current(per, window.as_of).start]
    return min(starts)


def state_dates(plan: Plan, window: Window) -> list[dt.date]:
    """Each bucket's evaluation date (plan periods and every window month) and ``as_of``."""
    bs = [b for per in {*plan_pers(plan), "month"} for b in bk.buckets_in(window, per)]
    return sorted({b.eval_date for b in bs} | {window.as_of})


def measure_checks(store, plan: Plan, window: Window, keep: Keep) -> CheckTables:
    """States, touches, counts and checks of ``window`` (``keep`` decides what is stored)."""
    dates = state_dates(plan, window)
    steps = keep(state_steps(store, plan, dates), "steps")
    start = touch_start(plan, window)
    names = entry_role_names(plan)
    t = keep(touch_rows(store, plan, start, window.as_of, names), "touches")
    pers = plan_pers(plan)
    tally = tally_for(store)
    counts = {p: keep(bucket_counts(plan, t, p, names, tally), f"counts_{p}")
              for p in dict.fromkeys([*pers, "month"])}
    per_account = keep(window_counts(plan, t, window, names, tally), "per_account")
    reach = keep(reach_of(store, t, window), "reach")
    _release(keep, "touches")  # everything later reads the tables above
    buckets = [b for per in pers for b in bk.buckets_in(window, per)]
    index = {d: i for i, d in enumerate(dates)}
    e = entry_table(plan)
    se = steps.join(e, steps.state == e.state)
    parts = []
    for per in pers:
        mine = [b for b in buckets if b.per == per]
        if not mine:
            continue
        bt = bk.small_table({"bucket_start": [b.start for b in mine],
                             "bucket_end": [b.end for b in mine],
                             "bi": [index[b.eval_date] for b in mine]},
                            {"bucket_start": "date", "bucket_end": "date", "bi": "int64"})
        sp = se.filter(se.per == per)
        sb = sp.join(bt, (bt.bi >= sp.i) & (bt.bi < sp.next_i) & (bt.bi >= sp.made))
        n = counts[per]
        c = sb.left_join(n, (sb.account_id == n.account_id)
                         & (sb.bucket_start == n.bucket_start))
        ids = sorted({cid for (_, _, p), cid in counters(plan).items() if p == per})
        count = ibis.cases(*[(c.counter == cid, c[f"c{cid}"]) for cid in ids]).fill_null(0)
        parts.append(c.select(account_id=c.account_id, bucket_start=c.bucket_start,
                              bucket_end=c.bucket_end, eid=c.eid, count=count.cast("int64")))
    if parts:
        narrow = ibis.union(*parts, distinct=False)
    else:
        narrow = bk.small_table({}, {"account_id": "string", "bucket_start": "date",
                                     "bucket_end": "date", "eid": "int64", "count": "int64"})
    narrow = keep(narrow, "checks")  # unordered; expand_checks sorts it where it is read
    months = keep(check_months(plan, narrow, tally), "check_months")
    return CheckTables(window, start, buckets, dates, steps, names, counts, per_account,
                       reach, expand_checks(plan, narrow), months)


def entry_value(n: ir.Table, rows: list[dict], column: str, ty: str) -> ir.Value:
    """The ``column`` of each row's standard entry, found by its ``eid`` in ``rows``
    (:func:`entry_rows`); empty for a plan with no standard entries. A lookup in a list
    literal indexed by ``eid`` (one function call per row, where a CASE over every entry
    was one comparison per entry, and checks run to millions of rows)."""
    if not rows:  # no entries (so no rows): still a column of type ``ty``
        return ibis.null(ty)
    values = [r[column] for r in sorted(rows, key=lambda r: r["eid"])]
    return ibis.literal(values, type=f"array<{ty}>")[n.eid]


def check_months(plan: Plan, n: ir.Table, tally: Tally = sum_true) -> ir.Table:
    """``account_id, eid, month, n, p``: checks and passed checks per account, entry and
    month holding the bucket's last day (the first of that month), what rollups read."""
    need = entry_value(n, entry_rows(plan), "min", "int64")
    t = n.mutate(month=n.bucket_end.truncate("M"), ok=n["count"] >= need)
    return t.group_by(["account_id", "eid", "month"]).aggregate(n=t.count(), p=tally(t.ok))


def _release(keep: Keep, name: str) -> None:
    release = getattr(keep, "release", None)
    if release is not None:
        release(name)


def reach_of(store, t: ir.Table, window: Window) -> ir.Table:
    """Per touched account over the window: ``contacts_touched`` and ``personas_touched``
    (distinct contacts and personas of its human touches) and ``content_stages`` (the
    sorted distinct content stages of its touches)."""
    t = t.filter(t.day.between(ibis.date(window.start), ibis.date(window.end)))
    # distinct counts over small distinct pairs: cheaper than DISTINCT aggregates
    reached = t.filter(t.human & t.contact_id.notnull()).select("account_id", "contact_id") \
        .distinct()
    c = store.table("contacts").select("contact_id", "persona")
    who = reached.left_join(c, reached.contact_id == c.contact_id)
    personas = who.group_by("account_id").aggregate(
        contacts_touched=who.count(), personas_touched=who.persona.nunique())
    st = t.filter(t.content_stage.notnull()).select("account_id", "content_stage").distinct()
    stages = st.group_by("account_id").aggregate(content_stages=st.content_stage.collect().sort())
    j = personas.outer_join(stages, personas.account_id == stages.account_id)
    return j.select(account_id=j.account_id.coalesce(j.account_id_right),
                    contacts_touched=j.contacts_touched, personas_touched=j.personas_touched,
                    content_stages=j.content_stages)


def expand_checks(plan: Plan, n: ir.Table) -> ir.Table:
    """The checks table (module doc) of narrow ``account_id, bucket_start, bucket_end, eid,
    count`` rows: the entry's columns are read from its ``eid`` (see :func:`entry_table`)."""
    rows = entry_rows(plan)

    def of(column: str, ty: str) -> ir.Value:
        return entry_value(n, rows, column, ty)

    per, need = of("per", "string"), of("min", "int64")
    n = n.order_by(["account_id", "bucket_start", "eid"])  # unique: the same order every time
    return n.select(account_id=n.account_id, bucket_start=n.bucket_start,
                    bucket_end=n.bucket_end,
                    per=per, state=of("state", "string"), channel=of("channel", "string"),
                    by=of("by", "string"), min=need, count=n["count"],
                    passed=n["count"] >= need, entry=of("entry", "int64"))
