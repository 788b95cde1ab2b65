"""Which encoding a delimited text file is in, and what one streamed pass over it saw.

Rules (reference/crm-data-sources.md §7, issue 8 point 2):

1. a byte-order mark decides: ``utf-8-sig`` (EF BB BF) or ``utf-16`` (FF FE / FE FF);
2. a file that decodes as strict UTF-8 is UTF-8 (the pass also counts its lines);
3. otherwise the lines holding non-ASCII bytes (the whole file's, up to ``BUDGET``) are
   the sample: when more of them are valid UTF-8 than not, the file is UTF-8 with a few
   bad rows (the careful reader quarantines them); a sample full of NUL bytes is UTF-16
   without a BOM; else the candidates CP932, EUC-JP and cp1252 that decode (nearly)
   every sample line are weighed by charset-normalizer;
4. when that leaves no clear choice, ``EncodingUnclear`` names the candidates, how the
   first such line reads in each, and the plan key that settles it.

CP932 is what Japanese Windows calls "Shift_JIS"; Python's ``shift_jis`` codec rejects
①, ㈱ and 髙 and maps 0x8160 differently, so it is never used. cp1252 stands for
Latin-1 too: they differ only in 0x80-0x9F, where Latin-1 has control characters.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from covermap.errors import ImportProblem

CHUNK = 8 * 1024 * 1024
#: how many bytes of non-ASCII lines the detector weighs
BUDGET = 1024 * 1024
#: a candidate may fail on this share of the sample's lines (stray bytes; ``_fits``)
TOLERANCE = 0.05
LABELS = {
    "utf-8": "UTF-8", "cp932": "CP932 (Japanese Windows, 'Shift_JIS')",
    "euc_jp": "EUC-JP (Japanese Unix)", "cp1252": "cp1252 (Western European, Latin-1)",
    "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE",
}
_BREAKS = re.compile(rb"\r\n|\r|\n")
#: bytes that split words in every candidate (never a CP932 trail byte)
_SEPARATORS = re.compile(rb'[\s,;|"]+')
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Lines:
    """Line endings of an ASCII-compatible byte stream, fed chunk by chunk."""

    lf: int = 0
    cr: int = 0
    crlf: int = 0
    #: line feeds in the run of line breaks that ends the stream (trailing blank lines)
    tail_lf: int = 0
    content: bool = False
    _last: bytes = field(default=b"", repr=False)

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.lf += chunk.count(b"\n")
        cr = chunk.count(b"\r")
        if cr:
            self.cr += cr
            self.crlf += chunk.count(b"\r\n")
        if self._last == b"\r" and chunk[:1] == b"\n":
            self.crlf += 1
        self._last = chunk[-1:]
        body = chunk.rstrip(b"\r\n")
        if body:
            self.content = True
            self.tail_lf = chunk.count(b"\n", len(body))
        else:
            self.tail_lf += chunk.count(b"\n")

    @property
    def uniform(self) -> bool:
        """Only LF, or only CRLF, ends lines (what DuckDB's reader handles)."""
        return self.cr == 0 or self.cr == self.crlf == self.lf

    @property
    def count(self) -> int:
        """Lines, trailing blank lines not counted."""
        return self.lf - self.tail_lf + 1 if self.content else 0


@dataclass(frozen=True)
class Examined:
    """A file's encoding and, when it was streamed as UTF-8, what that pass found."""

    encoding: str
    #: every byte decodes (None: not checked yet, the transcoding will tell)
    clean: bool | None = None
    lines: Lines | None = None


class EncodingUnclear(ImportProblem):
    """The file's encoding is not clear from its bytes; the plan must name it."""


def _scan_utf8(path: Path, skip: int = 0) -> tuple[bool, Lines]:
    """(whether the file decodes as strict UTF-8, its lines), in one streamed pass."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines, ok = Lines(), True
    with path.open("rb") as f:
        f.seek(skip)
        while chunk := f.read(CHUNK):
            lines.feed(chunk)
            # a pure-ASCII chunk after a clean boundary needs no decoding: this keeps the
            # check near memory speed on the large, mostly-ASCII activity exports
            if not ok or (chunk.isascii() and not decoder.getstate()[0]):
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                ok = False
        if ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                ok = False
    return ok, lines


def examine(path: Path, encoding: str | None = None) -> Examined:
    """The encoding of ``path`` (``encoding`` when the plan names one, else detected);
    a UTF-8 file is streamed once to check every byte and count its lines."""
    with path.open("rb") as f:
        head = f.read(64 * 1024)
    bom = next((name for mark, name in _BOMS if head.startswith(mark)), None)
    enc = encoding or bom or _utf16(head)
    if enc is None:
        ok, lines = _scan_utf8(path)
        enc = "utf-8" if ok else guess(path)
        return Examined(enc, ok if enc == "utf-8" else None, lines if enc == "utf-8" else None)
    if codecs.lookup(enc).name in ("utf-8", "utf-8-sig"):
        ok, lines = _scan_utf8(path, skip=3 if bom == "utf-8-sig" else 0)
        return Examined(enc, ok, lines)
    return Examined(enc)


def _utf16(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every ASCII character of it has a zero byte
    (such text can be valid UTF-8 too, full of NUL characters)."""
    nuls = head.count(b"\x00")
    if not head or nuls * 10 < len(head):
        return None
    return "utf-16-le" if head[1::2].count(b"\x00") * 2 >= nuls else "utf-16-be"


def _sample(path: Path) -> list[tuple[int, bytes]]:
    """The file's non-ASCII lines with their numbers, up to ``BUDGET`` bytes of them."""
    found: list[tuple[int, bytes]] = []
    size, number, carry = 0, 0, b""
    with path.open("rb") as f:
        while size < BUDGET and (chunk := f.read(CHUNK)):
            data, carry = carry + chunk, b""
            if data.isascii():  # nothing to weigh: count its lines only
                cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
                number += data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n", 0, cut)
                carry = data[cut:]
                continue
            parts = _BREAKS.split(data)
            carry = parts.pop()
            if len(carry) > BUDGET:  # no line break in sight: weigh what there is
                parts.append(carry)
                carry = b""
            for part in parts:
                number += 1
                if not part.isascii():
                    found.append((number, part))
                    size += len(part)
        if carry and not carry.isascii() and size < BUDGET:
            found.append((number + 1, carry))
    return found


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _fits(encoding: str, lines: list[tuple[int, bytes]]) -> bool:
    """Whether ``encoding`` decodes (nearly) every line: at most ``TOLERANCE`` of them
    fail, or one when three others decode (a stray byte in a small file)."""
    bad = sum(not _decodes(b, encoding) for _, b in lines)
    return bad <= max(TOLERANCE * len(lines), 1 if len(lines) - bad >= 3 else 0)


def guess(path: Path) -> str:
    """The encoding of a file that is not strict UTF-8 and has no byte-order mark."""
    lines = _sample(path)
    if not lines:
        return "utf-8"
    valid = sum(_decodes(b, "utf-8") for _, b in lines)
    if valid > len(lines) - valid:
        return "utf-8"  # a UTF-8 file with some bad rows: the careful reader keeps the rest
    fits = [e for e in ("cp932", "euc_jp", "cp1252") if _fits(e, lines)]
    words = [w for _, b in lines if all(_decodes(b, e) for e in fits)
             for w in _SEPARATORS.split(b) if not w.isascii()]
    chosen = _weigh(fits, words)
    whole = [e for e in fits if not any(not _decodes(b, e) for _, b in lines)]
    if chosen or len(whole) == 1:  # else: the one that decodes every line
        return chosen or whole[0]
    raise _unclear(path, lines, (["utf-8"] if valid else []) + (fits or []))


def _weigh(fits: list[str], words: list[bytes]) -> str | None:
    """The one of ``fits`` charset-normalizer finds clearly best on ``words``, the
    sample's non-ASCII words (ASCII text around them would dilute its mess ratio); None
    when there is no clear choice."""
    if len(fits) <= 1:
        return fits[0] if fits else None
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(b" ".join(words), cp_isolation=fits)
               if codecs.lookup(m.encoding).name in {codecs.lookup(e).name for e in fits}]
    if not matches:
        return None
    best = matches[0]
    if (len(matches) == 1 and best.chaos <= 0.05) or (
            len(matches) > 1 and best.chaos + 0.1 <= matches[1].chaos):
        return next(e for e in fits if codecs.lookup(e).name == codecs.lookup(best.encoding).name)
    return None


def _unclear(path: Path, lines: list[tuple[int, bytes]], candidates: list[str]) -> ImportProblem:
    """The error that names the candidates, how the first non-ASCII line reads in each,
    and the plan key to set."""
    from covermap.store import schema

    number, first = lines[0] if lines else (1, b"")
    shown = first.strip()[:60]
    readings = "; ".join(
        f"{LABELS[e]}: {shown.decode(e, 'replace')!r}" for e in candidates) or (
        f"it is not UTF-8, CP932, EUC-JP or cp1252 (line {number} reads "
        f"{shown.decode('latin-1')!r} in Latin-1)")
    table = path.stem.lower() if path.stem.lower() in schema.TABLES_BY_NAME else "<table>"
    which = f"it could be {readings}" if candidates else readings
    pick = candidates[0] if candidates else "latin-1"
    return EncodingUnclear(
        f"cannot tell this file's encoding: {which}. Name it in a plan passed with --plan: "
        f'sources: [{{file: "{path.name}", table: {table}, encoding: {pick}}}] (one of '
        f"utf-8, cp932, euc_jp, cp1252, latin-1, utf-16)", file=str(path), line=number)
