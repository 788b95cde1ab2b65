"""Which canonical table a file is, and which of its columns is which.

The plan's ``sources:`` entries win: a file matched by an entry's ``file`` glob
goes to that entry's table (a file matched by two entries goes to both), its
``columns`` mapping is used as given and the rest is recognised by alias. A
file no entry matches is recognised by its name (``deals.csv``,
``sf_opportunity_data.csv``, ``hubspot-crm-exports-all-deals-2024.csv``), by the
sObject type of Salesforce tree JSON, by the objects of a Salesforce report
export's headers (``Contact: Email``: contacts), or else by its columns.

Data sets keyed by name (Maven's ``accounts.csv`` has ``account`` and no id) use
the name as the id of accounts, users and products; a deals file whose rows name
their one product (Maven's ``sales_pipeline.csv``) also gives one deal line per
deal, unless a plan maps the file (then it gives exactly the tables the plan names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from covermap.errors import MissingColumn, UnknownTable
from covermap.importing import aliases, coerce
from covermap.importing.readers import RawSource
from covermap.plan.model import Source
from covermap.store import schema

_AFFIXES = re.compile(r"^(sf|salesforce|hubspot|hs|fivetran|stg)_|_(data|export|table)$")
_SNAKE = re.compile(r"[^\w]+")


def stem_key(path: Path) -> str:
    """A file name as a table-name candidate: ``sf_account_data.csv`` -> ``account``."""
    stem = re.sub(r"[\s\-.]+", "_", path.stem.lower()).strip("_")
    previous = None
    while previous != stem:
        previous, stem = stem, _AFFIXES.sub("", stem)
    return stem


def _table_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in schema.TABLES:
        for name in (t.name, *t.aliases, *aliases.TABLE_NAMES.get(t.name, ())):
            out.setdefault(name, t.name)
    return out


TABLE_BY_NAME = _table_names()


def table_from_name(path: Path) -> str | None:
    """The table a file name names, if any (noise words and dates ignored)."""
    stem = stem_key(path)
    if stem in TABLE_BY_NAME:
        return TABLE_BY_NAME[stem]
    words = [w for w in re.split(r"[^a-z0-9\u3040-\u9fff]+", stem)
             if w and w not in aliases.NOISE_WORDS and not w.isdigit()]
    return TABLE_BY_NAME.get("_".join(words)) if words else None


def extra_name(header: str) -> str:
    """The store column name of an extra (non-canonical) account column."""
    key = header.strip().lower()
    for prefix in aliases.PROPERTY_PREFIXES:
        key = key.removeprefix(prefix)
    return _SNAKE.sub("_", key).strip("_")


@dataclass
class Mapping:
    """How one file (or one ``sources:`` entry for it) fills one canonical table."""

    table: schema.Table
    raw: RawSource
    #: canonical column -> SQL text expression over the raw columns (after value maps)
    exprs: dict[str, str] = field(default_factory=dict)
    #: canonical column -> the source column(s) it comes from, for quarantine rows
    labels: dict[str, str] = field(default_factory=dict)
    #: canonical column -> factor applied after number conversion (seconds -> minutes)
    scale: dict[str, float] = field(default_factory=dict)
    #: accounts: extra store column -> SQL text expression (its raw column, or a constant)
    extras: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    date_format: str | None = None
    decimal: str = "."
    #: the plan's ``sources`` entry number, when one matched
    source_index: int | None = None
    #: deal lines made from a deals file's product column (``deal_lines_of``)
    derived: bool = False


def _header_keys(header: str, table: str) -> list[str]:
    """Comparison keys of a header, most specific first."""
    keys = [aliases.name_key(header)]
    if ":" in header:  # Salesforce report export: "Contact: Email"
        obj, _, rest = header.partition(":")
        obj, rest = obj.strip().lower(), rest.strip()
        if obj in aliases.REPORT_OBJECTS.get(table, ()):
            keys.insert(0, aliases.name_key(rest))
        elif any(obj in objs for objs in aliases.REPORT_OBJECTS.values()):
            # another object's field is a reference to it: in a contacts report,
            # "Account: Account Name" is account_name and "Account: Account ID" account_id
            field = rest if aliases.name_key(rest).startswith(aliases.name_key(obj)) \
                else f"{obj} {rest}"
            keys.insert(0, aliases.name_key(field))
    for prefix in aliases.PROPERTY_PREFIXES:
        if header.lower().startswith(prefix):
            keys.append(aliases.name_key(header[len(prefix):]))
    return keys


class _Columns:
    """The file's headers, each usable once, looked up by alias."""

    def __init__(self, raw: RawSource, table: str) -> None:
        self.raw, self.used, self.planned = raw, set(), set()
        self.keys = [(c, _header_keys(h, table)) for c, h in zip(raw.columns, raw.headers)]

    def find(self, names: tuple[str, ...], *, all_matches: bool = False) -> list[str]:
        found: list[str] = []
        for name in names:
            key = aliases.name_key(name)
            for rank in range(3):  # a header's own name beats its prefix-stripped form
                for col, keys in self.keys:
                    if col not in self.used and col not in found and len(keys) > rank \
                            and keys[rank] == key:
                        found.append(col)
                        if not all_matches:
                            return found
        return found

    def exact(self, header: str) -> str | None:
        for col, h in zip(self.raw.columns, self.raw.headers):
            if h == header:
                return col
        wanted = aliases.name_key(header)
        for col, h in zip(self.raw.columns, self.raw.headers):
            if aliases.name_key(h) == wanted:
                return col
        return None


