"""ECG5000 (UCR archive): parsing, validation and the evaluation protocol's splits.

One heartbeat per line: the class label (1.0 .. 5.0), then 140 z-normalised values, whitespace
separated, no header. Class 1 is normal; 2-5 are abnormal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anomascope import AnomascopeError

BEAT_LENGTH = 140
CLASS_NAMES = {
    1: "Normal",
    2: "R-on-T PVC",
    3: "Supraventricular premature beat",
    4: "PVC",
    5: "Unclassified beat",
}
TRAIN_FILE = "ECG5000/ECG5000_TRAIN.txt"
TEST_FILE = "ECG5000/ECG5000_TEST.txt"
FILES = (TRAIN_FILE, TEST_FILE)
# Rows per class (labels 1..5) in the canonical archive files.
EXPECTED_COUNTS = {
    TRAIN_FILE: (292, 177, 10, 19, 2),
    TEST_FILE: (2627, 1590, 86, 175, 22),
}


@dataclass(frozen=True)
class ECG5000:
    """The two UCR files. ``*_X``: float32 ``(n, 140)``; ``*_y``: int8 class labels 1..5."""

    train_X: np.ndarray
    train_y: np.ndarray
    test_X: np.ndarray
    test_y: np.ndarray


def parse_ucr(data: bytes | str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse UCR text: label then :data:`BEAT_LENGTH` values per line.

    Returns
    -------
    X : float32 array ``(n, 140)``
    y : int8 array ``(n,)`` with labels 1..5

    Raises
    ------
    AnomascopeError
        Naming ``name`` and the problem: empty, wrong width, non-numbers, bad labels.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise AnomascopeError(f"{name}: not a text file (it is not UTF-8)") from None
    if not text.strip():
        raise AnomascopeError(f"{name}: the file is empty")
    try:
        table = np.loadtxt(io.StringIO(text), dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise AnomascopeError(f"{name}: not a UCR text file of numbers ({exc})") from None
    if table.shape[1] != BEAT_LENGTH + 1:
        raise AnomascopeError(
            f"{name}: expected {BEAT_LENGTH + 1} columns (label + {BEAT_LENGTH} values) per row, "
            f"found {table.shape[1]}"
        )
    if not np.isfinite(table).all():
        raise AnomascopeError(f"{name}: contains NaN or infinite values")
    labels = table[:, 0]
    if not np.isin(labels, np.arange(1, 6)).all():
        bad = sorted(set(labels[~np.isin(labels, np.arange(1, 6))].tolist()))[:5]
        raise AnomascopeError(f"{name}: labels must be 1..5, found {bad}")
    return table[:, 1:].astype(np.float32), labels.astype(np.int8)


def class_counts(y: np.ndarray) -> tuple[int, ...]:
    """Rows per class 1..5."""
    return tuple(int(c) for c in np.bincount(y.astype(np.int64), minlength=6)[1:6])


def load_ecg5000(data_dir: str | Path) -> ECG5000:
    """Read and validate both ECG5000 files under ``data_dir`` (row counts and class counts).

    Raises
    ------
    AnomascopeError
        If a file is missing, malformed or partial; the message names the file.
    """
    root = Path(data_dir)
    arrays = []
    for rel in FILES:
        path = root / rel
        if not path.is_file():
            raise AnomascopeError(f"{path}: file missing")
        X, y = parse_ucr(path.read_bytes(), str(path))
        counts = class_counts(y)
        if counts != EXPECTED_COUNTS[rel]:
            raise AnomascopeError(
                f"{path}: expected {sum(EXPECTED_COUNTS[rel])} rows with class counts "
                f"{EXPECTED_COUNTS[rel]}, found {len(y)} rows with {counts} "
                "(partial or other file?)"
            )
        arrays += [X, y]
    return ECG5000(*arrays)


def is_anomaly(y: np.ndarray) -> np.ndarray:
    """Boolean ``(n,)``: True for abnormal classes 2..5."""
    return np.asarray(y) != 1


def protocol_split(
    train_y: np.ndarray, rng: np.random.Generator, validation_fraction: float = 0.4
) -> tuple[np.ndarray, np.ndarray]:
    """Split the UCR TRAIN rows into a fit set and a validation set (stratified by class).

    The fit set keeps only normal beats (the model never sees an anomaly); the validation set
    keeps both, for choosing a threshold. The UCR TEST file stays untouched for reporting.

    Returns
    -------
    fit_idx, val_idx : int64 index arrays into the TRAIN rows.
    """
    fit, val = [], []
    for label in np.unique(train_y):
        idx = rng.permutation(np.flatnonzero(train_y == label))
        n_val = int(round(len(idx) * validation_fraction))
        val.append(idx[:n_val])
        if label == 1:
            fit.append(idx[n_val:])
    return np.sort(np.concatenate(fit)), np.sort(np.concatenate(val))
