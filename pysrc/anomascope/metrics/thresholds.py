"""Threshold rules: best F1 or a target recall on validation rows, a percentile, a
contamination rate, mean + k standard deviations. Each returns a :class:`ThresholdChoice`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.metrics.rates import (
    ScoreIndex,
    check_scores,
    classification_metrics,
    rates_from_counts,
)


# -- threshold rules -------------------------------------------------------------------------
@dataclass
class ThresholdChoice:
    """A chosen threshold, how it was chosen, and details (JSON-able)."""

    value: float
    rule: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``threshold`` field: ``{"value", "rule", "details"}``."""
        return {"value": float(self.value), "rule": self.rule, "details": dict(self.details)}


def threshold_best_f1(scores: np.ndarray, labels: np.ndarray) -> ThresholdChoice:
    """Threshold maximising F1 on a labelled validation set (rule ``"best_f1_validation"``).

    Every distinct cut of the sorted scores is tried. The returned value lies midway between
    the highest score called normal and the lowest score called anomalous (exact in float64,
    so float32 scores compare unambiguously); ties in F1 go to the highest threshold
    (fewest alarms). ``details`` holds the validation counts and rates at that threshold.
    """
    s, y = check_scores(scores, labels)
    if s.size == 0 or not np.any(y):
        raise AnomascopeError("best-F1 threshold needs at least one anomalous validation row")
    values = np.unique(s)  # ascending distinct
    # candidate k flags values > values[k]; candidate -1 flags everything
    below = np.nextafter(values[0], -np.inf)
    cands = np.concatenate([[below], values])
    idx = ScoreIndex(s, y)
    f1 = np.nan_to_num(rates_from_counts(**idx.counts(cands))["f1"], nan=-1.0)
    k = int(f1.size - 1 - np.argmax(f1[::-1]))
    value = _cut_value(values, below, k)
    details: dict[str, Any] = classification_metrics(s, y, value)
    details["n_validation"] = int(s.size)
    return ThresholdChoice(value, "best_f1_validation", details)


def _cut_value(values: np.ndarray, below: float, k: int) -> float:
    """The threshold of candidate ``k`` (``-1``-shifted: 0 flags everything, ``k`` flags the
    values above ``values[k - 1]``), placed midway between the two scores it separates."""
    if k == 0:
        return float(below)
    if k < values.size:
        value = float((values[k - 1] + values[k]) / 2.0)
        if value >= values[k]:  # adjacent float64 scores: keep the lower one
            value = float(values[k - 1])
        return value
    return float(values[-1])


def threshold_recall(scores: np.ndarray, labels: np.ndarray, target: float) -> ThresholdChoice:
    """The highest threshold whose validation recall is at least ``target`` (rule
    ``"recall_validation"``): the fewest alarms that still catch that share of anomalies.

    Parameters
    ----------
    scores, labels : ndarray, shape (n,)
        Validation scores and 0/1 labels (1 = anomaly); at least one anomaly.
    target : float
        Wanted recall, in (0, 1].
    """
    s, y = check_scores(scores, labels)
    t = float(target)
    if not 0.0 < t <= 1.0:
        raise AnomascopeError(f"target recall must be in (0, 1], got {t}")
    if s.size == 0 or not np.any(y):
        raise AnomascopeError("a recall threshold needs at least one anomalous validation row")
    values = np.unique(s)
    below = float(np.nextafter(values[0], -np.inf))
    cands = np.concatenate([[below], values])
    recall = rates_from_counts(**ScoreIndex(s, y).counts(cands))["recall"]
    k = int(np.flatnonzero(recall >= t - 1e-12).max())  # recall falls as the cut rises
    value = _cut_value(values, below, k)
    details: dict[str, Any] = classification_metrics(s, y, value)
    details["n_validation"] = int(s.size)
    details["target_recall"] = t
    return ThresholdChoice(value, "recall_validation", details)


def threshold_percentile(scores: np.ndarray, percentile: float) -> ThresholdChoice:
    """Threshold at a percentile of (usually normal validation) scores (rule ``"percentile"``).

    ``percentile`` in [0, 100]; linear interpolation as :func:`numpy.percentile`.
    """
    s, _ = check_scores(scores)
    q = float(percentile)
    if not 0.0 <= q <= 100.0 or s.size == 0:
        raise AnomascopeError(f"percentile must be in [0, 100] with scores given, got {q}")
    value = float(np.percentile(s, q))
    return ThresholdChoice(value, "percentile", {"percentile": q, "n": int(s.size)})


def threshold_contamination(scores: np.ndarray, rate: float) -> ThresholdChoice:
    """Threshold flagging about a fraction ``rate`` of the rows (rule ``"contamination"``).

    The value is the ``100 * (1 - rate)`` percentile of ``scores``.
    """
    r = float(rate)
    if not 0.0 <= r <= 1.0:
        raise AnomascopeError(f"contamination rate must be in [0, 1], got {r}")
    pc = threshold_percentile(scores, 100.0 * (1.0 - r))
    return ThresholdChoice(pc.value, "contamination", {"rate": r, "n": pc.details["n"]})


def threshold_mean_std(
    scores: np.ndarray, labels: np.ndarray | None = None, k: float = 3.0
) -> ThresholdChoice:
    """``mean + k * std`` of normal validation scores (rule ``"mean_k_std"``).

    If ``labels`` are given only rows with label 0 are used; std is the population std.
    """
    s, y = check_scores(scores, labels)
    normal = s if y is None else s[~y]
    if normal.size == 0:
        raise AnomascopeError("mean + k*std threshold needs at least one normal score")
    mean, std = float(normal.mean()), float(normal.std())
    value = mean + float(k) * std
    details = {"k": float(k), "mean": mean, "std": std, "n_normal": int(normal.size)}
    return ThresholdChoice(value, "mean_k_std", details)


def choose_threshold(
    rule: str, scores: np.ndarray, labels: np.ndarray | None = None, **params: float
) -> ThresholdChoice:
    """Dispatch by rule name: ``best_f1_validation`` and ``recall_validation`` (``recall=``)
    (both need labels), ``percentile``
    (``percentile=``), ``contamination`` (``rate=``), ``mean_k_std`` (``k=``; labels optional)."""
    if rule == "best_f1_validation":
        if labels is None:
            raise AnomascopeError("rule best_f1_validation needs labels")
        return threshold_best_f1(scores, labels)
    if rule == "recall_validation":
        if labels is None:
            raise AnomascopeError("rule recall_validation needs labels")
        return threshold_recall(scores, labels, params.get("recall", 0.9))
    if rule == "percentile":
        return threshold_percentile(scores, params.get("percentile", 99.0))
    if rule == "contamination":
        return threshold_contamination(scores, params.get("rate", 0.01))
    if rule == "mean_k_std":
        return threshold_mean_std(scores, labels, params.get("k", 3.0))
    known = "best_f1_validation, recall_validation, percentile, contamination, mean_k_std"
    raise AnomascopeError(f"unknown threshold rule {rule!r}; known rules: {known}")
