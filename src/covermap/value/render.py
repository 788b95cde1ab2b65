"""How the value tables read: their columns in the render registry, and the terminal views
of ``covermap value``. Importing this module declares the value tables in
``covermap.render.columns.TABLES``, so every front end shows them the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from covermap.render import Column, Formats, Kind, format_value, result_table
from covermap.render.columns import ACCOUNT_KEYS, TABLES
from covermap.value.load import ValueMaps

K = Kind
_PERSONA = Column(K.text, "Key player")
_STAGE = Column(K.text, "Content stage", "(none)")
VALUE_TABLES: dict[str, dict[str, Column]] = {
    "value_accounts": {
        "account_id": Column(K.account, "Account"), "persona": _PERSONA,
        "contacts": Column(K.count, "Contacts"),
        "touched_contacts": Column(K.count, "Contacts reached"),
        "human_touches": Column(K.count, "Human touches"), **ACCOUNT_KEYS,
    },
    "value_summary": {
        "group": Column(K.text, "Group"), "key": Column(K.text, "Key", "(none)"),
        "persona": _PERSONA, "accounts": Column(K.count, "Accounts"),
        "accounts_with_persona": Column(K.count, "With the player"),
        "presence": Column(K.percent, "Presence"),
        "accounts_reached": Column(K.count, "Reached"),
        "reach": Column(K.percent, "Reach", "no contact"),
    },
    "value_touches": {
        "group": Column(K.text, "Group"), "key": Column(K.text, "Key", "(none)"),
        "human_touches": Column(K.count, "Human touches"),
        "without_contact": Column(K.count, "Without a contact"),
        "with_contact": Column(K.count, "Naming a contact"),
        "to_key_players": Column(K.count, "To key players"),
        "to_others": Column(K.count, "To non-key players"),
        "other_share": Column(K.percent, "Share to non-key players"),
    },
    "value_content": {
        "state": Column(K.state, "State"), "planned": Column(K.text, "Planned content",
                                                              "(none planned)"),
        "touches": Column(K.count, "Touches"), "with_stage": Column(K.count, "With a stage"),
        "on_plan": Column(K.count, "On plan"),
        "off_channel": Column(K.count, "Planned stage, other channel"),
        "off_plan": Column(K.count, "Off-plan stage"),
        "without_stage": Column(K.count, "No stage"),
        "on_plan_share": Column(K.percent, "On plan"),
        "no_stage_at_all": Column(K.flag, "No stage at all"),
    },
    "value_content_stages": {
        "state": Column(K.state, "State"), "content_stage": _STAGE,
        "planned": Column(K.flag, "Planned"), "channels": Column(K.text, "Planned channels"),
        "touches": Column(K.count, "Touches"), "human": Column(K.count, "Human"),
        "digital": Column(K.count, "Digital"),
    },
    "value_persona_stages": {
        "persona": _PERSONA, "content_stage": _STAGE, "touches": Column(K.count, "Touches"),
        "contacts": Column(K.count, "Contacts"), "accounts": Column(K.count, "Accounts"),
    },
}
TABLES.update(VALUE_TABLES)

_KEY_HEADERS = {"segment": "Segment", "cell": "Cell"}


def labelled(rows: Sequence[dict[str, Any]], maps: ValueMaps) -> list[dict[str, Any]]:
    """Rows with the persona's English label instead of its id."""
    labels = {p.id: p.label.en for p in maps.personas}
    return [{**r, "persona": labels.get(r["persona"], r["persona"])} if "persona" in r
            else dict(r) for r in rows]


def reach_view(rows: Sequence[dict[str, Any]], by: str, maps: ValueMaps,
               formats: Formats) -> Table:
    """Reach of key players for one summary group (``all``, ``segment`` or ``cell``)."""
    picked = labelled([r for r in rows if r["group"] == by], maps)
    cols = ["persona", "accounts", "accounts_with_persona", "presence", "accounts_reached",
            "reach"]
    if by != "all":
        cols.insert(0, "key")
    title = "Reach of key players" + (f" by {by}" if by != "all" else "")
    return result_table(picked, "value_summary", formats, columns=cols, title=title,
                        overrides={"key": Column(K.text, _KEY_HEADERS.get(by, "Key"),
                                                 "(none)")})


