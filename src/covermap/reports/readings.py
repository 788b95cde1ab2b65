"""One sentence per chart saying what it shows, worked out from the numbers it draws.

Each function takes the same small result rows as its chart (already computed by the
engine) and returns a sentence, or "" when there is nothing to say (the chart then says
why it is empty). Numbers are written by ``covermap.render``, as in the tables.

>>> import pandas as pd
>>> months = pd.DataFrame({"group": ["month"] * 2, "key": ["2026-07", "2026-11"],
...                        "checks": [100, 50], "passed": [72, 32],
...                        "compliance": [0.72, 0.64]})
>>> by_state = [{"state": "at_risk", "month": "2026-07", "checks": 10, "passed": 8},
...             {"state": "at_risk", "month": "2026-11", "checks": 10, "passed": 4}]
>>> compliance_by_month(months, by_state, Formats(states={"at_risk": "At risk"}))
'Compliance fell from 72.0% in July to 64.0% in November; the largest drop was in At risk (80.0% to 40.0%).'
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from covermap.render import Formats, Kind, format_value, humanize, is_empty
from covermap.store.arrow import to_pylist


def _pct(v: Any, f: Formats) -> str:
    return format_value(v, Kind.percent, f)


def _n(v: Any, f: Formats) -> str:
    return format_value(v, Kind.count, f)


def _of(v: Any, noun: str, f: Formats) -> str:
    """``12 accounts``, ``1 account``, ``3 touches``."""
    plural = noun + ("es" if noun.endswith("ch") else "s")
    return f"{_n(v, f)} {noun if round(float(v)) == 1 else plural}"


def _month_words(keys: Sequence[str]) -> dict[str, str]:
    """``2026-07`` -> ``July`` (``July 2026`` when the months span more than one year)."""
    years = {k[:4] for k in keys}
    return {k: calendar.month_name[int(k[5:7])] + (f" {k[:4]}" if len(years) > 1 else "")
            for k in keys}


def state_month_checks(checks: ir.Table) -> list[dict]:
    """``state, month (YYYY-MM of the bucket's last day), checks, passed``: the checks of
    the coverage result rolled up per state and month (a few dozen rows)."""
    t = checks.group_by(state=checks.state, month=checks.bucket_end.strftime("%Y-%m")) \
        .aggregate(checks=checks.count(), passed=checks.passed.cast("int64").sum())
    return to_pylist(t.order_by(["state", "month"]))


def compliance_by_month(summary: pd.DataFrame, by_state: Iterable[dict], f: Formats) -> str:
    """How compliance moved from the first month with checks to the last, and the state
    whose compliance moved most in that direction between those two months."""
    rows = summary[(summary["group"] == "month") & (summary["checks"] > 0)].sort_values("key")
    if rows.empty:
        return ""
    words = _month_words(list(rows["key"]))
    first, last = rows.iloc[0], rows.iloc[-1]
    if len(rows) == 1:
        return (f"Compliance was {_pct(first['compliance'], f)} in {words[first['key']]} "
                f"({_n(first['passed'], f)} of {_n(first['checks'], f)} checks passed).")
    a, b = float(first["compliance"]), float(last["compliance"])
    start, end = words[first["key"]], words[last["key"]]
    if _pct(a, f) == _pct(b, f):
        return f"Compliance stayed at {_pct(b, f)} from {start} to {end}."
    verb, word = ("fell", "drop") if b < a else ("rose", "rise")
    text = f"Compliance {verb} from {_pct(a, f)} in {start} to {_pct(b, f)} in {end}"
    per_state: dict[str, dict[str, float]] = {}
    for r in by_state:
        if r["checks"]:
            per_state.setdefault(r["state"], {})[r["month"]] = r["passed"] / r["checks"]
    changes = [(v[last["key"]] - v[first["key"]], s) for s, v in per_state.items()
               if first["key"] in v and last["key"] in v]
    changes = [(d, s) for d, s in changes if (d < 0) == (b < a) and d != 0]
    if changes:
        _, state = min(changes) if b < a else max(changes)
        v = per_state[state]
        text += (f"; the largest {word} was in {f.states.get(state, state)} "
                 f"({_pct(v[first['key']], f)} to {_pct(v[last['key']], f)})")
    return text + "."


def _extremes(names: Sequence[str], values: Sequence[float]) -> tuple[int, int]:
    """Positions of the highest and the lowest value (the first of equals)."""
    hi = max(range(len(values)), key=lambda i: (values[i], -i))
    lo = min(range(len(values)), key=lambda i: (values[i], i))
    return hi, lo


def compliance_by_state(summary: pd.DataFrame, f: Formats) -> str:
    """The state whose standard was met most often and least often, and the whole."""
    rows = summary[(summary["group"] == "state") & (summary["checks"] > 0)]
    overall = summary[summary["group"] == "all"]
    if rows.empty or overall.empty:
        return ""
    total = overall.iloc[0]
    whole = (f"{_pct(total['compliance'], f)} of all {_n(total['checks'], f)} checks "
             f"passed")
    names = [f.states.get(k, k) for k in rows["key"]]
    values = [float(c) for c in rows["compliance"]]
    if len(rows) == 1:
        return f"Only {names[0]} had checks; {whole}."
    hi, lo = _extremes(names, values)
    checks = list(rows["checks"])
    return (f"{names[hi]} met its standard most often ({_pct(values[hi], f)} of "
            f"{_of(checks[hi], 'check', f)}) and {names[lo]} least often "
            f"({_pct(values[lo], f)} of {_n(checks[lo], f)}); {whole}.")


def breadth_by(summary: pd.DataFrame, group: str, f: Formats, no_key: str) -> str:
    """The groups with the highest and lowest breadth, and the whole."""
    rows = summary[(summary["group"] == group) & (summary["accounts"] > 0)]
    overall = summary[summary["group"] == "all"]
    if rows.empty or overall.empty:
        return ""
    total = overall.iloc[0]
    whole = (f"{_pct(total['breadth'], f)} of all {_n(total['accounts'], f)} accounts were "
             f"touched in the window")
    names = [no_key if is_empty(k) else (f.states.get(k, k) if group == "state" else str(k))
             for k in rows["key"]]
    values = [0.0 if is_empty(b) else float(b) for b in rows["breadth"]]
    if len(rows) == 1:
        return f"All accounts are in {names[0]}; {whole}."
    hi, lo = _extremes(names, values)
    accounts = list(rows["accounts"])
    return (f"Breadth was highest in {names[hi]} ({_pct(values[hi], f)} of "
            f"{_of(accounts[hi], 'account', f)}) and lowest in {names[lo]} "
            f"({_pct(values[lo], f)} of {_n(accounts[lo], f)}); {whole}.")


def _cell_name(r: Any) -> str:
    return f"{humanize(str(r['complexity'])).lower()} × {r['value']!s} value"


def coverage_map(cells: pd.DataFrame, f: Formats) -> str:
    """The cell with the most revenue, and how much revenue went through a channel other
    than the intended one (and where most of it did)."""
    revenue = cells["revenue"].fillna(0).astype(float)
    total = float(revenue.sum())
    if total == 0:
        return ""
    top = cells.loc[revenue.idxmax()]
    text = (f"{_cell_name(top).capitalize()} holds the most won revenue "
            f"({format_value(top['revenue'], Kind.money, f)}, "
            f"{_pct(float(top['revenue']) / total, f)}, intended for "
            f"{humanize(str(top['intended_channel'])).lower()})")
    mis = cells["misaligned_revenue"].fillna(0).astype(float)
    if float(mis.sum()) == 0:
        return text + "; all won revenue went through the intended channels."
    worst = cells.loc[mis.idxmax()]
    return (text + f"; {format_value(float(mis.sum()), Kind.money, f)} "
            f"({_pct(float(mis.sum()) / total, f)}) went through a channel other than the "
            f"intended one, most in {_cell_name(worst)} "
            f"({format_value(worst['misaligned_revenue'], Kind.money, f)}).")


def handoffs(summary: Sequence[dict], f: Formats) -> str:
    """How the window's hand-offs went: on time, late, dropped, pending."""
    total = next((r for r in summary if r["group"] == "all"), None)
    if total is None or not total["handoffs"]:
        return ""
    n = int(total["handoffs"])

    def part(key: str, words: str) -> str:
        return f"{_n(total[key], f)} ({_pct(total[key] / n, f)}) {words}"

    dropped = "was dropped" if total["dropped"] == 1 else "were dropped"
    pending = "is pending" if total["pending"] == 1 else "are pending"
    text = (f"Of {_of(n, 'hand-off', f)}, {part('on_time', 'had the first touch on time')}, "
            f"{part('late', 'late')}, {part('dropped', dropped)} and "
            f"{part('pending', pending)}")
    if not is_empty(total["median_days"]):
        text += f"; the median wait for a first touch was " \
                f"{format_value(total['median_days'], Kind.days, f)} days"
    return text + "."


def timeline(account: str, rows: Sequence[dict], phases: Sequence[dict]) -> str:
    """The stages the account went through in the window, its members and findings."""
    if not rows:
        return ""
    stages = [r["label"] for r in rows if r["kind"] == "stage"]
    members = {r["lane"] for r in rows if r["kind"] == "member"}
    text = (f"{account} was at {' → '.join(dict.fromkeys(stages)) or 'no stage'} in the "
            f"window, with {len(members)} team member{'' if len(members) == 1 else 's'}")
    if phases:
        found = ", ".join(f"{humanize(str(p['kind'])).lower()} ({p['role']})" for p in phases)
        text += f"; phase findings: {found}"
    return text + "."


def reach(summary: Sequence[dict], personas: dict[str, str], f: Formats,
          no_key: str) -> str:
    """The persona and segment with the highest and the lowest reach."""
    rows = [r for r in summary if r["group"] == "segment" and r["accounts_with_persona"]]
    if not rows:
        return ""

    def where(r: dict) -> str:
        seg = no_key if is_empty(r["key"]) else r["key"]
        return (f"{personas.get(r['persona'], r['persona'])} in {seg} "
                f"({_pct(r['reach'], f)} of {_of(r['accounts_with_persona'], 'account', f)} "
                f"with the player)")

    values = [float(r["reach"]) for r in rows]
    hi, lo = _extremes([r["persona"] for r in rows], values)
    if len(rows) == 1:
        return f"Only one key player is present in one segment: {where(rows[0])}."
    return f"Reach was highest for {where(rows[hi])} and lowest for {where(rows[lo])}."


def content(rows: Sequence[dict], labels: dict[str, str], f: Formats) -> str:
    """The share of the window's touches on plan, and the state least on plan."""
    rows = [r for r in rows if r["touches"]]
    if not rows:
        return ""
    touches = sum(int(r["touches"]) for r in rows)
    on_plan = sum(int(r["on_plan"]) for r in rows)
    text = f"Of {_n(touches, f)} touches, {_pct(on_plan / touches, f)} carried the planned " \
           f"content stage through the planned channel"
    shares = [int(r["on_plan"]) / int(r["touches"]) for r in rows]
    if len(rows) > 1:
        _, lo = _extremes([r["state"] for r in rows], shares)
        r = rows[lo]
        text += (f"; the lowest share was in {labels.get(r['state'], r['state'])} "
                 f"({_pct(shares[lo], f)} of {_of(r['touches'], 'touch', f)})")
    return text + "."
