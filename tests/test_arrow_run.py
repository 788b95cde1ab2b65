"""store.arrow runs Ibis expressions as ``expr.to_pyarrow()`` does, without pandas."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from decimal import Decimal

import ibis
import numpy as np
import pyarrow as pa
import pytest

from covermap.store.arrow import arrow_table, memtable, scalar, to_arrow, to_pylist

#: one row of every type covermap's tables and results use, and a row of NULLs
_SQL = """
CREATE TABLE t AS SELECT * FROM (VALUES
  (1, 7::TINYINT, 2::SMALLINT, 3::INTEGER, 40000000000::BIGINT, 1.5::DOUBLE, 0.25::FLOAT,
   12.34::DECIMAL(18,2), 'é x'::VARCHAR, TRUE, DATE '2024-02-29',
   TIMESTAMP '2024-03-01 12:34:56.789', TIMESTAMPTZ '2024-03-01 12:00:00+00',
   ['a', 'b']::VARCHAR[], 8::HUGEINT),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) AS v(id, i8, i16, i32, i64, f64, f32, dec, s, b, d, ts, tstz, arr, huge)
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("arrow") / "covermap.duckdb"
    c = ibis.duckdb.connect(str(path))
    c.raw_sql("SET TimeZone = 'UTC'")
    c.raw_sql(_SQL)
    yield c
    c.disconnect()


def _same(a, b) -> None:
    assert type(a) is type(b)
    if isinstance(a, pa.Table):
        assert a.schema.equals(b.schema, check_metadata=True)
    else:
        assert a.type == b.type
    assert a.equals(b)


def test_table_types_and_values_equal_to_pyarrow(con):
    t = con.table("t").order_by("id")
    got = to_arrow(t)
    _same(got, t.to_pyarrow())
    assert got.schema.field("dec").type == pa.decimal128(18, 2)
    assert got.schema.field("ts").type == pa.timestamp("us")
    assert got.schema.field("tstz").type == pa.timestamp("us", tz="UTC")
    assert to_pylist(t)[0] == {
        "id": 1, "i8": 7, "i16": 2, "i32": 3, "i64": 40000000000, "f64": 1.5, "f32": 0.25,
        "dec": Decimal("12.34"), "s": "é x", "b": True, "d": dt.date(2024, 2, 29),
        "ts": dt.datetime(2024, 3, 1, 12, 34, 56, 789000),
        "tstz": dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC),
        "arr": ["a", "b"], "huge": Decimal(8)}
    assert set(to_pylist(t)[1].values()) == {2, None}


def test_derived_expressions_equal_to_pyarrow(con):
    t = con.table("t")
    derived = t.select(
        "id", null=ibis.null(), day=t.ts.date(), total=t.dec * 2, flag=t.i32 > 2,
        name=t.s.upper(), n=t.i16.cast("int64")).order_by("id")
    _same(to_arrow(derived), derived.to_pyarrow())
    assert [r["null"] for r in to_pylist(derived)] == [None, None]
    column = t.order_by("id").d
    _same(to_arrow(column), column.to_pyarrow())
    assert to_pylist(column) == [dt.date(2024, 2, 29), None]


def test_scalars_equal_to_pyarrow(con):
    t = con.table("t")
    for expr in (t.count(), t.dec.sum(), t.f64.mean(), t.d.max(), t.s.min(),
                 t.filter(t.id > 5).i64.sum(), ibis.null().cast("int64"), t.b.any()):
        _same(to_arrow(expr), expr.to_pyarrow())
    assert scalar(t.count()) == 2
    assert scalar(t.dec.sum()) == Decimal("12.34")
    assert scalar(t.filter(t.id > 5).i64.sum()) is None


def test_memtable_joined_to_a_store_table(con):
    t = con.table("t")
    m = ibis.memtable(pa.table({"id": [1, 2], "label": ["one", "two"]}))
    joined = t.join(m, "id").select("id", "label", "d").order_by("id")
    _same(to_arrow(joined), joined.to_pyarrow())
    assert [r["label"] for r in to_pylist(joined)] == ["one", "two"]


