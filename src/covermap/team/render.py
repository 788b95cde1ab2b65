"""How the team tables read: their columns in the render registry, and the terminal views
(``covermap team``). Importing this module declares the team tables in
``covermap.render.columns.TABLES``, so every front end shows them the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from covermap.render import Column, Formats, Kind, result_table
from covermap.render.columns import ACCOUNT_KEYS, TABLES
from covermap.render.terminal import literal

K = Kind
_STAGE = Column(K.text, "Stage", "(no stage)")
_ROLE = Column(K.text, "Role")
TEAM_TABLES: dict[str, dict[str, Column]] = {
    "team_accounts": {
        "account_id": Column(K.account, "Account"), "state": Column(K.state, "State"),
        "stage": _STAGE, "segment": Column(K.text, "Segment"),
        "owner_id": Column(K.user, "Owner", name_from="owner_name"),
        "team_size": Column(K.count, "Team size"), "gaps": Column(K.count, "Gaps"),
        "duplicates": Column(K.count, "Duplicates"),
        "over_coverage": Column(K.count, "Over-coverage"),
        "silent_members": Column(K.count, "Silent members"), **ACCOUNT_KEYS,
    },
    "team_findings": {
        "account_id": Column(K.account, "Account"), "stage": _STAGE,
        "kind": Column(K.text, "Finding"), "role": _ROLE, "user_id": Column(K.user, "User"),
        "detail": Column(K.text, "Detail"), **ACCOUNT_KEYS,
    },
    "team_handoffs": {
        "account_id": Column(K.account, "Account"), "rule": Column(K.text, "Rule"),
        "event_date": Column(K.date, "Event"), "from_role": Column(K.text, "From"),
        "to_role": Column(K.text, "To"), "first_touch_date": Column(K.date, "First touch"),
        "days": Column(K.days, "Days"), "status": Column(K.text, "Status"),
        "released": Column(K.flag, "Released"), "stage": _STAGE,
        "next_state": Column(K.text, "Next state (90 days)"), **ACCOUNT_KEYS,
    },
    "team_summary": {
        "group": Column(K.text, "Group"), "key": Column(K.text, "Key"),
        "accounts": Column(K.count, "Accounts"), "with_gap": Column(K.count, "With a gap"),
        "with_duplicate": Column(K.count, "With a duplicate"),
        "with_over_coverage": Column(K.count, "With over-coverage"),
        "with_silent": Column(K.count, "With a silent member"),
        "handoffs": Column(K.count, "Hand-offs"), "on_time": Column(K.count, "On time"),
        "late": Column(K.count, "Late"), "dropped": Column(K.count, "Dropped"),
        "pending": Column(K.count, "Pending"),
        "median_days": Column(K.days, "Median days to first touch"),
    },
    "team_followed": {
        "rule": Column(K.text, "Hand-off rule"), "next_state": Column(K.text, "Then (90 days)"),
        "handoffs": Column(K.count, "Hand-offs"), "share": Column(K.percent, "Share"),
    },
    "team_effort": {
        "role": _ROLE, "stage": _STAGE, "letter": Column(K.text, "Letter", "none"),
        "outside_model": Column(K.flag, "Outside the model"),
        "accounts": Column(K.count, "Accounts"),
        "human_touches": Column(K.count, "Human touches"),
        "minutes": Column(K.number, "Minutes"),
    },
}
TABLES.update(TEAM_TABLES)

SUMMARY_VIEW = ("key", "accounts", "with_gap", "with_duplicate", "with_over_coverage",
                "with_silent", "handoffs", "on_time", "late", "dropped", "pending",
                "median_days")
_KEY_HEADERS = {"stage": ("Stage", "(no stage)"), "segment": ("Segment", "(none)"),
                "role": ("Role", ""), "owner": ("Owner", "(none)")}


def summary_view(rows: Sequence[dict[str, Any]], by: str, formats: Formats,
                 labels: dict[str, str]) -> Table:
    """The summary rows of group ``by`` and the total, as a Rich table."""
    picked = [r for r in rows if r["group"] == by] + \
        [{**r, "key": "Total"} for r in rows if r["group"] == "all"]
    header, empty = _KEY_HEADERS[by]
    if by == "stage":
        picked = [{**r, "key": labels.get(r["key"], r["key"])} for r in picked]
    kind = K.user if by == "owner" else K.text
    return result_table(picked, "team_summary", formats, columns=list(SUMMARY_VIEW),
                        overrides={"key": Column(kind, header, empty)},
                        row_style=lambda r: "bold" if r["group"] == "all" else None)


def timeline_view(account_id: str, rows: Sequence[dict[str, Any]],
                  phases: Sequence[dict[str, Any]], formats: Formats) -> Table:
    """One account's stages and members over the window, then its phase findings."""
    out = Table(title=f"Phase-in/out of {literal(account_id)}")
    for head in ("Lane", "From", "To", "Days", "Note"):
        out.add_column(head, justify="right" if head == "Days" else "left")
    for r in rows:
        days = (r["end"] - r["start"]).days + 1
        out.add_row(literal(r["lane"] if r["kind"] == "member" else f"Stage: {r['label']}"),
                    str(r["start"]), str(r["end"]), f"{days:,}", literal(r["detail"]))
    for f in phases:
        who = f" {f['user_id']}" if f["user_id"] else ""
        out.add_row(literal(f"{f['kind']}: {f['role']}{who}"), "", "", "",
                    literal(f"{f['stage']}: {f['detail']}"), style="yellow")
    return out


