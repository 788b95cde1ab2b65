"""Shared fixtures: real DuckDB files in tmp_path, the real CRM data sets, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covermap.store.connect import open_store

#: the fuzz tests' case counts at the end of a run (issue 15, point 2)
pytest_plugins = ("fuzz_count",)

DATA = Path(__file__).parent / "data"
REALDATA = DATA / "realdata"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Path of a fresh DuckDB store file (not created yet)."""
    return tmp_path / "covermap.duckdb"


@pytest.fixture
def store(store_path: Path):
    """An open, empty store with the canonical schema."""
    with open_store(store_path) as s:
        yield s


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    """Click's runner, with the CLI's console wide enough that tables do not wrap."""
    from covermap.cli.options import console

    monkeypatch.setattr(console, "width", 250)
    return CliRunner()


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The public CRM data sets (byte-for-byte copies, see tests/data/realdata/NOTICE.md)."""
    return REALDATA


@pytest.fixture
def map_files(tmp_path: Path) -> tuple[Path, Path]:
    """A store holding the hand-made map company (tests/test_map_data.py) and its plan file."""
    import test_map_data as fx

    store = tmp_path / "covermap.duckdb"
    with open_store(store) as s:
        fx.insert(s)
    plan = tmp_path / "plan.yaml"
    plan.write_text(fx.PLAN_YAML, "utf-8")
    return store, plan
