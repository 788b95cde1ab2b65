"""One reader per input format, each giving a ``RawSource``: a re-scannable SQL table
of text columns ``c0, c1, ...`` (one per source column, every value VARCHAR) that
DuckDB reads itself, so files are never held in Python memory.

Formats: CSV/TSV (any delimiter; UTF-8, UTF-8/UTF-16 with BOM, CP932, EUC-JP, cp1252;
bad quoting, bad bytes and mixed line endings read by ``careful``), XLSX
(``workbook``: every sheet, each streamed row by row to a temporary CSV; a sheet
after the first is the source ``file.xlsx#Sheet``; a date cell without a time is
written as a plain date), Parquet (a DATE column reads as ``2024-07-01``, a TIMESTAMP as
``2024-07-01 00:00:00``, so each keeps its kind), JSON Lines, and the
Salesforce ``sf data import tree`` JSON (``{"records": [...]}``).

What "line" means, per format (it is what the quarantine table reports):

- CSV/TSV: the line a text editor shows (where the record starts; CR, LF and CRLF
  each end a line). DuckDB's reader is kept only for files whose records are one
  line each after the header on line 1, where a record's ordinal is its line;
  any other file is read by ``careful`` (``settle``), which numbers physical lines.
  The quarantine's ``record`` column holds the raw row;
- XLSX: the worksheet row number;
- Parquet: the row number, from 1;
- JSON Lines: the record number, from 1 (blank lines not counted); a file DuckDB
  refuses (a bad line, a byte order mark) is read by ``jsonlines``: the physical line;
- Salesforce tree JSON: the position of the record in ``records``, from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from covermap.errors import ImportProblem, UnknownTable
from covermap.importing import aliases, careful, charsets, jsonlines, sniff

#: the longest CSV record DuckDB accepts (note bodies and descriptions can be long)
MAX_LINE_SIZE = 4 * 1024 * 1024
#: the reader's buffer (DuckDB needs it larger than a line; its default is 16 lines)
BUFFER_SIZE = 32 * 1024 * 1024
FORMATS_BY_SUFFIX = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
}


def sql_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class RawSource:
    """A file as a table of text columns ``c0..cN`` that can be scanned repeatedly."""

    path: Path
    format: str
    encoding: str
    headers: list[str]
    #: FROM-clause SQL of the rows (for CSV-backed sources: built by ``scan``)
    scan_sql: str = ""
    #: CSV-backed sources: the UTF-8 file DuckDB reads and its delimiter
    csv_file: Path | None = None
    delimiter: str = ","
    #: the column holding each row's exact line (else: ordinal + line_offset)
    line_column: str | None = None
    line_offset: int = 0
    #: Salesforce tree JSON: the sObject type of the records (Account, Contact, ...)
    object_type: str | None = None
    #: XLSX: the worksheet; ``part`` is its name too when it is not the workbook's first
    #: sheet, and then names the source (``file_id``, ``label``) beside the file
    sheet: str | None = None
    part: str | None = None
    temp_files: list[Path] = field(default_factory=list)
    #: CSV: the lines DuckDB's fast reader must find (header + one line a record) for its
    #: count to be trusted; None: read the file with the careful reader (``settle``)
    fast_lines: int | None = None
    #: CSV, once settled: good records, bad ones, the SQL of the bad ones (careful reader)
    records: int | None = None
    malformed: int = 0
    rejects: str | None = None
    careful: bool = False
    work_dir: Path | None = None

    @property
    def columns(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.headers))]

    @property
    def file_id(self) -> str:
        """The source's identity in the store's ``imports`` and ``quarantine`` tables: the
        absolute path, with ``#<sheet>`` for a workbook's sheet after the first."""
        return str(self.path.resolve()) + (f"#{self.part}" if self.part else "")

    @property
    def label(self) -> str:
        """The source as a user named it: the path, with ``#<sheet>`` as in ``file_id``."""
        return str(self.path) + (f"#{self.part}" if self.part else "")

    def header_of(self, column: str) -> str:
        """The source header of raw column ``c<i>``."""
        return self.headers[int(column[1:])]

    def column_named(self, names: tuple[str, ...]) -> str | None:
        """The raw column of the first of ``names`` the file has (compared by name_key)."""
        keys = [aliases.name_key(h) for h in self.headers]
        for name in names:
            if aliases.name_key(name) in keys:
                return self.columns[keys.index(aliases.name_key(name))]
        return None

    @property
    def captures_rejects(self) -> bool:
        """Whether malformed lines are skipped by the reader and can be captured (a
        settled CSV file has counted its own: ``records``, ``malformed``, ``rejects``)."""
        return self.csv_file is not None and self.records is None

    def scan(self, rejects: tuple[str, str] | None = None) -> str:
        """FROM-clause SQL of the rows. ``rejects`` = (table, scan table) to store
        malformed lines in; without it they are skipped (every scan skips the same)."""
        if self.csv_file is None:
            return self.scan_sql
        return _read_csv_sql(self.csv_file, len(self.headers), self.delimiter,
                             rejects=rejects, line_column=self.line_column is not None)


