"""The public API and the command line's self-description."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import types

import pytest
from typer.testing import CliRunner

import covermap
from covermap.cli.main import app


def test_all_lists_exactly_the_public_names():
    public = {name for name, value in vars(covermap).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert sorted(covermap.__all__) == sorted(public)


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = sorted(_commands(__import__("typer").main.get_command(app)))


def test_every_command_is_there():
    assert [" ".join(c) for c in COMMANDS] == [
        "assign", "capacity segments", "coverage", "demo", "export-store", "import", "init",
        "map", "plan check", "report", "sample", "serve hash-password",
        "status", "team check", "value check", "value example", "value match",
        "value playbook", "value players", "value table", "worklist"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Example: covermap " in result.output


def test_docstring_examples_run():
    failures = 0
    for info in pkgutil.walk_packages(covermap.__path__, "covermap."):
        if info.name == "covermap.__main__":  # importing it runs the command
            continue
        module = importlib.import_module(info.name)
        failures += doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed
    assert failures == 0
