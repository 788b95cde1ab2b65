"""The customer coverage map (CCM, DESIGN.md): product complexity x customer value.

Every won revenue line (a line of a deal won with its close date in the window)
falls into one of 9 cells, or into an "unplaced" row with the reason it could
not be placed. The whole computation is Ibis over the store: the window's deal
lines go once into a temporary table in the backend, and only the 9-cell table,
the channel mix and the unplaced rows (all small) come back to Python.

Decisions where DESIGN.md leaves room (each is part of the result's meaning):

- A deal is *closed* when ``is_closed`` or ``is_won``; *won* when ``is_won``.
  Dates are calendar dates in the plan's time zone (``created_at`` is a UTC
  moment converted to the zone, or a calendar date kept as it is when the source
  gave only a date; ``close_date`` is always a date).
- *Open at some time in the window*: created on or before the window's end
  (an unknown ``created_at`` is not "on or before", as with facts) and not
  closed before its start (a closed deal with no close date was not shown to
  close before the start, so it counts).
- A deal is placed in a cell through its lines: each line's complexity (the
  product's, or ``bundled`` when the plan derives it and the deal has two or
  more distinct products) with the account's value tier. Open and lost deals
  are placed the same way as won ones; a deal whose lines span several cells
  counts once in each of them. A deal without lines is one line of its amount
  with no product, so its complexity is unknown.
- Lines are unplaced for the first of: ``no exchange rate for CUR`` (applies to
  every deal in that currency, won or not, so a cell's win rate is not skewed
  by the currencies it can count), ``unknown product complexity``, ``no value
  measure`` (the measure is empty or the account is not in the store).
  ``unplaced.deals`` counts the deals open in the window that have a line
  unplaced for that reason, as ``cells.deals`` does; ``lines`` and ``revenue``
  are won lines only; ``revenue`` is empty when there is no rate.
- ``revenue_share`` is a cell's share of the revenue placed in the 9 cells
  (they sum to 1; unplaced revenue is reported beside them, not in the base).
- ``avg_deal`` is the cell's revenue / its won deals (a deal spanning cells
  brings only its lines in that cell). ``win_rate``, ``avg_deal``,
  ``median_cycle_days`` and ``touch_minutes_per_won_deal`` are empty, not 0,
  when there is nothing to divide by.
- Channels are compared after trimming, lower-casing and turning spaces and
  hyphens into ``_`` ("Field Sales" is ``field_sales``). A won deal with no
  channel is shown in the mix with an empty channel and is not misaligned:
  nothing says it went through another channel.
- Cost to serve: human touches on the deal's account dated from the deal's
  creation to its close (both days included); a touch during two deals counts
  for each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine.touches import is_touch, local_range
from covermap.engine.window import Window, local_date_of, resolve_window
from covermap.errors import AnalysisError
from covermap.map.model import COMPLEXITIES, VALUE_TIERS, CoverageMap
from covermap.map.place import COMPLEXITY_SPELLINGS, channel_key, placed_lines
from covermap.map.priority import CellPriority, explain_priorities, score_cells
from covermap.plan.model import Plan
from covermap.store.arrow import memtable, to_arrow, to_pylist

__all__ = ["CELL_COLUMNS", "CHANNEL_COLUMNS", "UNPLACED_COLUMNS", "CellPriority", "MapResult",
           "build_map", "cell_deals", "map_tables", "parse_cell"]

#: the placed lines' columns build_map reads (the table it keeps while it runs)
_PLACED = ("deal_id", "account_id", "created", "close_date", "open_in", "won_in", "closed_in",
           "channel", "complexity", "tier", "reason", "revenue")

#: map_cells.csv, in this order
CELL_COLUMNS = ("complexity", "value", "intended_channel", "revenue", "revenue_share", "accounts",
                "deals", "won_deals", "closed_deals", "win_rate", "avg_deal",
                "median_cycle_days", "touch_minutes_per_won_deal", "misaligned_revenue",
                "priority_rank")
CHANNEL_COLUMNS = ("complexity", "value", "channel", "revenue", "deals")
UNPLACED_COLUMNS = ("reason", "lines", "revenue", "deals")


@dataclass(frozen=True)
class MapResult:
    """The coverage map over one window; every table is small and already computed.

    ``cells``: the 9 cells (``CELL_COLUMNS`` plus ``revenue_per_touch_hour`` and
    ``priority_score``), value high to low within complexity simple, bundled,
    customised. ``channels``: won revenue and won deals per cell and channel.
    ``unplaced``: lines that fit no cell, by reason. ``priorities``: the ranked
    cells, each with the sentence that says why.
    """

    window: Window
    currency: str
    cells: ir.Table
    channels: ir.Table
    unplaced: ir.Table
    priorities: tuple[CellPriority, ...]
    #: won revenue in the window, placed + unplaced (lines without an exchange rate have
    #: no amount in plan currency), the deals won in the window, and the placed part
    won_revenue: float = 0.0
    won_deals: int = 0
    placed_revenue: float = 0.0
    #: won lines left out of ``won_revenue`` for want of an exchange rate
    unpriced_lines: int = 0

    @property
    def explanations(self) -> tuple[str, ...]:
        """The priority sentences, best-ranked cell first."""
        return tuple(p.explanation for p in self.priorities)


def parse_cell(text: str) -> tuple[str, str]:
    """``"customised/high"`` -> ``("customised", "high")`` (AnalysisError when no such cell).

    >>> parse_cell("Customized/HIGH")
    ('customised', 'high')
    """
    parts = [p.strip().lower() for p in str(text).split("/")]
    if len(parts) == 2:
        complexity = COMPLEXITY_SPELLINGS.get(parts[0], parts[0])
        if complexity in COMPLEXITIES and parts[1] in VALUE_TIERS:
            return complexity, parts[1]
    cells = ", ".join(f"{c}/{v}" for c in COMPLEXITIES for v in VALUE_TIERS)
    raise AnalysisError(f"no cell {text!r}; a cell is COMPLEXITY/VALUE, one of: {cells}")


def _coverage_map(plan: Plan) -> CoverageMap:
    if plan.coverage_map is None:
        raise AnalysisError("the plan has no coverage_map section; add one (see `covermap init`) "
                            "to say how value tiers and intended channels are set")
    return plan.coverage_map


#: money and minutes are summed as decimals, so a sum never depends on the order the
#: backend adds rows in and every export is the same from run to run (a float sum of the
#: same rows differed in its last digits between runs; issue 9)
EXACT = "decimal(38, 9)"


def exact_sum(x: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.NumericValue:
    """The exact (decimal) sum of ``x``; cast it to float64 for results."""
    return x.cast(EXACT).sum(where=where)


def _intended(cm: CoverageMap, complexity: ir.StringValue, value: ir.StringValue):
    return ibis.cases(*(((complexity == c) & (value == t), cm.channels[c][t])
                        for c in COMPLEXITIES for t in VALUE_TIERS), else_=ibis.null("string"))


def _touch_minutes(store, plan: Plan, won: ir.Table, w: Window,
                   first: dt.date | None) -> ir.Table:
    """deal_id -> human-touch minutes on its account from its creation to its close
    (touches as in engine/touches.py; a touch without a duration takes its kind's
    ``minutes`` from the plan). ``first``: the earliest creation date of ``won``."""
    human = {k: v for k, v in plan.activity_kinds.items() if v.channel == "human"}
    if not human or first is None:
        return won.select("deal_id", touch_minutes=ibis.literal(0).cast(EXACT))
    a = store.table("activities")
    # won deals close in the window, so later activities can never count, nor any
    # before the earliest of their creation dates
    a = a.filter(*local_range(a, "occurred_at", plan.timezone, first, w.end))
    # join first, then judge kind and outcome: the string tests run only on the won
    # accounts' activities in their deals' spans, not on every activity of the window
    # (an aggregate's filter is not pushed below the join; issue 9)
    if plan.timezone == "UTC":
        # a UTC date is the timestamp's own date: compare each activity's raw timestamp
        # with its deal's first and after-last midnights, computed once per deal, rather
        # than take the date of every activity scanned (32M at 1M accounts; issue 9)
        a = a.select("kind", "outcome", "duration_minutes", "occurred_at", tid="account_id")
        won = won.mutate(lo=won.created.cast("timestamp"),
                         hi=(won.close_date + ibis.interval(days=1)).cast("timestamp"))
        j = won.join(a, [won.account_id == a.tid, a.occurred_at >= won.lo,
                         a.occurred_at < won.hi])
    else:
        a = a.select("kind", "outcome", "duration_minutes", tid="account_id",
                     day=local_date_of(a, "occurred_at", plan.timezone))
        j = won.join(a, [won.account_id == a.tid, a.day >= won.created,
                         a.day <= won.close_date])
    default = ibis.cases(*((j.kind == k, float(v.minutes)) for k, v in human.items()),
                         else_=0.0)
    minutes = j.duration_minutes.cast("float64").fill_null(default)
    return j.group_by("deal_id").aggregate(
        touch_minutes=exact_sum(minutes, where=is_touch(plan, j, ("human",))))


def _deal_cells(cm: CoverageMap, placed: ir.Table) -> ir.Table:
    """One row per (deal, cell) of placed lines, with the deal's flags and in-cell revenue."""
    ok = placed.filter(placed.reason.isnull())
    dc = ok.group_by(["deal_id", "account_id", "complexity", "tier", "open_in", "won_in",
                      "closed_in", "channel", "created", "close_date"]).aggregate(
        revenue=exact_sum(ok.revenue).fill_null(0))
    return dc.mutate(intended=_intended(cm, dc.complexity, dc.tier),
                     cycle=dc.close_date.delta(dc.created, unit="day"))


