"""Where a command may write: the one check every output goes through (issue 8, points 4, 12).

No output ever replaces a store (any DuckDB file, known by its magic bytes), a plan (a
YAML file, or the plan in use) or a file the store imported (its ``imports`` table). An
existing file is replaced only when it is this same output from an earlier run (a CSV
whose header, or a Parquet file whose columns, are exactly the ones being written; an
HTML, XLSX or PDF report covermap wrote, known by its title), or with ``--force``. A folder that cannot be created and a
place that cannot be written give an ``OutputError`` naming the path and what to do.

>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "notes.csv").write_text("my,own\\n1,2\\n")
>>> Targets("--export").file(d / "new.csv", columns=["a"]) == d / "new.csv"
True
>>> Targets("--export").file(d / "notes.csv", columns=["a"])
Traceback (most recent call last):
...
covermap.errors.OutputError: .../notes.csv exists already and covermap did not write it; pass --force to overwrite it, or choose another file for --export
"""

from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from covermap.errors import OutputError
from covermap.store.connect import Store, is_duckdb_file

PLAN_SUFFIXES = (".yaml", ".yml")
#: names a later command would take for a store or a plan: no data output gets one
_RESERVED_SUFFIXES = (".duckdb", ".ddb", ".wal", *PLAN_SUFFIXES)
#: the title of every report covermap writes (ReportInputs.title, the XLSX and PDF titles)
REPORT_TITLE = "covermap — customer coverage report"
#: how an HTML report says covermap wrote it: its title
_REPORT_MARKS = (f"<title>{REPORT_TITLE}</title>",)
#: how a PDF Chromium printed from the report says so: its /Title, in UTF-16 hex or as text
_PDF_MARKS = (b"/Title <FEFF" + REPORT_TITLE.encode("utf-16-be").hex().upper().encode(),
              b"/Title (" + REPORT_TITLE.encode() + b")")


def _reason(e: Exception) -> str:
    if isinstance(e, OSError):
        return e.strerror or type(e).__name__
    return str(e).splitlines()[0]


def imported_files(store: Store) -> frozenset[Path]:
    """The files the store's imports came from (absolute paths)."""
    if not store.has_table("imports"):
        return frozenset()
    rows = store.duckdb.execute("SELECT DISTINCT file FROM imports").fetchall()
    return frozenset(Path(f) for f, in rows if f)


def _csv_header(path: Path) -> list[str] | None:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return next(csv.reader([f.readline(1 << 16)]), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _parquet_columns(path: Path) -> list[str] | None:
    import pyarrow.lib
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except (OSError, pyarrow.lib.ArrowException):
        return None


def _is_report(path: Path) -> bool:
    """Whether ``path`` is a report covermap wrote: an HTML page, an XLSX workbook or a PDF
    with the report's title (the workbook also names covermap as its creator)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                core = z.read("docProps/core.xml").decode("utf-8", "replace")
            return (f"<dc:title>{REPORT_TITLE}</dc:title>" in core
                    and "<dc:creator>covermap</dc:creator>" in core)
        if suffix == ".pdf":
            with path.open("rb") as f:
                head = f.read(1 << 16)
            return head.startswith(b"%PDF") and any(m in head for m in _PDF_MARKS)
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    return any(mark in head for mark in _REPORT_MARKS)


def same_output(path: Path, *, columns: Sequence[str] | None = None,
                report: bool = False) -> bool:
    """Whether the existing file ``path`` is the output about to be written, from an
    earlier run: a report covermap wrote, or a file with exactly ``columns``."""
    if report:
        return _is_report(path)
    if columns is None:
        return False
    found = _parquet_columns(path) if path.suffix == ".parquet" else _csv_header(path)
    return found == list(columns)


@dataclass(frozen=True)
class Targets:
    """What one command may write over. ``option`` names the command's option in messages;
    ``protected`` maps files no output may replace (resolved) to what they are."""

    option: str = "--out"
    force: bool = False
    protected: Mapping[Path, str] = field(default_factory=dict)

    @classmethod
    def of(cls, option: str, *, force: bool = False, store: Store | None = None,
           plan: Path | None = None, imported: frozenset[Path] = frozenset()) -> Targets:
        """Targets of a command that reads ``store`` (or whose inputs are ``imported``)
        with the plan at ``plan``."""
        files = {p.resolve(): "a file the store imported"
                 for p in (*imported, *(imported_files(store) if store else ()))}
        if plan is not None:
            files[Path(plan).resolve()] = "the plan of this command"
        return cls(option, force, files)

    def _never(self, path: Path) -> str | None:
        """Why nothing may ever be written onto the existing ``path``, or None."""
        if is_duckdb_file(path):
            return "a DuckDB database (a store)"
        if path.resolve() in self.protected:
            return self.protected[path.resolve()]
        if path.suffix.lower() in PLAN_SUFFIXES:
            return "a plan"
        return None

    def folder(self, path: Path) -> Path:
        """``path`` as a folder to write in: created when missing, and writable."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path}: is a file, and {self.option} takes a folder; choose "
                              f"a folder (new or existing) for {self.option}")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"{path}: cannot create this folder ({_reason(e)}); choose a "
                              f"folder you can write to for {self.option}") from e
        try:
            with tempfile.TemporaryFile(dir=path, prefix=".covermap-probe-"):
                pass
        except OSError as e:
            raise OutputError(f"{path}: cannot write in this folder ({_reason(e)}); choose a "
                              f"folder you can write to for {self.option}") from e
        return path

    def file(self, path: Path, *, columns: Sequence[str] | None = None,
             report: bool = False, plan: bool = False, early: bool = False) -> Path:
        """``path`` as a file to write (its folder created): refused when it is a store, a
        plan (unless ``plan``: the output is a plan, replaced with --force), an input, or
        an existing file that is not this same output (unless --force). ``early``: a check
        before the output's columns are known, leaving out the last test."""
        path = Path(path)
        if path.is_dir():
            raise OutputError(f"{path}: is a folder, and {self.option} takes a file; choose "
                              f"a file name for {self.option}, e.g. {path / 'NAME'}")
        if path.exists():
            never = self._never(path)
            if never and not (plan and never == "a plan"):
                raise OutputError(f"{path}: is {never}; covermap never writes an output onto "
                                  f"it; choose another file for {self.option}")
            if not (self.force or early) and (plan or not same_output(
                    path, columns=columns, report=report)):
                made = "" if plan else " and covermap did not write it"
                raise OutputError(f"{path} exists already{made}; pass --force to overwrite "
                                  f"it, or choose another file for {self.option}")
        if path.parent.is_file():
            raise OutputError(f"{path}: cannot be created, {path.parent} is a file; choose a "
                              f"file in a folder for {self.option}")
        if not path.exists() and not plan and path.suffix.lower() in _RESERVED_SUFFIXES:
            raise OutputError(f"{path}: {path.suffix} names a store or a plan, not an output; "
                              f"choose a file named .csv, .parquet or .html for {self.option}")
        self.folder(path.parent)
        return path

    def files(self, paths: dict[Path, Sequence[str] | None]) -> list[Path]:
        """Check every ``path -> columns`` before any is written."""
        return [self.file(p, columns=c) for p, c in paths.items()]


def replace_atomically(path: Path, write) -> Path:
    """Call ``write(tmp)`` with a temporary name beside ``path``, then rename it onto
    ``path``: a failed write leaves the earlier file as it was."""
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except (OSError, duckdb.IOException) as e:
        raise OutputError(f"{path}: cannot write this file ({_reason(e)}); choose a place "
                          f"you can write to") from e
    finally:
        tmp.unlink(missing_ok=True)
    return path
