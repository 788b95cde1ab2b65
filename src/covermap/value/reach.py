"""Reach of key players (DESIGN.md, "Value maps"), per account and rolled up.

- The accounts where a persona **matters**: every account when it names neither
  ``segments`` nor ``cells``; else those whose segment it lists (compared trimmed and
  without case) or with one of its coverage-map cells.
- An account's **cells**: the cells of its won revenue lines in the window (as the
  coverage map places them); an account with lines in two cells is in both.
- ``value_accounts``: one row per account and persona that matters there: ``contacts``
  matching the persona, ``touched_contacts`` (those with a human touch in the window) and
  ``human_touches`` (the window's human touches naming those contacts). A persona with no
  contact is missing entirely (``contacts`` 0). A touch counts for the account of the
  contact it names.
- ``value_summary``: per group (``all``, ``segment``, ``cell``), key and persona:
  ``accounts`` (where it matters), ``accounts_with_persona`` (contacts >= 1),
  ``accounts_reached`` (touched_contacts >= 1), ``reach`` = reached / with persona (empty
  when none); and, beside the export's columns, ``presence`` = accounts_with_persona /
  accounts (DESIGN.md's key-player presence).
- ``value_touches``: per group and key (the touch's own account), the window's human touches
  ``without_contact`` (counted apart), ``with_contact``, ``to_key_players`` (naming a contact
  that matches a persona), ``to_others`` (naming a contact that matches none, an unknown
  contact id included) and ``other_share`` = to_others / with_contact.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.window import Window
from covermap.map.place import placed_lines
from covermap.plan.model import Plan
from covermap.value.load import ValueMaps

VALUE_ACCOUNT_COLUMNS = ("account_id", "persona", "contacts", "touched_contacts",
                         "human_touches")
SUMMARY_COLUMNS = ("group", "key", "persona", "accounts", "accounts_with_persona",
                   "accounts_reached", "reach")
TOUCH_COLUMNS = ("group", "key", "human_touches", "without_contact", "with_contact",
                 "to_key_players", "to_others", "other_share")
GROUPS = ("all", "segment", "cell")


def account_cells(store, plan: Plan, window: Window) -> ir.Table:
    """``account_id, cell`` (``complexity/value``) of the window's placed won lines."""
    if plan.coverage_map is None:
        return small_table({}, {"account_id": "string", "cell": "string"})
    lines = placed_lines(store, plan, plan.coverage_map, window)
    won = lines.filter(lines.won_in, lines.reason.isnull())
    return won.select("account_id", cell=won.complexity + "/" + won.tier).distinct()


def _key(v: ir.StringValue) -> ir.StringValue:
    return v.strip().lower()


def scope(segments: ir.Table, vm: ValueMaps, cells: ir.Table) -> ir.Table:
    """``account_id, segment, persona`` and any further columns of ``segments``: the
    accounts where each persona matters (module doc); ``segments``: every account's
    ``account_id, segment`` (``covermap.engine.segments.account_segments``), with columns
    that depend on the account alone (its keys: joined once per account, not once per
    account and persona)."""
    a = segments
    cols = ["account_id", "segment", *(c for c in a.columns if c not in ("account_id",
                                                                          "segment"))]
    parts = []
    everywhere = [p.id for p in vm.personas if not (p.segments or p.cells)]
    if everywhere:
        ps = small_table({"persona": everywhere}, {"persona": "string"})
        parts.append(a.cross_join(ps).select(*cols, "persona"))
    seg = sorted({(p.id, s.strip().lower()) for p in vm.personas for s in p.segments})
    if seg:
        st = small_table({"persona": [x[0] for x in seg], "seg": [x[1] for x in seg]},
                         {"persona": "string", "seg": "string"})
        j = a.join(st, _key(a.segment) == st.seg)
        parts.append(j.select(*cols, "persona"))
    cl = sorted({(p.id, c.strip().lower().replace(" ", "")) for p in vm.personas
                 for c in p.cells})
    if cl:
        ct = small_table({"persona": [x[0] for x in cl], "cell": [x[1] for x in cl]},
                         {"persona": "string", "cell": "string"})
        j = cells.join(ct, "cell")
        j = j.select("account_id", "persona").distinct().join(a, "account_id")
        parts.append(j.select(*cols, "persona"))
    if not parts:
        return a.select(*cols, persona=ibis.null("string")).limit(0)
    # a persona matters everywhere or by segment and cell; only those two can overlap
    both = any(p.segments and p.cells for p in vm.personas)
    return ibis.union(*parts, distinct=both)


def human_pairs(touches: ir.Table) -> ir.Table:
    """``account_id, contact_id, n``: the human touches per (account, contact), the contact
    empty for touches that name none."""
    h = touches.filter(touches.human)
    return h.group_by(["account_id", "contact_id"]).aggregate(n=h.count())


def contact_touches(pairs: ir.Table) -> ir.Table:
    """``contact_id, human_touches``: the human touches naming each contact (``pairs``:
    :func:`human_pairs`)."""
    h = pairs.filter(pairs.contact_id.notnull())
    return h.group_by("contact_id").aggregate(human_touches=h.n.sum())


