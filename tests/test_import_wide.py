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
        assert s.duckdb.execute("SELECT count(*) FROM accounts").fetchone() == (12,)
        a = s.accounts(["field_1992", "field_1993", "field_1994"])
        a7 = a.filter(a.account_id == "A7").select("field_1992", "field_1993", "field_1994")
        assert a7.to_pyarrow().to_pylist() == [
            {"field_1992": "value 1999", "field_1993": "note", "field_1994": 7.45}]
        assert a.field_1993.count().execute() == 1
        # the accounts table holds only its canonical columns, however wide the file
        assert len(s.duckdb.execute("SELECT * FROM accounts LIMIT 0").description) == 18


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


def test_a_wide_file_with_a_bad_row_and_a_copy_keeps_the_first_rows_values(tmp_path: Path,
                                                                           store_path, runner):
    f = tmp_path / "accounts.csv"
    _wide_csv(f, 1500, 6)
    lines = f.read_text().splitlines()
    header = lines[0].split(",")
    bad = lines[3].split(",")
    bad[0] = ""  # no account_id: quarantined
    copy = lines[2].split(",")
    copy[2] = "999"  # A1 again, with another field_0
    f.write_text("\n".join([",".join(header), *lines[1:3], ",".join(bad), *lines[4:],
                            ",".join(copy)]) + "\n")
    result = runner.invoke(app, ["import", str(f), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    with open_store(store_path, read_only=True) as s:
        a = s.accounts(["field_0", "field_2"]).order_by("account_id")
        assert a.select("account_id", "field_0", "field_2").to_pyarrow().to_pylist() == [
            {"account_id": f"A{i}", "field_0": 0, "field_2": f"value {i + 2}"}
            for i in (0, 1, 3, 4, 5)]
        assert s.duckdb.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall() \
            == [(4, "account_id is required"), (8, "duplicate account_id (first on line 3)")]
        # every value of the five accounts, and none of the two quarantined rows
        values = sum(1 for i in (0, 1, 3, 4, 5) for j in range(1498) if _value(j % 5, i, j))
        assert s.duckdb.execute("SELECT count(*) FROM account_extras").fetchone() == (values,)


def test_a_store_with_extra_columns_in_its_accounts_table_moves_them_aside(tmp_path: Path):
    """Stores written before ``store.extras`` held extra columns in the accounts table:
    read as they are read-only, moved to the side tables when opened to write."""
    path = tmp_path / "old.duckdb"
    with open_store(path) as s:
        s.duckdb.execute("DROP TABLE extra_columns; DROP TABLE account_extras")
        s.duckdb.execute("ALTER TABLE accounts ADD COLUMN tier BIGINT")
        s.duckdb.execute("ALTER TABLE accounts ADD COLUMN plan_name VARCHAR")
        s.duckdb.execute("INSERT INTO accounts (account_id, name, tier, plan_name) VALUES "
                         "('A1', 'Acme', 3, NULL), ('A2', 'Beta', NULL, 'gold')")
    expected = [{"account_id": "A1", "tier": 3, "plan_name": None},
                {"account_id": "A2", "tier": None, "plan_name": "gold"}]

    def read(s):
        a = s.accounts(["tier", "plan_name"]).order_by("account_id")
        return a.select("account_id", "tier", "plan_name").to_pyarrow().to_pylist()

    with open_store(path, read_only=True) as s:
        assert s.columns("accounts")["tier"] == "BIGINT"
        assert read(s) == expected
    with open_store(path) as s:
        assert "tier" not in s.duckdb.execute("SELECT * FROM accounts LIMIT 0").fetchdf()
        assert {k: v for k, v in s.columns("accounts").items() if k in ("tier", "plan_name")} \
            == {"tier": "BIGINT", "plan_name": "VARCHAR"}
        assert read(s) == expected
