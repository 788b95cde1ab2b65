"""Import files into the store: one transaction, set-based upserts, a quarantine.

``import_paths`` reads every file (folders: all their data files), recognises
its table and columns, then in ONE DuckDB transaction loads the tables in
``schema.TABLES`` order (a table after those it refers to), so a failure or a
killed process leaves the store exactly as it was.

Per file, DuckDB's own reader scans the source, never row by row and never
into Python:

1. *count*: a scan counts the records; malformed lines land in a rejects table (a
   CSV file is counted once, when it is opened, by the reader that can be trusted
   with it: ``readers.settle``);
2. *upsert*: when the table has rows, those whose key the file brings again are
   deleted; then one INSERT ... SELECT converts, checks and loads the good rows;
3. *duplicates and references*: grouped over the rows just loaded (a stored,
   compressed column: cheaper than another pass over the file);
4. only when rows were refused or ids repeat: ``problems`` numbers the rows to
   report their lines, writes the quarantine and keeps the first of each id;
5. only when several files feed a table, or it held rows before: ``duplicates``
   takes out the copies of one record under other ids, after the table's last file.

On clean data that is two reads of the file and one write, which keeps the
import within a small factor of a bare ``CREATE TABLE AS SELECT * FROM read_csv``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import duckdb

from covermap.errors import ImportProblem, MissingColumn, RejectedRows, UnknownTable
from covermap.importing import (aliases, checks, coerce, duplicates, extras, hubspot,
                                problems, recognise, roles, stages)
from covermap.importing.readers import RawSource, file_format, ident, open_source, sql_str
from covermap.importing.report import FileReport, ImportReport, SkippedFile, ordered_reasons
from covermap.importing.workbook import read_sheets
from covermap.plan import Plan, default_plan
from covermap.store import groups, schema
from covermap.store.connect import Store
from covermap.store.quarantine import REASON_STEM

#: (what is happening, units done, units in total)
Progress = Callable[[str, int, int], None]

#: DuckDB's memory budget while importing (spills to a temporary folder beyond it)
MEMORY_LIMIT = os.environ.get("COVERMAP_IMPORT_MEMORY", "1GB")
_ORDER = {t.name: i for i, t in enumerate(schema.TABLES)}
_TMP_PREFIX = "covermap-import-"


def expand(paths: Sequence[str | Path]) -> list[tuple[Path, bool]]:
    """(file, given explicitly) for every path; a folder gives its data files, sorted."""
    out: dict[Path, tuple[Path, bool]] = {}
    for p in map(Path, paths):
        if p.is_dir():
            found = [(f, False) for f in sorted(p.iterdir())
                     if f.is_file() and not f.name.startswith(".")]
        elif p.is_file():
            found = [(p, True)]
        else:
            raise ImportProblem("no such file or folder", file=str(p))
        for f, explicit in found:  # a file named twice is imported once
            key = f.resolve()
            out[key] = (f, explicit or out.get(key, (f, False))[1])
    return list(out.values())


@contextmanager
def _session(con: duckdb.DuckDBPyConnection) -> Iterator[Path]:
    """Import settings (memory budget, spill folder, UTC, SQL macros), restored after."""
    names = ("memory_limit", "TimeZone", "preserve_insertion_order", "temp_directory",
             "enable_progress_bar")
    old = {n: con.execute(f"SELECT current_setting('{n}')").fetchone()[0] for n in names}
    _remove_stale_folders()
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-"))
    try:
        con.execute(f"SET memory_limit = {sql_str(MEMORY_LIMIT)}")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = true")  # row numbers follow the file
        try:
            con.execute(f"SET temp_directory = {sql_str(str(tmp / 'spill'))}")
        except duckdb.Error:
            pass  # already spilling elsewhere; keep that folder
        for macro in coerce.MACROS:
            con.execute(macro)
        (tmp / "files").mkdir()
        yield tmp / "files"
    finally:
        for n, v in old.items():
            try:
                con.execute(f"SET {n} = {sql_str(str(v))}")
            except duckdb.Error:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


def _remove_stale_folders() -> None:
    """Remove the temporary folders of imports whose process was killed (a killed
    import leaves the store as it was, but cannot clean up after itself)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_TMP_PREFIX}*-*"):
        pid = folder.name.removeprefix(_TMP_PREFIX).split("-")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's live process