def file_format(path: Path) -> str | None:
    """The format of ``path`` by its suffix (None: not a format covermap reads)."""
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def _empty(path: Path) -> ImportProblem:
    return ImportProblem("the file is empty: it has no header line, so its columns are "
                         "unknown; export it again with a header row, or leave it out",
                         file=str(path))


#: the error of a file with no header line (also for a workbook's sheets)
empty_file = _empty


def _csv_columns(n: int, line_column: bool) -> str:
    cols = [f"'c{i}': 'VARCHAR'" for i in range(n)]
    if line_column:
        cols.insert(0, "'__line': 'BIGINT'")
    return "{" + ", ".join(cols) + "}"


def _read_csv_sql(path: Path, ncols: int, delimiter: str, *, rejects: tuple[str, str] | None,
                  line_column: bool = False) -> str:
    options = [
        "auto_detect = false", "header = true", f"delim = {sql_str(delimiter)}",
        "quote = '\"'", "escape = '\"'", f"max_line_size = {MAX_LINE_SIZE}",
        f"buffer_size = {BUFFER_SIZE}",
        f"columns = {_csv_columns(ncols, line_column)}",
    ]
    if rejects:
        options += ["store_rejects = true", f"rejects_table = {sql_str(rejects[0])}",
                    f"rejects_scan = {sql_str(rejects[1])}"]
    else:
        options.append("ignore_errors = true")
    return f"read_csv({sql_str(str(path))}, {', '.join(options)})"


def read_delimited(path: Path, tmpdir: Path, *, encoding: str | None = None,
                   delimiter: str | None = None) -> RawSource:
    """CSV/TSV: the encoding (``charsets``; other than UTF-8 is transcoded to UTF-8),
    delimiter and header. Whether DuckDB reads the file or the careful reader does is
    decided by ``settle``: a file with bytes that do not decode, mixed or bare-CR line
    endings, or its header below line 1 goes to the careful reader at once."""
    if path.stat().st_size == 0:
        raise _empty(path)
    found = charsets.examine(path, encoding)
    enc = found.encoding
    sample = sniff.read_sample(path, enc)
    delim = delimiter or sniff.sniff_delimiter(sample.lstrip("\ufeff"))
    headers = sniff.read_header(sample, delim)
    if not headers:
        raise _empty(path)
    readable, temps, lines = path, [], found.lines if found.clean else None
    if sniff.needs_transcoding(enc):
        readable = tmpdir / f"{len(list(tmpdir.iterdir()))}-{path.stem}.utf8.csv"
        lines = sniff.transcode(path, enc, readable)
        temps.append(readable)
    fast = lines is not None and lines.uniform and sniff.header_on_first_line(sample, delim)
    return RawSource(path, "csv", enc, headers, csv_file=readable, delimiter=delim,
                     line_offset=1, temp_files=temps, fast_lines=lines.count if fast else None,
                     work_dir=tmpdir)


