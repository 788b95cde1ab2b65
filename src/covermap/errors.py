"""Every error covermap raises on purpose, with the fields a user needs to act.

The tree::

    CovermapError
    ├── PlanError (ValueError)             a plan file that cannot be used
    │   └── RuleError                      a state rule that does not parse or type-check
    ├── ImportProblem (ValueError)         an input file that cannot be imported
    │   ├── UnknownTable                   no canonical table matches the file
    │   ├── MissingColumn                  a required column is absent
    │   └── RejectedRows                   --strict and some rows would be quarantined
    ├── StoreError (RuntimeError)          the store cannot be opened or is not a covermap store
    └── AnalysisError (ValueError)         an analysis cannot run on this data (e.g. no activities)

The CLI catches ``CovermapError`` only: it prints the message on one red line
and exits 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class CovermapError(Exception):
    """Root of every error covermap raises on purpose."""


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


class AnalysisError(CovermapError, ValueError):
    """An analysis cannot run on the data in the store."""