def _with_minutes(store, plan: Plan, w: Window, dc: ir.Table,
                  first: dt.date | None) -> ir.Table:
    """``dc`` with each won deal's human-touch minutes (0 for other deals)."""
    won = dc.filter(dc.won_in).select("deal_id", "account_id", "created", "close_date").distinct()
    minutes = _touch_minutes(store, plan, won, w, first).rename(mid="deal_id")
    dc = dc.left_join(minutes, dc.deal_id == minutes.mid).drop("mid")
    return dc.mutate(touch_minutes=dc.touch_minutes.fill_null(0))


def _grid(cm: CoverageMap) -> ir.Table:
    rows = [(c, t, cm.channels[c][t], i * 3 + (2 - j))
            for i, c in enumerate(COMPLEXITIES) for j, t in enumerate(VALUE_TIERS)]
    return memtable({"gc": [r[0] for r in rows], "gv": [r[1] for r in rows],
                     "intended_channel": [r[2] for r in rows], "pos": [r[3] for r in rows]},
                    {"gc": "string", "gv": "string", "intended_channel": "string",
                     "pos": "int64"})


def _cells(cm: CoverageMap, dc: ir.Table) -> ir.Table:
    won = dc.won_in
    misaligned = won & dc.channel.notnull() & (dc.channel != dc.intended)
    agg = dc.group_by(["complexity", "tier"]).aggregate(
        rev=dc.revenue.sum(where=won),
        n_accounts=dc.account_id.nunique(where=won),
        n_deals=dc.deal_id.count(where=dc.open_in),
        n_won=dc.deal_id.count(where=won),
        n_closed=dc.deal_id.count(where=dc.closed_in),
        cycle_median=dc.cycle.median(where=won).cast("float64"),
        minutes=dc.touch_minutes.sum(where=won).cast("float64"),
        mis=dc.revenue.sum(where=misaligned),
    )
    g = _grid(cm)
    t = g.left_join(agg, [g.gc == agg.complexity, g.gv == agg.tier])
    revenue = t.rev.fill_null(0).cast("float64")
    total = t.rev.fill_null(0).sum().over(ibis.window()).cast("float64")
    won_n = t.n_won.fill_null(0)
    closed_n = t.n_closed.fill_null(0)
    t = t.select(
        "pos",
        complexity=t.gc, value=t.gv, intended_channel=t.intended_channel,
        revenue=revenue.round(2),
        revenue_share=ibis.cases((total > 0, revenue / total), else_=ibis.null("float64")),
        accounts=t.n_accounts.fill_null(0), deals=t.n_deals.fill_null(0),
        won_deals=won_n, closed_deals=closed_n,
        win_rate=ibis.cases((closed_n > 0, won_n / closed_n), else_=ibis.null("float64")),
        avg_deal=ibis.cases((won_n > 0, (revenue / won_n).round(2)), else_=ibis.null("float64")),
        median_cycle_days=t.cycle_median,
        touch_minutes_per_won_deal=ibis.cases((won_n > 0, t.minutes / won_n),
                                              else_=ibis.null("float64")),
        misaligned_revenue=t.mis.fill_null(0).cast("float64").round(2),
        revenue_per_touch_hour=ibis.cases((t.minutes > 0, revenue / (t.minutes / 60)),
                                          else_=ibis.null("float64")),
    )
    return t


