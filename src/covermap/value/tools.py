"""The generated sales tools (issue 12, point 2), as plain values every format renders:

- :func:`proposition_rows`: the value-proposition table, persona × impact statement, ranked
  by the hierarchy of value (persona priority, then impact priority);
- :func:`playbook`: one persona's page: who they are, what they care about, the statements,
  the questions to ask and which of our products;
- :func:`players`: the key-players list of a segment.

Texts are in ``lang`` (``en`` or ``ja``; a missing Japanese text falls back to English).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from covermap.value.load import ValueMaps
from covermap.value.model import ITEM_KINDS, Impact, Persona

LANGS = ("en", "ja")
KIND_WORDS = {"en": {"objectives": "Objective", "metrics": "Metric",
                     "strategies": "Strategy", "issues": "Issue"},
              "ja": {"objectives": "目標", "metrics": "指標", "strategies": "戦略",
                     "issues": "課題"}}
PROPOSITION_HEADERS = {
    "en": ("Rank", "Key player", "Product", "Moves", "Value statement"),
    "ja": ("順位", "キーパーソン", "製品", "効果の対象", "価値提案"),
}
PLAYER_HEADERS = {
    "en": ("Rank", "Key player", "Titles", "Cares most about", "Biggest issue", "Ask first",
           "Our products"),
    "ja": ("順位", "キーパーソン", "役職", "最重要の目標", "最大の課題", "最初に聞く質問",
           "当社製品"),
}
REACH_HEADERS = {"en": ("Accounts", "With the player", "Reached", "Reach"),
                 "ja": ("対象企業", "該当者あり", "接触済み", "接触率")}


def _moves(p: Persona, imp: Impact, lang: str) -> str:
    parts = []
    for kind in ITEM_KINDS:
        for ref in getattr(imp.moves, kind):
            item = p.item(kind, ref)
            parts.append(f"{KIND_WORDS[lang][kind]}: {item.text.text(lang) if item else ref}")
    return "; ".join(parts)


def _product(vm: ValueMaps, product_id: str, lang: str) -> str:
    prod = vm.product(product_id)
    return prod.label.text(lang) if prod is not None else product_id


def proposition_rows(vm: ValueMaps, lang: str = "en",
                     persona: str | None = None) -> list[tuple[str, ...]]:
    """``(rank, key player, product, moves, value statement)`` per impact, ranked."""
    rows = []
    for imp in vm.impacts:
        if persona is not None and imp.persona != persona:
            continue
        p = vm.persona(imp.persona)
        rows.append((str(len(rows) + 1), p.label.text(lang),
                     _product(vm, imp.product, lang), _moves(p, imp, lang),
                     imp.value.text(lang)))
    return rows


@dataclass(frozen=True)
class Playbook:
    """One persona's playbook: ``sections`` are (heading, lines) in reading order."""

    title: str
    subtitle: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    statements: list[tuple[str, ...]] = field(default_factory=list)


PLAYBOOK_WORDS = {
    "en": dict(who="Who they are", titles="Titles", where="Where they matter",
               everywhere="every account", priority="Rank in the hierarchy of value",
               objectives="Objectives", metrics="Metrics they are judged by",
               strategies="Strategies", issues="Issues", statements="What we say",
               questions="High-impact questions", products="Our products",
               catalog="in the CRM as"),
    "ja": dict(who="人物像", titles="役職", where="重要な顧客", everywhere="すべての顧客",
               priority="価値の優先順位", objectives="目標", metrics="評価指標",
               strategies="戦略", issues="課題", statements="価値提案",
               questions="効果的な質問", products="当社製品", catalog="CRM上の製品"),
}


def _where(p: Persona, w: dict[str, str]) -> str:
    parts = [*p.segments, *p.cells]
    return ", ".join(parts) if parts else w["everywhere"]


def _products_of(vm: ValueMaps, persona_id: str) -> list[str]:
    return list(dict.fromkeys(i.product for i in vm.impacts if i.persona == persona_id))


