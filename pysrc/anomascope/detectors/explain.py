"""The explanation methods shared by the detectors (see ``Detector.explain``).

Two methods, each answering ``explain(X) -> float64 (n, d)`` in model space:

- **Reconstruction** (PCA, autoencoder, VAE, seq2seq): the score is the mean squared
  reconstruction error, so column ``j`` contributes ``(x_j - r_j) ** 2 / d`` and a row's
  contributions sum to its score.
- **Median replacement** (Isolation Forest, kNN, One-Class SVM, BiGAN): column ``j``
  contributes ``score(x) - score(x with x_j replaced by the training median of column j)``.
  Positive means the value raised the score (looks anomalous); a column already equal to its
  median contributes exactly 0. Contributions need not sum to the score (interactions).
  The medians are the detector's ``baseline_``, set when it is fitted in numpy or by
  ``set_baseline(X_train)`` for a loaded model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from anomascope import AnomascopeError

RECONSTRUCTION = (
    "Squared reconstruction error of each feature divided by the number of model inputs: "
    "the contributions of a row add up to its score."
)
MEDIAN_REPLACEMENT = (
    "Score change when a feature is replaced by its training median: positive values raised "
    "the score, and a feature equal to its median contributes 0."
)
#: bound on rows * d * d float values built at once by :func:`median_replacement`
CHUNK_ELEMENTS = 1 << 22
#: bound on values whose medians :func:`median_steps` computes per step
MEDIAN_ELEMENTS = 600_000


def training_median(X_train: np.ndarray) -> np.ndarray:
    """Column medians of training rows ``X_train`` ``(n, d)``, float32 ``(d,)``."""
    X = np.asarray(X_train, dtype=np.float32)
    if X.ndim != 2 or X.shape[0] == 0:
        raise AnomascopeError(f"baseline rows must be a non-empty 2-D array, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise AnomascopeError("baseline rows contain NaN or infinite values")
    return np.median(X, axis=0).astype(np.float32)


def median_steps(X: np.ndarray, out: np.ndarray) -> Iterator[int]:
    """Fill ``out`` (float32 ``(d,)``) with the column medians of ``X`` ``(n, d)`` a block of
    columns at a time (at most :data:`MEDIAN_ELEMENTS` values), yielding the columns done; the
    same values as :func:`training_median`, split into slices of fit work."""
    n, d = X.shape
    cols = max(1, MEDIAN_ELEMENTS // max(1, n))
    for start in range(0, d, cols):  # loop over column blocks
        out[start : start + cols] = np.median(X[:, start : start + cols], axis=0)
        yield min(d, start + cols)


def reconstruction_contributions(X: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Per-column squared error ``(X - R) ** 2 / d``, float64 ``(n, d)``."""
    diff = np.asarray(R, dtype=np.float64) - np.asarray(X, dtype=np.float64)
    return diff * diff / X.shape[1]


def median_replacement(detector: Any, X: np.ndarray) -> np.ndarray:
    """Median-replacement contributions of ``detector`` on rows ``X`` ``(n, d)``.

    Only the values that differ from their median are replaced: one score call per block of
    rows scores the rows and those variants stacked (a one-hot row differs from its medians in
    a few of its columns, so a row costs a few variants, not ``d``).

    Returns
    -------
    ndarray, float64, (n, d)
        ``score(x) - score(x with column j set to baseline_[j])``; exactly 0 where
        ``x_j == baseline_[j]``.

    Raises
    ------
    AnomascopeError
        If the detector has no ``baseline_`` or ``X`` has the wrong width.
    """
    base = getattr(detector, "baseline_", None)
    if base is None:
        raise AnomascopeError(
            f"this {detector.kind} model has no baseline for explanations: fit it in numpy or "
            "call set_baseline(training rows)"
        )
    base = np.asarray(base, dtype=np.float32)
    X = np.asarray(X, dtype=np.float32)
    d = base.shape[0]
    if X.ndim != 2 or X.shape[1] != d:
        raise AnomascopeError(f"expected rows with {d} features, got shape {X.shape}")
    n = X.shape[0]
    out = np.zeros((n, d), dtype=np.float64)
    # replacing a value by its median changes nothing: only the (row, column) pairs whose value
    # differs get a variant and a score; every other contribution is exactly 0
    rows, cols = np.nonzero(X != base[None, :])  # row-major: rows ascending
    step = max(1, CHUNK_ELEMENTS // max(1, d * d))
    for start in range(0, n, step):  # loop over row blocks, not rows
        lo, hi = np.searchsorted(rows, [start, start + step])
        if lo == hi:
            continue
        xb = X[start : start + step]
        r, c = rows[lo:hi], cols[lo:hi]
        variants = X[r]  # (k, d): variant i is row r[i] with column c[i] set to its median
        variants[np.arange(hi - lo), c] = base[c]
        scores = np.asarray(
            detector.score_samples(np.concatenate([xb, variants], axis=0)), dtype=np.float64
        )
        out[r, c] = scores[r - start] - scores[xb.shape[0] :]
    return out