def _example(file: str, table: schema.Table, missing: list[str]) -> str:
    cols = ", ".join(f"{c}: <column in the file>" for c in missing)
    return (f"sources: [{{file: \"{Path(file).name}\", table: {table.name}, "
            f"columns: {{{cols}}}}}]")


def _quote_list(items: list[str], limit: int = 30) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def map_columns(raw: RawSource, table: schema.Table, source: Source | None = None, *,
                bridges: Callable[[str, str | None], dict[str, str]] | None = None,
                source_index: int | None = None, file_kind: str | None = None) -> Mapping:
    """Map the file's columns onto ``table``: the plan's mapping first, then aliases,
    then HubSpot associations (``bridges(table, key_expr)`` -> canonical column -> SQL),
    then constants."""
    m = Mapping(table, raw, source_index=source_index)
    cols = _Columns(raw, table.name)
    if source is not None:
        m.date_format, m.decimal = source.date_format, source.decimal
        _plan_columns(m, cols, source)
    for c in table.columns:
        if c.name in m.exprs:
            continue
        names = aliases.COLUMNS[table.name].get(c.name, (c.name,))
        found = cols.find(names, all_matches=c.name in aliases.COALESCED.get(table.name, ()))
        if found:
            m.exprs[c.name] = (_ident(found[0]) if len(found) == 1 else
                               "coalesce(" + ", ".join(f"nullif(trim({_ident(f)}), '')"
                                                        for f in found) + ")")
            m.labels[c.name] = " / ".join(raw.header_of(f) for f in found)
            cols.used.update(found)
    _derived_columns(m, cols)
    _name_as_key(m)
    found_bridges = bridges(table.name, m.exprs.get(table.key[0])) if bridges else {}
    for canonical, sql in found_bridges.items():
        if canonical not in m.exprs:
            m.exprs[canonical], m.labels[canonical] = sql, canonical
    if file_kind and table.name == "activities":
        own = m.exprs.get("kind")
        m.exprs["kind"] = f"coalesce(nullif(trim({own}), ''), '{file_kind}')" if own \
            else f"'{file_kind}'"
        m.labels.setdefault("kind", "kind")
    if source is not None:
        for canonical, value in source.constants.items():
            if canonical in table.column_names:
                m.exprs[canonical], m.labels[canonical] = coerce.literal(value), canonical
            else:
                m.extras[canonical] = coerce.literal(value)
        for canonical, mapping in source.values.items():
            if canonical in m.exprs:
                m.exprs[canonical] = coerce.value_map(m.exprs[canonical], dict(mapping))
            elif canonical in m.extras:
                m.extras[canonical] = coerce.value_map(m.extras[canonical], dict(mapping))
    for c in table.columns:
        if c.references and c.name in m.exprs:
            m.exprs[c.name] = f"cm_ref({m.exprs[c.name]})"
    if "kind" in m.exprs and not (source and "kind" in source.values):
        m.exprs["kind"] = coerce.value_map(m.exprs["kind"], dict(aliases.DEFAULT_KIND_VALUES))
    for col, header in zip(raw.columns, raw.headers):
        if col in cols.used or col in cols.planned:
            continue
        name = extra_name(header)
        if (table.keeps_extra_columns and name and not header.startswith("_")
                and name not in table.column_names and name not in m.extras
                and name not in schema.DATE_FLAG_NAMES):  # the store sets those itself
            m.extras[name] = _ident(col)
        else:
            m.ignored.append(header)
    missing = [c for c in table.required if c not in m.exprs]
    if missing:
        raise MissingColumn(
            f"table {table.name} needs column {missing[0]}, and none of this file's columns "
            f"is recognised as it (columns: {_quote_list(raw.headers)}). Name the column "
            f"{missing[0]} or map it in a plan passed with --plan: "
            f"{_example(str(raw.path), table, missing)}",
            file=str(raw.path), column=missing[0])
    return m


