"""The ``covermap`` command: a Typer app whose commands live in one module per noun.

Each module in ``COMMAND_MODULES`` has ``register(app)``; this module only
assembles them and turns covermap's own errors into one red line and exit 1.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Annotated

import typer
import typer.core
from rich.console import Console

from covermap.errors import CovermapError
from covermap.render.terminal import literal

COMMAND_MODULES = (
    "covermap.cli.data",      # import, status
    "covermap.cli.sample",    # sample
    "covermap.cli.plan",      # init, plan check
    "covermap.cli.coverage",  # coverage, worklist
    "covermap.cli.map",       # map
    "covermap.cli.team",      # team, team check
    "covermap.cli.demo",      # demo
    "covermap.cli.report",    # report
)

class _CovermapGroup(typer.core.TyperGroup):
    """Prints covermap's own errors as one red line and exits 1; bugs keep their traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CovermapError as e:
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
        typer.echo(f"covermap {importlib.metadata.version('covermap')}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print covermap's version and exit.")] = False) -> None:
    """Plan and measure customer coverage over your CRM data.

    Example: covermap demo --out covermap-demo
    """


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)
