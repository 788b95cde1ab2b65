"""Rank the coverage map's cells by return and friction, and say why in words.

Each signal is scaled to 0..1 across the 9 cells, then weighted by the plan's
``coverage_map.priority_weights`` and summed into ``priority_score``:

================  =====================================================  ================
signal            0..1 value                                             weight key
================  =====================================================  ================
revenue           revenue / the largest cell revenue                     revenue
revenue per hour  revenue per human-touch hour / the largest such value  revenue_per_hour
low win rate      1 - win rate                                           win_rate
long cycle        median cycle days / the longest cell median            cycle
misaligned        misaligned revenue / revenue                           misaligned
================  =====================================================  ================

A high score means much at stake (return) and/or much in the way (friction):
the cells to look at first. An empty signal (no closed deals, no touches, no
won deals) adds nothing. Cells with any deal in the window are ranked 1.. by
score (ties: more revenue first, then grid order); cells with none have no
rank. The sentence lists the signals that add to the score, largest first;
"(low)" / "(high)" compare a win rate with the map's overall one, "(long)" a
median cycle with the mean of the cells' medians.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from covermap.map.model import PriorityWeights

__all__ = ["SIGNALS", "CellPriority", "explain_priorities", "score_cells"]

#: signal column -> priority_weights field
SIGNALS = {"s_revenue": "revenue", "s_revenue_per_hour": "revenue_per_hour",
           "s_win_rate": "win_rate", "s_cycle": "cycle", "s_misaligned": "misaligned"}


@dataclass(frozen=True)
class CellPriority:
    """One ranked cell and the sentence that says why it ranks there."""

    rank: int
    complexity: str
    value: str
    score: float
    explanation: str


def _scaled(x: ir.NumericValue) -> ir.FloatingValue:
    top = x.max().over(ibis.window())
    return ibis.cases((x.notnull() & (top > 0), x / top), else_=0.0)


def score_cells(cells: ir.Table, weights: PriorityWeights) -> ir.Table:
    """Add the signals (``s_*``), their weighted contributions (``w_*``), ``priority_score``
    and ``priority_rank`` to the 9-cell table (which needs ``pos``, its grid order)."""
    t = cells.mutate(
        s_revenue=_scaled(cells.revenue),
        s_revenue_per_hour=_scaled(cells.revenue_per_touch_hour),
        s_win_rate=(1 - cells.win_rate).fill_null(0.0),
        s_cycle=_scaled(cells.median_cycle_days),
        s_misaligned=ibis.cases((cells.revenue > 0, cells.misaligned_revenue / cells.revenue),
                                else_=0.0),
    )
    t = t.mutate(**{f"w_{w}": getattr(weights, w) * t[s] for s, w in SIGNALS.items()})
    t = t.mutate(priority_score=sum((t[f"w_{w}"] for w in SIGNALS.values()), ibis.literal(0.0)))
    active = (t.deals > 0) | (t.won_deals > 0) | (t.closed_deals > 0) | (t.revenue > 0)
    order = ibis.row_number().over(
        order_by=[ibis.desc(active.cast("int8")), ibis.desc(t.priority_score),
                  ibis.desc(t.revenue), t.pos])
    return t.mutate(priority_rank=ibis.cases((active, (order + 1).cast("int64")),
                                             else_=ibis.null("int64")))


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"  # one decimal, as every percent covermap shows


def _words(ident: str) -> str:
    return str(ident).replace("_", " ")


def _money(x: float, currency: str) -> str:
    return f"{currency} {x:,.0f}"


def explain_priorities(rows: list[dict[str, Any]], currency: str) -> tuple[CellPriority, ...]:
    """A sentence per ranked cell from the executed 9-cell rows (signals included)."""
    def top(col: str) -> float | None:
        vals = [r[col] for r in rows if r[col] is not None]
        return max(vals) if vals else None

    won = sum(r["won_deals"] for r in rows)
    closed = sum(r["closed_deals"] for r in rows)
    overall_win = won / closed if closed else None
    cycles = [r["median_cycle_days"] for r in rows if r["median_cycle_days"] is not None]
    mean_cycle = sum(cycles) / len(cycles) if cycles else None
    out = []
    for r in sorted((r for r in rows if r["priority_rank"] is not None),
                    key=lambda r: r["priority_rank"]):
        parts: list[tuple[float, str]] = []
        if r["revenue"] > 0:
            share = f"{_pct(r['revenue_share'])} of mapped revenue"
            parts.append((r["w_revenue"], f"largest revenue ({share})"
                          if r["revenue"] == top("revenue") else f"revenue {share}"))
        rph = r["revenue_per_touch_hour"]
        if rph is not None:
            best = " (highest)" if rph == top("revenue_per_touch_hour") else ""
            parts.append((r["w_revenue_per_hour"],
                          f"{_money(rph, currency)} per human-touch hour{best}"))
        if r["misaligned_revenue"] > 0:
            parts.append((r["w_misaligned"],
                          f"{_pct(r['misaligned_revenue'] / r['revenue'])} of it through a "
                          f"channel other than {_words(r['intended_channel'])}"))
        if r["win_rate"] is not None:
            word = ""
            if overall_win is not None and r["win_rate"] < overall_win:
                word = " (low)"
            elif overall_win is not None and r["win_rate"] > overall_win:
                word = " (high)"
            parts.append((r["w_win_rate"], f"win rate {_pct(r['win_rate'])}{word}"))
        if r["median_cycle_days"] is not None:
            word = " (long)" if mean_cycle is not None and r["median_cycle_days"] > mean_cycle \
                else ""
            parts.append((r["w_cycle"], f"median cycle {r['median_cycle_days']:g} days{word}"))
        parts = [p for p in parts if p[0] > 0]
        if not parts:
            parts.append((0.0, "no return or friction to weigh: "
                               f"{r['deals']} deal{'s' if r['deals'] != 1 else ''} in the window, "
                               f"{r['closed_deals']} closed"))
        parts.sort(key=lambda p: -p[0])
        text = (f"{r['complexity'].capitalize()} products, {r['value']}-value customers: "
                + ", ".join(p[1] for p in parts))
        out.append(CellPriority(rank=r["priority_rank"], complexity=r["complexity"],
                                value=r["value"], score=r["priority_score"], explanation=text))
    return tuple(out)
