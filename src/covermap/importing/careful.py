"""The careful CSV reader: Python's csv module, streamed, for files DuckDB cannot be
trusted with (issue 8, points 1, 2, 6 and 8).

DuckDB's error-tolerant scan may keep far fewer good rows than its rejects table
reports (text after a closing quote, backslash-escaped quotes), stops on mixed line
endings and cannot skip bytes that do not decode. For such a file this reader
streams the records, line by line, into two temporary CSV files that DuckDB then
scans as usual:

- the good records, as UTF-8, each with exactly the header's fields and the line it
  starts on (``__line``, then ``c0..cN``);
- the bad records, in the shape of DuckDB's rejects table (``line, column_idx,
  column_name, error_type, error_message, csv_line``) plus a ``reason`` when covermap
  words it itself (NULL: ``problems`` words it as for DuckDB's rejects).

So every record is either good or bad, and "records in = stored + quarantined" holds
whatever the file. Lines are physical lines (CR, LF and CRLF each end one). A record
whose quote does not close where it should swallows the lines after it; it is
quarantined on its first line, the swallowed lines are read again as records of their
own, and the reason says how many records it swallowed.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from covermap.importing.charsets import LABELS

#: the longest value the reader accepts (DuckDB's max_line_size for the fast reader)
MAX_FIELD = 4 * 1024 * 1024
REJECT_COLUMNS = ("line", "column_idx", "column_name", "error_type", "error_message",
                  "csv_line", "reason")
#: a byte that does not decode, as the ``covermap-bytes`` handler keeps it (U+DC00 + byte)
_SURROGATE = re.compile("[\udc00-\udcff]")


def _keep_bytes(e: UnicodeError) -> tuple[str, int]:
    """``surrogateescape`` for every byte: it refuses bytes below 0x80, such as the odd
    last byte of a UTF-16 file cut short, and the read would stop there."""
    bad = e.object[e.start:e.end]  # type: ignore[attr-defined]
    return "".join(chr(0xDC00 + b) for b in bad), e.end  # type: ignore[attr-defined]


codecs.register_error("covermap-bytes", _keep_bytes)


@dataclass(frozen=True)
class CarefulRead:
    """What the careful reader wrote: good records, bad records and their counts."""

    good: Path
    bad: Path
    records: int
    malformed: int


class _Lines:
    """The file's lines, numbered from 1, with a way to read some of them again."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines, self._next = lines, 1
        self._again: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            number, text = self._again.popleft()
        else:
            text = next(self._lines)
            number, self._next = self._next, self._next + 1
        self.taken.append((number, text))
        return text

    def again(self, lines: list[tuple[int, str]]) -> None:
        self._again.extendleft(reversed(lines))


def _shown(text: str, limit: int = 100_000) -> str:
    """A line as stored in the quarantine: no line break, bad bytes as ``\\xNN``, at most
    ``limit`` characters (enough to find it in the file)."""
    text = text.rstrip("\r\n")
    text = text if len(text) <= limit else text[:limit] + "…"
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def _quote_column(line: str, delimiter: str) -> int | None:
    """The field of ``line`` whose quoting goes wrong: text after its closing quote, or
    a quote that does not close on the line."""
    field, quoted, start, i = 0, False, True, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == '"':
                if line[i + 1: i + 2] == '"':
                    i += 2
                    continue
                quoted = False
                if line[i + 1: i + 2] not in (delimiter, "\r", "\n", ""):
                    return field
        elif ch == delimiter:
            field, start = field + 1, True
            i += 1
            continue
        elif ch == '"' and start:
            quoted = True
        start = False
        i += 1
    return field if quoted else None


