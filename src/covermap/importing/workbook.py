"""XLSX workbooks: every sheet (or those a plan names), each streamed row by row to a
temporary CSV that keeps each row's worksheet row number, as a ``RawSource``.

A sheet after the first is the source ``file.xlsx#Sheet`` (``RawSource.part``); an
empty sheet, or one the plan's sources do not name, is returned with why it was not
read, so the import summary names it. A damaged file, or another format saved under an
``.xlsx`` name, is an ``ImportProblem`` that says what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path

from covermap.errors import ImportProblem
from covermap.importing.readers import RawSource, empty_file


def _cell(value: object, number_format: str | None = None) -> str | None:
    """A cell's value as text. A date cell without a time of day (number format
    ``yyyy-mm-dd``, value at midnight) is written as a plain date, so it imports as a
    calendar date; a date-time cell keeps its time and imports as an instant."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and number_format:
            from openpyxl.styles.numbers import is_datetime

            if is_datetime(number_format) == "date":
                return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: what to do with a workbook that cannot be read
_NOT_A_WORKBOOK = ("it is not a readable .xlsx workbook (damaged, or another format saved "
                   "under an .xlsx name): open it in Excel or LibreOffice and save it as "
                   ".xlsx again, or export its sheets as CSV")


def _not_a_workbook(path: Path, e: Exception) -> ImportProblem:
    why = "not a zip archive" if isinstance(e, zipfile.BadZipFile) else (
        str(e).strip().strip('"') or type(e).__name__)
    with path.open("rb") as f:
        text = not f.read(2).startswith(b"PK")
    hint = "; if it is a CSV file, rename it to .csv" if text else ""
    return ImportProblem(f"cannot read this workbook ({why}): {_NOT_A_WORKBOOK}{hint}",
                         file=str(path))


def read_workbook(path: Path, tmpdir: Path, *, sheet: str | None = None) -> RawSource:
    """XLSX: one sheet (``sheet`` or the first), as ``read_sheets`` reads it."""
    return read_sheets(path, tmpdir, [sheet])[0][0]


def read_sheets(path: Path, tmpdir: Path, sheets: Sequence[str | None] | None = None
                ) -> tuple[list[RawSource], list[tuple[str, str]]]:
    """XLSX: stream sheets row by row to temporary CSVs that keep each row's worksheet row
    number. ``sheets``: the sheets to read (None: the first one); without it, every sheet
    but the empty ones. Returns the sources, in sheet order, and (sheet, why) for every
    sheet not read. A damaged or renamed file is an ``ImportProblem`` saying what to do."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises whatever its zip and XML layers raise
        raise _not_a_workbook(path, e) from e
    try:
        names = wb.sheetnames
        wanted = None if sheets is None else {s or names[0] for s in sheets}
        for s in sorted(wanted or ()):
            if s not in names:
                raise ImportProblem(f"no sheet {s!r}; sheets are: {', '.join(names)}",
                                    file=str(path))
        raws, skipped = [], []
        for name in names:
            if wanted is not None and name not in wanted:
                mapped = ", ".join(repr(s) for s in sorted(wanted))
                why = (f"the plan's sources: map only sheet {mapped} of this workbook; add "
                       f"an entry with sheet: {name!r} to import this one")
                skipped.append((name, why))
                continue
            raw = _read_sheet(wb[name], path, tmpdir, first=name == names[0])
            if raw is not None:
                raws.append(raw)
            elif wanted is not None:
                raise empty_file(path) if name == names[0] else ImportProblem(
                    f"sheet {name!r} is empty: it has no header row", file=str(path))
            else:
                skipped.append((name, "an empty sheet (no header row)"))
    except ImportProblem:
        raise
    except Exception as e:  # a sheet's XML can be damaged too; it is read lazily
        raise _not_a_workbook(path, e) from e
    finally:
        wb.close()
    if not raws:
        raise empty_file(path)
    return raws, skipped


def _read_sheet(ws: object, path: Path, tmpdir: Path, *, first: bool) -> RawSource | None:
    """One worksheet to a temporary CSV (None: it has no header row)."""
    dest = tmpdir / f"{len(list(tmpdir.iterdir()))}-{path.stem}.xlsx.csv"
    headers: list[str] = []
    with dest.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for row in ws.iter_rows():
            values = [_cell(c.value, getattr(c, "number_format", None)) for c in row]
            if not any(v not in (None, "") for v in values):
                continue  # blank rows hold no data
            number = next(c.row for c in row if hasattr(c, "row"))
            if not headers:
                while values and values[-1] in (None, ""):
                    values.pop()  # formatting-only cells right of the header
                headers = [(v or "").strip() or f"column {i + 1}" for i, v in enumerate(values)]
                writer.writerow(["__line", *(f"c{i}" for i in range(len(headers)))])
                continue
            values = (values + [None] * len(headers))[: len(headers)]
            writer.writerow([number, *values])
    if not headers:
        dest.unlink()
        return None
    return RawSource(path, "xlsx", f"xlsx:{ws.title}", headers, csv_file=dest,
                     line_column="__line", sheet=ws.title, part=None if first else ws.title,
                     temp_files=[dest])
