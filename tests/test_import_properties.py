"""Property (issue 8): whatever CSV a user brings, every record is stored or quarantined
on its line, with no crash, and importing the same files again changes nothing.

The generator writes contacts files with quote errors (text after a closing quote,
backslash-escaped quotes, unterminated quotes), mixed encodings (UTF-8, UTF-8 with BOM,
UTF-16 with and without BOM, cp1252, CP932, UTF-8 with a cp1252 row), mixed and bare-CR
line endings, blank, short, long and wide rows and multi-line values. It knows each
record's kind (good or bad) and the line it starts on: that is the independent rule
the import is checked against, exactly, file by file.

Each Hypothesis example writes ``FILES`` files and imports them at once into a real
DuckDB store, a copy of one made empty for the module, read by one DuckDB thread (an
import's cost on small files is mostly per call and per query; this keeps the
``EXAMPLES x FILES`` = 2,000 files near a minute on two cores); every eighth example
imports them again and compares the whole store.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from covermap.importing import import_paths
from covermap.plan import default_plan
from covermap.store.connect import open_store

FILES = 25
EXAMPLES = 80
BREAK = re.compile("\r\n|\r|\n")

ASCII = ["Acme", "Beta", "Corp", "Ltd", "and", "Sons", "42", "x"]
WESTERN = ["Renée", "Dupont", "Jürgen", "Groß", "Ærø", "Ålborg", "Niño", "Café", "Crème",
           "Zoë", "Müller", "François", "Lefèvre", "Søren", "“Smart”", "–"]
JAPANESE = ["株式会社", "テスト", "高橋", "商事", "山田", "太郎", "東京都", "ｶﾌﾞｼｷｶﾞｲｼｬ", "①",
            "㈱", "髙島屋"]
#: encoding -> (words of its values, good rows every file of it gets: enough text for the
#: detector to tell the encoding, as any real file of people's names has)
ENCODINGS = {
    "utf-8": (ASCII + WESTERN + JAPANESE, []),
    "utf-8-sig": (ASCII + WESTERN + JAPANESE, []),
    "utf-16": (ASCII + WESTERN + JAPANESE, []),
    "utf-16-le": (ASCII + WESTERN + JAPANESE, []),
    "cp1252": (ASCII + WESTERN, ["Renée Dupont", "Jürgen Groß"]),
    "cp932": (ASCII + JAPANESE, ["株式会社テスト", "高橋商事"]),
    # UTF-8 with one row in cp1252: that row is bad, every other keeps its accents
    "mixed": (ASCII + WESTERN + JAPANESE, ["Renée Dupont", "高橋商事", "Zoë Müller"]),
}
GOOD = ("plain", "quoted", "multiline", "inner_quotes", "signal")
BAD = ("after_quote", "backslash", "unterminated", "short", "long", "empty", "no_id",
       "spaces")
KINDS = GOOD[:4] * 3 + BAD


@dataclass
class Generated:
    """One file as written, and what the import must make of it."""

    name: str
    data: bytes
    encoding: str = ""
    records: int = 0
    good: list[str] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)


def _value(rnd: random.Random, words: list[str], prefix: str = "v") -> str:
    return " ".join([prefix, *rnd.choices(words, k=rnd.randint(1, 3))])


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _record(kind: str, rid: str, n: int, d: str, words: list[str], rnd: random.Random,
            nl: str, signal: str) -> str:
    """The text of one record (no line break at its end) of ``n`` fields."""
    fill = [_value(rnd, ASCII, "f") for _ in range(n - 2)]
    name = _value(rnd, words, f"v{rid}")
    if kind == "plain":
        cells = [rid, name, *fill]
    elif kind == "signal":
        cells = [rid, f"v{rid} {signal}", *fill]
    elif kind == "quoted":
        cells = [rid, _quoted(f"{name}{d} a \"q\" b;c\td"), *fill]
    elif kind == "multiline":
        cells = [rid, _quoted(f"{name}{nl}second line{d} x"), *fill]
    elif kind == "inner_quotes":
        cells = [rid, f'{name} "Small" Co', *fill]
    elif kind == "after_quote":
        cells = [rid, f'"{name}"y', *fill]
    elif kind == "backslash":
        cells = [rid, f'"{name} \\"Small\\" Co"', *fill]
    elif kind == "unterminated":
        cells = [rid, f'"{name}', *fill]
    elif kind == "short":
        cells = [rid, name, *fill][: rnd.randint(1, n - 1)]
    elif kind == "long":
        cells = [rid, name, *fill, *(["extra"] * rnd.randint(1, 3))]
    elif kind == "empty":
        cells = [""] * n
    elif kind == "no_id":
        cells = ["", name, *fill]
    else:  # spaces: a line of blanks is one field, not a blank line
        return "   "
    return d.join(cells)


@st.composite
def csv_files(draw, index: int) -> Generated:
    """One generated file (``index`` keeps its ids and name apart from the others')."""
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    encoding = draw(st.sampled_from(sorted(ENCODINGS)))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    d = draw(st.sampled_from([",", ";", "\t"]))
    # one file in 25 is 300 columns wide (a HubSpot "all properties" export); wide files
    # with bad rows cost the most to import, so the others are narrower
    n = 2 + (298 if draw(st.integers(0, 24)) == 0 else draw(st.sampled_from([1, 1, 2, 3, 8, 20])))
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=20))
    words, signals = ENCODINGS[encoding]
    kinds[rnd.randint(0, len(kinds)):0] = ["signal"] * len(signals)
    if encoding == "mixed":
        kinds.insert(rnd.randint(0, len(kinds)), "cp1252_row")
    header = d.join(["contact_id", "name", "title", *(f"note_{i}" for i in range(n - 3))])
    g = Generated(f"contacts-{index}.csv", b"", encoding)
    pieces: list[list[str]] = []  # [text, line break, encoding]
    line, signal_no = 1, 0

    def emit(text: str, enc: str = "utf-8") -> None:
        nonlocal line
        end = rnd.choice(["\n", "\r\n"]) if ending == "mixed" else ending
        pieces.append([text, end, enc])
        line += len(BREAK.split(text))

    for _ in range(rnd.choice([0, 0, 0, 1])):
        emit("")  # a blank line before the header
    emit(header)
    for r, kind in enumerate(kinds):
        if rnd.random() < 0.05:
            emit("")  # a blank line is no record
        rid = f"C{index}x{r}"
        g.records += 1
        if kind == "cp1252_row":
            g.bad_lines.append(line)
            emit(d.join([rid, f"v{rid} Zoë Müller", *(["t"] * (n - 2))]), "cp1252")
            continue
        nl = {"\r\n": "\r\n", "\r": "\r"}.get(ending, "\n")
        signal = signals[signal_no % len(signals)] if signals else ""
        signal_no += kind == "signal"
        (g.good.append(rid) if kind in GOOD else g.bad_lines.append(line))
        emit(_record(kind, rid, n, d, words, rnd, nl, signal))
    if rnd.random() < 0.3:
        pieces[-1][1] = ""  # no line break after the last line
    if encoding in ("mixed", "utf-8", "utf-8-sig"):
        g.data = (b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b"") + b"".join(
            (t + e).encode(enc) for t, e, enc in pieces)
    else:
        g.data = "".join(t + e for t, e, _ in pieces).encode(encoding)
    return g


