"""SQL string literals for DuckDB SQL that must not bind parameters.

Binding any Python value (``con.execute(sql, [value])``) makes the duckdb module import
pandas: half a second of start-up for a command that otherwise never needs it (issue 9).
SQL that every command runs spells its values with ``sql_string`` instead.
"""

from __future__ import annotations


def sql_string(value: str) -> str:
    """``value`` as a SQL string literal (quotes doubled).

    >>> sql_string("O'Brien")
    "'O''Brien'"
    """
    return "'" + value.replace("'", "''") + "'"
