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


def parse_beats(data: bytes | str, name: str = "file", first_line: int = 1) -> Beats:
    """Parse an uploaded beats file; every problem raises one :class:`AnomascopeError`.

    ``first_line``: the line number of the text's first line (the command line parses a big
    file in chunks); a header is only allowed on line 1.
    """
    text = _text_of(data, name)
    lines = [
        (i + first_line, line.strip()) for i, line in enumerate(text.splitlines()) if line.strip()
    ]
    if not lines:
        raise AnomascopeError(f"{name}: the file is empty")
    last = lines[-1][1]
    if ";" in last:
        commas = " with decimal commas (such as 0,5)" if "," in last else ""
        raise AnomascopeError(
            f"{name}: line {lines[-1][0]} has values separated by semicolons{commas}, as a "
            "spreadsheet set to a European locale exports; save it with commas, tabs or spaces "
            "between values" + (" and points as decimal marks (0.5)" if commas else "")
        )
    sep = "," if "," in last else ("\t" if "\t" in last else None)
    # A delimiter at the end of every line (as Excel writes) adds no value.
    rows = [
        (n, (line[:-1] if sep and line.endswith(sep) else line).split(sep)) for n, line in lines
    ]
    # A header is a first line that is mostly words; a data line with one typo is not a header.
    header = (
        first_line == 1
        and sum(_number_or_none(t) is None for t in rows[0][1]) > len(rows[0][1]) / 2
    )
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
    return Beats(table[:, 1:].astype(np.float32), _labels(table[:, 0], rows, name), header)


def _labels(labels: np.ndarray, rows: list[tuple[int, list[str]]], name: str) -> np.ndarray:
    """The first column as ECG5000 classes (int8), or an error naming the first bad line."""
    valid = np.isin(labels, np.arange(1, 6))
    if not valid.all():
        n = rows[int(np.argmin(valid))][0]
        raise AnomascopeError(
            f"{name}: line {n} has label {labels[~valid][0]:g}; "
            "labels are ECG5000 classes 1..5 (1 = normal)"
        )
    return labels.astype(np.int8)


# A beat counts as z-normalised when its mean is within Z_TOLERANCE of 0 and its standard
# deviation (ddof=1, as in the UCR archive; ddof=0 differs by 0.4 % at 140 values) within
# Z_TOLERANCE of 1. ECG5000 rows are exact to 1e-8; a min-max [0, 1] beat has mean near 0.5.
Z_TOLERANCE = 0.01
Z_REPORT_ROWS = 5
# A row whose standard deviation is below this is constant: z_normalise maps it to zeros.
CONSTANT_STD = 1e-8


def _row_stats(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2:
        raise AnomascopeError(
            f"beats must be a 2-D array with 2 or more values per row, got shape {X.shape}"
        )
    return X.mean(axis=1), X.std(axis=1, ddof=1)


def z_normalisation_report(X: np.ndarray) -> dict:
    """Which rows of ``X`` (beats, one per row) are not z-normalised per row.

    A row is z-normalised when ``|mean| <= Z_TOLERANCE`` and ``|std - 1| <= Z_TOLERANCE``
    (sample standard deviation, ddof=1); ``Z_TOLERANCE`` is 0.01.

    Returns a dict: ``rows`` (rows checked), ``count`` (rows not z-normalised), ``first_rows``
    (up to :data:`Z_REPORT_ROWS` 1-based row numbers of such rows), ``mean_range`` and
    ``std_range`` (``[min, max]`` over all rows, ``None`` when there are no rows) and
    ``tolerance``.
    """
    means, stds = _row_stats(X)
    bad = (np.abs(means) > Z_TOLERANCE) | (np.abs(stds - 1.0) > Z_TOLERANCE)
    bad |= ~(np.isfinite(means) & np.isfinite(stds))
    empty = len(means) == 0
    return {
        "rows": int(len(means)),
        "count": int(bad.sum()),
        "first_rows": [int(i) + 1 for i in np.flatnonzero(bad)[:Z_REPORT_ROWS]],
        "mean_range": None if empty else [float(means.min()), float(means.max())],
        "std_range": None if empty else [float(stds.min()), float(stds.max())],
        "tolerance": Z_TOLERANCE,
    }


def z_normalise(X: np.ndarray) -> np.ndarray:
    """Each row minus its mean, divided by its sample standard deviation (ddof=1), as float32.

    A constant row (standard deviation below :data:`CONSTANT_STD`) has no shape to keep: it
    becomes all zeros rather than a division by zero.
    """
    means, stds = _row_stats(X)
    X = np.asarray(X, dtype=np.float64)
    constant = stds < CONSTANT_STD
    scale = np.where(constant, 1.0, stds)
    out = (X - means[:, None]) / scale[:, None]
    out[constant] = 0.0
    return out.astype(np.float32)
