"""JSON Lines that DuckDB's reader refuses: read line by line, bad lines set apart
(issue 8, point 12).

DuckDB stops at the first line that is not JSON and does not accept a byte order
mark, so one bad line would refuse the whole file. ``read`` is used only then: it
streams the file once, and writes

- the good records, each wrapped with the physical line it is on
  (``{"__line": 3, "r": {...}}``), which DuckDB then scans as usual;
- the bad lines, in the shape of the careful CSV reader's rejects
  (``careful.REJECT_COLUMNS``) with covermap's own reason: "not valid JSON: fix or
  remove the line (Expecting value at character 27)", or "not a JSON object: ... (an
  array)".

A byte order mark at the start of the file is dropped; blank lines are no records.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from covermap.importing.careful import MAX_FIELD, REJECT_COLUMNS

_BOM = b"\xef\xbb\xbf"
_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number",
          bool: "true/false", type(None): "null"}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: the longest line text kept in a reject (the whole line stays in the file)
_SHOWN = 2000


@dataclass(frozen=True)
class JsonLinesRead:
    """What ``read`` wrote: the keys of the good records in order of first appearance."""

    good: Path
    bad: Path
    keys: tuple[str, ...]
    records: int
    malformed: int
    #: "line 1: not valid JSON: ..." for the first bad line ("" when there is none)
    first_problem: str = ""


_FIX = "fix or remove the line"


class _KeyTwice(ValueError):
    """An object holds a key twice (DuckDB refuses the line; which value counts is open)."""


def _once(pairs: list[tuple[str, object]]) -> dict:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        raise _KeyTwice(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return value


def _parsed(text: str) -> tuple[dict | None, str | None]:
    """(the record, None), or (None, why the line is no record)."""
    try:
        value = json.loads(text, object_pairs_hook=_once)
    except _KeyTwice as e:
        return None, f"not valid JSON: {_FIX} (the key {e.args[0]!r} appears twice)"
    except json.JSONDecodeError as e:
        return None, f"not valid JSON: {_FIX} ({e.msg} at character {e.pos + 1})"
    except RecursionError:
        return None, f"not valid JSON: {_FIX} (nested too deeply)"
    if not isinstance(value, dict):
        return None, f"not a JSON object: {_FIX} ({_KINDS.get(type(value), 'a value')})"
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        try:  # "\ud800" alone is half a character: Python reads it, DuckDB refuses it
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return None, f"not valid JSON: {_FIX} (a \\u escape of half a character)"
    return value, None


def read(path: Path, dest: Path) -> JsonLinesRead:
    """Stream ``path`` into ``dest``.good.jsonl and ``dest``.bad.csv (see the module)."""
    good, bad = dest.with_suffix(".good.jsonl"), dest.with_suffix(".bad.csv")
    keys: dict[str, None] = {}
    records = malformed = 0
    first = ""
    with path.open("rb") as src, good.open("w", encoding="utf-8") as goods, \
            bad.open("w", encoding="utf-8", newline="") as bads_file:
        bads = csv.writer(bads_file, lineterminator="\n")
        bads.writerow(REJECT_COLUMNS)
        for number, line in enumerate(src, start=1):
            if number == 1 and line.startswith(_BOM):
                line = line[len(_BOM):]
            line = line.rstrip(b"\r\n")
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as e:
                value, why = None, f"not UTF-8 text: {_FIX} (byte {e.start + 1})"
                text = line.decode("utf-8", "replace")
            else:
                if not text.strip():
                    continue
                value, why = _parsed(text) if len(text) <= MAX_FIELD else (
                    None, f"longer than 4 MB: {_FIX}")
            if value is not None:
                for k in value:
                    keys.setdefault(k, None)
                goods.write(f'{{"__line": {number}, "r": {text}}}\n')
                records += 1
            else:
                bads.writerow([number, 0, None, "INVALID JSON", why, text[:_SHOWN], why])
                malformed += 1
                first = first or f"line {number}: {why}"
    return JsonLinesRead(good, bad, tuple(keys), records, malformed, first)
