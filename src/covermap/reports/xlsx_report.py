"""The report as an XLSX workbook: one sheet per result table, the coverage map as a
coloured 3×3 grid and the RACI matrix coloured by letter (``covermap report --format xlsx``).

Rows are streamed from the engine in Arrow batches into XlsxWriter's constant-memory mode,
so no table is ever held whole in memory. A sheet holds at most ``MAX_ROWS`` rows; the rest
are named in a note under the table and on the Contents sheet, with the CSV file that holds
every row (``covermap report --export DIR``). Each column's number format follows its kind
in the ``covermap.render`` registry (percent, money, whole numbers, dates); a user or
account id gets its name in the next column when the table holds none; numbers are stored
to 16 significant digits (Excel shows 15). The workbook's dates are the window's ``as_of``,
so the same results give a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from covermap.render import Formats, Kind, column, humanize, is_empty
from covermap.store.arrow import scalar

MAX_ROWS = 25_000
BATCH_ROWS = 20_000
#: what covermap writes into a workbook's properties; targets.py knows its own files by it
CREATOR = "covermap"
TITLE = "covermap — customer coverage report"
_HEADER = {"bold": True, "font_color": "#ffffff", "bg_color": "#1f3b57", "text_wrap": True,
           "valign": "top", "border": 1, "border_color": "#dde3ea"}
RACI_FILLS = {"R": ("#d4ecdc", "#1d2733"), "A": ("#2f6fb0", "#ffffff"),
              "C": ("#fdf0c8", "#1d2733"), "I": ("#eef1f5", "#1d2733")}
_WIDTHS = {Kind.money: 15, Kind.percent: 10, Kind.count: 10, Kind.number: 11, Kind.days: 10,
           Kind.date: 11, Kind.flag: 8, Kind.measure: 15}


@dataclass(frozen=True)
class SheetNote:
    """What one table's sheet holds: rows written of rows in the table."""

    sheet: str
    rows: int
    written: int


def money_format(currency: str) -> str:
    """An Excel number format for amounts in ``currency`` (a code or a sign), no cents.

    >>> money_format("USD"), money_format("$"), money_format("")
    ('"USD "#,##0', '"$"#,##0', '#,##0')
    """
    if not currency:
        return "#,##0"
    if currency.isalpha() and currency.isascii():
        return f'"{currency} "#,##0'
    return f'"{currency}"#,##0'


def _number_format(kind: Kind, arrow: pa.DataType, f: Formats) -> str | None:
    if kind is Kind.measure:
        kind = f.measure_kind()
    match kind:
        case Kind.money:
            return money_format(f.currency)
        case Kind.percent:
            return "0.0%"
        case Kind.count | Kind.days:
            return "#,##0"
        case Kind.number:
            return "#,##0.0"
        case Kind.people:
            return "#,##0.00"
        case Kind.date:
            return "yyyy-mm-dd"
    if pa.types.is_integer(arrow):
        return "#,##0"
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return "#,##0.00"
    if pa.types.is_date(arrow) or pa.types.is_timestamp(arrow):
        return "yyyy-mm-dd"
    return None


class _Writer:
    """One workbook being written; formats are made once and shared by every sheet."""

    def __init__(self, path: Path, f: Formats, created: dt.datetime) -> None:
        self.book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "remove_timezone": True, "default_date_format":
            "yyyy-mm-dd"})
        self.book.set_properties({"title": TITLE, "author": CREATOR, "creator": CREATOR,
                                  "created": created})
        self.f = f
        self.header = self.book.add_format(_HEADER)
        self.bold = self.book.add_format({"bold": True})
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        self.note = self.book.add_format({"italic": True, "font_color": "#5a6a7a"})
        self._formats: dict[Any, Any] = {}

    def fmt(self, **props: Any):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props)
        return self._formats[key]


def _cell_writer(ws, arrow: pa.DataType, fmt) -> Callable[[int, int, Any], None]:
    """How one column's values go into cells: numbers, dates and booleans as such (blank
    when empty), everything else as text."""
    if pa.types.is_boolean(arrow):
        return lambda r, c, v: None if v is None else ws.write_boolean(r, c, v, fmt)
    if pa.types.is_integer(arrow) or pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        def number(r: int, c: int, v: Any) -> None:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return
            ws.write_number(r, c, float(v) if isinstance(v, decimal.Decimal) else v, fmt)
        return number
    if pa.types.is_date(arrow) or pa.types.is_timestamp(arrow):
        return lambda r, c, v: None if v is None else ws.write_datetime(r, c, v, fmt)
    return lambda r, c, v: None if is_empty(v) else ws.write_string(r, c, str(v), fmt)


