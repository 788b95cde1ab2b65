"""Start-up (issue 9): commands load only the Ibis compiler they use, and no pandas where
nothing needs it (structural, not timed: each check reads ``sys.modules`` of a fresh
interpreter)."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from covermap.store import lazy_ibis

_LOADED = """
import json, sys
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("ibis", "pandas")
                        and ("compilers." in m or "dialects" in m or m == "pandas"))))
"""


def _loaded(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + _LOADED], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_the_names_are_ibis_own():
    # the package's __all__, read from its source without running it
    init = Path(importlib.util.find_spec("ibis").submodule_search_locations[0]) / \
        "backends" / "sql" / "compilers" / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    names = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                 and n.targets[0].id == "__all__")
    imports = {a.name: n.module.rsplit(".", 1)[1] for n in tree.body
               if isinstance(n, ast.ImportFrom) and n.module.startswith("ibis.")
               for a in n.names}
    assert lazy_ibis.COMPILERS == imports
    assert sorted(lazy_ibis.COMPILERS) == sorted(names)


def test_duckdb_loads_its_compiler_only_and_others_still_resolve():
    loaded = _loaded("""
import covermap, ibis
from covermap.store.arrow import to_pylist
con = ibis.duckdb.connect()
t = con.sql("SELECT 1 AS a")
assert con.compile(t.filter(t.a > 0)) == 'SELECT * FROM (SELECT 1 AS a) AS "t0" WHERE "t0"."a" > 0'
assert to_pylist(t) == [{"a": 1}]
""")
    assert loaded == ["ibis.backends.sql.compilers._compat",
                      "ibis.backends.sql.compilers.base", "ibis.backends.sql.compilers.duckdb"]
    loaded = _loaded("""
import covermap, ibis
import ibis.backends.sql.compilers as sc
from ibis.backends.sql.compilers import PostgresCompiler
t = ibis.table({"a": "int64"}, name="t")
assert ibis.to_sql(t.limit(1), dialect="postgres").split() == [
    "SELECT", "*", "FROM", '"t"', "AS", '"t0"', "LIMIT", "1"]
assert isinstance(sc.postgres.compiler, PostgresCompiler)
try:
    ibis.to_sql(t, dialect="no_such_dialect")
except ValueError as e:
    assert "Unknown dialect" in str(e)
else:
    raise AssertionError("an unknown dialect must raise ValueError")
""")
    assert "ibis.backends.sql.compilers.postgres" in loaded
    assert "ibis.backends.sql.compilers.trino" not in loaded


def test_status_reads_the_store_without_pandas(tmp_path):
    from covermap.store.connect import open_store

    path = tmp_path / "covermap.duckdb"
    with open_store(path) as s:
        s.duckdb.execute("INSERT INTO quarantine (import_id, table_name, file, line, reason) "
                         "VALUES (1, 'deals', 'deals.csv', 3, 'bad amount: x')")
    loaded = _loaded(f"""
import sys
from typer.testing import CliRunner
from covermap.cli.main import app
for args in (["status"], ["status", "--quarantined", "--table", "deals"]):
    result = CliRunner().invoke(app, [*args, "--store", {str(path)!r}])
    assert result.exit_code == 0, result.output
    assert "bad amount" in result.output, result.output
""")
    assert "pandas" not in loaded
    assert not [m for m in loaded if m.startswith("ibis.backends.sql.compilers.")
                and m.rsplit(".", 1)[1] not in ("_compat", "base", "duckdb")]
