"""Errors a user can act on. Every message names the input and says what to do."""

from pathlib import Path


class DynCleanError(ValueError):
    """Base class: the CLI prints the message and exits non-zero, no traceback."""


class DataError(DynCleanError):
    """Bad input data: names the file, the record (1-based) and the problem."""

    def __init__(
        self,
        path: str | Path,
        problem: str,
        record: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{path}" if record is None else f"{path}, record {record}"
        message = f"{where}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.path = str(path)
        self.record = record
        self.problem = problem


class MismatchError(DynCleanError):
    """Artefacts that do not belong together (other data, other labels, other run)."""