def touches_line(rows: Sequence[dict[str, Any]], formats: Formats) -> str:
    """One sentence on the window's human touches and who they named."""
    total = next((r for r in rows if r["group"] == "all"), None)
    if total is None or not total["human_touches"]:
        return "No human touch in the window."

    def n(v: Any) -> str:
        return format_value(v, K.count, formats)

    share = format_value(total["other_share"], K.percent, formats)
    named = (f"{n(total['to_others'])} of the {n(total['with_contact'])} that name a contact "
             f"({share}) went to contacts who match no key player") \
        if total["with_contact"] else "none names a contact"
    apart = total["without_contact"]
    return (f"Human touches in the window: {n(total['human_touches'])}; {named}; "
            f"{n(apart)} name{'s' if apart == 1 else ''} no contact (counted apart).")


_CONTENT_VIEW = {"on_plan_share": Column(K.percent, "On plan %"),
                 "off_channel": Column(K.count, "Other channel"),
                 "off_plan": Column(K.count, "Off plan"),
                 "without_stage": Column(K.count, "No stage")}


def content_view(rows: Sequence[dict[str, Any]], formats: Formats) -> Table:
    """Content stages planned vs delivered, per state (the plan's content: in the export's
    ``planned`` column and ``covermap plan``)."""
    return result_table(rows, "value_content", formats,
                        columns=["state", "touches", "on_plan", "on_plan_share",
                                 "off_channel", "off_plan", "without_stage"],
                        overrides=_CONTENT_VIEW,
                        title="Messages per state: touches carrying the planned content "
                              "stages")


def persona_stage_view(rows: Sequence[dict[str, Any]], maps: ValueMaps,
                       formats: Formats) -> Table:
    """Which content stages reached each key player: touches, one column per stage."""
    from covermap.value.content_plan import CONTENT_STAGES

    stages = list(CONTENT_STAGES) + sorted({r["content_stage"] for r in rows}
                                           - set(CONTENT_STAGES))
    t = Table(title="Content stages that reached each key player (touches)")
    t.add_column("Key player")
    for s in stages:
        t.add_column(_lit(s), justify="right")
    got = {(r["persona"], r["content_stage"]): r["touches"] for r in rows}
    for p in maps.personas:
        t.add_row(_lit(p.label.en), *(format_value(got.get((p.id, s), 0), K.count, formats)
                                      for s in stages))
    return t


def match_views(none: Sequence[dict[str, Any]], many: Sequence[dict[str, Any]],
                totals: dict[str, Any], maps: ValueMaps) -> list[Any]:
    """``covermap value match``: titles matching no persona, titles matching several."""
    labels = {p.id: p.label.en for p in maps.personas}
    n = int(totals.get("contacts") or 0)
    unmatched = int(totals.get("unmatched") or 0)
    head = (f"{int(totals.get('titles') or 0):,} distinct titles (after normalisation) over "
            f"{n:,} contacts with a title; {unmatched:,} of those contacts match no persona "
            f"by title")
    out: list[Any] = [head]
    t = Table(title="Most common titles matching no persona")
    for h, j in (("Title (normalised)", "left"), ("As written", "left"), ("Contacts", "right")):
        t.add_column(h, justify=j)
    for r in none:
        t.add_row(_lit(r["title"]), _lit(r["example"]), f"{r['contacts']:,}")
    out.append(t if none else "Every title matches a persona.")
    t2 = Table(title="Titles matching more than one persona (each such contact counts for "
                     "each)")
    for h, j in (("Title (normalised)", "left"), ("Key players", "left"),
                 ("Contacts", "right")):
        t2.add_column(h, justify=j)
    for r in many:
        ids = sorted(r["persona_ids"].split("|"), key=list(labels).index)  # by priority
        names = ", ".join(labels[x] for x in ids)
        t2.add_row(_lit(r["title"]), _lit(names), f"{r['contacts']:,}")
    out.append(t2 if many else "No title matches more than one persona.")
    return out


def _lit(value: Any) -> str:
    from covermap.render.terminal import literal

    return literal(value)
