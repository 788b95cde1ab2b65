"""Shared fixtures: real DuckDB files in tmp_path, the real CRM data sets, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covermap.store.connect import open_store

#: the fuzz tests' case counts at the end of a run (issue 15, point 2)
pytest_plugins = ("fuzz_count",)

#: the modules that take a minute or more (a quiet run's --durations), started first: the
#: workers take modules in the order collected (--no-loadscope-reorder), so one of these
#: started last would keep one worker busy minutes after the other has finished
SLOWEST = ("test_spark_engine", "test_import_properties", "test_command_safety",
           "test_store_versions",
           "test_report_formats", "test_examples", "test_serve_security_server",
           "test_report_summary", "test_serve_access", "test_postgres_store",
           "test_markup_safety", "test_serve_cache", "test_report_layout", "test_group_pages",
           "test_fuzz_rules", "test_fuzz_values", "test_fuzz_plans", "test_fuzz_import",
           "test_fuzz_readers", "test_serve_security", "test_timezones",
           "test_cli_window_total", "test_demo_report", "test_serve_browser")

DATA = Path(__file__).parent / "data"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest modules first (SLOWEST's order), then the rest as collected."""
    rank = {name: i for i, name in enumerate(SLOWEST)}
    items.sort(key=lambda item: rank.get(item.module.__name__, len(rank)))
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
