"""User-supplied heartbeats: CSV, TSV or UCR text with 140 values per row.

Rules (the page shows them next to the upload button):

- One beat per line. Values are separated by commas (CSV), tabs (TSV) or spaces (UCR text).
- 140 values per row, or 141 when the first column is a label (ECG5000 classes: 1 = normal,
  2-5 = abnormal). All rows have the same width.
- One header line is allowed (a first line that is mostly words); blank lines are skipped.
- Values must be finite numbers. Files are UTF-8 text (a byte-order mark is fine).
- At most :data:`MAX_BYTES` bytes and :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import BEAT_LENGTH

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Beats:
    """Parsed beats. ``X``: float32 ``(n, 140)``; ``y``: int8 classes 1..5, or None."""

    X: np.ndarray
    y: np.ndarray | None
    header: bool


def _number_or_none(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def _text_of(data: bytes | str, name: str) -> str:
    """The uploaded file as text: at most :data:`MAX_BYTES`, not binary, UTF-8."""
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise AnomascopeError(
            f"{name}: the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB"
        )
    if b"\x00" in data[:4096]:
        raise AnomascopeError(f"{name}: this looks like a binary file, not CSV/TSV/text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnomascopeError(f"{name}: the file is not UTF-8 text") from None


def parse_beats(data: bytes | str, name: str = "file") -> Beats:
    """Parse an uploaded beats file; every problem raises one :class:`AnomascopeError`."""
    text = _text_of(data, name)
    lines = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines()) if line.strip()]
    if not lines:
        raise AnomascopeError(f"{name}: the file is empty")
    sep = "," if "," in lines[-1][1] else ("\t" if "\t" in lines[-1][1] else None)
    rows = [(n, line.split(sep)) for n, line in lines]
    # A header is a first line that is mostly words; a data line with one typo is not a header.
    header = sum(_number_or_none(t) is None for t in rows[0][1]) > len(rows[0][1]) / 2
    if header:
        rows = rows[1:]
        if not rows:
            raise AnomascopeError(f"{name}: the file has a header line but no beats")
    if len(rows) > MAX_ROWS:
        raise AnomascopeError(f"{name}: {len(rows)} rows; the limit is {MAX_ROWS}")
    widths = {len(tokens) for _, tokens in rows}
    width = len(rows[0][1])
    if width not in (BEAT_LENGTH, BEAT_LENGTH + 1):
        raise AnomascopeError(
            f"{name}: line {rows[0][0]} has {width} values; each beat needs {BEAT_LENGTH} values "
            f"(or {BEAT_LENGTH + 1} with a label first)"
        )
    if len(widths) > 1:
        n, tokens = next((n, t) for n, t in rows if len(t) != width)
        raise AnomascopeError(
            f"{name}: line {n} has {len(tokens)} values, line {rows[0][0]} has {width}"
        )
    try:
        table = np.array([tokens for _, tokens in rows], dtype=np.float64)
    except ValueError:
        for n, tokens in rows:
            bad = next((t for t in tokens if _number_or_none(t) is None), None)
            if bad is not None:
                raise AnomascopeError(
                    f"{name}: line {n} has a value that is not a number: {bad[:20]!r}"
                ) from None
        raise
    finite = np.isfinite(table).all(axis=1)
    if not finite.all():
        n = rows[int(np.argmin(finite))][0]
        raise AnomascopeError(f"{name}: line {n} contains NaN or infinity")
    if width == BEAT_LENGTH:
        return Beats(table.astype(np.float32), None, header)
    labels = table[:, 0]
    valid = np.isin(labels, np.arange(1, 6))
    if not valid.all():
        n = rows[int(np.argmin(valid))][0]
        raise AnomascopeError(
            f"{name}: line {n} has label {labels[~valid][0]:g}; "
            "labels are ECG5000 classes 1..5 (1 = normal)"
        )
    return Beats(table[:, 1:].astype(np.float32), labels.astype(np.int8), header)
