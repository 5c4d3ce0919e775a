"""Reading the command line's input in chunks: KDD connections or heartbeats, any size.

A file (plain or gzip) or standard input is read line by line and handed over in chunks of
at most ``chunk`` lines, so memory stays bounded whatever the file's size. Each reader turns a
chunk into raw rows for the model and, when the file has them, labels (True = anomaly).
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from anomascope import AnomascopeError
from anomascope.weights import LoadedModel

KDD_CHUNK = 20_000  # lines per chunk: about 5 MB of KDD text
BEAT_CHUNK = 2_000  # about 3 MB of beats


@dataclass
class Input:
    """An open input: ``stream`` yields lines; ``position()`` is the bytes read of ``size``."""

    name: str
    stream: BinaryIO
    raw: BinaryIO
    size: int | None

    def position(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0


def open_input(path: str) -> Input:
    """Open ``path`` (``-`` for standard input); gzip is recognised by its magic bytes."""
    if path == "-":
        return Input("<stdin>", sys.stdin.buffer, sys.stdin.buffer, None)
    p = Path(path)
    if not p.exists():
        raise AnomascopeError(f"{p}: no such file")
    if p.is_dir():
        raise AnomascopeError(f"{p}: is a folder, not a file")
    raw = open(p, "rb")  # noqa: SIM115 - closed by the caller through ``stream``
    size = p.stat().st_size if p.is_file() else None  # pipes (<(zcat ...)) have no size
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return Input(str(p), gzip.GzipFile(fileobj=raw, mode="rb"), raw, size)  # type: ignore[arg-type]
    return Input(str(p), raw, raw, size)


def line_chunks(source: Input, chunk: int) -> Iterator[tuple[int, list[bytes]]]:
    """``(lines before this chunk, lines)`` with at most ``chunk`` lines each.

    With ``chunk == 1`` each line is handed over as soon as it arrives (``--follow``).
    """
    lines: list[bytes] = []
    line0 = 0
    try:
        for line in iter(source.stream.readline, b""):
            lines.append(line)
            if len(lines) >= chunk:
                yield line0, lines
                line0 += len(lines)
                lines = []
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise AnomascopeError(
            f"{source.name}: corrupt or truncated file after line {line0 + len(lines)} ({exc})"
        ) from None
    if lines:
        yield line0, lines


@dataclass
class KDDReader:
    """KDD connections: header or not, label or not (see :mod:`anomascope.data.kdd_rows`)."""

    name: str
    chunk: int = KDD_CHUNK
    columns: tuple[str, ...] | None = None
    has_labels: bool = False

    def parse(self, lines: list[bytes], line0: int) -> tuple[np.ndarray, np.ndarray | None]:
        from anomascope.data.kdd_rows import LABEL, kdd_columns, parse_kdd_rows

        numbered = [(line0 + i + 1, ln.rstrip(b"\r\n")) for i, ln in enumerate(lines)]
        if line0 == 0 and numbered and numbered[0][1].startswith(b"\xef\xbb\xbf"):
            numbered[0] = (1, numbered[0][1][3:])  # a UTF-8 byte-order mark
        if self.columns is None and numbered:
            self.columns, header = kdd_columns(numbered[0][1], self.name)
            self.has_labels = LABEL in self.columns
            if header:
                numbered = numbered[1:]
        numbered = [(n, ln) for n, ln in numbered if ln.strip()]  # blank lines are skipped
        if not numbered:
            return np.empty((0, 41), np.float32), None
        assert self.columns is not None
        text = b"\n".join(ln for _, ln in numbered) + b"\n"
        try:
            return parse_kdd_rows(text, self.name, self.columns)
        except AnomascopeError:
            for n, ln in numbered:  # name the exact line (blank lines shift the numbering)
                parse_kdd_rows(ln + b"\n", self.name, self.columns, n - 1)
            raise


@dataclass
class BeatReader:
    """Heartbeats: CSV, TSV or UCR text (see :mod:`anomascope.data.beats`)."""

    name: str
    chunk: int = BEAT_CHUNK
    labelled: bool | None = None

    @property
    def has_labels(self) -> bool:
        return bool(self.labelled)

    def parse(self, lines: list[bytes], line0: int) -> tuple[np.ndarray, np.ndarray | None]:
        from anomascope.data.beats import parse_beats

        try:
            text = b"".join(lines).decode("utf-8-sig" if line0 == 0 else "utf-8")
        except UnicodeDecodeError:
            raise AnomascopeError(f"{self.name}: lines {line0 + 1}.. are not UTF-8 text") from None
        if not text.strip():
            return np.empty((0, 140), np.float32), None
        beats = parse_beats(text, self.name, first_line=line0 + 1)
        if self.labelled is None:
            self.labelled = beats.y is not None
        elif self.labelled != (beats.y is not None):
            width = 141 if self.labelled else 140
            raise AnomascopeError(
                f"{self.name}: lines {line0 + 1}..{line0 + len(lines)} have "
                f"{281 - width} values per row, the lines before have {width}"
            )
        return beats.X, None if beats.y is None else beats.y != 1


def reader_for(model: LoadedModel, name: str) -> KDDReader | BeatReader:
    """The reader for the model's dataset format."""
    dataset = model.manifest.get("dataset")
    if dataset == "ecg5000":
        return BeatReader(name)
    if dataset == "kddcup99":
        return KDDReader(name)
    raise AnomascopeError(f"the model's dataset {dataset!r} is not known to the command line")


def chunks_of(
    reader: KDDReader | BeatReader, source: Input, chunk: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Raw rows and labels (or None) of ``source``, chunk by chunk; empty chunks left out."""
    with source.stream:
        for line0, lines in line_chunks(source, chunk or reader.chunk):
            X, y = reader.parse(lines, line0)
            if len(X):
                yield X, y
