"""The column types of a store that is not a DuckDB file (PostgreSQL, Spark).

``Store.columns``' callers compare types in DuckDB's spelling, so these stores read each
table's schema through Ibis and spell it as DuckDB would.
"""

from __future__ import annotations

from ibis.backends.sql.datatypes import DuckDBType


class IbisColumns:
    """``Store._physical`` for a store with ``has_table(name)`` and an Ibis backend ``ibis``."""

    def _physical(self, name: str) -> dict[str, str]:
        """Column name -> type in DuckDB's spelling."""
        if not self.has_table(name):
            return {}
        return {c: DuckDBType.to_string(t).replace(" ", "").upper()
                for c, t in self.ibis.get_schema(name).items()}
