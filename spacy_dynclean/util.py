"""Small helpers shared by every stage: atomic file output (an output that cannot be
written is an `OutputError` naming it: `writable`), and reading JSON and numpy arrays
with errors that name the file. JSON lines: `io.common.iter_json_lines`."""

import errno
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import srsly

from .errors import DataError, OutputError, is_unwritable

T = TypeVar("T")

PathLike = str | Path


@contextmanager
def writable(path: PathLike) -> Iterator[None]:
    """Turn an OSError of writing the output `path` (no permission, a parent that is a
    file, a full disk) into an `OutputError` that names it and says what to do."""
    try:
        yield
    except OSError as err:
        if is_unwritable(err):
            raise OutputError(path, err) from None
        raise


def check_output_folder(path: PathLike) -> None:
    """Refuse, before a long run writes into it, an output folder that cannot be
    written (`writable`): probe the folder, or the nearest folder above it that
    exists. Nothing is created, so a run refused later leaves nothing behind."""
    with writable(path):
        target = Path(path)
        while not target.exists():
            target = target.parent
        if not target.is_dir():
            raise NotADirectoryError(
                errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target)
            )
        handle, probe = tempfile.mkstemp(dir=target, prefix=".probe.", suffix=".tmp")
        os.close(handle)
        os.unlink(probe)


@contextmanager
def atomic_output(path: PathLike) -> Iterator[Path]:
    """Yield a temp path next to `path`; on success it replaces `path`, on failure
    it is removed, so a failed step never leaves a partial file behind."""
    path = Path(path)
    with writable(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    os.close(handle)
    try:
        yield Path(tmp)
        os.chmod(
            tmp, 0o666 & ~_umask()
        )  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write(path: PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


@contextmanager
def atomic_folder(path: PathLike) -> Iterator[Path]:
    """Yield a temp folder next to `path`; on success it replaces `path` (a previous
    folder there is removed), on failure it is removed. The temp folder's name starts
    with a dot, so folder readers such as spaCy's `Corpus` skip it."""
    path = Path(path)
    with writable(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(
            tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        )
    old = tmp.with_name(f"{tmp.name}.old")
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, old):
            if leftover.exists():
                shutil.rmtree(leftover)


def read_json(path: PathLike) -> Any:
    """The JSON content of `path`."""
    try:
        return srsly.read_json(path)
    except ValueError as err:
        raise DataError(
            path, f"invalid JSON ({err})", hint="the file is damaged: write it again"
        ) from None


def load_array(path: PathLike) -> np.ndarray:
    """The array in the .npy file `path`."""
    try:
        return np.load(path)
    except (ValueError, OSError, EOFError) as err:
        raise DataError(
            path,
            f"not a readable .npy array ({err})",
            hint="the file is damaged: write it again",
        ) from None


def load_arrays(path: PathLike) -> dict[str, np.ndarray]:
    """The arrays in the .npz file `path`, by name."""
    try:
        with np.load(path) as data:
            return {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as err:
        raise DataError(
            path,
            f"not a readable .npz archive ({err})",
            hint="the file is damaged: write it again",
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def settings_from_overrides(
    cls: type[T], section: str, overrides: Mapping[str, Any]
) -> T:
    """An options dataclass from the `--SECTION.KEY value` overrides of its section
    (other sections are ignored); an unknown key is refused with the known ones."""
    known = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    values = {
        key.split(".", 1)[1]: value
        for key, value in overrides.items()
        if key.split(".", 1)[0] == section
    }
    unknown = sorted(set(values) - known)
    if unknown:
        raise DataError(
            f"--{section}.{unknown[0]}",
            f"unknown {section} setting",
            hint=f"known: {', '.join(sorted(known))}",
        )
    return cls(**values)
