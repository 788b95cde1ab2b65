"""Fuzz (issue 15, point 2), end to end: generated accounts, contacts and deals files, each
written as CSV, TSV, XLSX, JSON Lines or Parquet, are imported into a real DuckDB file.
Per file, every record is read (the rows written, exactly), and stored or quarantined
with a reason: rows read = rows loaded + rows quarantined, the table holds the rows
loaded, the quarantine holds one (file, line) per row quarantined; importing the same
files again gives the same counts and the same store (row counts and order-independent
checksums of every column, per table, and of the quarantine). Only covermap's own
errors may be raised (``CovermapError``), never a crash.

The values: ids repeated, blank or padded; names blank or full of quotes, delimiters,
line breaks and non-Latin text; numbers and dates good, malformed or implausible;
contacts and deals of accounts that exist, were quarantined or never existed.

One store file per module (an xdist worker runs a module whole): each case writes its
own ids, names and file names (the case number is in every key and natural key), so no
case's rows meet another's, and its checks read only its own rows.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from covermap.errors import CovermapError
from covermap.importing import import_paths
from covermap.plan import default_plan
from covermap.store.connect import open_store
from fuzz_support import Counter, fuzz_settings

EXAMPLES = 30
FORMATS = ("csv", "tsv", "xlsx", "jsonl", "parquet")
TEXT = st.text(st.sampled_from(list("abcXYZ 019,;\"'|\t\n-_.") + ["é", "株", "式", "ｶ", "\u3000",
                                                                    "Ω", "🙂"]), max_size=10)


def _ids(prefix: str) -> st.SearchStrategy[str]:
    """An id of a small pool (so some repeat), padded, blank or only spaces."""
    return st.one_of(*[st.integers(0, 30).map(lambda k: f"{prefix}{k}")] * 8,
                     st.integers(0, 30).map(lambda k: f"  {prefix}{k} "),
                     st.sampled_from(["", "   "]))


def _case_tables(case: int) -> dict[str, st.SearchStrategy]:
    acc, con, deal = f"k{case}a", f"k{case}c", f"k{case}d"
    # mostly good values (a row holds several; one bad value quarantines it)
    names = st.one_of(*[TEXT.map(lambda s: f"n{case} {s}")] * 6, st.sampled_from(["", " "]))
    numbers = st.sampled_from(["12", "1,234", "", "1.5", "$2,000.50", "1e3", "7"] * 3
                              + ["x", "-3", "0x10"])
    dates = st.sampled_from(["2024-01-31", "", "2024/3/4", "2024-01-31T10:00:00Z",
                             "令和6年1月31日"] * 4 + ["2024-02-30", "1850-01-01", "24-03-04",
                                                   "soon"])
    wholes = st.sampled_from(["12", "1,234", "", "7", "0", "1e3"] * 3 + ["1.5", "x", "-3"])
    refs = st.one_of(*[st.integers(0, 8).map(lambda k: f"{acc}{k}")] * 6, _ids(acc),
                     st.just(f"k{case}zz"))
    return {
        "accounts": st.fixed_dictionaries({
            "account_id": _ids(acc), "name": names, "employees": wholes,
            "annual_revenue": numbers, "created_at": dates, "segment": TEXT,
            "favourite colour": TEXT}),
        "contacts": st.fixed_dictionaries({
            "contact_id": _ids(con), "account_id": refs, "name": names,
            "email": st.one_of(st.integers(0, 99).map(lambda k: f"p{k}@k{case}.example"),
                               st.just("")),
            "lead_score": numbers, "created_at": dates}),
        "deals": st.fixed_dictionaries({
            "deal_id": _ids(deal), "account_id": refs, "name": names, "amount": numbers,
            "close_date": dates, "is_won": st.sampled_from(["true", "false", "", "Yes"] * 3 + ["maybe"])}),
    }


@st.composite
def datasets(draw, case: int) -> list[tuple[str, str, list[dict[str, str]], dict]]:
    """(table, format, rows, writing options) for one to three tables."""
    tables = _case_tables(case)
    chosen = draw(st.lists(st.sampled_from(sorted(tables)), min_size=1, max_size=3,
                           unique=True))
    out = []
    for table in sorted(chosen, key=["accounts", "contacts", "deals"].index):
        fmt = draw(st.sampled_from(FORMATS))
        rows = draw(st.lists(tables[table], min_size=draw(st.sampled_from([0, 1, 1, 1])),
                             max_size=12))
        options = {"encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])),
                   "ending": draw(st.sampled_from(["\n", "\r\n"])),
                   "delimiter": draw(st.sampled_from([",", ";"])),
                   "blank_as": draw(st.sampled_from(["", None, "omit"]))}
        out.append((table, fmt, rows, options))
    return out


def _write(folder: Path, table: str, fmt: str, rows: list[dict[str, str]], o: dict) -> Path:
    headers = _HEADERS[table]
    path = folder / f"{table}.{fmt}"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="\t" if fmt == "tsv" else o["delimiter"],
                       lineterminator=o["ending"])
        w.writerow(headers)
        w.writerows([r[h] for h in headers] for r in rows)
        path.write_bytes(buf.getvalue().encode(o["encoding"]))
    elif fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(headers)
        for r in rows:
            ws.append([r[h] if r[h] != "" or o["blank_as"] == "" else None for h in headers])
        wb.save(path)
    elif fmt == "jsonl":
        lines = []
        for r in rows:
            obj = {h: (r[h] if r[h] != "" else o["blank_as"]) for h in headers}
            if o["blank_as"] == "omit":
                obj = {h: v for h, v in obj.items() if v != "omit"}
            lines.append(json.dumps(obj, ensure_ascii=False))
        if rows:  # the first line names every column, as an export's does
            lines[0] = json.dumps({h: rows[0][h] for h in headers}, ensure_ascii=False)
        path.write_text("".join(ln + o["ending"] for ln in lines), "utf-8")  # none: empty
    else:
        pq.write_table(pa.table({h: pa.array([r[h] if r[h] != "" or o["blank_as"] == "" else
                                              None for r in rows], pa.string())
                                 for h in headers}), path)
    return path


_HEADERS = {
    "accounts": ["account_id", "name", "employees", "annual_revenue", "created_at",
                 "segment", "favourite colour"],
    "contacts": ["contact_id", "account_id", "name", "email", "lead_score", "created_at"],
    "deals": ["deal_id", "account_id", "name", "amount", "close_date", "is_won"]}
KEYS = {"accounts": "account_id", "contacts": "contact_id", "deals": "deal_id"}


def _state(con, case: int, files: list[str]) -> dict:
    """Row counts and per-column checksums of the case's rows in every table it feeds,
    and of its quarantine rows (without the import number, which a re-import advances)."""
    out = {}
    for table, key in KEYS.items():
        out[table] = con.execute(
            f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table} "
            f"WHERE trim({key}) LIKE 'k{case}_%'").fetchone()
    marks = ", ".join("?" for _ in files) or "NULL"
    out["quarantine"] = con.execute(
        f'SELECT count(*), sum(hash(table_name)), sum(hash(file)), sum(hash(line)), '
        f'sum(hash("column")), sum(hash(value)), sum(hash(reason)), sum(hash(record)) '
        f"FROM quarantine WHERE file IN ({marks})", files).fetchone()
    return out


RUN = Counter()
STATE: dict = {"case": 0}
#: what the cases held: files, rows read, loaded, quarantined, imports refused whole
SEEN = dict.fromkeys(("files", "rows", "loaded", "quarantined", "refused", "again"), 0)


@fuzz_settings(EXAMPLES)
@given(data=st.data(), again=st.booleans())
def _every_row_is_stored_or_quarantined(data, again: bool) -> None:
    STATE["case"] += 1
    case = STATE["case"]
    folder = STATE["tmp"] / f"case{case}"
    folder.mkdir()
    sets = data.draw(datasets(case))
    paths = [_write(folder, t, fmt, rows, o) for t, fmt, rows, o in sets]
    written = {p.resolve(): (t, len(rows)) for p, (t, _, rows, _) in zip(paths, sets)}
    s = STATE["store"]
    try:
        report = import_paths(s, paths, plan=STATE["plan"])
    except CovermapError as e:  # a file covermap refuses whole, with its reason
        assert str(e) and "Traceback" not in str(e)
        SEEN["refused"] += 1
        STATE.setdefault("refusals", []).append(str(e)[:200])
        RUN.done()
        return
    con = s.duckdb
    files = [f.file for f in report.files]
    loaded: dict[str, int] = {}
    for f in report.files:
        table, n = written[Path(f.file.split("#")[0]).resolve()]
        assert f.table == table, (f.file, f.table)
        assert f.rows_read == n, (f.file, f.rows_read, n)
        assert f.rows_read == f.loaded + f.quarantined, f
        lines, reasons = con.execute(
            "SELECT count(DISTINCT line), count(*) FILTER (WHERE coalesce(reason, '') = '') "
            "FROM quarantine WHERE file = ? AND table_name = ?",
            [str(Path(f.file).resolve()), f.table]).fetchone()
        assert (lines, reasons) == (f.quarantined, 0), (f, lines, reasons)
        loaded[table] = loaded.get(table, 0) + f.loaded
        SEEN["files"] += 1
        SEEN["rows"] += f.rows_read
        SEEN["loaded"] += f.loaded
        SEEN["quarantined"] += f.quarantined
    before = _state(con, case, [str(Path(f).resolve()) for f in files])
    for table, n in loaded.items():
        assert before[table][0] == n, (table, before[table], n)
    if again:
        second = import_paths(s, paths, plan=STATE["plan"])
        assert [(f.file, f.rows_read, f.loaded, f.quarantined) for f in second.files] == [
            (f.file, f.rows_read, f.loaded, f.quarantined) for f in report.files]
        assert _state(con, case, [str(Path(f).resolve()) for f in files]) == before
        SEEN["again"] += 1
    RUN.done()


def test_every_row_is_stored_or_quarantined_and_imports_again_the_same(
        record_property, tmp_path_factory):
    """30 generated imports of one to three files (every format), half of them twice."""
    tmp = tmp_path_factory.mktemp("fuzz_import")
    with open_store(tmp / "covermap.duckdb", in_place=True) as store:
        STATE.update(store=store, plan=default_plan(), tmp=tmp)
        _every_row_is_stored_or_quarantined()
    RUN.report(record_property, "imports", EXAMPLES)
    record_property("fuzz_detail", ", ".join(f"{k} {v:,}" for k, v in SEEN.items()))
    # the cases load and quarantine rows of every kind; few are refused whole
    assert SEEN["loaded"] and SEEN["quarantined"] and SEEN["refused"] <= RUN.n // 4, (
        SEEN, STATE.get("refusals"))
