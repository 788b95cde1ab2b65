"""The ``covermap`` command: a Typer app whose commands live in one module per noun.

Each module in ``COMMAND_MODULES`` has ``register(app)``; this module only
assembles them and turns covermap's own errors into one red line and exit 1.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import Annotated

import typer
import typer.core

from covermap.errors import CovermapError

# To add a command (e.g. covermap.cli.team): write covermap/cli/<noun>.py with
# ``register(app)`` and add one line below. A command module imports at its top only
# typer, rich, the standard library, covermap.cli.options and covermap.errors; the engine,
# the store, covermap.render, covermap.plan and the reports are imported inside the
# command functions, so that `covermap --help` and every other command never load Ibis,
# DuckDB or pandas (issue 9: start-up under 0.5 s). tests/test_startup_imports.py checks
# every module listed here.
COMMAND_MODULES = (
    "covermap.cli.data",      # import, status
    "covermap.cli.sample",    # sample
    "covermap.cli.plan",      # init, plan check
    "covermap.cli.coverage",  # coverage, worklist
    "covermap.cli.map",       # map
    "covermap.cli.team",      # team, team check
    "covermap.cli.value",     # value, value table/playbook/players/match/check/example
    "covermap.cli.capacity",  # capacity, capacity segments
    "covermap.cli.assign",    # assign
    "covermap.cli.demo",      # demo
    "covermap.cli.report",    # report
    "covermap.cli.serve",     # serve, serve hash-password
    "covermap.cli.spark_export",  # export-store (the Parquet folder --engine spark reads)
)


class _CovermapGroup(typer.core.TyperGroup):
    """Prints covermap's own errors as one red line and exits 1; bugs keep their traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CovermapError as e:
            from rich.console import Console

            from covermap.render.terminal import literal

            for message in e.messages():  # one red line per problem (a plan's are all listed)
                Console(stderr=True, emoji=False).print(f"[red]Error:[/red] {literal(message)}",
                                           highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_CovermapGroup,
    name="covermap",
    help="Plan and measure customer coverage over your CRM data.\n\n"
         "Example: covermap demo --out covermap-demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"covermap {version('covermap')}")
        raise typer.Exit()


class _Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.callback()
def _options(ctx: typer.Context, version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print covermap's version and exit.")] = False,
        engine: Annotated[_Engine, typer.Option(
            "--engine", help="What runs the analyses: duckdb (the store itself, or "
                             "PostgreSQL for a postgresql:// store) or spark (PySpark; "
                             "--store is then a folder of Parquet files written by "
                             "`covermap export-store`, or catalog:DATABASE).")
        ] = _Engine.duckdb) -> None:
    """Plan and measure customer coverage over your CRM data.

    Example: covermap demo --out covermap-demo
    """
    from covermap.store.spark_engine import choose, require_command

    if engine is _Engine.spark:
        require_command(ctx.invoked_subcommand)
    ctx.call_on_close(choose(engine.value))


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)
