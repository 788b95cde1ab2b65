"""Wide files (HubSpot "all properties" exports): every extra column is kept and typed as
the one-query inference types it, in queries whose size does not grow with the columns
(issue 8, point 10). Timings are in benchmarks/bench_wide.py, not here."""

from __future__ import annotations

from pathlib import Path

from covermap.cli.main import app
from covermap.importing import checks, hubspot, roles, wide
from covermap.importing import load as importing
from covermap.plan import default_plan
from covermap.store.connect import open_store

KINDS = ("BIGINT", "DATE", "VARCHAR", "VARCHAR", "DOUBLE")


def _value(kind: int, i: int, j: int) -> str:
    return [str(i * j % 1000), f"2024-01-{i % 28 + 1:02d}", f"value {i + j}",
            "note" if i == 7 else "", f"{i}.{j % 10}5"][kind]


def _wide_csv(path: Path, columns: int, rows: int) -> None:
    header = ["account_id", "name", *(f"Field {j}" for j in range(columns - 2))]
    lines = [",".join(header)]
    for i in range(rows):
        lines.append(",".join([f"A{i}", f"Account {i}",
                               *(_value(j % 5, i, j) for j in range(columns - 2))]))
    path.write_text("\n".join(lines) + "\n")


def test_a_2000_column_file_keeps_every_extra_column_typed(tmp_path: Path, store_path, runner):
    f = tmp_path / "accounts.csv"
    _wide_csv(f, 2000, 12)
    result = runner.invoke(app, ["import", str(f), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    with open_store(store_path) as s:
        cols = s.columns("accounts")
        extras = {c: t for c, t in cols.items() if c.startswith("field_")}
        assert len(extras) == 1998
        assert [extras[f"field_{j}"] for j in range(5)] == list(KINDS)
        assert all(extras[f"field_{j}"] == KINDS[j % 5] for j in range(1998))
        con = s.duckdb
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (12,)
        assert con.execute("SELECT field_1992, field_1993, field_1994 FROM accounts "
                           "WHERE account_id = 'A7'").fetchone() == (
            "value 1999", "note", 7.45)
        assert con.execute("SELECT count(field_1993) FROM accounts").fetchone() == (1,)


def _flags(tmp_path: Path, text: str) -> tuple[tuple, tuple]:
    """(one-query inference, wide inference) of an accounts file's extra columns."""
    f = tmp_path / "accounts.csv"
    f.write_text(text)
    with open_store(":memory:") as s, importing._session(s.duckdb) as tmp:
        units, _ = importing._recognise(s.duckdb, importing.expand([f]), tmp, default_plan(),
                                        hubspot.Bridges(), lambda *a: None, roles.RoleNames([]))
        m = units[0]
        return tuple(s.duckdb.execute(checks.extra_inference(m)).fetchone()), \
            wide.extra_flags(s.duckdb, m)


def test_a_value_after_the_sample_still_decides_the_type(tmp_path: Path):
    n = wide.SAMPLE_ROWS + 50
    lines = ["account_id,name,count,code,flag,empty"]
    for i in range(n):
        late = i == n - 1
        lines.append(f"A{i},Acc {i},{'many' if late else i},{'007' if late else i + 10},"
                     f"{'true' if i % 2 else 'FALSE'},")
    one_query, wide_flags = _flags(tmp_path, "\n".join(lines) + "\n")
    assert wide_flags == one_query
    # count: a word after the sample fits no type; code: a leading zero is an id, not a
    # number; flag: booleans; empty: no value at all
    assert wide_flags == (
        False, False, False, False, False, True,
        False, False, False, False, False, True,
        False, False, False, False, True, True,
        True, True, True, True, True, False)
    types = [checks.pick_type(wide_flags[i:i + 6], None) for i in range(0, 24, 6)]
    assert types == ["VARCHAR", "VARCHAR", "BOOLEAN", "VARCHAR"]
