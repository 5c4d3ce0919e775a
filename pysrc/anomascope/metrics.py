"""Evaluation metrics for anomaly scores (numpy only).

Conventions
-----------
- ``labels``: shape ``(n,)``, values in {0, 1} (or bool); **positive = anomaly = 1**.
- ``scores``: shape ``(n,)``, higher = more anomalous.
- A row is *predicted* anomalous when ``score > threshold`` (strictly greater), as everywhere in
  Anomascope (:class:`anomascope.detectors.base.Detector`).
- Every ratio whose denominator is zero (0/0, e.g. precision when nothing is predicted
  positive) is defined as ``0.0``, like scikit-learn's ``zero_division=0``.

ROC AUC matches :func:`sklearn.metrics.roc_auc_score` exactly, including ties: tied scores form
one point of the curve and the trapezoid between points counts half of each tied pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from anomascope import AnomascopeError

RATE_NAMES = ("accuracy", "precision", "recall", "f1", "f2", "fpr", "fnr", "tpr", "tnr")


# -- input checks ----------------------------------------------------------------------------
def _check(scores: np.ndarray, labels: np.ndarray | None = None) -> tuple[np.ndarray, Any]:
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
    """Elementwise ``num / den`` in float64 with ``x / 0 = 0.0``."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
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
    s, y = _check(scores, labels)
    pred = s > float(threshold)
    tp = int(np.count_nonzero(pred & y))
    fp = int(np.count_nonzero(pred & ~y))
    fn = int(np.count_nonzero(y)) - tp
    tn = int(y.size) - tp - fp - fn
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def rates_from_counts(tp: Any, fp: Any, tn: Any, fn: Any) -> dict[str, np.ndarray]:
    """All rates from confusion counts; vectorised (scalars or equal-shape arrays).

    Returns float64 arrays (0-d for scalar input) under the keys of :data:`RATE_NAMES`.
    ``recall == tpr``, ``fnr = 1 - tpr`` (when there are positives), F2 weighs recall 4x.
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
        s, y = _check(scores, labels)
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


# -- ROC -------------------------------------------------------------------------------------
def _binary_curve(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative (fps, tps) at each distinct score, scores descending (as scikit-learn)."""
    order = np.argsort(s, kind="mergesort")[::-1]
    s_desc = s[order]
    y_desc = y[order]
    distinct = np.flatnonzero(np.diff(s_desc))
    idx = np.concatenate([distinct, [s_desc.size - 1]])
    tps = np.cumsum(y_desc, dtype=np.int64)[idx]
    fps = 1 + idx - tps
    return fps, tps, s_desc[idx]


