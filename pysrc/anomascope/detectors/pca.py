"""PCA reconstruction detector: project onto the top principal components and back.

Score = per-row mean squared reconstruction error (higher = more anomalous). Fitted with numpy's
SVD on centred data (float64), stored as float32. Reconstructions equal scikit-learn's
``PCA(n_components).inverse_transform(transform(X))`` (``whiten=False``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import ReconstructionDetector

#: inputs up to this many values are fitted with one SVD; larger ones in row blocks
SVD_ELEMENTS = 1 << 16


class PCADetector(ReconstructionDetector):
    """PCA reconstruction-error detector.

    explain_method: squared reconstruction error per feature divided by ``d``; a row's
    contributions add up to its score.

    Parameters
    ----------
    n_components : int or float
        An int >= 1 keeps that many components; a float in (0, 1) keeps the fewest components
        whose cumulative explained-variance ratio reaches it (scikit-learn's rule).

    Attributes
    ----------
    mean_ : ndarray, float32, shape (d,)
    components_ : ndarray, float32, shape (k, d)
        Orthonormal rows (principal axes), as ``sklearn.decomposition.PCA.components_``.
    explained_variance_ : ndarray, float32, shape (k,)
        Variance along each component (``ddof=1``).
    n_components_ : int
        Resolved number of components ``k``.
    """

    kind = "pca"

    def __init__(self, n_components: int | float = 0.95) -> None:
        self.n_components = n_components
        self.mean_: np.ndarray | None = None
        self.components_: np.ndarray | None = None
        self.explained_variance_: np.ndarray | None = None
        self.n_components_: int = 0
        self.threshold_: float | None = None

    # -- fitting ---------------------------------------------------------------------------
    def _resolve_k(self, ratio: np.ndarray, max_k: int) -> int:
        nc = self.n_components
        if isinstance(nc, bool):
            raise AnomascopeError(
                "n_components must be an int or a float in (0, 1)", field="n_components"
            )
        if isinstance(nc, int | np.integer):
            if not 1 <= int(nc) <= max_k:
                raise AnomascopeError(
                    f"n_components must be in [1, {max_k}] (the number of model inputs), got {nc}",
                    field="n_components",
                )
            return int(nc)
        f = float(nc)
        if not 0.0 < f < 1.0:
            raise AnomascopeError(
                f"a fractional n_components must be in (0, 1), got {f}", field="n_components"
            )
        k = int(np.searchsorted(np.cumsum(ratio), f, side="right")) + 1
        return min(k, max_k)

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> PCADetector:
        """Fit on rows ``X`` of shape ``(n, d)``, ``n >= 2``; ``y`` is ignored. Returns self."""
        for _ in self.fit_steps(X):
            pass
        return self

    def fit_steps(self, X: np.ndarray, y: np.ndarray | None = None) -> Iterator[float]:
        """Fit on rows ``X`` ``(n, d)``, yielding the fraction done.

        Up to :data:`SVD_ELEMENTS` values: one SVD of the centred data. Larger inputs: the
        centred scatter matrix ``Xc.T @ Xc`` is summed over row blocks (one yield per block)
        and diagonalised with ``eigh``; the same components up to rounding and sign.
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] < 2:
            raise AnomascopeError(f"PCA needs a 2-D array with >= 2 rows, got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise AnomascopeError("PCA training data contains NaN or infinite values")
        n, d = X.shape
        if n * d <= SVD_ELEMENTS:
            X64 = X.astype(np.float64)
            mean = X64.mean(axis=0)
            _, s, vt = np.linalg.svd(X64 - mean, full_matrices=False)
            var = s**2 / (n - 1)
        else:
            step = max(1, SVD_ELEMENTS // d)
            mean = X.mean(axis=0, dtype=np.float64)
            scatter = np.zeros((d, d))
            for start in range(0, n, step):  # loop over row blocks
                xb = X[start : start + step].astype(np.float64) - mean
                scatter += xb.T @ xb
                yield min(start + step, n) / (n + step)
            w, v = np.linalg.eigh(scatter)
            top = np.argsort(w)[::-1][: min(n, d)]
            var = np.maximum(w[top], 0.0) / (n - 1)
            vt = v[:, top].T
        self._set_fit(mean, var, vt)
        yield 1.0

    def _set_fit(self, mean: np.ndarray, var: np.ndarray, vt: np.ndarray) -> None:
        total = var.sum()
        ratio = var / total if total > 0 else np.zeros_like(var)
        k = self._resolve_k(ratio, vt.shape[0])
        self.mean_ = mean.astype(np.float32)
        self.components_ = np.ascontiguousarray(vt[:k]).astype(np.float32)
        self.explained_variance_ = var[:k].astype(np.float32)
        self.n_components_ = k
        self._explained_ratio = float(ratio[:k].sum())

    # -- scoring ---------------------------------------------------------------------------
    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self.mean_ is None or self.components_ is None:
            raise AnomascopeError("PCADetector is not fitted")
        return self.mean_, self.components_

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Component coordinates, float32, shape ``(n, k)``."""
        mean, comp = self._fitted()
        X = np.asarray(X, dtype=np.float32)
        return (X - mean) @ comp.T

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruction from ``k`` components, float32, shape ``(n, d)``."""
        mean, comp = self._fitted()
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != mean.shape[0]:
            raise AnomascopeError(
                f"expected rows with {mean.shape[0]} features, got shape {X.shape}"
            )
        return ((X - mean) @ comp.T) @ comp + mean

    # -- parameters ------------------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        mean, comp = self._fitted()
        return {
            "input_dim": int(mean.shape[0]),
            "n_components": int(comp.shape[0]),
            "n_components_requested": (
                int(self.n_components)
                if isinstance(self.n_components, int | np.integer)
                else float(self.n_components)
            ),
        }

    def state_dict(self) -> dict[str, np.ndarray]:
        mean, comp = self._fitted()
        ev = self.explained_variance_
        if ev is None:
            ev = np.zeros(comp.shape[0], dtype=np.float32)
        return {"mean": mean, "components": comp, "explained_variance": ev}

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        d, k = int(architecture["input_dim"]), int(architecture["n_components"])
        return {"mean": (d,), "components": (k, d), "explained_variance": (k,)}

    @classmethod
    def from_state(cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]) -> PCADetector:
        det = cls(architecture.get("n_components_requested", int(architecture["n_components"])))
        det.mean_ = np.asarray(arrays["mean"], dtype=np.float32)
        det.components_ = np.asarray(arrays["components"], dtype=np.float32)
        det.explained_variance_ = np.asarray(arrays["explained_variance"], dtype=np.float32)
        det.n_components_ = int(det.components_.shape[0])
        return det