def findings_line(counts: dict[str, int], per_group: Sequence[str] = ()) -> str:
    """``Findings: 3 gaps, 1 duplicate, ...`` (every kind, in order); ``per_group``: the
    roles held once per customer group, named beside the duplicates."""
    words = {"gap": ("gap", "gaps"), "duplicate": ("duplicate", "duplicates"),
             "over_coverage": ("over-coverage", "over-coverage"),
             "silent": ("silent member", "silent members"),
             "late_join": ("late join", "late joins"), "stayed_on": ("stayed on", "stayed on"),
             "never_joined": ("never joined", "never joined")}
    parts = [f"{n:,} {words[k][0] if n == 1 else words[k][1]}" for k, n in counts.items()]
    if per_group and "duplicate" in counts:
        i = list(counts).index("duplicate")
        parts[i] += f" ({group_scope_text(per_group)})"
    return "Findings: " + ", ".join(parts)


def group_scope_text(per_group: Sequence[str]) -> str:
    """``csm single per customer group`` for the roles of ``single_holder_scope: group``."""
    return f"{', '.join(per_group)} single per customer group"


def effort_view(rows: Sequence[dict[str, Any]], formats: Formats,
                labels: dict[str, str]) -> Table | None:
    """Human-touch effort where the RACI gives the role no R or A (None when there is none)."""
    outside = [{**r, "stage": labels.get(r["stage"], r["stage"])} for r in rows
               if r["outside_model"]]
    if not outside:
        return None
    return result_table(outside, "team_effort", formats,
                        columns=["role", "stage", "letter", "accounts", "human_touches",
                                 "minutes"],
                        title="Effort outside the model (the window's human touches where "
                              "the role is not R or A)")


def followed_view(rows: Sequence[dict[str, Any]], formats: Formats) -> Table | None:
    """What followed each hand-off rule (None when there were no hand-offs)."""
    if not rows:
        return None
    shown = [{**r, "next_state": formats.states.get(r["next_state"], r["next_state"])
              if r["next_state"] != "none" else "stayed"} for r in rows]
    return result_table(shown, "team_followed", formats,
                        columns=["rule", "next_state", "handoffs", "share"],
                        title="What followed the hand-offs (the next state within 90 days)")
