"""One-Class SVM (RBF kernel), inference from exported parameters.

``decision(x) = sum_i dual_coef[i] * exp(-gamma * ||x - sv_i||^2) + intercept`` (scikit-learn's
``OneClassSVM.decision_function``); the anomaly score is ``-decision`` so higher = more
anomalous, and ``threshold_ = 0`` reproduces scikit-learn's ``predict``.

Arrays (float64, kept in float64 by the weight file so scores match scikit-learn to ~1e-12):
``support_vectors`` (n_sv, d), ``dual_coef`` (n_sv,), ``intercept`` (1,), ``gamma`` (1,).
Training happens offline (``train/sklearn_export.py``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import Detector


class OneClassSVMDetector(Detector):
    """RBF One-Class SVM scorer.

    explain_method: the shared median replacement (:mod:`anomascope.detectors.explain`): the
    change of ``-decision`` when a feature is set to its training median (needs
    ``set_baseline(training rows)`` after loading).

    Parameters
    ----------
    support_vectors : ndarray, shape (n_sv, d)
    dual_coef : ndarray, shape (n_sv,)
    intercept : float
    gamma : float
        RBF width (scikit-learn's resolved ``_gamma``).
    chunk_rows : int
        Rows per kernel block; bounds memory at ``chunk_rows * n_sv`` float64 values.
    """

    kind = "ocsvm"
    float64_keys: ClassVar[frozenset[str]] = frozenset(
        {"support_vectors", "dual_coef", "intercept", "gamma"}
    )

    def __init__(
        self,
        support_vectors: np.ndarray,
        dual_coef: np.ndarray,
        intercept: float,
        gamma: float,
        chunk_rows: int = 1024,
    ) -> None:
        self.support_vectors_ = np.ascontiguousarray(support_vectors, dtype=np.float64)
        self.dual_coef_ = np.asarray(dual_coef, dtype=np.float64).reshape(-1)
        if (
            self.support_vectors_.ndim != 2
            or self.support_vectors_.shape[0] != self.dual_coef_.size
        ):
            raise AnomascopeError("support_vectors must be (n_sv, d) and dual_coef (n_sv,)")
        self.intercept_ = float(intercept)
        self.gamma_ = float(gamma)
        self.chunk_rows = int(chunk_rows)
        self.sv_sq_ = np.einsum("ij,ij->i", self.support_vectors_, self.support_vectors_)
        self._set_kernel_tables()
        self.threshold_: float | None = 0.0

    def _set_kernel_tables(self) -> None:
        """The kernel's exponent ``-gamma ||x - sv||^2`` as one product per block:
        ``[x[cols], gamma ||x||^2, 1] @ _sv_aug.T`` with ``_sv_aug`` = ``[2 gamma sv[cols], -1,
        -gamma ||sv||^2]`` (float64 ``(n_sv, k + 2)``), where ``cols`` (``_cols``) are the
        columns in which some support vector is non-zero: the others add exact zeros to
        ``x . sv`` (``||x||^2`` still sums every column).
        """
        sv, g = self.support_vectors_, self.gamma_
        self._cols = np.flatnonzero((sv != 0).any(axis=0))
        k = self._cols.size
        aug = np.empty((sv.shape[0], k + 2), dtype=np.float64)
        aug[:, :k] = (2.0 * g) * sv[:, self._cols]
        aug[:, k] = -1.0
        aug[:, k + 1] = -g * self.sv_sq_
        self._sv_aug = aug

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """scikit-learn's decision function, float64, shape ``(n,)``: > 0 inside (normal)."""
        X = np.asarray(X, dtype=np.float64)
        d = self.support_vectors_.shape[1]
        if X.ndim != 2 or X.shape[1] != d:
            raise AnomascopeError(f"expected rows with {d} features, got shape {X.shape}")
        out = np.empty(X.shape[0], dtype=np.float64)
        k = self._cols.size
        step = max(1, self.chunk_rows)
        for start in range(0, X.shape[0], step):  # loop over row blocks, not rows
            xb = X[start : start + step]
            xa = np.empty((len(xb), k + 2), dtype=np.float64)
            xa[:, :k] = xb[:, self._cols]
            xa[:, k] = self.gamma_ * np.einsum("ij,ij->i", xb, xb)
            xa[:, k + 1] = 1.0
            arg = np.einsum("ij,kj->ik", xa, self._sv_aug)  # -gamma ||x - sv||^2 (rows, n_sv)
            np.minimum(arg, 0.0, out=arg)  # a distance is never negative
            np.exp(arg, out=arg)
            out[start : start + step] = arg @ self.dual_coef_
        return out + self.intercept_

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Anomaly scores ``-decision_function(X)``, float64, shape ``(n,)``."""
        return -self.decision_function(X)

    def architecture(self) -> dict[str, Any]:
        return {
            "input_dim": int(self.support_vectors_.shape[1]),
            "n_support": int(self.support_vectors_.shape[0]),
            "kernel": "rbf",
        }

    def state_dict(self) -> dict[str, np.ndarray]:
        return {
            "support_vectors": self.support_vectors_,
            "dual_coef": self.dual_coef_,
            "intercept": np.array([self.intercept_], dtype=np.float64),
            "gamma": np.array([self.gamma_], dtype=np.float64),
        }

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        if architecture.get("kernel", "rbf") != "rbf":
            raise ValueError(f"only the rbf kernel is supported, got {architecture['kernel']!r}")
        n, d = int(architecture["n_support"]), int(architecture["input_dim"])
        return {"support_vectors": (n, d), "dual_coef": (n,), "intercept": (1,), "gamma": (1,)}

    @classmethod
    def from_state(
        cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> OneClassSVMDetector:
        return cls(
            arrays["support_vectors"],
            arrays["dual_coef"],
            float(arrays["intercept"][0]),
            float(arrays["gamma"][0]),
        )
