"""Fuzz (issue 15, point 2), the reader layer: a generated CSV/TSV or JSON Lines file is
opened by covermap's reader (``readers.open_source``: encoding, delimiter, header, then
DuckDB's reader or the careful one) in an in-memory DuckDB, and

- every record is counted once, good or malformed: a clean file's records are exactly
  the rows written and read back unchanged (a blank value as empty); a JSON Lines file
  has one record or one malformed line per non-blank line, whatever the line holds
  (NaN, a BOM, a bare CR inside, duplicate keys, huge or deep values, an array);
- a file damaged at random (a quote, a delimiter, a line break, a NUL or a byte that
  does not decode, inserted or cut) is read, or refused with covermap's own error;
- the rows a source counts are the rows its scan returns.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from covermap.errors import CovermapError
from covermap.importing.readers import open_source
from fuzz_support import Counter, fuzz_settings

EXAMPLES = 1500
HEADERS = ["contact_id", "name", "title", "note"]
CELL = st.text(st.sampled_from(list("ab Z09,;|\t\"'\n\r.-") + ["é", "株", "ｶ", "Ω", "🙂",
                                                              "\u3000", "\u2028"]), max_size=8)
DAMAGE = [b'"', b",", b";", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xe9", b"\xef\xbb\xbf",
          b"\\", b"\t"]
JSON_LINES = st.one_of(
    st.fixed_dictionaries({"contact_id": st.text(max_size=5), "name": st.text(max_size=8)})
    .map(lambda d: json.dumps(d, ensure_ascii=False)),
    st.sampled_from([
        '{"contact_id": "x", "name": NaN}', '{"contact_id": "x", "n": Infinity}',
        '{"contact_id": "a",\r"name": "b"}', '{"contact_id": "a", "contact_id": "b"}',
        '{"contact_id": 123456789012345678901234567890}', '{"contact_id": 1e999}',
        '{"contact_id": "x", "deep": ' + "[" * 600 + "]" * 600 + "}", "[1, 2]", '"text"',
        "null", "{not json", '{"contact_id": "x"', '{"": "empty key", "contact_id": "y"}',
        '{"a.b": 1, "c\\"d": 2, "contact_id": "z"}', "\ufeff{\"contact_id\": \"bom\"}",
        '{"contact_id": "\\u0000"}', '{"contact_id": "\\ud800"}', "   ", "",
        '{"contact_id": {"nested": [1, {"x": null}]}}', '{"contact_id": true}']))


@st.composite
def csv_files(draw) -> tuple[str, bytes, list[list[str]] | None]:
    """(suffix, bytes, the rows when the file is clean)."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(CELL, min_size=4, max_size=4), max_size=10))
    # a row of only blanks is a blank line to a reader, not a record
    rows = [r for r in rows if any(c.strip() for c in r)]
    buf = io.StringIO()
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    # with LF endings Python leaves a value's bare CR unquoted, which ends a line (CR, LF
    # and CRLF each do): such a file is not clean, so its values are all quoted
    w = csv.writer(buf, delimiter=delimiter, lineterminator=ending,
                   quoting=csv.QUOTE_ALL if ending == "\n" else csv.QUOTE_MINIMAL)
    w.writerow(HEADERS)
    w.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    data = buf.getvalue().encode(encoding)
    if draw(st.integers(0, 2)) == 0:
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(data)))
            if draw(st.booleans()):
                data = data[:at] + draw(st.sampled_from(DAMAGE)) + data[at:]
            else:
                data = data[:at] + data[at + draw(st.integers(1, 4)):]
        return ("tsv" if delimiter == "\t" else "csv"), data, None
    return ("tsv" if delimiter == "\t" else "csv"), data, rows


@st.composite
def jsonl_files(draw) -> tuple[str, bytes, int]:
    lines = draw(st.lists(JSON_LINES, min_size=1, max_size=10))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    data = "".join(ln + ending for ln in lines).encode("utf-8", "surrogatepass")
    return "jsonl", data, sum(bool(ln.strip()) for ln in lines)


RUN = Counter()
STATE: dict = {"n": 0}


def _read(suffix: str, data: bytes):
    STATE["n"] += 1
    folder = STATE["tmp"] / str(STATE["n"])
    work = folder / "work"
    work.mkdir(parents=True)
    path = folder / f"contacts.{suffix}"
    path.write_bytes(data)
    return open_source(STATE["con"], path, work)


def _scanned(raw) -> list[tuple]:
    cols = ", ".join(raw.columns)
    order = " ORDER BY __line" if raw.line_column else ""  # else: the file's order
    return STATE["con"].execute(f"SELECT {cols} FROM {raw.scan()} AS s{order}").fetchall()


@fuzz_settings(EXAMPLES)
@given(file=st.one_of(csv_files(), csv_files(), jsonl_files()))
def _every_record_is_counted_once(file) -> None:
    suffix, data, want = file
    try:
        raw = _read(suffix, data)
    except CovermapError as e:
        assert str(e) and "Traceback" not in str(e)
        # a damaged file may be refused whole; so is a JSON Lines file with no object
        assert want is None or suffix == "jsonl", (e, want)
        RUN.done()
        return
    got = _scanned(raw)
    assert len(got) == raw.records, (len(got), raw.records)
    if suffix == "jsonl":
        assert raw.records + raw.malformed == want, (raw.records, raw.malformed, want)
    elif want is not None:
        assert (raw.records, raw.malformed) == (len(want), 0), (raw.records, raw.malformed)
        assert raw.headers == HEADERS
        assert [[v or "" for v in row] for row in got] == want
    RUN.done()


def test_every_record_is_counted_once(record_property, tmp_path_factory):
    """1,500 generated CSV, TSV and JSON Lines files, a third of the CSV ones damaged."""
    STATE.update(tmp=tmp_path_factory.mktemp("fuzz_readers"), con=duckdb.connect())
    STATE["con"].execute("SET threads = 1")
    try:
        _every_record_is_counted_once()
    finally:
        shutil.rmtree(STATE["tmp"], ignore_errors=True)
    RUN.report(record_property, "readers", EXAMPLES)
