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

Stage metadata is read the same way: HubSpot's pipeline stages (Fivetran
``deal_pipeline_stage``: stage_id, label, closed_won, is_closed, probability; dlt
``pipelines_deals__stages``) and Salesforce's ``OpportunityStage`` (ApiName,
MasterLabel, IsWon, IsClosed, DefaultProbability) say which stage ids and labels
are won or closed; ``covermap.importing.stages`` looks deals' stages up in it. A
stage without closed_won/is_closed reads them from its probability: 1 is won, 0 or
1 is closed (a probability above 1 is a percentage).
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
@dataclass(frozen=True)
class StageColumns:
    """The columns of a stage metadata file (None: the file has no such column)."""

    key: str | None
    label: str | None
    won: str | None
    closed: str | None
    probability: str | None


#: file names (compared by ``aliases.name_key``) of stage metadata tables
STAGE_FILES = frozenset(aliases.name_key(n) for n in (
    "deal_pipeline_stage", "deal_pipeline_stages", "pipeline_stage", "pipeline_stages",
    "deal_pipelines_stages", "pipelines_deals__stages", "opportunity_stage",
    "opportunity_stages"))
_STAGE_COLUMNS = {
    "key": ("stage_id", "api_name", "id"),
    "label": ("label", "master_label", "stage_label"),
    "won": ("closed_won", "is_won", "is_closed_won", "metadata__is_won"),
    "closed": ("is_closed", "closed", "metadata__is_closed"),
    "probability": ("probability", "default_probability", "metadata__probability"),
}
#: a file with one of these columns is an engagement export, not the `engagement` bridge
_TIMESTAMPS = {aliases.name_key(n) for n in aliases.COLUMNS["activities"]["occurred_at"]}


def bridge_of(raw: RawSource) -> tuple[Bridge, str, str] | None:
    """(bridge, key column, value column) when ``raw`` is an association table."""
    stem = stem_key(raw.path)
    for b in BRIDGES:
        if stem != b.name:
            continue
        key, value = raw.column_named(b.key), raw.column_named(b.value)
        headers = {aliases.name_key(h) for h in raw.headers}
        if key and value and not (b.name == "engagement" and headers & _TIMESTAMPS):
            return b, key, value
    return None


def stage_metadata_of(raw: RawSource) -> StageColumns | None:
    """The stage columns when ``raw`` is a stage metadata table (by its name, with an id or
    label and a won, closed or probability column)."""
    if aliases.name_key(stem_key(raw.path)) not in STAGE_FILES:
        return None
    found = StageColumns(**{k: raw.column_named(names) for k, names in _STAGE_COLUMNS.items()})
    if (found.key or found.label) and (found.won or found.closed or found.probability):
        return found
    return None


def _stage_status(c: StageColumns) -> tuple[str, str]:
    """SQL (won, closed) of one stage row."""
    p = f"try_cast(trim({ident(c.probability)}) AS DOUBLE)" if c.probability else "NULL"
    p = f"(CASE WHEN {p} > 1 THEN {p} / 100 ELSE {p} END)"
    won = f"coalesce({f'cm_bool({ident(c.won)})' if c.won else 'NULL'}, " \
          f"CASE WHEN {p} = 1 THEN true WHEN {p} IS NOT NULL THEN false END)"
    closed = f"(CASE WHEN {won} THEN true ELSE coalesce(" \
             f"{f'cm_bool({ident(c.closed)})' if c.closed else 'NULL'}, " \
             f"CASE WHEN {p} IN (0, 1) THEN true WHEN {p} IS NOT NULL THEN false END) END)"
    return won, closed


class Bridges:
    """The association tables of one import, loaded into temporary tables."""

    def __init__(self) -> None:
        self.tables: dict[tuple[str, str], str] = {}
        self.files: list[tuple[str, int]] = []
        #: the stage metadata lookup (k, won, closed), once a stage file is loaded
        self.stages: str | None = None

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

    def load_stages(self, con: duckdb.DuckDBPyConnection, raw: RawSource,
                    c: StageColumns) -> None:
        """Add a stage metadata file to the lookup: each stage by its id, then its label
        (an id beats a label; then won before not won, closed before open)."""
        won, closed = _stage_status(c)
        con.execute("CREATE TEMP TABLE IF NOT EXISTS __stage_rows "
                    "(k VARCHAR, p INTEGER, won BOOLEAN, closed BOOLEAN)")
        for rank, col in enumerate((c.key, c.label)):
            if col:
                con.execute(f"INSERT INTO __stage_rows SELECT trim({ident(col)}), {rank}, "
                            f"{won}, {closed} FROM {raw.scan()} AS s "
                            f"WHERE nullif(trim({ident(col)}), '') IS NOT NULL")
        self.stages = "__stage_status"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {self.stages} AS SELECT k, won, closed "
                    f"FROM __stage_rows QUALIFY row_number() OVER (PARTITION BY k ORDER BY p, "
                    f"won DESC NULLS LAST, closed DESC NULLS LAST) = 1")
        rows = con.execute(f"SELECT count(*) FROM {raw.scan()}").fetchone()[0]
        self.files.append((str(raw.path), rows))

    def columns_for(self, table: str, key_expr: str | None) -> dict[str, str]:
        """canonical column -> SQL looking it up by the record's id (``key_expr``)."""
        if key_expr is None:
            return {}
        return {column: f"(SELECT min(b.v) FROM {name} AS b WHERE b.k = {key_expr})"
                for (t, column), name in self.tables.items() if t == table}

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in (*self.tables.values(), "__stage_rows", "__stage_status"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