def playbook(vm: ValueMaps, persona_id: str, lang: str = "en") -> Playbook:
    """The playbook of persona ``persona_id`` (PlanError naming the personas if unknown)."""
    p = vm.persona(persona_id)
    w = PLAYBOOK_WORDS[lang]
    rank = [x.id for x in vm.personas].index(p.id) + 1
    titles = [*p.titles.keywords, *(f"/{x}/" for x in p.titles.patterns)]
    who = [f"{w['titles']}: {', '.join(titles)}" if titles else "",
           f"{w['where']}: {_where(p, w)}", f"{w['priority']}: {rank} / {len(vm.personas)}"]
    sections = [(w["who"], [x for x in who if x])]
    for kind in ITEM_KINDS:
        items = [i.text.text(lang) for i in p.items(kind)]
        if items:
            sections.append((w[kind], items))
    products = []
    for pid in _products_of(vm, p.id):
        prod = vm.product(pid)
        line = _product(vm, pid, lang)
        if prod is not None and prod.catalog:
            line += f" ({w['catalog']}: {', '.join(prod.catalog)})"
        products.append(line)
    sections.append((w["questions"], [q.text.text(lang) for q in p.questions]))
    sections.append((w["products"], products))
    return Playbook(title=p.label.text(lang),
                    subtitle=p.label.text("ja" if lang == "en" else "en"),
                    sections=sections, statements=proposition_rows(vm, lang, p.id))


def matters_in(p: Persona, segment: str) -> bool:
    """Whether persona ``p`` matters in ``segment`` (it names no segments and no cells, or
    names this one; compared trimmed and without case)."""
    if not (p.segments or p.cells):
        return True
    return segment.strip().lower() in {s.strip().lower() for s in p.segments}


def players(vm: ValueMaps, segment: str, lang: str = "en",
            reach: dict[str, dict[str, Any]] | None = None) -> list[tuple[str, ...]]:
    """The key players of ``segment``, in the hierarchy of value: rank, player, titles, top
    objective, top issue, first question, products; with ``reach`` (persona -> the
    value_summary row of the segment), four columns more."""
    rows = []
    for p in vm.personas:
        if not matters_in(p, segment):
            continue
        def first(items) -> str:
            return items[0].text.text(lang) if items else ""

        row = (str(len(rows) + 1), p.label.text(lang),
               ", ".join(p.titles.keywords[:4]), first(p.objectives), first(p.issues),
               first(p.questions),
               ", ".join(_product(vm, x, lang) for x in _products_of(vm, p.id)))
        if reach is not None:
            r = reach.get(p.id) or {}
            n, with_p, got = (int(r.get(k) or 0) for k in (
                "accounts", "accounts_with_persona", "accounts_reached"))
            share = f"{got / with_p:.1%}" if with_p else ""
            row = (*row, f"{n:,}", f"{with_p:,}", f"{got:,}", share)
        rows.append(row)
    return rows


def proposition_document(vm: ValueMaps, lang: str = "en"):
    """The value-proposition table as a :class:`~covermap.value.documents.Document`."""
    from covermap.value.documents import Block, Document

    title = {"en": "Value propositions", "ja": "価値提案一覧"}[lang]
    names = ", ".join(dict.fromkeys(m.name for m in vm.maps))
    return Document(title, names, [Block("", headers=PROPOSITION_HEADERS[lang],
                                         rows=proposition_rows(vm, lang))])


def playbook_document(vm: ValueMaps, persona_id: str, lang: str = "en"):
    """One persona's playbook as a Document."""
    from covermap.value.documents import Block, Document

    book = playbook(vm, persona_id, lang)
    w = PLAYBOOK_WORDS[lang]
    blocks = [Block(h, lines=lines) for h, lines in book.sections[:-2]]
    blocks.append(Block(w["statements"], headers=PROPOSITION_HEADERS[lang],
                        rows=book.statements))
    blocks += [Block(h, lines=lines) for h, lines in book.sections[-2:]]
    return Document(book.title, book.subtitle, blocks)


def players_document(vm: ValueMaps, segment: str, lang: str = "en",
                     reach: dict[str, dict[str, Any]] | None = None, *,
                     compact: bool = False):
    """The key-players list of ``segment`` as a Document (``compact``: without the titles
    and products columns, for a terminal)."""
    from covermap.value.documents import Block, Document

    title = {"en": f"Key players: {segment}", "ja": f"キーパーソン一覧: {segment}"}[lang]
    headers = PLAYER_HEADERS[lang] + (REACH_HEADERS[lang] if reach is not None else ())
    rows = players(vm, segment, lang, reach)
    if compact:
        keep = [i for i in range(len(headers)) if i not in (2, 6)]
        headers = tuple(headers[i] for i in keep)
        rows = [tuple(r[i] for i in keep) for r in rows]
    return Document(title, ", ".join(dict.fromkeys(m.name for m in vm.maps)),
                    [Block("", headers=headers, rows=rows)])
