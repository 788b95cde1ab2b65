"""Which report format a command writes, and writing it: HTML, XLSX or PDF.

``--format`` wins; without it the format follows ``--out``'s suffix (``.xlsx``, ``.pdf``,
else HTML); without ``--out`` the file is ``report.<format>``. Every format is written
beside its target and renamed onto it (``replace_atomically``), so a failed run leaves the
earlier file as it was.

>>> report_target(None, "xlsx"), report_target(Path("q3.pdf"), None)
(('xlsx', PosixPath('report.xlsx')), ('pdf', PosixPath('q3.pdf')))
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from covermap.errors import OutputError
from covermap.reports.targets import replace_atomically
from covermap.store.arrow import to_pylist

FORMATS = ("html", "xlsx", "pdf")
_SUFFIXES = {".html": "html", ".htm": "html", ".xlsx": "xlsx", ".pdf": "pdf"}


def report_target(out: Path | None, fmt: str | None) -> tuple[str, Path]:
    """The format and the file of a report from ``--out`` and ``--format``."""
    if fmt is not None and fmt not in FORMATS:
        raise OutputError(f"--format {fmt}: not a report format; formats are: "
                          f"{', '.join(FORMATS)}")
    if out is None:
        fmt = fmt or "html"
        return fmt, Path(f"report.{fmt}")
    by_suffix = _SUFFIXES.get(out.suffix.lower())
    if fmt is not None and by_suffix is not None and by_suffix != fmt:
        raise OutputError(f"--out {out} names a .{by_suffix} file, but --format is {fmt}; "
                          f"name the file {out.with_suffix('.' + fmt).name} or leave out "
                          f"--format")
    return fmt or by_suffix or "html", out


def workbook_parts(inputs) -> dict:
    """What the workbook draws beside the result tables: the map's cells, the RACI."""
    from covermap.map.model import COMPLEXITIES, VALUE_TIERS

    parts: dict = dict(window=inputs.coverage.window, plan_name=inputs.plan.name,
                       store=inputs.coverage.store)
    if inputs.coverage_map is not None:
        parts.update(cells=to_pylist(inputs.coverage_map.cells),
                     complexities=COMPLEXITIES, tiers=VALUE_TIERS)
    if inputs.team is not None and inputs.plan.journey.stages:
        from covermap.reports.team_section import raci_matrix

        parts["raci"] = raci_matrix(inputs.plan)
    return parts


def write_report(inputs, tables: dict, path: Path, fmt: str) -> Path:
    """Write the report of ``inputs`` (``tables``: the result tables, name -> Ibis table,
    for the workbook's sheets) to ``path`` as ``fmt``."""
    from covermap.reports.html_report import _formats, render_report

    if fmt == "xlsx":
        from covermap.reports.xlsx_report import write_workbook

        parts = workbook_parts(inputs)
        return replace_atomically(path, lambda tmp: write_workbook(
            tmp, tables, formats=_formats(inputs), **parts))
    if fmt == "pdf":
        from covermap.reports.pdf_report import print_pdf

        with tempfile.TemporaryDirectory(prefix="covermap-report-") as d:
            html = render_report(inputs, Path(d) / "report.html")
            return replace_atomically(path, lambda tmp: print_pdf(html, tmp))
    return replace_atomically(path, lambda tmp: render_report(inputs, tmp))