def test_arrow_table_equals_pyarrows_own_build():
    schema = pa.schema([
        ("s", pa.string()), ("d", pa.date32()), ("i", pa.int32()), ("n", pa.int64()),
        ("ts", pa.timestamp("us")), ("tz", pa.timestamp("us", tz="UTC")), ("f", pa.float64()),
        ("b", pa.bool_()), ("dec", pa.decimal128(18, 2)), ("arr", pa.list_(pa.string()))])
    columns = {
        "s": ['a "quoted"\nline \\ é', None], "d": [dt.date(2024, 2, 29), None],
        "i": [3, None], "n": [2**62, None], "ts": [dt.datetime(2024, 1, 1, 10, 0, 0, 5), None],
        "tz": [dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC), None], "f": [0.1, None],
        "b": [False, None], "dec": [Decimal("12.34"), None], "arr": [["x", None], None]}
    assert arrow_table(columns, schema).equals(pa.table(columns, schema=schema))
    floats = {"f": [float("inf"), float("-inf"), 1 / 3, 5e-324, None], "n": [np.int64(7)] * 5}
    two = pa.schema([("f", pa.float64()), ("n", pa.int64())])
    assert arrow_table(floats, two).equals(pa.table(floats, schema=two))
    assert math.isnan(arrow_table({"f": [float("nan")]}, two)["f"][0].as_py())
    partial = arrow_table({"s": ["only"]}, schema)  # a column not given is all NULL
    assert partial.to_pylist() == [{**dict.fromkeys(schema.names), "s": "only"}]
    empty = arrow_table({}, schema)
    assert empty.schema.equals(schema) and empty.num_rows == 0


def test_memtable_equals_ibis_memtable(con):
    columns = {"day": [dt.date(2024, 3, 1), dt.date(2024, 3, 4)], "i": [0, 1]}
    ours = memtable(columns, {"day": "date", "i": "int64", "label": "string"})
    theirs = ibis.memtable(pa.table({**columns, "label": [None, None]}, schema=pa.schema(
        [("day", pa.date32()), ("i", pa.int64()), ("label", pa.string())])))
    assert ours.schema() == theirs.schema()
    t = con.table("t")
    _same(to_arrow(t.join(ours, t.id == ours.i + 1).select("id", "day", "label")),
          t.join(theirs, t.id == theirs.i + 1).select("id", "day", "label").to_pyarrow())
    assert to_pylist(memtable(pa.table({"x": [1]})).x) == [1]
    assert to_pylist(memtable({}, {"x": "int64"})) == []


def test_another_backend_runs_its_own_to_pyarrow(tmp_path):
    c = ibis.sqlite.connect(str(tmp_path / "x.sqlite"))
    c.raw_sql("CREATE TABLE s (n INTEGER, s TEXT)")
    c.raw_sql("INSERT INTO s VALUES (1, 'a'), (2, NULL)")
    s = c.table("s").order_by("n")
    _same(to_arrow(s), s.to_pyarrow())
    assert to_pylist(s) == [{"n": 1, "s": "a"}, {"n": 2, "s": None}]
    assert scalar(c.table("s").count()) == 2


def test_pandas_is_not_imported(tmp_path):
    code = f"""
import sys, ibis
from covermap.store.arrow import arrow_table, memtable, scalar, to_arrow, to_pylist
con = ibis.duckdb.connect({str(tmp_path / 'p.duckdb')!r})
con.raw_sql({_SQL!r})
t = con.table("t")
to_arrow(t); to_pylist(t.d); scalar(t.dec.sum()); to_arrow(t.select(n=ibis.null()))
scalar(ibis.null()); to_arrow(t.select(n=ibis.null()).n.first())
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_store_loads_memtables_without_pandas(tmp_path):
    from covermap.store.connect import open_store

    path = tmp_path / "covermap.duckdb"
    with open_store(path) as s:
        s.duckdb.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme'), "
                         "('A2', 'Beta')")
    code = f"""
import datetime as dt, sys
from decimal import Decimal
from covermap.store.arrow import memtable, scalar, to_pylist
from covermap.store.connect import open_store
with open_store({str(path)!r}, read_only=True) as s:
    m = memtable({{"account_id": ["A2", "A1"], "day": [dt.date(2024, 2, 29), None],
                  "amount": [Decimal("1.25"), Decimal("-3")], "tags": [["x"], []]}},
                 {{"account_id": "string", "day": "date", "amount": "decimal(18,2)",
                  "tags": "array<string>"}})
    a = s.table("accounts")
    j = a.join(m, "account_id").select("account_id", "name", "day", "amount", "tags")
    j = j.order_by("account_id")
    rows = to_pylist(j)
    assert rows == to_pylist(j) == [
        {{"account_id": "A1", "name": "Acme", "day": None, "amount": Decimal("-3.00"), "tags": []}},
        {{"account_id": "A2", "name": "Beta", "day": dt.date(2024, 2, 29),
         "amount": Decimal("1.25"), "tags": ["x"]}}], rows
    kept = s.ibis.create_table("kept", j, temp=True)
    assert scalar(kept.count()) == 2
    assert scalar(a.join(memtable({{"account_id": []}}, {{"account_id": "string"}}),
                         "account_id").count()) == 0
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