def _cutoff(plan: Plan) -> tuple[dt.date, dt.datetime]:
    """as_of, and the first UTC instant after it (activities from then on are future)."""
    zone = zoneinfo.ZoneInfo(plan.timezone)
    as_of = plan.as_of or dt.datetime.now(zone).date()
    start = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), zone)
    return as_of, start.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _open(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path,
          plan: Plan) -> tuple[list[RawSource], list[SkippedFile]]:
    """The sources of one file: a workbook gives one per sheet (the sheets the plan's
    sources name, else every sheet), and names the sheets it leaves out, with why."""
    found = [s for _, s in recognise.matching_sources(path, plan.sources)]
    if file_format(path) == "xlsx":
        raws, left = read_sheets(path, tmpdir, [s.sheet for s in found] if found else None)
        return raws, [SkippedFile(f"{path}#{name}", why) for name, why in left]
    opts = found[0] if found else None
    return [open_source(con, path, tmpdir, encoding=opts.encoding if opts else None,
                        delimiter=opts.delimiter if opts else None,
                        sheet=opts.sheet if opts else None)], []


def _table_of(raw: RawSource) -> str:
    """The table of a source no plan entry maps. A workbook's sheet after the first goes
    by its sheet's name, then its columns; a first sheet by the file's name, then the
    sheet's, then its columns."""
    if raw.sheet is not None and (raw.part or recognise.table_from_name(raw.path) is None):
        by_sheet = recognise.table_from_name(Path(raw.sheet))
        if by_sheet:
            return by_sheet
        if raw.part:
            return recognise.table_of(replace(raw, path=Path(raw.sheet)))
    return recognise.table_of(raw)


def _mappings(raw: RawSource, plan: Plan, bridges: hubspot.Bridges) -> list[recognise.Mapping]:
    kind = aliases.FILE_KINDS.get(recognise.stem_key(Path(raw.sheet) if raw.part else raw.path))
    found = [(i, s) for i, s in recognise.matching_sources(raw.path, plan.sources)
             if raw.sheet is None or s.sheet == raw.sheet or (s.sheet is None and not raw.part)]
    if found:
        return [recognise.map_columns(raw, schema.table(s.table), s, source_index=i,
                                      bridges=bridges.columns_for, file_kind=kind)
                for i, s in found]
    table = _table_of(raw)
    m = recognise.map_columns(raw, schema.table(table), bridges=bridges.columns_for,
                              file_kind=kind)
    lines = recognise.deal_lines_of(m) if table == "deals" else None
    return [m, lines] if lines else [m]


def import_paths(store: Store, paths: Sequence[str | Path], *, plan: Plan | None = None,
                 strict: bool = False, progress: Progress | None = None,
                 dry_run: bool = False) -> ImportReport:
    """Import files and folders into ``store`` in one transaction.

    Every row that cannot be used goes to the ``quarantine`` table with its file,
    line, column and reason; with ``strict`` any such row raises ``RejectedRows``
    and nothing is committed. Re-importing a file changes nothing (upsert by key).
    With ``dry_run`` everything is done and reported, then rolled back (to leave the
    store's file untouched too, use ``covermap.importing.preview``).

    >>> import tempfile, pathlib
    >>> from covermap.store.connect import open_store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "accounts.csv").write_text("account_id,name\\nA1,Acme\\nA2,\\n")
    >>> with open_store(":memory:") as s:
    ...     r = import_paths(s, [d / "accounts.csv"])
    >>> (r.loaded, r.quarantined, r.files[0].reasons)
    (1, 1, (('name is required', 1),))
    """
    if getattr(store, "backend", "DuckDB") != "DuckDB":  # staged in DuckDB, then written
        from covermap.store.postgres_import import import_paths as into_postgres

        return into_postgres(store, paths, plan=plan, strict=strict, progress=progress,
                             dry_run=dry_run)
    plan = plan or default_plan()
    con = store.duckdb
    as_of, cutoff = _cutoff(plan)
    report = lambda msg, done, total: progress and progress(msg, done, total)  # noqa: E731
    with _session(con) as tmpdir:
        bridges = hubspot.Bridges()
        role_names = roles.RoleNames(bridges.files)
        try:
            units, skipped = _recognise(con, expand(paths), tmpdir, plan, bridges, report,
                                        role_names)
            return _transaction(store, units, skipped, bridges, as_of, cutoff, strict, report,
                                plan=plan, dry_run=dry_run)
        finally:
            bridges.drop(con)
            role_names.drop(con)


