"""``covermap import --dry-run``: everything an import would do, with nothing written.

The import runs for real, so every number is the one a real import would give, but
on a copy: an existing store file is copied to a temporary folder (a missing one
is an empty in-memory store) and the transaction is rolled back, so the store file
is neither created nor changed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from covermap.importing.load import Progress, import_paths
from covermap.importing.report import ImportReport
from covermap.plan import Plan
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
            shutil.copyfile(source, target)
            wal = source.with_name(source.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, target + ".wal")
        with open_store(target) as s:
            return import_paths(s, paths, plan=plan, progress=progress, dry_run=True)