def _store_rows(s) -> tuple[list, list]:
    con = s.duckdb
    contacts = sorted(con.execute("SELECT * FROM contacts").fetchall(), key=repr)
    quarantined = sorted(con.execute(
        'SELECT file, line, "column", value, reason, record FROM quarantine').fetchall(),
        key=repr)
    return contacts, quarantined


RUNS = {"files": 0, "records": 0, "good": 0, "bad": 0}
#: the empty store every example copies, and the default plan (parsed once)
EMPTY: dict = {}


# derandomized: the same files on every run; no shrinking, which on files this size can
# take minutes (a failure prints the generated files, and their kinds, as they are)
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
@given(files=st.tuples(*(csv_files(i) for i in range(FILES))), again=st.integers(0, 7))
def _every_record_is_stored_or_quarantined(files: tuple[Generated, ...], again: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = []
        for g in files:
            (folder / g.name).write_bytes(g.data)
            paths.append(folder / g.name)
        shutil.copy(EMPTY["store"], Path(tmp) / "s.duckdb")
        with open_store(Path(tmp) / "s.duckdb") as s:
            s.duckdb.execute("SET threads = 1")
            report = import_paths(s, paths, plan=EMPTY["plan"])
            by_file = {Path(f.file).name: f for f in report.files}
            for g in files:
                f = by_file[g.name]
                assert (f.rows_read, f.loaded, f.quarantined) == (
                    g.records, len(g.good), len(g.bad_lines)), g
            good = sorted(rid for g in files for rid in g.good)
            assert sorted(r for r, in s.duckdb.execute("SELECT contact_id FROM contacts")
                          .fetchall()) == good
            lines = sorted((Path(file).name, line) for file, line in s.duckdb.execute(
                "SELECT file, line FROM quarantine").fetchall())
            assert lines == sorted((g.name, ln) for g in files for ln in g.bad_lines)
            if again == 0:  # re-import: the same counts, the same store
                before = _store_rows(s)
                second = import_paths(s, paths, plan=EMPTY["plan"])
                assert [(f.rows_read, f.loaded, f.quarantined) for f in second.files] == [
                    (f.rows_read, f.loaded, f.quarantined) for f in report.files]
                assert _store_rows(s) == before
    for g in files:
        RUNS["files"] += 1
        RUNS["records"] += g.records
        RUNS["good"] += len(g.good)
        RUNS["bad"] += len(g.bad_lines)


def test_every_record_is_stored_or_quarantined_on_its_line(capsys, tmp_path):
    """rows in = rows stored + rows quarantined, exactly, over at least 2,000 files."""
    RUNS.update(dict.fromkeys(RUNS, 0))
    with open_store(tmp_path / "empty.duckdb"):
        pass
    EMPTY.update(store=tmp_path / "empty.duckdb", plan=default_plan())
    _every_record_is_stored_or_quarantined()
    assert RUNS["files"] >= 2000, RUNS
    with capsys.disabled():
        print(f"\nimport property: {RUNS['files']:,} files, {RUNS['records']:,} records "
              f"({RUNS['good']:,} good, {RUNS['bad']:,} bad)")
