"""Where a beat's reconstruction error sits, and whether a beat is like any training beat.

The ECG lab's models score a beat by its *mean* squared reconstruction error. Two kinds of
beat slip under that score:

- a beat that is wrong at one time step only (a spike): the mean dilutes one large error over
  140 steps. The *peak* score, the largest squared error of any one step, catches it; it gets
  its own threshold, chosen on validation like the mean score's.
- a beat that is easy to reconstruct but unlike anything the model was trained on (a flat line
  is the classic case: an autoencoder copies it almost perfectly). :class:`NearestBeat` measures
  how far a beat is from its nearest normal training beat and compares that with how far the
  training beats are from each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope.metrics import threshold_best_f1
from anomascope.weights import LoadedModel

#: The explainer's one-step spike: a flat line at 0 with this value at this one step (about
#: the height of a normal beat's R peak in the z-normalised ECG5000 beats, 2.0 at the median).
SPIKE_STEP, SPIKE_HEIGHT = 70, 3.0
#: A beat is "unlike any training beat" when it is farther from every normal training beat
#: than this share of the training beats are from their own nearest neighbour.
UNLIKE_QUANTILE = 0.99


def step_contributions(model: LoadedModel, X: np.ndarray) -> np.ndarray:
    """Per-time-step contributions to the mean score, float64 ``(n, d)``: the squared
    reconstruction error of each step (in the model's input space) divided by ``d``, so each
    row sums to the row's score (the detector's ``explain``)."""
    return np.asarray(model.detector.explain(model.preprocess(X)), dtype=np.float64)


def peak_scores(contributions: np.ndarray) -> np.ndarray:
    """Peak score per row, float64 ``(n,)``: the largest squared error of any one time step,
    from :func:`step_contributions` output ``(n, d)``."""
    c = np.asarray(contributions, dtype=np.float64)
    return c.max(axis=1) * c.shape[1]


def peak_threshold(model: LoadedModel, X_val: np.ndarray, anomaly: np.ndarray) -> dict[str, Any]:
    """The peak score's threshold: best F1 on validation beats ``X_val`` with labels
    ``anomaly`` (bool ``(n,)``), as the mean score's threshold was chosen.

    Returns ``{"value", "f1", "n_validation"}``.
    """
    choice = threshold_best_f1(peak_scores(step_contributions(model, X_val)), anomaly)
    f1 = choice.details.get("f1")
    return {"value": float(choice.value), "f1": f1, "n_validation": int(len(X_val))}


class NearestBeat:
    """Distances to the nearest of a set of reference beats (normal training beats).

    Distance is the root-mean-square difference of two beats, in data units. ``bound`` is the
    :data:`UNLIKE_QUANTILE` quantile of the distances of the reference beats to their nearest
    *other* reference beat: a beat farther than that from every training beat is farther out
    than 99 % of the training beats are from the rest.

    Parameters
    ----------
    reference : float32 ``(m, d)``, m >= 2
    """

    def __init__(self, reference: np.ndarray) -> None:
        self.reference = np.asarray(reference, dtype=np.float64)
        self._sq = np.einsum("ij,ij->i", self.reference, self.reference)
        d2 = self._sq[:, None] + self._sq[None, :] - 2.0 * self.reference @ self.reference.T
        np.fill_diagonal(d2, np.inf)
        loo = np.sqrt(np.maximum(d2.min(axis=1), 0.0) / self.reference.shape[1])
        self.bound = float(np.quantile(loo, UNLIKE_QUANTILE))

    def query(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index (int64 ``(n,)``) of each row's nearest reference beat and the RMS distance to
        it (float64 ``(n,)``)."""
        X = np.asarray(X, dtype=np.float64)
        d2 = np.einsum("ij,ij->i", X, X)[:, None] + self._sq[None, :] - 2.0 * X @ self.reference.T
        idx = d2.argmin(axis=1)
        dist = np.sqrt(np.maximum(d2[np.arange(len(X)), idx], 0.0) / X.shape[1])
        return idx.astype(np.int64), dist

    def describe(self, beat: np.ndarray) -> dict[str, Any]:
        """``{"index", "distance", "bound", "unlike": distance > bound}`` for one beat."""
        idx, dist = self.query(np.asarray(beat)[None, :])
        return {
            "index": int(idx[0]),
            "distance": float(dist[0]),
            "bound": self.bound,
            "unlike": bool(dist[0] > self.bound),
        }


def edge_cases(length: int) -> dict[str, np.ndarray]:
    """The explainer's two beats, float32 ``(length,)``: a flat line at 0, and the same line
    with one step at :data:`SPIKE_HEIGHT` (:data:`SPIKE_STEP`)."""
    spike = np.zeros(length, np.float32)
    spike[SPIKE_STEP] = SPIKE_HEIGHT
    return {"flat line": np.zeros(length, np.float32), "one-step spike": spike}
