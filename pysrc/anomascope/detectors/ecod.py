"""ECOD: Empirical-Cumulative-distribution-based Outlier Detection (Li et al., TKDE 2022).

Definition followed: PyOD's ``pyod.models.ecod.ECOD`` (its code, which differs from the paper's
"max of the summed tails" by taking the maximum per feature, then summing). For each feature
``j`` of a row ``x``, with the empirical CDF of the training column:

- left tail ``U_l = -log F_j(x_j)``, ``F_j(v) = P(X_j <= v)``;
- right tail ``U_r = -log P(X_j >= x_j)``;
- skewness choice ``U_s = U_l`` if the training column's skewness is negative, ``U_r`` if
  positive, ``U_l + U_r`` if it is exactly 0 (PyOD's formula ``U_l * -sign(s - 1) + U_r *
  sign(s + 1)`` with ``s = sign(skew)``);
- ``O_j = max(U_l, U_r, U_s)``, and the score is ``sum_j O_j`` (higher = more anomalous).

A scored row is counted in the ECDF together with the ``n`` training rows, exactly as PyOD's
``decision_function`` does when it is given that one row: ``F_j(v) = (#{train <= v} + 1) /
(n + 1)``, so a score never depends on the other rows of the batch and is always finite.
(PyOD's ``decision_scores_`` of the training rows themselves use ``#{train <= v} / n``.)
A constant training column has skewness 0 (PyOD would give NaN).

Stored arrays: ``sorted`` float32 ``(n, d)`` (each training column sorted) and
``skew_sign`` float32 ``(d,)`` in {-1, 0, 1}.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import Detector

#: bound on training values sorted per fit step (about 100 ms in the browser)
SORT_ELEMENTS_PER_STEP = 200_000


def check_training(X: np.ndarray, what: str, min_rows: int = 2) -> np.ndarray:
    """Training rows as C-contiguous float32 ``(n, d)``; errors name the problem."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[0] < min_rows or X.shape[1] < 1:
        raise AnomascopeError(
            f"{what} needs a 2-D array with at least {min_rows} rows, got shape {X.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise AnomascopeError(f"{what} training data contains NaN or infinite values")
    return X


def skewness_sign(X: np.ndarray) -> np.ndarray:
    """Sign of each column's (biased, scipy ``skew``) skewness, float32 ``(d,)``; 0 when the
    column is constant."""
    X = np.asarray(X, dtype=np.float64)
    dev = X - X.mean(axis=0)
    m2 = np.mean(dev * dev, axis=0)
    m3 = np.mean(dev * dev * dev, axis=0)
    sign = np.sign(m3)
    sign[m2 <= 0] = 0.0
    return sign.astype(np.float32)


class ECODDetector(Detector):
    """ECOD detector (kind ``"ecod"``); no parameters.

    explain_method: per-feature tail scores ``O_j`` (see the module docstring), which add up to
    the score.

    Attributes
    ----------
    sorted_ : ndarray, float32, (n, d)
        Training columns, each sorted ascending.
    skew_sign_ : ndarray, float32, (d,)
    """

    kind = "ecod"
    explain_method: ClassVar[str] = (
        "Per-feature tail score -log of the empirical tail probability of the value among the "
        "training rows (left, right or skew-chosen tail, whichever is largest): the "
        "contributions of a row add up to its score."
    )

    def __init__(self) -> None:
        self.sorted_: np.ndarray | None = None
        self.skew_sign_: np.ndarray | None = None
        self.threshold_: float | None = None

    # -- fitting ---------------------------------------------------------------------------
    def fit_steps(self, X: np.ndarray, y: np.ndarray | None = None) -> Iterator[float]:
        """Fit on rows ``X`` ``(n, d)`` a few columns per step; yields the fraction done."""
        X = check_training(X, "ECOD")
        n, d = X.shape
        out = np.empty_like(X)
        sign = np.empty(d, dtype=np.float32)
        cols = max(1, SORT_ELEMENTS_PER_STEP // n)
        for start in range(0, d, cols):  # loop over column blocks
            block = X[:, start : start + cols]
            out[:, start : start + cols] = np.sort(block, axis=0)
            sign[start : start + cols] = skewness_sign(block)
            if start + cols < d:
                yield (start + cols) / d
        self.skew_sign_ = sign
        self.sorted_ = out
        yield 1.0

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> ECODDetector:
        """Fit on rows ``X`` ``(n, d)``; returns self."""
        for _ in self.fit_steps(X):
            pass
        return self

    # -- scoring ---------------------------------------------------------------------------
    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self.sorted_ is None or self.skew_sign_ is None:
            raise AnomascopeError("this ECOD detector is not fitted")
        return self.sorted_, self.skew_sign_

    def tail_scores(self, X: np.ndarray) -> np.ndarray:
        """Per-feature tail scores ``O_j``, float64 ``(n, d)``; rows sum to the score."""
        srt, sign = self._fitted()
        n_train, d = srt.shape
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != d:
            raise AnomascopeError(f"expected rows with {d} features, got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise AnomascopeError("input contains NaN or infinite values")
        out = np.empty(X.shape, dtype=np.float64)
        log_total = np.log(n_train + 1.0)
        for j in range(d):  # loop over features, each vectorised over rows
            col = srt[:, j]
            le = np.searchsorted(col, X[:, j], side="right").astype(np.float64)
            ge = n_train - np.searchsorted(col, X[:, j], side="left").astype(np.float64)
            u_l = log_total - np.log(le + 1.0)
            u_r = log_total - np.log(ge + 1.0)
            s = float(sign[j])
            u_s = u_l if s < 0 else u_r if s > 0 else u_l + u_r
            out[:, j] = np.maximum(np.maximum(u_l, u_r), u_s)
        return out

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """ECOD scores, float64 ``(n,)``: the sum of :meth:`tail_scores` per row."""
        return self.tail_scores(X).sum(axis=1)

    def explain(self, X: np.ndarray) -> np.ndarray:
        """Per-feature tail scores, float64 ``(n, d)``; each row sums to its score."""
        return self.tail_scores(X)

    # -- parameters ------------------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        srt, _ = self._fitted()
        return {"input_dim": int(srt.shape[1]), "n_train": int(srt.shape[0])}

    def state_dict(self) -> dict[str, np.ndarray]:
        srt, sign = self._fitted()
        return {"sorted": srt, "skew_sign": sign}

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        n, d = int(architecture["n_train"]), int(architecture["input_dim"])
        return {"sorted": (n, d), "skew_sign": (d,)}

    @classmethod
    def from_state(cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]) -> Detector:
        det = cls()
        srt = np.ascontiguousarray(arrays["sorted"], dtype=np.float32)
        if np.any(np.diff(srt, axis=0) < 0):
            raise AnomascopeError("ECOD 'sorted' columns are not sorted")
        det.sorted_ = srt
        det.skew_sign_ = np.sign(np.asarray(arrays["skew_sign"], dtype=np.float32))
        return det