def _recognise(con: duckdb.DuckDBPyConnection, files: list[tuple[Path, bool]], tmpdir: Path,
               plan: Plan, bridges: hubspot.Bridges, report: Callable,
               role_names: roles.RoleNames) -> tuple[list[recognise.Mapping], list[SkippedFile]]:
    """Open every file and map it onto its table(s); association files load as bridges.
    A folder's file that matches no table is skipped; a file named explicitly fails."""
    raws, skipped, units = [], [], []
    for path, explicit in files:
        if not explicit and file_format(path) is None:
            skipped.append(SkippedFile(str(path), "not a data file covermap reads"))
            continue
        report(f"reading {path.name}", 0, 0)
        try:
            opened, left = _open(con, path, tmpdir, plan)
        except UnknownTable as e:
            if explicit:
                raise
            skipped.append(SkippedFile(str(path), e.reason))
            continue
        skipped += left
        planned = recognise.matching_sources(path, plan.sources)
        for raw in opened:
            bridge = None if planned else hubspot.bridge_of(raw)
            why = None if planned else recognise.documentation(raw)
            if why:
                skipped.append(SkippedFile(raw.label, why))
            elif bridge:
                bridges.load(con, raw, *bridge)
            elif not planned and role_names.take(con, raw):
                pass  # a role/team name file (covermap.importing.roles)
            elif not planned and (stage_columns := hubspot.stage_metadata_of(raw)):
                bridges.load_stages(con, raw, stage_columns)
            else:  # a workbook's later sheet is never named explicitly: skipped, not fatal
                raws.append((raw, explicit and not raw.part))
    for raw, explicit in raws:
        try:
            units += [stages.with_status(m, plan.deal_stages, bridges.stages)
                      for m in role_names.filled(_mappings(raw, plan, bridges), plan)]
        except UnknownTable:
            if explicit:
                raise
            where = f" (file: {raw.path.name}, sheet: {raw.sheet})" if raw.part else ""
            skipped.append(SkippedFile(raw.label, f"matches no table by its name or columns; "
                                       f"map it in the plan's sources:{where} to import it"))
        except MissingColumn as e:  # a report export names no record ids
            if raw.part:
                skipped.append(SkippedFile(raw.label, e.reason))
                continue
            if explicit or recognise.report_table(raw) is None:
                raise
            skipped.append(SkippedFile(raw.label, f"a Salesforce report export: {e.reason}"))
    if any(m.table.name == "deal_lines" and not m.derived for m in units):
        # a real line-items file is there: a deals file's product column would add
        # each deal's amount once more
        units = [m for m in units if not m.derived]
    # stable: file order within a table, the plan's preferred file first (its rows win
    # both over copies under other ids and over the same ids in later files)
    units.sort(key=lambda m: (_ORDER[m.table.name], not duplicates.preferred(
        m.raw.path, getattr(plan.duplicates.get(m.table.name), "prefer", None))))
    return units, skipped


