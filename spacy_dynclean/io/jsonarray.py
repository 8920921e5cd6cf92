"""The items of a top-level JSON array, parsed one at a time from a text stream.

Memory holds one item (and a read chunk), not the file. A syntax error names its line,
column and character offset in the file, like `json.loads` would.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import DataError
from ..util import PathLike
from .text import CHUNK_BYTES, iter_text

WHITESPACE = " \t\n\r"
# a decode error, or a value ending, this close to the end of the buffer may be cut off
TAIL = 16
JSONL_HINT = "is it JSON Lines? then name it .jsonl or pass --format jsonl"
TYPE_NAMES = {"{": "dict", '"': "str", "t": "bool", "f": "bool", "n": "NoneType"}


class _Buffer:
    """Text of a chunk stream with a read position; knows the file position of any index."""

    def __init__(self, path: PathLike, chunks: Iterable[str]) -> None:
        self.path = path
        self.chunks = iter(chunks)
        self.text, self.pos = "", 0
        self.dropped, self.dropped_lines, self.dropped_col = (
            0,
            0,
            0,
        )  # text before `self.text`
        self.eof = False

    def more(self) -> bool:
        """Append the next chunk (dropping what was read); False at the end of the file."""
        chunk = next(self.chunks, None)
        if chunk is None:
            self.eof = True
            return False
        done = self.text[: self.pos]
        newline = done.rfind("\n")
        self.dropped_col = (
            len(done) - newline - 1 if newline >= 0 else self.dropped_col + len(done)
        )
        self.dropped_lines += done.count("\n")
        self.dropped += self.pos
        self.text, self.pos = self.text[self.pos :] + chunk, 0
        return True

    def peek(self) -> str:
        """The next non-whitespace character ('' at the end of the file), not consumed."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos : self.pos + 1]

    def decode(self, decoder: json.JSONDecoder) -> Any:
        """The next JSON value, reading more text while it may be cut off."""
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as err:
                cut_off = err.pos >= len(self.text) - TAIL or err.msg.startswith(
                    "Unterminated string"
                )
                if cut_off and self.more():
                    continue
                raise self.error(err.msg, err.pos) from None
            if (
                end < len(self.text) - TAIL or self.eof or not self.more()
            ):  # a number may go on
                self.pos = end
                return value

    def error(self, msg: str, index: int, hint: str | None = None) -> DataError:
        if self.eof and (
            index >= len(self.text.rstrip()) or msg.startswith("Unterminated string")
        ):
            hint = hint or "the file ends inside the JSON: is it truncated?"
        before = self.text[:index]
        newline = before.rfind("\n")
        line = self.dropped_lines + before.count("\n") + 1
        column = index - newline if newline >= 0 else self.dropped_col + index + 1
        where = (
            f"line {line}, column {column} (character offset {self.dropped + index})"
        )
        return DataError(self.path, f"invalid JSON at {where}: {msg}", hint=hint)


def iter_json_array(path: PathLike, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Any]:
    """Yield the items of the JSON array that is the whole content of `path`."""
    buffer, decoder = _Buffer(path, iter_text(path, chunk_bytes)), json.JSONDecoder()
    first = buffer.peek()
    if not first:
        raise DataError(path, "file is empty")
    if first != "[":
        buffer.decode(decoder)
        if buffer.peek():
            raise buffer.error("Extra data", buffer.pos, hint=JSONL_HINT)
        got = TYPE_NAMES.get(first, "number")
        raise DataError(
            path, f"the top level must be a JSON list of records, got {got}"
        )
    buffer.pos += 1
    if buffer.peek() == "]":
        buffer.pos += 1
    else:
        while True:
            yield buffer.decode(decoder)
            separator = buffer.peek()
            if separator not in (",", "]"):
                raise buffer.error("Expecting ',' delimiter", buffer.pos)
            buffer.pos += 1
            if separator == "]":
                break
    if buffer.peek():
        raise buffer.error("Extra data", buffer.pos)
