"""What capacity's charts draw, and the sentence that reads each one, computed once for the
terminal and the report (front ends only draw).

- :func:`scenario_totals`: per scenario and journey role, the people needed bottom-up
  (summed over segments) beside the people of the role in place;
- :func:`scenario_reading`: the base's need against in place, then each scenario's need
  and its difference from the base;
- :func:`needed_reading`: the base's needs in all (bottom-up, top-down, by standard)
  against in place, and the segment and role furthest short (with no journey at all: the
  standard's need against in place).
"""

from __future__ import annotations

from collections.abc import Sequence


def people(v: float) -> str:
    """A number of people, as every capacity view writes it."""
    return f"{v:,.2f}"


def _signed(v: float) -> str:
    return ("+" if v >= 0 else "−") + people(abs(v))


def scenario_totals(rows: Sequence[dict], in_place: dict[str, float]) -> list[dict]:
    """``scenario, role, needed, in_place`` for the roles that have journey touchpoints
    (hours per customer above 0 in some scenario), in the rows' order."""
    roles = list(dict.fromkeys(r["role"] for r in rows if r["hours_per_customer"]))
    out: dict[tuple, dict] = {}
    for r in rows:
        if r["role"] in roles:
            t = out.setdefault((r["scenario"], r["role"]), {
                "scenario": r["scenario"], "role": r["role"], "needed": 0.0,
                "in_place": in_place.get(r["role"], 0.0)})
            t["needed"] += r["needed_bottom_up"] or 0.0
    return list(out.values())


def scenario_reading(totals: Sequence[dict]) -> str:
    """One sentence: per role, the base's need against in place, and each scenario's."""
    if not totals:
        return "No role has journey touchpoints, so no scenario needs anyone bottom-up."
    parts = []
    for role in dict.fromkeys(t["role"] for t in totals):
        mine = [t for t in totals if t["role"] == role]
        base, others = mine[0], mine[1:]
        gap = base["needed"] - base["in_place"]
        text = (f"the {base['scenario']} needs {people(base['needed'])} {role} against "
                f"{people(base['in_place'])} in place ({people(abs(gap))} "
                f"{'short' if gap > 0 else 'spare'})")
        if others:
            text += "; " + ", ".join(
                f"{t['scenario']} {people(t['needed'])} "
                f"({_signed(t['needed'] - base['needed'])} on the {base['scenario']})"
                for t in others)
        parts.append(text)
    return "Bottom-up, " + "; ".join(parts) + "."


def needed_reading(rows: Sequence[dict]) -> str:
    """One sentence: the base's needs in all against in place, and the largest shortfall
    (bottom-up need − in place) of a segment and role."""
    if not rows:
        return "No segment has customers or people to count."

    def total(col: str) -> float | None:
        vals = [r[col] for r in rows if r[col] is not None]
        return sum(vals) if vals else None

    bu, td, std = total("needed_bottom_up"), total("needed_top_down"), \
        total("needed_by_standard")
    have = total("in_place") or 0.0
    if not any(r["hours_per_customer"] for r in rows):
        gap = (std or 0.0) - have
        return (f"No segment has journey touchpoints, so nothing is needed bottom-up; the "
                f"coverage standard needs {people(std or 0.0)} people in all against "
                f"{people(have)} in place ({people(abs(gap))} "
                f"{'short' if gap > 0 else 'spare'}).")
    text = f"In all, the journeys need {people(bu or 0.0)} people bottom-up"
    if td is not None:
        text += f", the benchmark {people(td)}"
    text += (f" and the coverage standard {people(std or 0.0)}, against "
             f"{people(have)} in place")
    short = max((r for r in rows if r["gap"] is not None), default=None,
                key=lambda r: r["gap"])
    if short is not None and short["gap"] > 0:
        text += (f"; {short['segment']} / {short['role']} is the furthest short: "
                 f"{people(short['needed_bottom_up'])} needed, {people(short['in_place'])} "
                 f"in place")
    else:
        text += "; no segment and role is short of its bottom-up need"
    return text + "."
