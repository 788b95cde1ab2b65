"""The sales tools as documents, in four formats: terminal (Rich), Markdown, self-contained
HTML (no script, no link: one file that opens anywhere) and XLSX (openpyxl).

A :class:`Document` is a title, a subtitle and blocks: a heading with lines (a list) or a
table. Every text from a value map is escaped for its medium: Rich markup and control
characters (:func:`covermap.render.terminal.literal`), Markdown's ``|`` and ``<``, HTML by
Jinja's autoescape, and a spreadsheet cell starting with ``=`` stays text, never a formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from rich.console import Group
from rich.table import Table
from rich.text import Text

from covermap.render.terminal import literal

FORMATS = ("terminal", "markdown", "html", "xlsx")
SUFFIXES = {"markdown": ".md", "html": ".html", "xlsx": ".xlsx"}


@dataclass(frozen=True)
class Block:
    """A heading with list ``lines``, or with a table (``headers`` and ``rows``)."""

    heading: str
    lines: list[str] = field(default_factory=list)
    headers: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        return bool(self.headers)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)


def to_terminal(doc: Document) -> Group:
    """A Rich renderable of ``doc``."""
    parts: list = [Text.from_markup(f"[bold]{literal(doc.title)}[/bold]")]
    if doc.subtitle:
        parts.append(Text(doc.subtitle.translate({27: "\\x1b"}), style="dim"))
    for b in doc.blocks:
        if b.is_table:
            t = Table(title=literal(b.heading) or None, show_lines=True)
            for h in b.headers:
                t.add_column(literal(h), overflow="fold")
            for r in b.rows:
                t.add_row(*(literal(c) for c in r))
            parts.append(t)
        else:
            parts.append(Text.from_markup(f"\n[bold]{literal(b.heading)}[/bold]"))
            parts += [Text.from_markup(f"  • {literal(line)}") for line in b.lines]
    return Group(*parts)


def _md(text: str) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("\r", " ").replace("\n", " "))


def to_markdown(doc: Document) -> str:
    """``doc`` as Markdown (GitHub tables)."""
    out = [f"# {_md(doc.title)}", ""]
    if doc.subtitle:
        out += [f"_{_md(doc.subtitle)}_", ""]
    for b in doc.blocks:
        if b.heading:
            out += [f"## {_md(b.heading)}", ""]
        if b.is_table:
            out.append("| " + " | ".join(_md(h) for h in b.headers) + " |")
            out.append("|" + "|".join("---" for _ in b.headers) + "|")
            out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in b.rows]
        else:
            out += [f"- {_md(line)}" for line in b.lines]
        out.append("")
    return "\n".join(out)


_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }}</title>
<style>
body { font: 15px/1.5 system-ui, "Hiragino Sans", "Yu Gothic", sans-serif; color: #1d2733;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: 0; } .sub { color: #5a6878; margin-top: .2em; }
h2 { margin-top: 1.6em; border-bottom: 1px solid #d8dee6; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d8dee6; padding: .4em .6em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
@media print { body { margin: 0; } }
</style></head><body>
<h1>{{ doc.title }}</h1>{% if doc.subtitle %}<p class="sub">{{ doc.subtitle }}</p>{% endif %}
{% for b in doc.blocks %}{% if b.heading %}<h2>{{ b.heading }}</h2>{% endif %}
{% if b.is_table %}<table><thead><tr>{% for h in b.headers %}<th>{{ h }}</th>{% endfor %}</tr>
</thead><tbody>{% for r in b.rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% else %}<ul>{% for line in b.lines %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% endfor %}</body></html>
""")


def to_html(doc: Document, lang: str = "en") -> str:
    """``doc`` as one self-contained HTML page."""
    return _HTML.render(doc=doc, lang=lang)


def write_xlsx(doc: Document, path: Path) -> None:
    """``doc`` as a one-sheet workbook: title, then each block (tables with a bold header)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "covermap"
    bold, head = Font(bold=True), PatternFill("solid", fgColor="EEF2F7")
    widths: dict[int, int] = {}

    def put(row: int, col: int, value: str, font: Font | None = None) -> None:
        cell = ws.cell(row=row, column=col, value=value)
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        widths[col] = min(60, max(widths.get(col, 8), len(str(value)) + 2))

    put(1, 1, doc.title, Font(bold=True, size=14))
    r = 2
    if doc.subtitle:
        put(r, 1, doc.subtitle)
        r += 1
    for b in doc.blocks:
        r += 1
        if b.heading:
            put(r, 1, b.heading, bold)
            r += 1
        if b.is_table:
            for j, h in enumerate(b.headers, start=1):
                put(r, j, h, bold)
                ws.cell(row=r, column=j).fill = head
            r += 1
            for row in b.rows:
                for j, c in enumerate(row, start=1):
                    put(r, j, c)
                r += 1
        else:
            for line in b.lines:
                put(r, 1, line)
                r += 1
    for col, w in widths.items():
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = w
    wb.save(path)
