"""Contacts matched to personas (DESIGN.md, "Value maps"), as queries over the contacts table.

A contact matches a persona when its normalised title contains one of the persona's
keywords or one of its patterns is found in it (RE2, case-insensitive), or when its
``persona`` or ``buying_role`` column holds one of the persona's ``crm`` values (compared
after the same normalisation). A contact may match several personas and counts for each.

The distinct values of ``title``, ``persona`` and ``buying_role`` are normalised once
(:func:`covermap.value.normalize.dictionary_of`); each persona's test runs over that
dictionary in the backend, and contacts join to the values that matched.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.value.load import ValueMaps
from covermap.value.model import Persona
from covermap.value.normalize import dictionary_of, normalize_title

MATCH_COLUMNS = ("contact_id", "account_id", "persona")


def title_test(p: Persona, norm: ir.StringValue) -> ir.BooleanValue:
    """Whether a normalised title identifies persona ``p``."""
    tests = [norm.contains(normalize_title(k)) for k in p.titles.keywords]
    tests += [norm.re_search("(?i)" + pattern) for pattern in p.titles.patterns]
    out = ibis.literal(False)
    for t in tests:
        out = out | t
    return out.fill_null(False)


def _hits(d: ir.Table, vm: ValueMaps, test) -> ir.Table:
    """``value, persona`` for each dictionary value and persona that ``test(p, norm)``
    accepts."""
    parts = [d.filter(test(p, d.norm)).select("value", persona=ibis.literal(p.id))
             for p in vm.personas]
    if not parts:
        return d.select("value", persona=ibis.null("string")).limit(0)
    return ibis.union(*parts, distinct=False)


def _crm_test(column: str):
    def test(p: Persona, norm: ir.StringValue) -> ir.BooleanValue:
        wanted = sorted({normalize_title(v) for v in getattr(p.crm, column)} - {""})
        return norm.isin(wanted) if wanted else ibis.literal(False)
    return test


def title_hits(store, vm: ValueMaps) -> ir.Table:
    """``value, persona``: the distinct titles (as stored) and the personas they match."""
    c = store.table("contacts")
    return _hits(dictionary_of(c.title), vm, title_test)


def contact_personas(store, vm: ValueMaps) -> ir.Table:
    """``contact_id, account_id, persona``: one row per contact and persona it matches."""
    c = store.table("contacts")
    d = dictionary_of(c.title, c.persona, c.buying_role)
    parts = []
    for column, test in (("title", title_test), ("persona", _crm_test("persona")),
                         ("buying_role", _crm_test("buying_role"))):
        if column != "title" and not any(getattr(p.crm, column) for p in vm.personas):
            continue
        hits = _hits(d, vm, test).rename(matched="persona")
        j = c.join(hits, c[column] == hits.value)
        parts.append(j.select(contact_id=j.contact_id, account_id=j.account_id,
                              persona=j.matched))
    out = ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0].distinct()
    return out.filter(out.contact_id.notnull())


def title_report(store, vm: ValueMaps) -> ir.Table:
    """``title`` (normalised), ``example`` (one title as stored), ``contacts``, ``personas``
    (how many it matches), ``persona_ids`` (``|``-joined, in id order), one row per
    normalised title of the contacts."""
    c = store.table("contacts")
    d = dictionary_of(c.title)
    hits = _hits(d, vm, title_test)
    per_value = hits.group_by("value").aggregate(
        persona_ids=hits.persona.collect(order_by=hits.persona))
    d = d.left_join(per_value, "value").drop("value_right")
    j = c.join(d, c.title == d.value)
    g = j.group_by(title=j.norm).aggregate(
        example=j.title.min(), contacts=j.contact_id.nunique(),
        ids=j.persona_ids.first())
    ids = g.ids.fill_null(ibis.literal([], type="array<string>"))
    return g.select("title", "example", "contacts", personas=ids.length().cast("int64"),
                    persona_ids=ids.join("|"))
