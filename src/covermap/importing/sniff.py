"""Look at a delimited text file before DuckDB reads it: encoding, delimiter, header.

Encoding rules (reference/crm-data-sources.md §7):

1. a byte-order mark decides: ``utf-8-sig`` (EF BB BF) or ``utf-16`` (FF FE / FE FF);
2. otherwise the whole file must decode as strict UTF-8;
3. otherwise it is CP932 (what Japanese Windows calls "Shift_JIS"); never Python's
   ``shift_jis`` codec, which rejects ①, ㈱ and 髙 and maps 0x8160 differently.

DuckDB reads UTF-8 itself; its other encodings need an extension download (this
machine is offline), so UTF-16 and CP932 files are transcoded to a temporary
UTF-8 file first. Both the UTF-8 check and the transcoding stream the file in
fixed-size chunks through an incremental decoder, so memory stays bounded
whatever the file size.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from covermap.errors import ImportProblem

CHUNK = 8 * 1024 * 1024
SAMPLE = 256 * 1024
DELIMITERS = ",\t;|"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _is_utf8(path: Path) -> bool:
    """Whether the whole file decodes as strict UTF-8 (streamed; ASCII chunks skip decoding)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            # A pure-ASCII chunk after a clean boundary needs no decoding: this keeps
            # the check near memory speed on the large, mostly-ASCII activity exports.
            if chunk.isascii() and not decoder.getstate()[0]:
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """The encoding of a text file: ``utf-8``, ``utf-8-sig``, ``utf-16`` or ``cp932``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("名前\\n㈱髙橋\\n".encode("cp932"))
    >>> detect_encoding(p)
    'cp932'
    """
    with path.open("rb") as f:
        head = f.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "utf-8" if _is_utf8(path) else "cp932"


def needs_transcoding(encoding: str) -> bool:
    """Whether DuckDB cannot read ``encoding`` itself (it reads UTF-8, with or without BOM)."""
    return codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig")


def transcode(path: Path, encoding: str, dest: Path) -> None:
    """Write ``path`` decoded from ``encoding`` to ``dest`` as UTF-8, chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = lines = 0
    chunk = b""
    try:
        with path.open("rb") as src, dest.open("wb") as out:
            while chunk := src.read(CHUNK):
                out.write(decoder.decode(chunk).encode("utf-8"))
                offset += len(chunk)
                lines += chunk.count(b"\n")
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as e:
        # e.start counts from the start of the bytes the decoder held (its own pending
        # bytes first), which is close enough to place the line
        at = max(0, offset + e.start - len(e.object) + len(chunk))
        line = lines + chunk[: max(0, at - offset)].count(b"\n") + 1
        raise ImportProblem(
            f"byte {at} cannot be decoded as {encoding} (tried UTF-8, then CP932); set "
            f"`encoding:` for this file in the plan's sources (e.g. latin-1 or utf-16)",
            file=str(path), line=line) from e


def read_sample(path: Path, encoding: str) -> str:
    """The first ~256 KiB of the file as text (a partial last character is dropped)."""
    with path.open("rb") as f:
        raw = f.read(SAMPLE)
    if encoding.startswith("utf-16"):
        raw = raw[: len(raw) - len(raw) % 2]
    return codecs.getincrementaldecoder(encoding)("ignore").decode(raw)


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
        for row in csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'):
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
    rows = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    for row in rows:
        if any(cell.strip() for cell in row):
            return [cell.strip() for cell in row]
    return []