def _transaction(store: Store, units: list[recognise.Mapping], skipped: list[SkippedFile],
                 bridges: hubspot.Bridges, as_of: dt.date, cutoff: dt.datetime, strict: bool,
                 report: Callable, *, plan: Plan, dry_run: bool) -> ImportReport:
    """Load every mapped file in one transaction: all of them, or none."""
    con = store.duckdb
    con.execute("BEGIN TRANSACTION")
    try:
        import_id = con.execute(
            "SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        con.execute("CREATE OR REPLACE TEMP TABLE __rootcause (table_name VARCHAR, k VARCHAR, "
                    "reason VARCHAR)")
        feeds = {t: sum(m.table.name == t for m in units) for t in _ORDER}
        files: list[FileReport] = []
        same: list[duplicates.Unit] = []
        stored = False
        for n, m in enumerate(units):
            report(f"{m.raw.path.name} → {m.table.name}", n, len(units))
            if n == 0 or units[n - 1].table.name != m.table.name:  # a table's first file
                duplicates.start(con)
                stored = duplicates.track_store(con, m.table.name)
            tracked = feeds[m.table.name] > 1 or stored
            f, u = _load(store, m, n, import_id, as_of, cutoff, track=tracked,
                         dates=checks.date_range(as_of, plan.import_.dates.earliest,
                                                 plan.import_.dates.latest_years_after_as_of),
                         earlier=same)
            files.append(f)
            if tracked:
                same.append(duplicates.Unit(n, u, m.raw.file_id))
                if n + 1 == len(units) or units[n + 1].table.name != m.table.name:
                    if m.table.name in duplicates.NATURAL_KEYS:
                        duplicates.take_out_copies(con, files, same, plan, import_id)
                    same = []
            report(f"{m.raw.path.name} → {m.table.name}", n + 1, len(units))
        result = ImportReport(import_id, tuple(files), tuple(skipped), tuple(bridges.files))
        if strict and result.quarantined:
            first = con.execute(
                "SELECT file, line, \"column\", reason FROM quarantine WHERE import_id = ? "
                "ORDER BY file, line LIMIT 3", [import_id]).fetchall()
            where = "; ".join(f"{Path(f).name} line {ln}" + (f" column {c!r}" if c else "")
                              + f": {r}" for f, ln, c, r in first)
            raise RejectedRows(
                f"{result.quarantined} row(s) would be quarantined, so nothing was imported "
                f"(--strict). First: {where}. Fix them, or import without --strict and "
                f"inspect them with `covermap status --quarantined`")
        if feeds["accounts"]:
            groups.rebuild(con)
        con.execute("DROP TABLE IF EXISTS __rootcause")
        duplicates.drop(con)
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def _load(store: Store, m: recognise.Mapping, n: int, import_id: int, as_of: dt.date,
          cutoff: dt.datetime, *, track: bool = False,
          dates: tuple[dt.date, dt.date] | None = None,
          earlier: Sequence[duplicates.Unit] = ()) -> tuple[FileReport, checks.UnitSQL]:
    """Load one mapped file into its table (inside the import's transaction); with
    ``track``, record the keys it loaded (``duplicates.track``). Rows with an id one of
    the ``earlier`` files of the table loaded are quarantined (the first stays)."""
    con, t, raw = store.duckdb, m.table, m.raw
    file_id, table = raw.file_id, ident(t.name)
    records, malformed, rejects, drops = _count(con, raw, n)
    extra_types = extras.register(con, m)
    u = checks.UnitSQL(m, cutoff=cutoff if t.event_time else None, as_of=as_of, dates=dates,
                       earlier=duplicates.earlier_ids(t, list(earlier)))
    con.execute("DELETE FROM quarantine WHERE file = ? AND table_name = ?", [file_id, t.name])
    def good_with(extras: range | None = range(0)) -> str:
        return f"SELECT * FROM ({u.checked(raw.scan(), extras=extras)}) AS c WHERE NOT __bad"

    good = good_with()
    match = " AND ".join(f"{{0}}.{ident(k)} = n.x_{k}" for k in t.key)
    had_rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
    if had_rows:  # upsert: the rows this file brings again go first
        con.execute(f"DELETE FROM {table} USING (SELECT DISTINCT {', '.join(u.keys)} FROM "
                    f"({good})) AS n WHERE {match.format(table)}")
        if t.keeps_extra_columns:
            extras.prune(con)
    loaded = 0
    # never INSERT zero rows (see problems.insert); finding one good row is cheap
    if con.execute(f"SELECT 1 FROM ({good}) LIMIT 1").fetchone():
        names, exprs = u.insert_columns()
        con.execute("SET preserve_insertion_order = false")  # the store keeps no order
        try:
            loaded = con.execute(f"INSERT INTO {table} ({', '.join(map(ident, names))}) "
                                 f"SELECT {', '.join(exprs)} FROM ({good})").fetchone()[0]
            extras.insert(con, m, lambda batch: f"({good_with(batch)})")
        except duckdb.OutOfMemoryException as e:  # the import rolls back (_session resets)
            raise ImportProblem(
                f"storing this file's {len(names) + len(m.extras):,} columns needs more "
                f"memory than the import's budget of {MEMORY_LIMIT}; nothing was imported: "
                f"set COVERMAP_IMPORT_MEMORY above {MEMORY_LIMIT}", file=str(raw.path)) from e
        con.execute("SET preserve_insertion_order = true")
    # this file's rows in the table: all of them when it was empty before
    own = table if not had_rows else (
        f"(SELECT * FROM {table} WHERE EXISTS (SELECT 1 FROM ({good}) AS n WHERE "
        f"{match.format(table)}))")
    keys = ", ".join(map(ident, t.key))
    dup_keys = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {own} AS own GROUP BY {keys} "
                           f"HAVING count(*) > 1)").fetchone()[0] if loaded else 0
    quarantined = 0
    if records > loaded or dup_keys or malformed:
        if earlier:
            duplicates.first_lines(con, u, list(earlier))
        quarantined, removed = problems.quarantine(
            con, u, import_id=import_id, file_id=file_id, rejects=rejects,
            malformed=malformed, dup_keys=dup_keys, own=own)
        loaded -= removed
    unresolved = con.execute(u.unresolved_counts(own)).fetchone() \
        if u.unresolved and loaded else [0] * len(u.unresolved)
    examples = {c.name: tuple(v for v, in con.execute(_unresolved_examples(own, c)).fetchall())
                for c, k in zip(u.unresolved, unresolved) if k}
    if track and loaded:
        duplicates.track(con, n, t.key, own)
    reasons = ordered_reasons(dict(con.execute(
        f"SELECT {REASON_STEM} AS r, count(*) AS n FROM quarantine WHERE import_id = ? AND "
        f"file = ? AND table_name = ? GROUP BY r", [import_id, file_id, t.name]).fetchall()))
    problems.drop(con)
    for name in drops:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    rows_read = records + malformed
    if rows_read != loaded + quarantined:
        raise RuntimeError(f"{raw.path}: {rows_read} rows read but {loaded} loaded and "
                           f"{quarantined} quarantined")
    con.execute("INSERT INTO imports (import_id, file, table_name, encoding, rows_read, "
                "rows_loaded, rows_quarantined) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [import_id, file_id, t.name, raw.encoding, rows_read, loaded, quarantined])
    return FileReport(
        raw.label, t.name, raw.encoding, rows_read, loaded, quarantined, malformed,
        tuple(m.ignored), extra_types,
        {c.name: k for c, k in zip(u.unresolved, unresolved) if k}, reasons,
        format=raw.format,
        columns=tuple((c.name, m.labels.get(c.name, c.name)) for c in t.columns
                      if c.name in m.exprs),
        unresolved_examples=examples), u


def _count(con: duckdb.DuckDBPyConnection, raw: RawSource,
           n: int) -> tuple[int, int, str | None, tuple[str, ...]]:
    """(good records, malformed records, FROM-clause SQL of the malformed ones, tables to
    drop after the file) of one source."""
    if raw.records is not None:  # a CSV file, counted when it was opened (readers.settle)
        return raw.records, raw.malformed, raw.rejects, ()
    tables = (f"__rejects_{n}", f"__reject_scans_{n}") if raw.captures_rejects else None
    try:  # the one scan that stores malformed lines; every other scan skips the same
        records = con.execute(f"SELECT count(*) FROM {raw.scan(tables)}").fetchall()[0][0]
    except duckdb.Error as e:
        raise ImportProblem(f"cannot read this file: {str(e).splitlines()[0]}",
                            file=str(raw.path)) from e
    if tables is None:
        return records, 0, None, ()
    malformed = con.execute(f"SELECT count(DISTINCT line) FROM {tables[0]}").fetchall()[0][0]
    return records, malformed, tables[0], tables


def _unresolved_examples(rows: str, c: schema.Column) -> str:
    """SQL: the three most frequent values of reference ``c`` in ``rows`` that match
    nothing (what a user searches the file for, e.g. Maven's product ``GTXPro``)."""
    return (f"SELECT CAST({ident(c.name)} AS VARCHAR) AS v FROM {rows} AS own WHERE "
            f"{checks.missing_reference(ident(c.name), c.references)} GROUP BY v "
            f"ORDER BY count(*) DESC, v LIMIT 3")