def build_map(store, plan: Plan, *, as_of: dt.date | None = None,
              window_months: int | None = None) -> MapResult:
    """The coverage map of the won revenue in the window ending on or before ``as_of``.

    ``as_of`` defaults to the plan's, else the date of the latest activity;
    ``window_months`` to the plan's. Raises AnalysisError when the plan has no
    ``coverage_map`` or its value measure is not a numeric account column.

    >>> from covermap.store.connect import open_store
    >>> from covermap.plan import default_plan
    >>> from covermap.store.arrow import scalar
    >>> with open_store(":memory:") as s:
    ...     m = build_map(s, default_plan(), as_of=dt.date(2026, 3, 31))
    ...     scalar(m.cells.count()), str(m.window.start)
    (9, '2025-10-01')
    """
    cm = _coverage_map(plan)
    w = resolve_window(store, plan, as_of, window_months)
    # every line of the window's deals is read once; the three results come from this table
    # only the columns the three results read go into the temporary table
    with placed_lines(store, plan, cm, w).select(*_PLACED).cache() as placed:
        won = placed.filter(placed.won_in)
        totals = won.aggregate(
            revenue=exact_sum(won.revenue).fill_null(0).cast("float64"),
            deals=won.deal_id.nunique(),
            placed=exact_sum(won.revenue, where=won.reason.isnull()).fill_null(0)
            .cast("float64"),
            # a count (BIGINT): DuckDB sums booleans as HUGEINT, whose cast imports pyarrow.compute
            unpriced=won.count(where=won.revenue.isnull()),
            first=won.created.min(where=won.reason.isnull()),
        )
        totals = to_pylist(totals)[0]
        dc = _deal_cells(cm, placed)
        scored = score_cells(_cells(cm, _with_minutes(store, plan, w, dc, totals["first"])),
                             cm.priority_weights)
        scored_rows = to_arrow(scored.order_by("pos"))
        channels = to_arrow(_channels(dc))
        unplaced = to_arrow(_unplaced(placed))
    cells = scored_rows.select([*CELL_COLUMNS, "revenue_per_touch_hour", "priority_score"])
    return MapResult(
        window=w, currency=cm.currency, cells=memtable(cells),
        channels=memtable(channels), unplaced=memtable(unplaced),
        priorities=explain_priorities(scored_rows.to_pylist(), cm.currency),
        won_revenue=round(totals["revenue"], 2), won_deals=int(totals["deals"]),
        placed_revenue=round(totals["placed"], 2), unpriced_lines=int(totals["unpriced"] or 0),
    )


