"""covermap: plan and measure customer coverage over CRM data.

The library is the product; the ``covermap`` command and the report call these.

>>> from covermap import default_plan
>>> [s.id for s in default_plan().states][:3]
['loyal', 'active', 'new']
"""

import importlib
import types

from covermap.store import lazy_ibis

lazy_ibis.install()  # Ibis's SQL compilers are imported one by one, when used (issue 9)

#: public name -> the module that defines it. Each is imported on first use, so that
#: ``covermap --help`` and the commands that need no engine never load Ibis, DuckDB or
#: pandas (issue 9, start-up; tests/test_startup_imports.py).
_EXPORTS = {
    "AnalysisError": "covermap.errors", "CovermapError": "covermap.errors",
    "ImportProblem": "covermap.errors", "PlanError": "covermap.errors",
    "PlanInvalid": "covermap.errors", "RuleError": "covermap.errors",
    "StoreError": "covermap.errors",
    "CoverageResult": "covermap.coverage.measure", "coverage_tables": "covermap.coverage.measure",
    "measure_coverage": "covermap.coverage.measure",
    "MapResult": "covermap.map.measure", "build_map": "covermap.map.measure",
    "map_tables": "covermap.map.measure",
    "TeamResult": "covermap.team.tables", "measure_team": "covermap.team.tables",
    "team_tables": "covermap.team.tables",
    "CapacityResult": "covermap.capacity.tables", "measure_capacity": "covermap.capacity.tables",
    "AssignResult": "covermap.capacity.assign",
    "propose_assignment": "covermap.capacity.assign",
    "ValueResult": "covermap.value.tables", "measure_value": "covermap.value.tables",
    "value_tables": "covermap.value.tables", "ValueMaps": "covermap.value.load",
    "load_value_maps": "covermap.value.load",
    "Window": "covermap.engine.window",
    "ImportReport": "covermap.importing", "import_paths": "covermap.importing",
    "Plan": "covermap.plan", "default_plan": "covermap.plan", "load_plan": "covermap.plan",
    "parse_plan": "covermap.plan",
    "export_tables": "covermap.reports.export",
    "ReportInputs": "covermap.reports.html_report", "render_report": "covermap.reports.html_report",
    "generate_company": "covermap.sample",
    "Store": "covermap.store.connect", "open_store": "covermap.store.connect",
    "store_status": "covermap.store.quarantine",
}
__all__ = [
    "AnalysisError", "AssignResult", "CapacityResult", "CoverageResult", "CovermapError",
    "ImportProblem", "ImportReport", "MapResult", "Plan", "PlanError", "PlanInvalid",
    "ReportInputs", "RuleError", "Store", "StoreError", "TeamResult", "ValueMaps",
    "ValueResult", "Window",
    "build_map", "coverage_tables", "default_plan", "export_tables", "generate_company",
    "import_paths", "load_plan", "load_value_maps", "map_tables", "measure_capacity",
    "measure_coverage", "measure_team", "measure_value", "open_store", "parse_plan",
    "propose_assignment", "render_report", "store_status", "team_tables", "value_tables",
]


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'covermap' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(types.ModuleType):
    """Reading the namespace as a whole (``vars(covermap)``, ``help``, doctest) first loads
    every public name, so it shows the whole API as an eagerly imported package would."""

    @property
    def __dict__(self) -> dict[str, object]:  # type: ignore[override]
        for name in _EXPORTS:
            getattr(self, name)
        return super().__dict__


__import__("sys").modules[__name__].__class__ = _Package
