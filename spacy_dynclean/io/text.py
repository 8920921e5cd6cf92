"""UTF-8 text streamed from a file, by line or in chunks; a bad byte is a DataError
naming its byte offset and line."""

import codecs
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataError
from ..util import PathLike

CHUNK_BYTES = 1 << 20


def decode_utf8(path: PathLike, data: bytes, offset: int = 0, line: int = 1) -> str:
    """Decode `data`, found at byte `offset` of the file and starting on `line`; a
    leading BOM is allowed at offset 0."""
    skip = (
        len(codecs.BOM_UTF8) if offset == 0 and data.startswith(codecs.BOM_UTF8) else 0
    )
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as err:
        pos = skip + err.start
        line += data.count(b"\n", 0, pos)
        problem = f"not UTF-8: invalid byte 0x{data[pos]:02x} at byte offset {offset + pos}, line {line}"
        raise DataError(path, problem, hint="re-encode the file as UTF-8") from None


def iter_lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """Stream `(line number, text)` pairs (1-based, line ending removed), checking UTF-8."""
    if Path(path).stat().st_size == 0:
        raise DataError(path, "file is empty")
    offset, empty = 0, True
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            line = decode_utf8(path, raw, offset, line=number).rstrip("\r\n")
            offset += len(raw)
            empty = empty and not line.strip()
            yield number, line
    if empty:
        raise DataError(path, "file is empty (only blank lines)")


def iter_text(path: PathLike, chunk_bytes: int = CHUNK_BYTES) -> Iterator[str]:
    """Stream the decoded text in chunks of about `chunk_bytes`, checking UTF-8."""
    offset, line, carry = 0, 1, b""
    with open(path, "rb") as file:
        while True:
            raw = file.read(chunk_bytes)
            data = carry + raw
            cut = len(data) if not raw else _char_boundary(data)
            text = decode_utf8(path, data[:cut], offset, line)
            carry, offset, line = data[cut:], offset + cut, line + text.count("\n")
            if not raw:
                return
            yield text


def _char_boundary(data: bytes) -> int:
    """Where the last, possibly incomplete, UTF-8 character of `data` starts if it is
    incomplete (its rest is in the next chunk), else `len(data)`."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:
            width = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if width > back else len(data)
    return len(data)