def read(path: Path, encoding: str, delimiter: str, headers: list[str],
         dest: Path) -> CarefulRead:
    """Stream ``path`` (in ``encoding``; bytes that do not decode make their record bad)
    into ``dest``-named good and bad record files."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    good, bad = dest.with_suffix(".good.csv"), dest.with_suffix(".bad.csv")
    label = LABELS.get(encoding, encoding)
    n, records, malformed, header = len(headers), 0, 0, False
    with path.open(encoding=encoding, errors="covermap-bytes", newline="") as f, \
            good.open("w", encoding="utf-8", newline="") as g, \
            bad.open("w", encoding="utf-8", newline="") as b:
        # every value quoted: QUOTE_MINIMAL leaves a value with a bare CR unquoted when
        # the line terminator is LF, and DuckDB reads a quoted empty value as NULL too
        goods = csv.writer(g, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
        bads = csv.writer(b, lineterminator="\n", quoting=csv.QUOTE_ALL)
        goods.writerow(["__line", *(f"c{i}" for i in range(n))])
        bads.writerow(REJECT_COLUMNS)
        lines = _Lines(f)
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True,
                            strict=True)
        while True:
            lines.taken = []
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                (first, text), rest = lines.taken[0], lines.taken[1:]
                lines.again(rest)  # a swallowing record gives its lines back
                bads.writerow(_quote_problem(first, text, rest, str(e), delimiter, headers))
                malformed += 1
                continue
            if not row:
                continue  # a blank line
            if not header:  # the header (read before): the first row with a filled cell
                header = any(cell.strip() for cell in row)
                continue
            first = lines.taken[0][0]
            text = "".join(t for _, t in lines.taken)
            if len(text) > MAX_FIELD:  # DuckDB's max_line_size, for the good records file
                bads.writerow([first, 0, None, "LINE SIZE OVER MAXIMUM", "", _shown(text),
                               f"malformed CSV line (a record longer than "
                               f"{MAX_FIELD // (1024 * 1024)} MiB)"])
                malformed += 1
            elif len(row) != n and len(lines.taken) > 1:
                # a stray quote took in later lines and closed at a line end (an inch
                # mark: 27",): the record spans lines but cannot be one
                (first, text), rest = lines.taken[0], lines.taken[1:]
                lines.again(rest)
                bads.writerow(_quote_problem(first, text, rest, f"{len(row)} fields",
                                             delimiter, headers))
                malformed += 1
            elif len(row) != n:
                missing = len(row) < n
                bads.writerow([first, len(row), f"c{len(row)}" if missing else None,
                               "MISSING COLUMNS" if missing else "TOO MANY COLUMNS",
                               f"Expected Number of Columns: {n} Found: {len(row)}",
                               _shown(text), None])
                malformed += 1
            elif _SURROGATE.search("".join(row)):
                i = next(i for i, v in enumerate(row) if _SURROGATE.search(v))
                found = " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in _SURROGATE.findall(row[i]))
                bads.writerow([first, i, f"c{i}", "INVALID ENCODING", found, _shown(text),
                               f"bytes that are not {label} ({found} in column {headers[i]}; "
                               f"the rest of the file is {label}: fix this row in the source, "
                               f"or name the file's encoding in the plan's sources)"])
                malformed += 1
            else:
                goods.writerow([first, *row])
                records += 1
    return CarefulRead(good, bad, records, malformed)


def _quote_problem(first: int, text: str, rest: list[tuple[int, str]], error: str,
                   delimiter: str, headers: list[str]) -> list[object]:
    """The rejects row of a record the csv module refused (``rest``: the lines after its
    first that it took in)."""
    i = _quote_column(text, delimiter)
    name = headers[i] if i is not None and i < len(headers) else None
    where = f" in column {name}" if name else ""
    if "field limit" in error:
        why = f"a value longer than {MAX_FIELD // (1024 * 1024)} MiB{where}"
    elif rest:
        why = None
    elif "expected after" in error:
        why = (f"text after a closing quote{where}: a quote inside a quoted value must be "
               f'doubled (""), a backslash does not escape it')
    else:
        why = f"a quote{where} that does not close before the end of the file"
    if why is not None and not rest:
        reason = f"malformed CSV line ({why})"
    else:
        swallowed = sum(bool(t.strip()) for _, t in rest)
        span = f"line {rest[0][0]}" if len(rest) == 1 else f"lines {rest[0][0]}-{rest[-1][0]}"
        ends = "never closes" if "end of data" in error else "does not close properly"
        reason = (f"unterminated quote{where} swallows the next {swallowed} record"
                  f"{'' if swallowed == 1 else 's'} ({span}: its quote {ends}, so a reader "
                  f"would take them into this value; they were read again as records of "
                  f"their own)")
    return [first, i if i is not None else 0, f"c{i}" if name else None, "QUOTE", error,
            _shown(text), reason]


def rejects_sql(bad: Path) -> str:
    """FROM-clause SQL of the bad records file."""
    from covermap.importing.readers import sql_str

    cols = ", ".join(f"{sql_str(c)}: {sql_str(t)}" for c, t in zip(
        REJECT_COLUMNS, ("BIGINT", "BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR",
                         "VARCHAR")))
    return (f"read_csv({sql_str(str(bad))}, auto_detect = false, header = true, "
            f"delim = ',', quote = '\"', escape = '\"', max_line_size = {MAX_FIELD}, "
            f"columns = {{{cols}}})")