def account_rows(scoped: ir.Table, matched: ir.Table, per_contact: ir.Table) -> ir.Table:
    """``value_accounts`` (module doc), with each account's ``segment`` and the further
    columns of ``scoped``. A contact matches a persona once (``matched`` is distinct), so
    counting rows counts contacts."""
    m = matched.left_join(per_contact, "contact_id").drop("contact_id_right")
    n = m.human_touches.fill_null(0)
    g = m.group_by(["account_id", "persona"]).aggregate(
        contacts=m.count(), touched_contacts=m.count(where=n > 0), human_touches=n.sum())
    j = scoped.left_join(g, ["account_id", "persona"])
    return j.select(account_id=j.account_id, persona=j.persona, segment=j.segment,
                    contacts=j.contacts.fill_null(0).cast("int64"),
                    touched_contacts=j.touched_contacts.fill_null(0).cast("int64"),
                    human_touches=j.human_touches.fill_null(0).cast("int64"),
                    **{c: j[c] for c in scoped.columns
                       if c not in ("account_id", "persona", "segment")})


def _grouped(rows: ir.Table, cells: ir.Table) -> list[tuple[str, ir.Table]]:
    """``(group, rows with a key column)`` for every summary group; ``rows`` holds
    ``account_id`` and ``segment``."""
    by_cell = rows.join(cells, "account_id")
    return [("all", rows.mutate(key=ibis.literal("all"))),
            ("segment", rows.mutate(key=rows.segment)),
            ("cell", by_cell.mutate(key=by_cell.cell).drop("cell"))]


def _ranked(t: ir.Table, vm: ValueMaps | None) -> ir.Table:
    """``t`` with ``_o``, its rank by group, key and persona priority (order by it)."""
    group = ibis.cases(*((t["group"] == g, i) for i, g in enumerate(GROUPS)),
                       else_=len(GROUPS))
    cols = [group, t.key]
    if vm is not None:
        ids = [p.id for p in vm.personas]
        cols.append(ibis.cases(*((t.persona == p, i) for i, p in enumerate(ids)),
                               else_=len(ids)))
    return t.mutate(_o=ibis.row_number().over(order_by=cols))


def summary_rows(vm: ValueMaps, accounts: ir.Table, cells: ir.Table) -> ir.Table:
    """``value_summary`` (module doc), ranked by group, key and persona priority (``_o``).
    ``accounts`` has one row per account and persona, and an account is once in a cell, so
    counting rows counts accounts."""
    parts = []
    for group, t in _grouped(accounts, cells):
        g = t.group_by(["key", "persona"]).aggregate(
            accounts=t.count(), accounts_with_persona=t.count(where=t.contacts > 0),
            accounts_reached=t.count(where=t.touched_contacts > 0))
        if group == "all":  # every persona has its row, even where it matters nowhere
            ids = small_table({"persona": [p.id for p in vm.personas]}, {"persona": "string"})
            g = ids.left_join(g, "persona").drop("persona_right")
            g = g.mutate(key=ibis.literal("all"),
                         **{c: g[c].fill_null(0) for c in SUMMARY_COLUMNS[3:6]})
        reach = (g.accounts_with_persona > 0).ifelse(
            g.accounts_reached / g.accounts_with_persona.nullif(0), ibis.null("float64"))
        parts.append(g.select(group=ibis.literal(group), key=g.key, persona=g.persona,
                              accounts=g.accounts.cast("int64"),
                              accounts_with_persona=g.accounts_with_persona.cast("int64"),
                              accounts_reached=g.accounts_reached.cast("int64"),
                              reach=reach.cast("float64"),
                              presence=(g.accounts_with_persona
                                        / g.accounts.nullif(0)).cast("float64")))
    return _ranked(ibis.union(*parts, distinct=False), vm)


def touch_rows(segments: ir.Table, pairs: ir.Table, matched: ir.Table,
               cells: ir.Table) -> ir.Table:
    """``value_touches`` (module doc), ranked by group and key (``_o``), from the human
    touches per (account, contact) (:func:`human_pairs`), summed per account first;
    ``segments`` as for :func:`scope`."""
    h = pairs
    keyed = matched.select("contact_id").distinct().mutate(key_player=ibis.literal(True))
    h = h.left_join(keyed, "contact_id").drop("contact_id_right")
    per = h.group_by("account_id").aggregate(
        human_touches=h.n.sum(), without_contact=h.n.sum(where=h.contact_id.isnull()),
        to_key_players=h.n.sum(where=h.key_player.notnull()))
    per = per.left_join(segments, "account_id").drop("account_id_right")
    parts = []
    for group, t in _grouped(per, cells):
        measures = {c: t[c].sum() for c in ("human_touches", "without_contact",
                                            "to_key_players")}
        # the whole has one row even when there is no touch
        g = t.group_by("key").aggregate(**measures) if group != "all" else \
            t.aggregate(**measures).mutate(key=ibis.literal("all"))
        n = {c: g[c].fill_null(0).cast("int64") for c in measures}
        with_contact = n["human_touches"] - n["without_contact"]
        others = with_contact - n["to_key_players"]
        parts.append(g.select(
            group=ibis.literal(group), key=g.key, human_touches=n["human_touches"],
            without_contact=n["without_contact"], with_contact=with_contact,
            to_key_players=n["to_key_players"], to_others=others,
            other_share=(others / with_contact.nullif(0)).cast("float64")))
    return _ranked(ibis.union(*parts, distinct=False), None)
