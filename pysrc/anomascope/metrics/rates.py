"""Confusion counts and rates at one or many thresholds, and what each metric means.

Conventions (positive = anomaly, ``score > threshold`` flags, 0/0 is NaN):
:mod:`anomascope.metrics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError

RATE_NAMES = ("accuracy", "precision", "recall", "f1", "f2", "fpr", "fnr", "tpr", "tnr")

#: The threshold metrics the stream and lab panels show, in order.
METRIC_ORDER = ("accuracy", "precision", "recall", "f1")

#: What each metric means, for the pages (published by the api's ``schema`` request).
METRIC_DEFINITIONS: dict[str, dict[str, str | None]] = {
    "accuracy": {
        "title": "Accuracy",
        "formula": "(TP + TN) / (TP + FP + TN + FN)",
        "undefined_when": "there are no rows",
    },
    "precision": {
        "title": "Precision",
        "formula": "TP / (TP + FP)",
        "undefined_when": "nothing is flagged",
    },
    "recall": {
        "title": "Recall",
        "formula": "TP / (TP + FN)",
        "undefined_when": "there are no anomalies",
    },
    "f1": {
        "title": "F1",
        "formula": "2TP / (2TP + FP + FN)",
        "undefined_when": "nothing is flagged and there are no anomalies",
    },
    "fpr": {
        "title": "FPR",
        "formula": "FP / (FP + TN)",
        "undefined_when": "there are no normal rows",
    },
    "fnr": {
        "title": "FNR",
        "formula": "FN / (FN + TP)",
        "undefined_when": "there are no anomalies",
    },
    "tpr": {
        "title": "TPR",
        "formula": "TP / (TP + FN)",
        "undefined_when": "there are no anomalies",
    },
    "tnr": {
        "title": "TNR",
        "formula": "TN / (TN + FP)",
        "undefined_when": "there are no normal rows",
    },
    "ap": {
        "title": "Average precision",
        "formula": "sum over thresholds, highest first, of (R_n - R_(n-1)) * P_n",
        "undefined_when": "there are no anomalies",
    },
    "auc": {
        "title": "ROC AUC",
        "formula": "area under the ROC curve (TPR against FPR over every threshold)",
        "undefined_when": "only one class is present",
    },
}


# -- input checks ----------------------------------------------------------------------------
def check_scores(scores: np.ndarray, labels: np.ndarray | None = None) -> tuple[np.ndarray, Any]:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1:
        raise AnomascopeError(f"scores must be one-dimensional, got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise AnomascopeError(f"scores contain {int(np.sum(~np.isfinite(s)))} non-finite values")
    if labels is None:
        return s, None
    y = np.asarray(labels)
    if y.shape != s.shape:
        raise AnomascopeError(f"labels shape {y.shape} does not match scores shape {s.shape}")
    if y.dtype != np.bool_:
        if not np.all((y == 0) | (y == 1)):
            raise AnomascopeError("labels must be 0 (normal) or 1 (anomaly)")
    return s, y.astype(bool)


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise ``num / den`` in float64; NaN (undefined) where ``den == 0``."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan, dtype=np.float64)
    return np.divide(num, den, out=out, where=den != 0)


# -- counts and rates ------------------------------------------------------------------------
def confusion_counts(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, int]:
    """Confusion counts at one threshold.

    Parameters
    ----------
    scores : ndarray, shape (n,)
    labels : ndarray, shape (n,), 0/1 or bool (1 = anomaly)
    threshold : float
        Rows with ``score > threshold`` are predicted anomalous.

    Returns
    -------
    dict
        ``{"tp", "fp", "tn", "fn"}`` as Python ints.
    """
    s, y = check_scores(scores, labels)
    pred = s > float(threshold)
    tp = int(np.count_nonzero(pred & y))
    fp = int(np.count_nonzero(pred & ~y))
    fn = int(np.count_nonzero(y)) - tp
    tn = int(y.size) - tp - fp - fn
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def rates_from_counts(tp: Any, fp: Any, tn: Any, fn: Any) -> dict[str, np.ndarray]:
    """All rates from confusion counts; vectorised (scalars or equal-shape arrays).

    Returns float64 arrays (0-d for scalar input) under the keys of :data:`RATE_NAMES`; NaN
    where a rate is undefined (zero denominator). ``recall == tpr``, ``fnr = 1 - tpr``,
    F2 weighs recall 4x.
    """
    tp, fp, tn, fn = (np.asarray(v, dtype=np.float64) for v in (tp, fp, tn, fn))
    pos = tp + fn
    neg = fp + tn
    return {
        "accuracy": _div(tp + tn, pos + neg),
        "precision": _div(tp, tp + fp),
        "recall": _div(tp, pos),
        "f1": _div(2.0 * tp, 2.0 * tp + fp + fn),
        "f2": _div(5.0 * tp, 5.0 * tp + 4.0 * fn + fp),
        "fpr": _div(fp, neg),
        "fnr": _div(fn, pos),
        "tpr": _div(tp, pos),
        "tnr": _div(tn, neg),
    }


def classification_metrics(
    scores: np.ndarray, labels: np.ndarray, threshold: float
) -> dict[str, float | int]:
    """Counts and rates at one threshold as a plain dict of Python ints and floats."""
    counts = confusion_counts(scores, labels, threshold)
    rates = rates_from_counts(**counts)
    out: dict[str, float | int] = dict(counts)
    out.update({k: float(v) for k, v in rates.items()})
    return out


class ScoreIndex:
    """Scores sorted once per class, for metrics at many thresholds in ``O(m log n)``.

    Built once per (scores, labels) pair; :meth:`at` is what the browser threshold explorer
    calls on every slider move.

    Parameters
    ----------
    scores : ndarray, shape (n,)
    labels : ndarray, shape (n,), 0/1 or bool
    """

    def __init__(self, scores: np.ndarray, labels: np.ndarray) -> None:
        s, y = check_scores(scores, labels)
        self.pos_sorted = np.sort(s[y])
        self.neg_sorted = np.sort(s[~y])
        self.n_pos = int(self.pos_sorted.size)
        self.n_neg = int(self.neg_sorted.size)

    def counts(self, thresholds: np.ndarray) -> dict[str, np.ndarray]:
        """int64 arrays ``tp, fp, tn, fn`` with the shape of ``thresholds``."""
        t = np.asarray(thresholds, dtype=np.float64)
        # number of scores <= t, i.e. predicted normal
        pos_le = np.searchsorted(self.pos_sorted, t, side="right").astype(np.int64)
        neg_le = np.searchsorted(self.neg_sorted, t, side="right").astype(np.int64)
        return {"tp": self.n_pos - pos_le, "fp": self.n_neg - neg_le, "tn": neg_le, "fn": pos_le}

    def at(self, thresholds: np.ndarray) -> dict[str, np.ndarray]:
        """Counts and every rate of :data:`RATE_NAMES` at each threshold (arrays)."""
        t = np.asarray(thresholds, dtype=np.float64)
        out: dict[str, np.ndarray] = {"threshold": t}
        c = self.counts(t)
        out.update(c)
        out.update(rates_from_counts(c["tp"], c["fp"], c["tn"], c["fn"]))
        return out


def metrics_at_thresholds(
    scores: np.ndarray, labels: np.ndarray, thresholds: np.ndarray
) -> dict[str, np.ndarray]:
    """Vectorised counts and rates at many thresholds; see :class:`ScoreIndex`.

    Returns a dict of arrays with the shape of ``thresholds`` (keys ``threshold, tp, fp, tn, fn``
    and :data:`RATE_NAMES`).
    """
    return ScoreIndex(scores, labels).at(thresholds)