def _plan_columns(m: Mapping, cols: _Columns, source: Source) -> None:
    """The plan's own ``columns`` mapping (one source column may feed several; a list
    of source columns makes one value of them, joined with `` | ``)."""
    for canonical, headers in source.columns.items():
        found = []
        for header in (headers,) if isinstance(headers, str) else headers:
            col = cols.exact(header)
            if col is None:
                raise MissingColumn(
                    f"the plan maps {m.table.name}.{canonical} to column {header!r}, which "
                    f"this file does not have; its columns are: {_quote_list(m.raw.headers)}",
                    file=str(m.raw.path), column=header)
            found.append(col)
        cols.planned.update(found)
        expr = _ident(found[0]) if len(found) == 1 else (
            "nullif(concat_ws(' | ', " + ", ".join(
                f"nullif(trim({_ident(c)}), '')" for c in found) + "), '')")
        if canonical in m.table.column_names:
            m.exprs[canonical] = expr
            m.labels[canonical] = " + ".join(m.raw.header_of(c) for c in found)
        else:  # an extra account column named by the plan
            m.extras[canonical] = expr
    # the plan's columns stay available to the aliases (Maven's `account` is both the
    # id and the name); they only count as used for the ignored/extra columns


def _ident(col: str) -> str:
    return f'"{col}"'


def _derived_columns(m: Mapping, cols: _Columns) -> None:
    """Columns built from others: ``name`` from first + last names, minutes from seconds."""
    if "name" in m.table.column_names and "name" not in m.exprs:
        first, last = cols.find(aliases.FIRST_NAMES), cols.find(aliases.LAST_NAMES)
        if first or last:
            parts = [_ident(c) for c in (*first, *last)]
            m.exprs["name"] = f"nullif(concat_ws(' ', {', '.join(parts)}), '')"
            m.labels["name"] = " + ".join(m.raw.header_of(c) for c in (*first, *last))
            cols.used.update((*first, *last))
    if m.table.name == "activities" and "duration_minutes" not in m.exprs:
        seconds = cols.find(aliases.DURATION_SECONDS)
        if seconds:
            m.exprs["duration_minutes"] = _ident(seconds[0])
            m.labels["duration_minutes"] = m.raw.header_of(seconds[0])
            m.scale["duration_minutes"] = 1 / 60
            cols.used.add(seconds[0])


def _name_as_key(m: Mapping) -> None:
    """A file of a name-keyed table with a name column but no id column (Maven's
    ``accounts.csv``: ``account``) uses the name as the id."""
    key = m.table.key[0]
    if (m.table.name in aliases.NAME_KEYED and key not in m.exprs and "name" in m.exprs
            and "+" not in m.labels["name"]):  # a first + last name is no key
        # a report's "Grand Total" row would otherwise be a record named Grand Total
        totals = ", ".join(f"'{w}'" for w in aliases.TOTAL_ROWS)
        m.exprs[key] = f"CASE WHEN {m.exprs['name']} IN ({totals}) THEN NULL " \
                       f"ELSE {m.exprs['name']} END"
        m.labels[key] = m.labels["name"]


