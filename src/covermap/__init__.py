"""covermap: plan and measure customer coverage over CRM data.

The library is the product; the ``covermap`` command and the report call these.

>>> from covermap import default_plan
>>> [s.id for s in default_plan().states][:3]
['loyal', 'active', 'new']
"""

from covermap.engine.coverage import CoverageResult, coverage_tables, measure_coverage
from covermap.engine.map import MapResult, build_map, map_tables
from covermap.engine.window import Window
from covermap.errors import (
    AnalysisError,
    CovermapError,
    ImportProblem,
    PlanError,
    PlanInvalid,
    RuleError,
    StoreError,
)
from covermap.importing import ImportReport, import_paths
from covermap.plan import Plan, default_plan, load_plan, parse_plan
from covermap.reports.export import export_tables
from covermap.reports.html_report import ReportInputs, render_report
from covermap.sample import generate_company
from covermap.store.connect import Store, open_store
from covermap.store.quarantine import store_status

__all__ = [
    "AnalysisError", "CoverageResult", "CovermapError", "ImportProblem", "ImportReport",
    "MapResult", "Plan", "PlanError", "PlanInvalid", "ReportInputs", "RuleError", "Store",
    "StoreError", "Window",
    "build_map", "coverage_tables", "default_plan", "export_tables", "generate_company",
    "import_paths", "load_plan", "map_tables", "measure_coverage", "open_store", "parse_plan",
    "render_report", "store_status",
]