def roc_curve(
    scores: np.ndarray, labels: np.ndarray, drop_intermediate: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC curve.

    Returns
    -------
    fpr, tpr : ndarray, float64, shape (k,)
        Increasing, from (0, 0) to (1, 1).
    thresholds : ndarray, float64, shape (k,)
        ``fpr[i], tpr[i]`` are the rates of the rule ``score > thresholds[i]`` (Anomascope's
        convention, *not* scikit-learn's ``>=``): ``thresholds[0]`` is the maximum score
        (nothing flagged) and ``thresholds[-1]`` is ``-inf`` (everything flagged).
        With ``drop_intermediate`` collinear points are dropped as scikit-learn does.

    Raises
    ------
    AnomascopeError
        If only one class is present.
    """
    s, y = _check(scores, labels)
    n_pos = int(np.count_nonzero(y))
    if n_pos == 0 or n_pos == y.size:
        raise AnomascopeError("ROC is undefined when only one class is present in labels")
    fps, tps, thr_ge = _binary_curve(s, y)
    if drop_intermediate and fps.size > 2:
        keep = np.flatnonzero(
            np.concatenate(
                [[True], np.logical_or(np.diff(fps, 2) != 0, np.diff(tps, 2) != 0), [True]]
            )
        )
        fps, tps, thr_ge = fps[keep], tps[keep], thr_ge[keep]
    fps = np.concatenate([[0], fps])
    tps = np.concatenate([[0], tps])
    # point i (i >= 1) flags scores >= thr_ge[i-1] == scores > the next lower distinct score.
    all_desc = np.unique(s)[::-1]
    pos_in_desc = np.searchsorted(-all_desc, -thr_ge)  # index of thr_ge in all_desc
    nxt = np.where(pos_in_desc + 1 < all_desc.size, pos_in_desc + 1, 0)
    lower = np.where(pos_in_desc + 1 < all_desc.size, all_desc[nxt], -np.inf)
    thresholds = np.concatenate([[all_desc[0]], lower])
    return fps / fps[-1], tps / tps[-1], thresholds


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve; equals :func:`sklearn.metrics.roc_auc_score` (ties included)."""
    fpr, tpr, _ = roc_curve(scores, labels, drop_intermediate=False)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2.0)


# -- histograms ------------------------------------------------------------------------------
def score_histograms(
    scores: np.ndarray,
    labels: np.ndarray,
    bins: int = 50,
    range: tuple[float, float] | None = None,  # noqa: A002 - mirrors np.histogram
) -> dict[str, list[float] | list[int]]:
    """Histograms of normal and abnormal scores over shared bin edges.

    Parameters
    ----------
    scores, labels : ndarray, shape (n,)
    bins : int
        Number of bins (> 0).
    range : (lo, hi), optional
        Edge range; default the min and max of all scores. Scores outside are not counted.

    Returns
    -------
    dict
        ``{"edges": [bins + 1 floats], "normal": [bins ints], "abnormal": [bins ints]}``.
    """
    s, y = _check(scores, labels)
    if int(bins) < 1:
        raise AnomascopeError(f"bins must be a positive integer, got {bins}")
    if range is None:
        lo, hi = (float(s.min()), float(s.max())) if s.size else (0.0, 1.0)
    else:
        lo, hi = float(range[0]), float(range[1])
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, int(bins) + 1)
    normal, _ = np.histogram(s[~y], bins=edges)
    abnormal, _ = np.histogram(s[y], bins=edges)
    return {
        "edges": [float(e) for e in edges],
        "normal": [int(c) for c in normal],
        "abnormal": [int(c) for c in abnormal],
    }


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
    s, y = _check(scores, labels)
    if s.size == 0 or not np.any(y):
        raise AnomascopeError("best-F1 threshold needs at least one anomalous validation row")
    values = np.unique(s)  # ascending distinct
    # candidate k flags values > values[k]; candidate -1 flags everything
    below = np.nextafter(values[0], -np.inf)
    cands = np.concatenate([[below], values])
    idx = ScoreIndex(s, y)
    f1 = rates_from_counts(**idx.counts(cands))["f1"]
    k = int(f1.size - 1 - np.argmax(f1[::-1]))
    if k == 0:
        value = float(below)
    elif k < values.size:
        value = float((values[k - 1] + values[k]) / 2.0)
        if value >= values[k]:  # adjacent float64 scores: keep the lower one
            value = float(values[k - 1])
    else:
        value = float(values[-1])
    details: dict[str, Any] = classification_metrics(s, y, value)
    details["n_validation"] = int(s.size)
    return ThresholdChoice(value, "best_f1_validation", details)


def threshold_percentile(scores: np.ndarray, percentile: float) -> ThresholdChoice:
    """Threshold at a percentile of (usually normal validation) scores (rule ``"percentile"``).

    ``percentile`` in [0, 100]; linear interpolation as :func:`numpy.percentile`.
    """
    s, _ = _check(scores)
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
    s, y = _check(scores, labels)
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
    """Dispatch by rule name: ``best_f1_validation`` (needs labels), ``percentile``
    (``percentile=``), ``contamination`` (``rate=``), ``mean_k_std`` (``k=``; labels optional)."""
    if rule == "best_f1_validation":
        if labels is None:
            raise AnomascopeError("rule best_f1_validation needs labels")
        return threshold_best_f1(scores, labels)
    if rule == "percentile":
        return threshold_percentile(scores, params.get("percentile", 99.0))
    if rule == "contamination":
        return threshold_contamination(scores, params.get("rate", 0.01))
    if rule == "mean_k_std":
        return threshold_mean_std(scores, labels, params.get("k", 3.0))
    known = "best_f1_validation, percentile, contamination, mean_k_std"
    raise AnomascopeError(f"unknown threshold rule {rule!r}; known rules: {known}")


# -- summary ---------------------------------------------------------------------------------
def metrics_summary(
    scores: np.ndarray, labels: np.ndarray, threshold: float
) -> dict[str, float | int | None]:
    """Plain-dict summary: ``threshold, n, n_anomalies, auc`` (``None`` if one class only),
    ``tp, fp, tn, fn`` and every rate of :data:`RATE_NAMES`. JSON-able (Python ints/floats)."""
    s, y = _check(scores, labels)
    n_pos = int(np.count_nonzero(y))
    auc = roc_auc(s, y) if 0 < n_pos < y.size else None
    out: dict[str, float | int | None] = {
        "threshold": float(threshold),
        "n": int(y.size),
        "n_anomalies": n_pos,
        "auc": auc,
    }
    out.update(classification_metrics(s, y, threshold))
    return out
