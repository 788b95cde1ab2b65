"""`covermap demo`: a sample company, imported, analysed and reported, in a folder of its own.

The demo writes only into a folder it creates (or an empty one), and marks it with
``.covermap-demo``; running it again into a marked folder replaces the demo's own files
there. Any other non-empty folder is refused, so the demo can never delete a user's store
or overwrite their files (issue 8, point 3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from covermap.cli.options import PlanOption, console, resolve_plan
from covermap.cli.report import print_summary, run_analyses
from covermap.errors import OutputError

#: the file that says a folder is the demo's own
MARK = ".covermap-demo"
DEFAULT_OUT = Path("covermap-demo")


def claim_folder(out: Path) -> Path:
    """``out`` as the demo's folder: created (or empty, or marked by an earlier demo) and
    marked; any other existing folder or file raises ``OutputError``."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file; covermap demo writes into a folder of its own: "
                          f"pass --out a new folder, e.g. --out {DEFAULT_OUT}")
    if out.is_dir() and not (out / MARK).is_file() and any(out.iterdir()):
        raise OutputError(f"{out}: this folder holds files covermap demo did not write, and "
                          f"the demo writes only into a new or empty folder (or one an earlier "
                          f"demo wrote); pass --out a new folder, e.g. --out {DEFAULT_OUT}")
    from covermap.reports.targets import Targets

    Targets("--out").folder(out)
    (out / MARK).write_text("Written by `covermap demo`: running it again with this folder "
                            "as --out replaces the demo's files here.\n", "utf-8")
    return out


def demo(
    out: Annotated[Path, typer.Option(
        help="A new folder for everything the demo writes (or an empty one, or one an earlier "
             "demo wrote: its files are replaced).")] = DEFAULT_OUT,
    accounts: Annotated[int, typer.Option(help="Accounts in the sample company.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed of the sample company.")] = 42,
    plan_path: PlanOption = None,
) -> None:
    """Generate a realistic sample company, import it into a DuckDB store, run every
    analysis, write CSV results and a self-contained HTML report, and print a summary.

    Writes OUT/sample/ (the CRM files), OUT/covermap.duckdb, OUT/results/*.csv and
    OUT/report.html (opens offline), and nothing outside OUT. OUT must be a new or empty
    folder, or one an earlier demo wrote.

    Example: covermap demo --out covermap-demo
    """
    from rich.progress import Progress

    from covermap.importing import import_paths
    from covermap.reports.targets import Targets
    from covermap.sample import generate_company
    from covermap.store.connect import open_store

    plan = resolve_plan(plan_path)
    claim_folder(out)
    store_path = out / "covermap.duckdb"
    for own in (store_path, store_path.with_name(store_path.name + ".wal")):
        own.unlink(missing_ok=True)  # the earlier demo's store: a new one is imported
    own_files = Targets("--out", force=True)  # in the demo's own folder
    with open_store(store_path) as store:
        with Progress(console=console) as progress:
            task = progress.add_task("sample company", total=None)
            sizes = generate_company(own_files.folder(out / "sample"), accounts=accounts,
                                     seed=seed)
            progress.update(task, total=1, completed=1,
                            description=f"sample company: {sum(sizes.values()):,} rows")
            import_paths(store, [out / "sample"], plan=plan)
            coverage, cmap = run_analyses(store, plan, out / "results", out / "report.html",
                                          progress, own_files)
        print_summary(plan, store, coverage, cmap, out / "results", out / "report.html")


def register(app: typer.Typer) -> None:
    app.command()(demo)