def deal_lines_of(deals: Mapping) -> Mapping | None:
    """The deal lines a deals file gives when each row names its one product (Maven's
    ``sales_pipeline.csv``): one line per deal, keyed by the deal's id, with the deal's
    amount; None when the file names no product."""
    raw = deals.raw
    cols = _Columns(raw, "deal_lines")
    product = cols.find(aliases.DEAL_PRODUCT)
    if not product or "deal_id" not in deals.exprs:
        return None
    m = Mapping(schema.table("deal_lines"), raw, date_format=deals.date_format,
                decimal=deals.decimal, derived=True)
    deal = deals.exprs["deal_id"]
    m.exprs = {"line_id": deal, "deal_id": f"cm_ref({deal})",
               "product_id": f"cm_ref({_ident(product[0])})"}
    m.labels = {"line_id": deals.labels["deal_id"], "deal_id": deals.labels["deal_id"],
                "product_id": raw.header_of(product[0])}
    if "amount" in deals.exprs:
        m.exprs["amount"], m.labels["amount"] = deals.exprs["amount"], deals.labels["amount"]
    header = raw.header_of(product[0])
    deals.ignored = [h for h in deals.ignored if h != header]
    m.ignored = list(deals.ignored)
    return m


def matching_sources(path: Path, sources: tuple[Source, ...]) -> list[tuple[int, Source]]:
    """The plan's ``sources`` entries whose ``file`` glob matches ``path``."""
    p = PurePath(path.as_posix())
    return [(i, s) for i, s in enumerate(sources)
            if p.match(s.file) or p.name == s.file or path.as_posix().endswith("/" + s.file)]


def _score(raw: RawSource, table: schema.Table) -> int:
    """How many of ``table``'s columns the file has under their canonical names; 0
    unless it has every required one. A file with its own generic id column (``Id``,
    ``Record ID``) is some object whose columns like ``account_id`` are references,
    so it is recognised by name only."""
    keys = {aliases.name_key(h) for h in raw.headers}
    if keys & {aliases.name_key(a) for a in aliases._ID}:
        return 0
    if any(aliases.name_key(c) not in keys for c in table.required):
        return 0
    return sum(aliases.name_key(c) in keys for c in table.column_names)


#: Headers of a data dictionary: a file documenting the other files' columns
_DICTIONARY = ({"table", "field", "description"}, {"table", "column", "description"},
               {"table", "field", "meaning"})


def documentation(raw: RawSource) -> str | None:
    """Why a file is documentation rather than data (Maven's ``data_dictionary.csv``:
    Table, Field, Description), or None."""
    keys = {aliases.name_key(h) for h in raw.headers}
    if any(d <= keys for d in _DICTIONARY) and len(keys) <= 4:
        return (f"a data dictionary (columns {', '.join(raw.headers)}) documents the other "
                f"files' columns; it holds no records")
    return None


def report_table(raw: RawSource) -> str | None:
    """The table of a Salesforce report export ("Account: Account Name", "Contact: Email"):
    the object most of its headers are fields of, the child when there are several (a
    row of "accounts with contacts" is a contact); None when it is no report export."""
    objects = [h.partition(":")[0].strip().lower() for h in raw.headers if ":" in h]
    tables = {t for obj in objects for t, objs in aliases.REPORT_OBJECTS.items() if obj in objs}
    if len(objects) * 2 < len(raw.headers) or not tables:
        return None
    return max(tables, key=lambda t: [x.name for x in schema.TABLES].index(t))


def table_of(raw: RawSource) -> str:
    """The canonical table of a file no plan entry maps: by name, then by columns."""
    by_name = table_from_name(raw.path)
    if by_name:
        return by_name
    if raw.object_type:
        by_type = TABLE_BY_NAME.get(stem_key(Path(raw.object_type)))
        if by_type:
            return by_type
    by_report = report_table(raw)
    if by_report:
        return by_report
    scores = {t.name: _score(raw, t) for t in schema.TABLES}
    best = max(scores.values())
    winners = [t for t, s in scores.items() if s == best]
    if best and len(winners) == 1:
        return winners[0]
    needs = "; ".join(f"{t.name} ({', '.join(t.required)})" for t in schema.TABLES)
    could = f" It could be {' or '.join(winners)}." if best else ""
    t0 = schema.table(winners[0] if best else "deals")
    raise UnknownTable(
        f"cannot tell which table this file is: its name matches no table and its columns "
        f"({_quote_list(raw.headers, 12)}) do not single one out.{could} Tables and the columns "
        f"they need: {needs}. Rename the file after its table (e.g. {t0.name}.csv) or map it "
        f"in a plan passed with --plan: {_example(str(raw.path), t0, t0.required)}",
        file=str(raw.path))