def settle(con: duckdb.DuckDBPyConnection, raw: RawSource) -> None:
    """Count a CSV file's records once, with the reader that can be trusted with it.

    DuckDB's reader (fast) is kept when it rejects no line and finds one record a line
    after the header, so that every record is accounted for and a record's ordinal is
    its line. Otherwise (some line rejected: its error-tolerant scan may then skip good
    rows too; DuckDB cannot parse it; or a record spans lines) the file is read again by
    ``careful.read``, whose good and bad records then are the source."""
    if raw.format != "csv" or raw.records is not None:
        return
    if raw.fast_lines is not None:
        tables = ("__csv_rejects", "__csv_reject_scans")
        try:
            records = con.execute(f"SELECT count(*) FROM {raw.scan(tables)}").fetchall()[0][0]
            rejected = con.execute(f"SELECT count(*) FROM {tables[0]}").fetchall()[0][0]
        except duckdb.Error:
            records, rejected = -1, 1
        finally:
            for name in tables:
                con.execute(f"DROP TABLE IF EXISTS {name}")
        if not rejected and records + 1 == raw.fast_lines:
            raw.records = records
            return
    dest = (raw.work_dir or raw.path.parent) / f"{len(raw.temp_files)}-{id(raw)}-{raw.path.stem}"
    read = careful.read(raw.path, raw.encoding, raw.delimiter, raw.headers, dest)
    raw.temp_files += [read.good, read.bad]
    raw.csv_file, raw.line_column, raw.careful = read.good, "__line", True
    raw.records, raw.malformed = read.records, read.malformed
    raw.rejects = careful.rejects_sql(read.bad) if read.malformed else None
    counted = con.execute(f"SELECT count(*) FROM {raw.scan()}").fetchall()[0][0]
    if counted != read.records:  # the careful reader writes what DuckDB reads: a bug
        raise RuntimeError(f"{raw.path}: the careful reader wrote {read.records} records, "
                           f"DuckDB reads {counted}")


def _described(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> list[tuple[str, str]]:
    try:
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()]
    except duckdb.Error as e:
        raise ImportProblem(f"cannot read this file: {str(e).splitlines()[0]}",
                            file=str(path)) from e


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> RawSource:
    """Parquet: every column as text, with the row number as the line."""
    base = f"read_parquet({sql_str(str(path))}, file_row_number = true)"
    cols = [name for name, _ in _described(con, base, path) if name != "file_row_number"]
    body = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS c{i}" for i, c in enumerate(cols))
    scan = f"(SELECT file_row_number + 1 AS __line{', ' if body else ''}{body} FROM {base})"
    return RawSource(path, "parquet", "-", cols, scan_sql=scan, line_column="__line")


def read_json_lines(con: duckdb.DuckDBPyConnection, path: Path,
                    tmpdir: Path | None = None) -> RawSource:
    """JSON Lines: one object per line; nested values are kept as JSON text. A file DuckDB
    refuses (a line that is no JSON object, a byte order mark) is read by ``jsonlines``:
    its bad lines are quarantined with their line, the others load."""
    if path.stat().st_size == 0:
        raise _empty(path)
    base = f"read_json({sql_str(str(path))}, format = 'newline_delimited', sample_size = -1)"
    try:
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {base}").fetchall()]
        spec = "{" + ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in cols) + "}"
        typed = (f"read_json({sql_str(str(path))}, format = 'newline_delimited', "
                 f"columns = {spec})")
        # every column read: a line's transform (a key twice, say) fails only when it is
        records = con.execute(f"SELECT count(*), max(hash(COLUMNS(*))) FROM {typed}"
                              ).fetchall()[0][0]
    except duckdb.Error:
        return _careful_json_lines(path, tmpdir or path.parent)
    body = ", ".join(f"{ident(c)} AS c{i}" for i, c in enumerate(cols))
    return RawSource(path, "jsonl", "utf-8", cols, scan_sql=f"(SELECT {body} FROM {typed})",
                     records=records)


def _careful_json_lines(path: Path, tmpdir: Path) -> RawSource:
    read = jsonlines.read(path, tmpdir / f"{len(list(tmpdir.iterdir()))}-{path.stem}")
    if not read.keys and not read.malformed:
        raise _empty(path)
    if not read.keys:
        raise ImportProblem(f"no line of this file is a JSON object ({read.malformed} bad "
                            f"line{'s' if read.malformed != 1 else ''}; {read.first_problem}): "
                            f"JSON Lines hold one object per line", file=str(path))
    wrapped = (f"read_json({sql_str(str(read.good))}, format = 'newline_delimited', "
               f"columns = {{'__line': 'BIGINT', 'r': 'JSON'}})")
    body = "".join(f", json_extract_string(r, {sql_str(json_path(k))}) AS c{i}"
                   for i, k in enumerate(read.keys))
    return RawSource(path, "jsonl", "utf-8", list(read.keys),
                     scan_sql=f"(SELECT __line{body} FROM {wrapped})", line_column="__line",
                     records=read.records, malformed=read.malformed,
                     rejects=careful.rejects_sql(read.bad) if read.malformed else None,
                     careful=True, temp_files=[read.good, read.bad])


