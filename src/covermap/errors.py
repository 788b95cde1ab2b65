"""Every error covermap raises on purpose, with the fields a user needs to act.

The tree::

    CovermapError
    ├── PlanError (ValueError)             a plan file that cannot be used
    │   ├── RuleError                      a state rule that does not parse or type-check
    │   └── PlanInvalid                    every problem of one plan file, in file order
    ├── ImportProblem (ValueError)         an input file that cannot be imported
    │   ├── UnknownTable                   no canonical table matches the file
    │   ├── MissingColumn                  a required column is absent
    │   └── RejectedRows                   --strict and some rows would be quarantined
    ├── StoreError (RuntimeError)          the store cannot be opened or is not a covermap store
    │   ├── StoreBusy                      another writer held the store longer than the wait
    │   └── BackendUnsupported             this kind of store lacks a capability a command needs
    ├── OutputError (ValueError)           an output that must not or cannot be written there
    └── AnalysisError (ValueError)         an analysis cannot run on this data (e.g. no activities)

The CLI catches ``CovermapError`` only: it prints each of its ``messages()`` on
one red line and exits 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


class CovermapError(Exception):
    """Root of every error covermap raises on purpose."""

    def messages(self) -> list[str]:
        """One line per problem, as the CLI prints them."""
        return [str(self)]


def did_you_mean(name: object, choices: Iterable[object]) -> str:
    """`` did you mean 'x'?`` for the closest of ``choices`` to ``name`` (case-insensitive),
    or "" when none is close.

    >>> did_you_mean("statez", ["name", "states", "roles"])
    " did you mean 'states'?"
    """
    options = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(str(name).lower(), list(options), n=1, cutoff=0.6)
    return f" did you mean {options[close[0]]!r}?" if close else ""


def _where(file: str | None, line: int | None, column: str | None = None) -> str:
    parts = []
    if file:
        parts.append(str(file))
    if line is not None:
        parts.append(f"line {line}")
    if column:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


class PlanError(CovermapError, ValueError):
    """A plan file that cannot be used; names the file, line and key."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.file, self.line, self.key, self.reason = file, line, key, message
        where = _where(file, line)
        prefix = f"{where}: " if where else ""
        keypart = f"{key}: " if key else ""
        super().__init__(f"{prefix}{keypart}{message}")


class RuleError(PlanError):
    """A state rule that does not parse or refers to something unknown."""


class PlanInvalid(PlanError):
    """All the problems found in one plan, in file order; ``problems`` holds each one, and
    ``file``/``line``/``key``/``reason`` are the first's."""

    def __init__(self, problems: Sequence[PlanError]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        CovermapError.__init__(self, "\n".join(str(p) for p in self.problems))
        self.file, self.line, self.key, self.reason = first.file, first.line, first.key, \
            first.reason

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


class ImportProblem(CovermapError, ValueError):
    """An input that cannot be imported; names the file, line and column."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None) -> None:
        self.file, self.line, self.column, self.reason = file, line, column, message
        where = _where(file, line, column)
        super().__init__(f"{where}: {message}" if where else message)


class UnknownTable(ImportProblem):
    """No canonical table matches the file's name or columns."""


class MissingColumn(ImportProblem):
    """A column the canonical table requires is absent from the file."""


class RejectedRows(ImportProblem):
    """Raised under --strict when rows would go to quarantine; nothing is committed."""


class StoreError(CovermapError, RuntimeError):
    """The store cannot be opened, or is not a covermap store."""


class StoreBusy(StoreError):
    """Another process is writing the store (``covermap.store.versions``) and did not finish
    within the wait; the message names it (pid, command, since when)."""


class BackendUnsupported(StoreError):
    """A command needs a capability (``covermap.store.capabilities``) that this kind of
    store lacks; names the capability, the store and what to do instead."""

    def __init__(self, capability: str, backend: str, remedy: str) -> None:
        self.capability, self.backend, self.remedy = capability, backend, remedy
        super().__init__(f"{backend} store: no {capability}; {remedy}")


class OutputError(CovermapError, ValueError):
    """An output that must not replace what is there (a store, a plan, an imported file, a
    file covermap did not write) or that cannot be written (a read-only place, a folder
    that cannot be created)."""


class AnalysisError(CovermapError, ValueError):
    """An analysis cannot run on the data in the store."""
