"""What an import did, per file and in total (returned by ``import_paths``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from covermap.store.quarantine import CONSEQUENCE


def ordered_reasons(reasons: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """Quarantine reasons with their counts: root causes first (not a row refused because
    the record it refers to was), then the most frequent."""
    return tuple(sorted(reasons.items(), key=lambda rn: (CONSEQUENCE in rn[0], -rn[1], rn[0])))


@dataclass(frozen=True)
class FileReport:
    """One file loaded into one table (a file mapped to two tables has two reports)."""

    file: str
    table: str
    #: detected or declared: utf-8, utf-8-sig, utf-16, cp932, xlsx:<sheet>, "-" for Parquet
    encoding: str
    #: records in the file, malformed ones included: rows_read = loaded + quarantined
    rows_read: int
    loaded: int
    quarantined: int
    #: malformed lines (part of ``quarantined``)
    malformed: int = 0
    ignored_columns: tuple[str, ...] = ()
    #: accounts: extra columns kept in the store (store name -> type)
    extra_columns: dict[str, str] = field(default_factory=dict)
    #: optional references that match nothing in the store (column -> loaded rows)
    unresolved: dict[str, int] = field(default_factory=dict)
    #: quarantine reasons with their row counts, root causes first, then most frequent
    reasons: tuple[tuple[str, int], ...] = ()
    #: csv, xlsx, parquet, jsonl, sf-tree
    format: str = ""
    #: (canonical column, the source column(s) it comes from), in table order
    columns: tuple[tuple[str, str], ...] = ()
    #: optional references matching nothing: column -> the most frequent such values
    unresolved_examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: rows that are another file's record under a different id (quarantined)
    same_records: int = 0
    same_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkippedFile:
    """A file of a folder that is not imported, and why."""

    file: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """An import: one transaction over every file given."""

    import_id: int
    files: tuple[FileReport, ...]
    skipped: tuple[SkippedFile, ...] = ()
    #: HubSpot association tables used to fill other files' columns (file, rows)
    associations: tuple[tuple[str, int], ...] = ()

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    def reasons(self, top: int = 5) -> list[tuple[str, int]]:
        """The quarantine reasons over all files: root causes first (a row quarantined
        because the record it refers to was), then the most frequent."""
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(dict(f.reasons))
        return list(ordered_reasons(dict(total)))[:top]