def read_json(con: duckdb.DuckDBPyConnection, path: Path,
              tmpdir: Path | None = None) -> RawSource:
    """A ``.json`` file: Salesforce tree JSON (``{"records": [...]}``); any other JSON
    document is read as JSON Lines when it is one object per line."""
    if path.stat().st_size == 0:
        raise _empty(path)
    with path.open("rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{") or b'"records"' not in head:
        if head.startswith(b"{"):
            return read_json_lines(con, path, tmpdir)
        raise UnknownTable("this JSON holds no records: covermap reads JSON Lines (one "
                           'object per line) and Salesforce tree JSON ({"records": [...]})',
                           file=str(path))
    # the document is one JSON object, so DuckDB must hold it whole: size the buffer to it
    size = max(16 * 1024 * 1024, path.stat().st_size + 1024)
    base = (f"read_json({sql_str(str(path))}, format = 'auto', columns = {{'records': 'JSON[]'}}, "
            f"maximum_object_size = {size})")
    records = (f"(SELECT unnest(records) AS r, generate_subscripts(records, 1) AS i "
               f"FROM {base})")
    try:
        keys = con.execute(
            f"SELECT k FROM (SELECT unnest(json_keys(r)) AS k, "
            f"generate_subscripts(json_keys(r), 1) AS p, i FROM {records}) "
            f"GROUP BY k ORDER BY min(i), min(p)").fetchall()
        types = con.execute(f"SELECT DISTINCT json_extract_string(r, '$.attributes.type') "
                            f"FROM {records}").fetchall()
    except duckdb.Error as e:
        raise ImportProblem(f"cannot read this JSON: {str(e).splitlines()[0]}",
                            file=str(path)) from e
    cols = [k for (k,) in keys if k != "attributes"]
    paths = [json_path(c) for c in cols]
    headers = [*cols, "attributes.referenceId"]
    paths.append("$.attributes.referenceId")
    body = ", ".join(f"json_extract_string(r, {sql_str(p)}) AS c{i}" for i, p in enumerate(paths))
    scan = f"(SELECT i AS __line, {body} FROM {records})"
    kinds = sorted({t for (t,) in types if t})
    return RawSource(path, "sf-tree", "utf-8", headers, scan_sql=scan, line_column="__line",
                     object_type=kinds[0] if len(kinds) == 1 else None)


def json_path_key(key: str) -> str:
    """A JSON path step for ``key`` (quoted, so any key is safe)."""
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def json_path(key: str) -> str:
    """The JSON path of top-level ``key``; the empty key, which no ``$.`` path names, by its
    JSON pointer ``/``."""
    return f"$.{json_path_key(key)}" if key else "/"


def open_source(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path, *,
                encoding: str | None = None, delimiter: str | None = None,
                sheet: str | None = None) -> RawSource:
    """Read ``path`` with the reader for its format."""
    fmt = file_format(path)
    if fmt == "csv":
        raw = read_delimited(path, tmpdir, encoding=encoding, delimiter=delimiter)
        settle(con, raw)
        return raw
    if fmt == "xlsx":
        from covermap.importing.workbook import read_workbook  # it imports this module

        return read_workbook(path, tmpdir, sheet=sheet)
    if fmt == "parquet":
        return read_parquet(con, path)
    if fmt == "jsonl":
        return read_json_lines(con, path, tmpdir)
    if fmt == "json":
        return read_json(con, path, tmpdir)
    raise ImportProblem(f"covermap cannot read {path.suffix or 'extension-less'} files; "
                        f"it reads {', '.join(sorted(set(FORMATS_BY_SUFFIX)))}", file=str(path))
