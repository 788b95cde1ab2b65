"""Start-up (issue 9): the command line loads only what a command uses.

Structural, not timed: in a fresh interpreter, building the whole command line and
printing every command's --help loads neither Ibis, DuckDB nor pandas (nor pyarrow, numpy
or sqlglot), and neither does ``import covermap``; the public names still resolve.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("ibis", "duckdb", "pandas", "pyarrow", "numpy", "sqlglot")

HELP_EVERY_COMMAND = """
import json, sys
from typer.main import get_command
from typer.testing import CliRunner
from covermap.cli.main import app

def commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from commands(cmd, (*prefix, name))

runner = CliRunner()
codes = {" ".join(c): runner.invoke(app, [*c, "--help"]).exit_code
         for c in [(), *commands(get_command(app))]}
print(json.dumps({"codes": codes, "loaded": sorted(m for m in sys.modules
                                                     if m.split(".")[0] in HEAVY)}))
""".replace("HEAVY", repr(HEAVY))


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_help_of_every_command_loads_no_engine_library():
    result = _run(HELP_EVERY_COMMAND)
    assert set(result["codes"]) >= {"", "map", "coverage", "import", "sample", "plan check"}
    assert set(result["codes"].values()) == {0}
    # a command module imports the engine, the store and covermap.render inside its
    # command functions (see the comment at COMMAND_MODULES in covermap/cli/main.py)
    assert result["loaded"] == []


def test_importing_the_package_loads_no_engine_library():
    result = _run("import json, sys, covermap; print(json.dumps({'loaded': sorted("
                  f"m for m in sys.modules if m.split('.')[0] in {HEAVY!r})}}))")
    assert result["loaded"] == []


def test_public_names_resolve_on_first_use():
    import covermap
    from covermap.map.measure import build_map
    from covermap.store.connect import Store

    assert covermap.build_map is build_map
    assert covermap.Store is Store
    assert sorted(covermap.__all__) == sorted(covermap._EXPORTS)  # each name has its module
    assert set(covermap.__all__) <= set(dir(covermap))
    try:
        covermap.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_constants_the_options_keep_equal_their_sources():
    from covermap.cli import options, plan, sample
    from covermap.plan.load import TEMPLATES
    from covermap.sample.company import DEFAULT_AS_OF
    from covermap.store.connect import DEFAULT_STORE

    assert options.DEFAULT_STORE == DEFAULT_STORE
    assert plan.TEMPLATES == TEMPLATES
    assert sample.DEFAULT_AS_OF == DEFAULT_AS_OF


def test_literal_of_the_options_is_the_renderers():
    from covermap.cli.options import literal
    from covermap.render.terminal import literal as render_literal

    for value in ("Evil [/bold] Corp", None, "a\x1b[31mred", 3.5):
        assert literal(value) == render_literal(value)


ANALYSES_WITHOUT_PANDAS = """
import json, sys
from typer.testing import CliRunner
from covermap.cli.main import app

store, out = sys.argv[1], sys.argv[2]
codes = {}
for command in ("coverage", "map", "team", "value"):
    r = CliRunner().invoke(app, [command, "--store", store, "--export", f"{out}/{command}"])
    codes[command] = r.exit_code
print(json.dumps({"codes": codes, "loaded": sorted(m for m in sys.modules
                                                     if m.split(".")[0] == "pandas")}))
"""


def test_the_analyses_run_without_pandas(tmp_path):
    """coverage, map, team and value read their results through store.arrow, so none of them
    imports pandas (half a second of every command's start-up)."""
    from typer.testing import CliRunner

    from covermap.cli.main import app
    from covermap.sample import generate_company

    data, store = tmp_path / "exports", tmp_path / "crm.duckdb"
    generate_company(data, accounts=60)
    assert CliRunner().invoke(app, ["import", str(data), "--store", str(store)]).exit_code == 0
    out = subprocess.run([sys.executable, "-c", ANALYSES_WITHOUT_PANDAS, str(store),
                          str(tmp_path / "out")], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.splitlines()[-1])
    assert result == {"codes": {"coverage": 0, "map": 0, "team": 0, "value": 0},
                      "loaded": []}