def _account_names(con, ids: pa.Array) -> pa.Array:
    """The account names of ``ids`` (null where unknown), one query per batch on ``con``: a
    cursor of its own, since a query on the connection that streams the table's batches
    would end that stream early."""
    con.register("covermap_xlsx_ids", pa.table({"account_id": pc.unique(ids)}))
    try:
        found = con.execute("SELECT a.account_id, a.name FROM accounts a SEMI JOIN "
                            "covermap_xlsx_ids i USING (account_id)").fetchall()
    finally:
        con.unregister("covermap_xlsx_ids")
    known = pa.array([r[0] for r in found], pa.string())
    index = pc.index_in(ids.cast(pa.string()), value_set=known)
    return pc.take(pa.array([r[1] for r in found], pa.string()), index)


def _plan_columns(name: str, schema: pa.Schema,
                  f: Formats) -> list[tuple[str, str, Kind, str | None]]:
    """``(source column, header, kind, how to fill)`` for each sheet column: ``None`` reads
    the column itself, ``user``/``account`` puts the id's name beside it."""
    out = []
    names = set(schema.names)
    for col in schema.names:
        declared = column(name, col)
        header = f.header(declared)
        out.append((col, header, declared.kind, None))
        if declared.kind in (Kind.user, Kind.account) and not (
                declared.name_from and declared.name_from in names):
            out.append((col, f"{header} name", Kind.text, declared.kind.value))
    return out


def write_table(w: _Writer, sheet: str, expr, *, max_rows: int, store) -> SheetNote:
    """One result table as a sheet: formatted headers, frozen panes, number formats."""
    ws = w.book.add_worksheet(sheet)
    # one row past the cap says whether the table is longer; only then is it counted
    reader = expr.limit(max_rows + 1).to_pyarrow_batches(chunk_size=BATCH_ROWS)
    schema = reader.schema
    plan = _plan_columns(sheet, schema, w.f)
    formats = []
    for c, (src, header, kind, fill) in enumerate(plan):
        arrow = pa.string() if fill else schema.field(src).type
        number = None if fill else _number_format(kind, arrow, w.f)
        formats.append((arrow, w.fmt(num_format=number) if number else None))
        width = _WIDTHS.get(kind, 14 if kind in (Kind.user, Kind.account) else 18)
        ws.set_column(c, c, max(width, min(len(header), 40) + 2))
    ws.set_row(0, 30)
    for c, (_, header, _, _) in enumerate(plan):
        ws.write_string(0, c, header, w.header)
    first = plan[0][2] if plan else Kind.text
    ws.freeze_panes(1, 1 if first in (Kind.user, Kind.account) else 0)
    names = store.duckdb.cursor() if any(p[3] == "account" for p in plan) else None
    row, more = 1, False
    for batch in reader:
        if row - 1 + batch.num_rows > max_rows:
            batch, more = batch.slice(0, max_rows - (row - 1)), True
        columns = []
        for (src, _, _, fill), (arrow, cell) in zip(plan, formats, strict=True):
            values = batch.column(schema.get_field_index(src))
            if fill == "account":
                values = _account_names(names, values)
            elif fill == "user":
                values = pa.array([w.f.users.get(v) if v is not None else None
                                   for v in values.to_pylist()], pa.string())
            columns.append((_cell_writer(ws, arrow, cell), values.to_pylist()))
        for i in range(batch.num_rows):
            for c, (write, values) in enumerate(columns):
                write(row + i, c, values[i])
        row += batch.num_rows
        if more:
            break
    if names is not None:
        names.close()
    written = row - 1
    total = scalar(expr.count()) if more else written
    if plan:
        ws.autofilter(0, 0, max(written, 1), len(plan) - 1)
    if written < total:
        ws.write_string(row + 1, 0, f"{total - written:,} more rows are not shown here; every "
                                    f"row is in {sheet}.csv (covermap report --export DIR).",
                        w.note)
    return SheetNote(sheet, total, written)


