"""How titles (and CRM persona values) are compared: Unicode NFKC normalisation, case
folding and collapsing whitespace (DESIGN.md), so full-width and half-width forms, case
and extra spaces do not matter.

>>> normalize_title("  Ｐｌａｎｔ　ＭＡＮＡＧＥＲ ")
'plant manager'
>>> normalize_title("ｾｲｿﾞｳ 部長") == normalize_title("セイゾウ  部長")
True
"""

from __future__ import annotations

import unicodedata

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.store.arrow import to_arrow


def normalize_title(text: str) -> str:
    """``text`` in NFKC, case-folded, with runs of whitespace as one space and no space at
    either end."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalized_values(values: ir.Column) -> ir.Table:
    """``value, norm`` for every distinct non-empty value of ``values`` (a column of one
    table). The distinct values come back from the backend once and are normalised in
    Python (DuckDB has no NFKC or case folding); the matching itself stays a query."""
    t = values.name("value").as_table().distinct()
    t = t.filter(t.value.notnull())
    rows = to_arrow(t).column("value").to_pylist()
    norm = [normalize_title(v) for v in rows]
    return small_table({"value": rows, "norm": norm}, {"value": "string", "norm": "string"})


def dictionary_of(*columns: ir.Column) -> ir.Table:
    """:func:`normalized_values` over the distinct values of several string columns."""
    parts = [c.name("value").as_table() for c in columns]
    union = ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0]
    return normalized_values(union.value)
