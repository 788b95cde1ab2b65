"""What ``covermap import --dry-run`` prints, and the same-record notes of import and status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from covermap.cli.options import console, literal

if TYPE_CHECKING:
    from covermap.importing import ImportReport
    from covermap.store.quarantine import SameRecords


def _say(text: str) -> None:
    console.print(text, highlight=False)


def print_preview(report: ImportReport, store: str) -> None:
    """Per file: format and encoding, target table, column mapping, ignored columns,
    unresolved references with examples, and the rows that would be quarantined."""
    for f in report.files:
        _say(f"[bold]{literal(Path(f.file).name)}[/bold] → {literal(f.table)} "
             f"({literal(f.format)}, {literal(f.encoding)}): {f.rows_read:,} rows, "
             f"{f.loaded:,} would load, "
             f"{f.quarantined:,} would be quarantined")
        mapping = ", ".join(f"{literal(source)} → {literal(canonical)}"
                            for canonical, source in f.columns)
        _say(f"  columns: {mapping}")
        if f.extra_columns:
            _say(f"  extra columns kept: {literal(', '.join(f.extra_columns))}")
        if f.ignored_columns:
            _say(f"  ignored columns: {literal(', '.join(f.ignored_columns))}")
        for column, n in f.unresolved.items():
            shown = ", ".join(repr(v) for v in f.unresolved_examples.get(column, ()))
            _say(f"  unresolved {literal(column)}: {n:,} rows match nothing "
                 f"(e.g. {literal(shown)})")
        for reason, n in f.reasons:
            _say(f"  would quarantine {n:,}: {literal(reason)}")
        if f.same_records:
            _say(f"  {f.same_records:,} rows are another file's records (e.g. "
                 f"{literal('; '.join(f.same_examples))})")
    for s in report.skipped:
        _say(f"[yellow]skipped[/yellow] {literal(s.file)}: {literal(s.reason)}")
    _say(f"Dry run: nothing was written; {literal(store)} is unchanged. In total "
         f"{report.loaded:,} rows would load and {report.quarantined:,} be quarantined.")


def print_same_records(found: list[SameRecords]) -> None:
    """One line per file whose rows were another file's records under other ids."""
    for s in found:
        _say(f"[yellow]Same records:[/yellow] {s.rows:,} {literal(s.table)} rows of "
             f"{literal(Path(s.file).name)} hold the records of {literal(s.kept_file)} under "
             f"other ids; kept once, the copies quarantined (e.g. "
             f"{literal('; '.join(s.examples))}). Choose the file to keep with `duplicates: "
             f"{{{literal(s.table)}: {{prefer: FILE}}}}` in the plan, importing both files "
             f"together")