def _blend(t: float, low: str, high: str) -> str:
    a = [int(low[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def write_map_grid(w: _Writer, cells: list[dict], complexities, tiers, window) -> None:
    """The coverage map as three coloured 3×3 grids, high value on top: won revenue,
    the intended channel with the cell's priority, and the share through another channel."""
    ws = w.book.add_worksheet("coverage_map")
    ws.set_column(0, 0, 16)
    ws.set_column(1, len(complexities), 22)
    ws.write_string(0, 0, "Customer coverage map: product complexity × customer value "
                          f"({window.start} – {window.end})", w.title)
    got = {(r["complexity"], r["value"]): r for r in cells}
    top = max((float(r["revenue"] or 0) for r in cells), default=0.0)
    blocks = [("Won revenue", "revenue"), ("Intended channel (priority)", "intended_channel"),
              ("Share of the cell's revenue through another channel", "misaligned")]
    row = 2
    for title, key in blocks:
        ws.write_string(row, 0, title, w.bold)
        ws.write_string(row + 1, 0, "Value \\ complexity", w.header)
        for c, cx in enumerate(complexities, start=1):
            ws.write_string(row + 1, c, humanize(cx), w.header)
        for i, tier in enumerate(reversed(tiers)):  # high value on top, as in the report
            r = row + 2 + i
            ws.write_string(r, 0, f"{humanize(tier)} value", w.header)
            for c, cx in enumerate(complexities, start=1):
                cell = got.get((cx, tier), {})
                revenue = float(cell.get("revenue") or 0)
                if key == "revenue":
                    t = revenue / top if top else 0.0
                    ws.write_number(r, c, revenue, w.fmt(
                        num_format=money_format(w.f.currency), bg_color=_blend(t, "#eef4fb",
                                                                               "#1f5fa0"),
                        font_color="#ffffff" if t > 0.55 else "#1d2733", border=1))
                elif key == "intended_channel":
                    rank = cell.get("priority_rank")
                    ws.write_string(r, c, humanize(str(cell.get("intended_channel") or ""))
                                    + ("" if is_empty(rank) else f" (#{int(rank)})"),
                                    w.fmt(border=1, bold=True))
                else:
                    share = float(cell.get("misaligned_revenue") or 0) / revenue if revenue \
                        else 0.0
                    ws.write_number(r, c, share, w.fmt(
                        num_format="0.0%", bg_color=_blend(share, "#fbf3e6", "#c0392b"),
                        font_color="#ffffff" if share > 0.55 else "#1d2733", border=1))
        row += 2 + len(tiers) + 1


def write_raci(w: _Writer, raci: dict) -> None:
    """Stages × roles, each letter on its colour (before segment overrides)."""
    ws = w.book.add_worksheet("raci")
    ws.set_column(0, 0, 26)
    ws.set_column(1, max(len(raci["roles"]), 1), 16)
    ws.write_string(0, 0, "Stage", w.header)
    for c, role in enumerate(raci["roles"], start=1):
        ws.write_string(0, c, role, w.header)
    ws.freeze_panes(1, 1)
    for r, stage in enumerate(raci["rows"], start=1):
        ws.write_string(r, 0, stage["stage"], w.bold)
        for c, letter in enumerate(stage["letters"], start=1):
            if letter:
                bg, fg = RACI_FILLS.get(letter, ("#ffffff", "#1d2733"))
                ws.write_string(r, c, letter, w.fmt(bg_color=bg, font_color=fg, bold=True,
                                                    align="center", border=1))
            else:
                ws.write_blank(r, c, None, w.fmt(border=1))
    r = len(raci["rows"]) + 2
    ws.write_string(r, 0, "R responsible, A accountable, C consulted, I informed.", w.note)
    for i, text in enumerate(raci["overrides"], start=1):
        ws.write_string(r + i, 0, f"Segment override: {text}", w.note)


def write_contents(ws, w: _Writer, notes: list[SheetNote], window, plan_name: str) -> None:
    ws.set_column(0, 0, 24)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 3, 70)
    ws.write_string(0, 0, TITLE, w.title)
    ws.write_string(1, 0, f"As of {window.as_of} · window {window.start} – {window.end} · "
                          f"plan “{plan_name}”")
    for c, h in enumerate(("Sheet", "Rows", "Rows shown", "Note")):
        ws.write_string(3, c, h, w.header)
    count = w.fmt(num_format="#,##0")
    for r, n in enumerate(notes, start=4):
        ws.write_url(r, 0, f"internal:'{n.sheet}'!A1", string=n.sheet)
        ws.write_number(r, 1, n.rows, count)
        ws.write_number(r, 2, n.written, count)
        if n.written < n.rows:
            ws.write_string(r, 3, f"{n.rows - n.written:,} rows left out; every row is in "
                                  f"{n.sheet}.csv (covermap report --export DIR)")


def write_workbook(path: Path, tables: dict, *, formats: Formats, window, plan_name: str,
                   store, cells: list[dict] | None = None, complexities=(), tiers=(),
                   raci: dict | None = None, max_rows: int = MAX_ROWS) -> list[SheetNote]:
    """Write the workbook to ``path``: Contents, the coverage map grid, the RACI matrix,
    then one sheet per ``name -> table``. Returns what each table's sheet holds."""
    created = dt.datetime.combine(window.as_of, dt.time())
    w = _Writer(path, formats, created)
    contents = w.book.add_worksheet("contents")
    if cells is not None:
        write_map_grid(w, cells, complexities, tiers, window)
    if raci is not None and raci["rows"]:
        write_raci(w, raci)
    notes = [write_table(w, name, t, max_rows=max_rows, store=store)
             for name, t in tables.items()]
    write_contents(contents, w, notes, window, plan_name)
    w.book.close()
    return notes
