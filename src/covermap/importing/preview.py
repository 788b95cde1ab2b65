"""``covermap import --dry-run``: everything an import would do, with nothing written.

The import runs for real, so every number is the one a real import would give, but
on a copy: an existing store file is copied to a temporary folder (a missing one
is an empty in-memory store) and the transaction is rolled back, so the store file
is neither created nor changed (the copy is of the current version: an import running
meanwhile is not waited for).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from covermap.importing.load import Progress, import_paths
from covermap.importing.report import ImportReport
from covermap.plan import Plan
from covermap.store import versions
from covermap.store.connect import open_store


def preview(store_path: str | Path, paths: Sequence[str | Path], *, plan: Plan | None = None,
            progress: Progress | None = None) -> ImportReport:
    """What importing ``paths`` into the store at ``store_path`` would do.

    >>> import pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "accounts.csv").write_text("account_id,name\\nA1,Acme\\n")
    >>> preview(d / "crm.duckdb", [d / "accounts.csv"]).loaded, (d / "crm.duckdb").exists()
    (1, False)
    """
    if str(store_path).startswith(("postgres://", "postgresql://")):
        from covermap.store.postgres_import import preview as preview_postgres

        return preview_postgres(str(store_path), paths, plan=plan, progress=progress)
    source = Path(str(store_path).removeprefix("duckdb://"))
    with tempfile.TemporaryDirectory(prefix="covermap-preview-") as tmp:
        target: str = ":memory:"
        if str(store_path) != ":memory:" and source.exists():
            target = str(Path(tmp) / source.name)
            versions.copy_current(source, target)  # one version, even while one is written
        with open_store(target, in_place=True) as s:
            return import_paths(s, paths, plan=plan, progress=progress, dry_run=True)
