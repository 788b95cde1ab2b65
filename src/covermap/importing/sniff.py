"""Look at a delimited text file before DuckDB reads it: encoding, delimiter, header.

The encoding comes from ``covermap.importing.charsets`` (byte-order mark, strict
UTF-8, else a detector over the file's non-ASCII lines). DuckDB reads UTF-8 itself;
its other encodings need an extension download (this machine is offline), so CP932,
EUC-JP, cp1252 and UTF-16 files are transcoded to a temporary UTF-8 file first,
streamed in fixed-size chunks through an incremental decoder, so memory stays
bounded whatever the file size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from covermap.importing import charsets

CHUNK = 8 * 1024 * 1024
SAMPLE = 256 * 1024
DELIMITERS = ",\t;|"


def detect_encoding(path: Path) -> str:
    """The encoding of a text file: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp932``,
    ``euc_jp``, ``cp1252``, ``utf-16-le`` or ``utf-16-be`` (``charsets.EncodingUnclear``
    when the bytes leave it open).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("名前\\n株式会社高橋商事\\n".encode("cp932"))
    >>> detect_encoding(p)
    'cp932'
    >>> _ = p.write_bytes("name\\nRenée Dupont\\n".encode("cp1252"))
    >>> detect_encoding(p)
    'cp1252'
    """
    return charsets.examine(path).encoding


def needs_transcoding(encoding: str) -> bool:
    """Whether DuckDB cannot read ``encoding`` itself (it reads UTF-8, with or without BOM)."""
    return codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig")


def transcode(path: Path, encoding: str, dest: Path) -> charsets.Lines | None:
    """Write ``path`` decoded from ``encoding`` to ``dest`` as UTF-8, chunk by chunk, and
    count its lines; None (and no ``dest``) when some byte does not decode, which leaves
    the file to the careful reader."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = charsets.Lines()
    try:
        with path.open("rb") as src, dest.open("wb") as out:
            while chunk := src.read(CHUNK):
                text = decoder.decode(chunk).encode("utf-8")
                lines.feed(text)
                out.write(text)
            text = decoder.decode(b"", final=True).encode("utf-8")
            lines.feed(text)
            out.write(text)
    except UnicodeDecodeError:
        dest.unlink(missing_ok=True)
        return None
    return lines


def read_sample(path: Path, encoding: str) -> str:
    """The first ~256 KiB of the file as text (a partial last character and bytes that do
    not decode are dropped)."""
    with path.open("rb") as f:
        raw = f.read(SAMPLE)
    if encoding.startswith("utf-16"):
        raw = raw[: len(raw) - len(raw) % 2]
    return codecs.getincrementaldecoder(encoding)("ignore").decode(raw)


def header_on_first_line(sample: str, delimiter: str) -> bool:
    """Whether the file's first line holds its header (has a filled cell)."""
    first = re.split("\r|\n", sample.lstrip("\ufeff"), maxsplit=1)[0]
    return any(cell.strip() for cell in first.split(delimiter))


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a sample of delimited text: comma, tab, semicolon or pipe.

    Each delimiter found in the header line is tried on the sample's records; the one
    that splits most records into as many fields as the header wins (values full of
    other delimiters cannot fool it, as they can csv.Sniffer).

    >>> sniff_delimiter("a;b;c\\n1;2,5;3\\n")
    ';'
    """
    text = sample.lstrip("\ufeff")
    header = next((ln for ln in text.splitlines() if ln.strip()), "")
    best, best_score, best_width = ",", -1.0, 0
    for d in DELIMITERS:
        if d not in header:
            continue
        records = list(_records(text, d, 200))
        width = len(records[0]) if records else 0
        if width < 2:
            continue
        body = records[1:-1] or records[1:]  # the last record of a sample may be cut short
        score = sum(len(r) == width for r in body) / len(body) if body else 1.0
        if score > best_score or (score == best_score and width > best_width):
            best, best_score, best_width = d, score, width
    return best


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    out = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               quotechar='"'):
            if row:
                out.append(row)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def read_header(sample: str, delimiter: str) -> list[str]:
    """The header row's column names (BOM and surrounding blanks stripped)."""
    text = sample.lstrip("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    for row in rows:
        if any(cell.strip() for cell in row):
            return [cell.strip() for cell in row]
    return []
