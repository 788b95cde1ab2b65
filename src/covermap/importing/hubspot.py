"""HubSpot association tables (as Fivetran syncs them) that fill columns of other files.

HubSpot records carry no company id: a deal's company, an engagement's company,
contact and deal live in bridge tables (reference §1.3, note 4; §4.2)::

    deal_company(deal_id, company_id)              -> deals.account_id
    engagement_company(engagement_id, company_id)  -> activities.account_id
    engagement_contact(engagement_id, contact_id)  -> activities.contact_id
    engagement_deal(engagement_id, deal_id)        -> activities.deal_id
    engagement(id, type)                           -> activities.kind

When such a file is imported together with the deals or engagement files, its
values fill those columns (the file's own column wins when it has one). A record
with several associations takes the smallest id, so imports are repeatable.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from covermap.importing import aliases
from covermap.importing.readers import RawSource, ident
from covermap.importing.recognise import stem_key


@dataclass(frozen=True)
class Bridge:
    name: str
    table: str
    column: str
    key: tuple[str, ...]
    value: tuple[str, ...]


BRIDGES = (
    Bridge("deal_company", "deals", "account_id", ("deal_id",), ("company_id",)),
    Bridge("engagement_company", "activities", "account_id", ("engagement_id",), ("company_id",)),
    Bridge("engagement_contact", "activities", "contact_id", ("engagement_id",), ("contact_id",)),
    Bridge("engagement_deal", "activities", "deal_id", ("engagement_id",), ("deal_id",)),
    Bridge("engagement", "activities", "kind", ("id", "engagement_id"),
           ("type", "engagement_type")),
)
#: a file with one of these columns is an engagement export, not the `engagement` bridge
_TIMESTAMPS = {aliases.name_key(n) for n in aliases.COLUMNS["activities"]["occurred_at"]}


def _column(raw: RawSource, names: tuple[str, ...]) -> str | None:
    keys = [aliases.name_key(h) for h in raw.headers]
    for name in names:
        if aliases.name_key(name) in keys:
            return raw.columns[keys.index(aliases.name_key(name))]
    return None


def bridge_of(raw: RawSource) -> tuple[Bridge, str, str] | None:
    """(bridge, key column, value column) when ``raw`` is an association table."""
    stem = stem_key(raw.path)
    for b in BRIDGES:
        if stem != b.name:
            continue
        key, value = _column(raw, b.key), _column(raw, b.value)
        headers = {aliases.name_key(h) for h in raw.headers}
        if key and value and not (b.name == "engagement" and headers & _TIMESTAMPS):
            return b, key, value
    return None


class Bridges:
    """The association tables of one import, loaded into temporary tables."""

    def __init__(self) -> None:
        self.tables: dict[tuple[str, str], str] = {}
        self.files: list[tuple[str, int]] = []

    def load(self, con: duckdb.DuckDBPyConnection, raw: RawSource, bridge: Bridge,
             key: str, value: str) -> None:
        name = self.tables.setdefault((bridge.table, bridge.column),
                                      f"__bridge_{len(self.tables)}")
        select = (f"SELECT {ident(key)} AS k, {ident(value)} AS v FROM {raw.scan()} AS s "
                  f"WHERE {ident(key)} IS NOT NULL AND {ident(value)} IS NOT NULL")
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (k VARCHAR, v VARCHAR)")
        con.execute(f"INSERT INTO {name} {select}")
        rows = con.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]
        self.files.append((str(raw.path), rows))

    def columns_for(self, table: str, key_expr: str | None) -> dict[str, str]:
        """canonical column -> SQL looking it up by the record's id (``key_expr``)."""
        if key_expr is None:
            return {}
        return {column: f"(SELECT min(b.v) FROM {name} AS b WHERE b.k = {key_expr})"
                for (t, column), name in self.tables.items() if t == table}

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in self.tables.values():
            con.execute(f"DROP TABLE IF EXISTS {name}")