def _channels(dc: ir.Table) -> ir.Table:
    won = dc.filter(dc.won_in)
    t = won.group_by(["complexity", "tier", "channel"]).aggregate(
        revenue=won.revenue.sum().cast("float64").round(2), deals=won.deal_id.count())
    pos = ibis.cases(*(((t.complexity == c) & (t.tier == v), i * 3 + (2 - j))
                       for i, c in enumerate(COMPLEXITIES) for j, v in enumerate(VALUE_TIERS)))
    return t.order_by([pos, ibis.desc("revenue"), "channel"]).select(
        "complexity", value="tier", channel="channel", revenue="revenue", deals="deals")


def _unplaced(placed: ir.Table) -> ir.Table:
    bad = placed.filter(placed.reason.notnull())
    return bad.group_by("reason").aggregate(
        lines=bad.deal_id.count(where=bad.won_in),
        revenue=exact_sum(bad.revenue, where=bad.won_in).cast("float64").round(2),
        deals=bad.deal_id.nunique(where=bad.open_in),
    ).order_by([ibis.desc("lines"), "reason"])


def map_tables(result: MapResult) -> dict[str, ir.Table]:
    """The export tables: ``map_cells``, ``map_channels`` and ``map_unplaced``."""
    return {"map_cells": result.cells.select(*CELL_COLUMNS),
            "map_channels": result.channels.select(*CHANNEL_COLUMNS),
            "map_unplaced": result.unplaced.select(*UNPLACED_COLUMNS)}


def cell_deals(store, plan: Plan, cell: str | tuple[str, str], *, as_of: dt.date | None = None,
               window_months: int | None = None) -> tuple[Window, ir.Table]:
    """The won deals behind one cell (drill-down), largest revenue first, not executed.

    Columns: account_id, account, deal_id, deal, products, revenue (the deal's
    lines in this cell, plan currency), channel, intended_channel, close_date.
    """
    complexity, value = parse_cell(cell if isinstance(cell, str) else "/".join(cell))
    cm = _coverage_map(plan)
    w = resolve_window(store, plan, as_of, window_months)
    placed = placed_lines(store, plan, cm, w)
    mine = placed.filter(placed.reason.isnull(), placed.won_in, placed.complexity == complexity,
                         placed.tier == value)
    products = store.table("products").select(pid="product_id", pname="name")
    mine = mine.left_join(products, mine.product_id == products.pid)
    label = mine.pname.fill_null(mine.product_id)
    per_deal = mine.group_by("deal_id").aggregate(
        products=label.collect(distinct=True).sort().join(", "),
        revenue=exact_sum(mine.revenue).fill_null(0).cast("float64").round(2))
    deals = store.table("deals").select(
        "deal_id", "account_id", "close_date", deal="name", channel=channel_key(ibis._.channel))
    accounts = store.table("accounts").select(aid="account_id", account="name")
    t = per_deal.join(deals, "deal_id")
    t = t.left_join(accounts, t.account_id == accounts.aid)
    t = t.select("account_id", "account", "deal_id", "deal", "products", "revenue", "channel",
                 intended_channel=ibis.literal(cm.channels[complexity][value]),
                 close_date="close_date")
    return w, t.order_by([ibis.desc("revenue"), "deal_id"])
