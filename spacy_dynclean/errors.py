"""Errors a user can act on. Every message names the input and says what to do."""

import errno
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
        self.hint = hint


class MismatchError(DynCleanError):
    """Artefacts that do not belong together (other data, other labels, other run)."""


# what to do about an output that cannot be written, by errno
OUTPUT_HINTS = {
    errno.EACCES: "no permission to write there: choose an output in a folder you can "
    "write to, or change the folder's permissions",
    errno.EROFS: "the file system is read-only: choose an output on another one",
    errno.EEXIST: "part of the path is a file, not a folder: choose another output path",
    errno.ENOTDIR: "part of the path is a file, not a folder: choose another output path",
    errno.EISDIR: "it is a folder: give a file path, or a new folder",
    errno.ENOSPC: "the disk is full: free some space or write elsewhere",
}
OUTPUT_HINTS[errno.EPERM] = OUTPUT_HINTS[errno.EACCES]


class OutputError(DynCleanError):
    """An output that cannot be written: names the path and what to do."""

    def __init__(self, path: str | Path, error: OSError) -> None:
        hint = OUTPUT_HINTS.get(error.errno or 0, "choose another output path")
        reason = error.strerror or type(error).__name__
        where = (
            f" ({error.filename})" if error.filename not in (None, str(path)) else ""
        )
        super().__init__(f"{path}: cannot write the output: {reason}{where} ({hint})")
        self.path = str(path)


def is_unwritable(error: BaseException) -> bool:
    """Whether `error` is an OSError of an output that cannot be written."""
    return isinstance(error, OSError) and error.errno in OUTPUT_HINTS
