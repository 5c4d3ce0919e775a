"""The detector interface, in the style of scikit-learn.

Conventions
-----------
- ``fit(X)`` returns ``self``; fitted attributes end in ``_``.
- ``score_samples(X)`` returns one anomaly score per row, shape ``(n,)``: **higher means more
  anomalous** (the opposite sign of scikit-learn's ``score_samples``).
- ``threshold_`` is a plain, movable number: a row is called anomalous when its score is
  strictly greater than the threshold.
- ``explain(X)`` returns float64 ``(n, d)``: the contribution of each model-space input column
  to each row's score; the class attribute ``explain_method`` says in one sentence which method
  and what the numbers mean. Reconstruction detectors split their mean squared error by
  column; the others default to the shared median-replacement method of
  :mod:`anomascope.detectors.explain`, which needs ``baseline_`` (set by fitting in numpy, or
  by :meth:`Detector.set_baseline` for loaded models).
- Parameters travel as a flat ``dict[str, np.ndarray]`` with PyTorch ``state_dict`` names and
  layouts (``encoder.0.weight`` has shape ``(out, in)``), plus a JSON-able ``architecture``
  dict. ``expected_shapes(architecture)`` lets a loader name missing, unexpected and misshapen
  arrays before anything is built.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from anomascope.detectors.explain import (
    MEDIAN_REPLACEMENT,
    RECONSTRUCTION,
    median_replacement,
    reconstruction_contributions,
    training_median,
)


class Detector:
    """Base class of every anomaly detector."""

    kind: ClassVar[str] = ""
    explain_method: ClassVar[str] = MEDIAN_REPLACEMENT
    threshold_: float | None = None
    baseline_: np.ndarray | None = None

    # -- scoring -------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> Detector:
        """Fit on (normal) training rows ``X`` of shape ``(n, d)``; return ``self``."""
        raise NotImplementedError(f"{type(self).__name__} is inference-only; it is trained offline")

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Anomaly scores, shape ``(n,)``; higher is more anomalous."""
        raise NotImplementedError

    def predict(self, X: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """Boolean anomaly labels, shape ``(n,)``, at ``threshold`` (default ``threshold_``)."""
        t = self.threshold_ if threshold is None else threshold
        if t is None:
            raise ValueError("no threshold: set threshold_ or pass threshold=")
        return self.score_samples(X) > t

    # -- explanations --------------------------------------------------------------------
    def set_baseline(self, X_train: np.ndarray) -> None:
        """Set ``baseline_`` (float32 ``(d,)``) to the column medians of training rows
        ``X_train`` ``(n, d)`` (model space), for :meth:`explain` on a loaded model."""
        self.baseline_ = training_median(X_train)

    def explain(self, X: np.ndarray) -> np.ndarray:
        """Contribution of each column to each row's score, float64 ``(n, d)``
        (see :attr:`explain_method`)."""
        return median_replacement(self, X)

    # -- parameters ----------------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        """JSON-able description from which :meth:`expected_shapes` derives every array."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """Named parameter arrays (torch ``state_dict`` naming and layout)."""
        raise NotImplementedError

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """Name -> shape of every array a model with this architecture must have."""
        raise NotImplementedError

    @classmethod
    def from_state(cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]) -> Detector:
        """Build a fitted detector from an architecture and arrays already checked
        against :meth:`expected_shapes`."""
        raise NotImplementedError


class ReconstructionDetector(Detector):
    """A detector that reconstructs its input; the score is the per-row mean squared error."""

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruction of ``X``, same shape ``(n, d)``."""
        raise NotImplementedError

    explain_method: ClassVar[str] = RECONSTRUCTION

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        diff = self.reconstruct(X) - X
        return np.einsum("ij,ij->i", diff, diff) / X.shape[1]

    def explain(self, X: np.ndarray) -> np.ndarray:
        """Squared reconstruction error of each column divided by ``d``, float64 ``(n, d)``;
        each row sums to its score."""
        X = np.asarray(X, dtype=np.float32)
        return reconstruction_contributions(X, self.reconstruct(X))
