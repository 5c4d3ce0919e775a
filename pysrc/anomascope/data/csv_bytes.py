"""Vectorised parsing of comma-separated text files held in memory (numpy only, no loop
over rows): gzip detection, splitting into fields, decimal numbers and symbols. Used by
:mod:`anomascope.data.kdd`; errors name the file and the first bad line.
"""

from __future__ import annotations

import gzip
import zlib

import numpy as np

from anomascope import AnomascopeError

MAX_FIELD = 32  # longest field (bytes) the parser accepts
_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[list(b"0123456789.-")] = True


def gather(windows: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Bytes of each field, left-aligned and zero-padded: uint8 ``(n, max(lengths))``.

    ``windows`` is a ``(len, MAX_FIELD)`` sliding-window view of the zero-padded buffer, so
    this is one row gather (no per-byte index arithmetic).
    """
    width = max(int(lengths.max()), 1)
    chars = windows[:, :width][starts]
    if int(lengths.min()) < width:
        chars *= np.arange(width, dtype=lengths.dtype)[None, :] < lengths[:, None]
    return chars


def row_of(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def parse_numbers(
    chars: np.ndarray, lengths: np.ndarray, name: str, column: str, line0: int = 0
) -> np.ndarray:
    """Decimal numbers (optional leading ``-``, digits, at most one ``.``): float64 ``(n,)``.

    ``chars`` is zero-padded (see :func:`gather`); validation and Horner's rule run over the
    field width, vectorised over rows (whole-array reductions first; per-row ones only to name
    a bad line). ``line0``: lines before this chunk (error messages count from it).
    """
    n, width = chars.shape
    rows = np.arange(n)
    digit = (chars - np.uint8(48)) < 10  # uint8 wrap-around: False for bytes below '0'
    dot = chars == 46
    first_digit = digit.argmax(axis=1)
    dot_pos = dot.argmax(axis=1)
    has_dot = dot[rows, dot_pos]
    ok = bool((_NUMBER_BYTES[chars] | (chars == 0)).all()) and bool(digit[rows, first_digit].all())
    if ok and width > 1:
        ok = not (chars[:, 1:] == 45).any()
    if ok and has_dot.any():
        ok = int(dot.sum()) == int(has_dot.sum())  # at most one dot per field
    if not ok:
        bad = ~(_NUMBER_BYTES[chars] | (chars == 0)).all(axis=1)
        bad |= (dot.sum(axis=1) > 1) | ~digit.any(axis=1)
        if width > 1:
            bad |= (chars[:, 1:] == 45).any(axis=1)
        r = row_of(bad)
        text = chars[r, : lengths[r]].tobytes().decode("latin-1")
        raise AnomascopeError(f"{name}: line {line0 + r + 1}: {column} is not a number: {text!r}")
    value = np.zeros(n, dtype=np.float64)
    d = chars.astype(np.float64) - 48.0
    for k in range(width):
        value = np.where(digit[:, k], value * 10.0 + d[:, k], value)
    if has_dot.any():
        # Everything after the dot is a digit (validated above).
        frac = np.where(has_dot, lengths - dot_pos - 1, 0)
        value /= 10.0**frac
    return np.where(chars[:, 0] == 45, -value, value)


def parse_symbols(
    chars: np.ndarray,
    name: str,
    column: str,
    vocabulary: tuple[str, ...] | None,
    first: tuple[str, ...] = (),
    line0: int = 0,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes ``(n,)`` int16 of each string against ``vocabulary``; with ``vocabulary`` None,
    grow one: ``first`` in its order, then every other string sorted."""
    width = chars.shape[1]
    strings = np.ascontiguousarray(chars).view(f"S{width}").ravel()
    uniq, inverse = np.unique(strings, return_inverse=True)
    texts = [u.decode("latin-1") for u in uniq.tolist()]
    if vocabulary is None:
        vocab = list(first)
        vocab += sorted(t for t in texts if t not in first)
    else:
        unknown = [t for t in texts if t not in vocabulary]
        if unknown:
            r = row_of(strings == unknown[0].encode("latin-1"))
            raise AnomascopeError(
                f"{name}: line {line0 + r + 1}: unknown {column} {unknown[0]!r} "
                f"(known: {', '.join(vocabulary[:12])}, ...)"
            )
        vocab = list(vocabulary)
    lookup = np.array([vocab.index(t) for t in texts], dtype=np.int16)
    return lookup[inverse.ravel()], tuple(vocab)


def decompress(data: bytes, name: str) -> bytes:
    """gzip-decompress ``data`` if it starts with the gzip magic; otherwise return it as is.

    Raises
    ------
    AnomascopeError
        Naming ``name`` if the gzip stream is corrupt or truncated.
    """
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise AnomascopeError(
            f"{name}: corrupt or truncated gzip file ({exc}); download it again"
        ) from None


def split_fields(
    text: bytes, columns: tuple[str, ...], name: str, line0: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split newline-terminated lines of ``len(columns)`` comma-separated fields.

    Returns ``(windows, starts, lengths)``: a ``(len, MAX_FIELD)`` sliding-window view of the
    zero-padded bytes, and the start offset and byte length of each field, int ``(n, k)``.
    Feed one column's ``starts`` / ``lengths`` to :func:`gather`.
    """
    k = len(columns)
    buf = np.frombuffer(text + bytes(MAX_FIELD), dtype=np.uint8)
    delims = np.flatnonzero((buf == 44) | (buf == 10))
    line_ends = np.flatnonzero(buf[delims] == 10)  # positions within ``delims``
    n = len(line_ends)
    fields_per_line = np.diff(line_ends, prepend=-1)
    if (fields_per_line != k).any():
        r = row_of(fields_per_line != k)
        raise AnomascopeError(
            f"{name}: line {line0 + r + 1} has {fields_per_line[r]} comma-separated fields, "
            f"expected {k} ({', '.join(columns[:2])}, ... {columns[-1]}); "
            "malformed or truncated file?"
        )
    flat_starts = np.empty_like(delims)
    flat_starts[0] = 0
    np.add(delims[:-1], 1, out=flat_starts[1:])
    starts = flat_starts.reshape(n, k)
    lengths = (delims - flat_starts).reshape(n, k)
    if (lengths == 0).any() or (lengths > MAX_FIELD).any():
        r, c = np.argwhere((lengths == 0) | (lengths > MAX_FIELD))[0]
        what = "empty" if lengths[r, c] == 0 else "overlong"
        raise AnomascopeError(f"{name}: line {line0 + r + 1}: {what} field {columns[c]}")
    return np.lib.stride_tricks.sliding_window_view(buf, MAX_FIELD), starts, lengths
