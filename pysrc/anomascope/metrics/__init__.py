"""Evaluation metrics for anomaly scores (numpy only).

Conventions
-----------
- ``labels``: shape ``(n,)``, values in {0, 1} (or bool); **positive = anomaly = 1**.
- ``scores``: shape ``(n,)``, higher = more anomalous.
- A row is *predicted* anomalous when ``score > threshold`` (strictly greater), as everywhere in
  Anomascope (:class:`anomascope.detectors.base.Detector`).
- A ratio whose denominator is zero is **undefined** and returned as NaN: precision when
  nothing is flagged, recall / TPR / FNR when there are no anomalies, FPR / TNR when there are
  no normal rows, accuracy of an empty set. F1 = 2TP / (2TP + FP + FN) (and F2 alike), so F1 is
  undefined only when TP, FP and FN are all 0. (scikit-learn's ``zero_division=np.nan``.)
  The api sends an undefined plain float as ``null``; the pages show it as "–", never 0.

ROC AUC matches :func:`sklearn.metrics.roc_auc_score` exactly, including ties: tied scores form
one point of the curve and the trapezoid between points counts half of each tied pair.

Average precision matches :func:`sklearn.metrics.average_precision_score` (no interpolation).

Modules: :mod:`.rates` (counts, rates, metric definitions), :mod:`.curves` (ROC, histograms),
:mod:`.precision_recall` (PR curve, average precision), :mod:`.thresholds` (threshold rules);
everything is importable from here.
"""

from __future__ import annotations

import numpy as np

from anomascope.metrics.curves import roc_auc, roc_curve, score_histograms
from anomascope.metrics.precision_recall import average_precision, precision_recall_curve
from anomascope.metrics.rates import (
    METRIC_DEFINITIONS,
    METRIC_ORDER,
    RATE_NAMES,
    ScoreIndex,
    check_scores,
    classification_metrics,
    confusion_counts,
    metrics_at_thresholds,
    rates_from_counts,
)
from anomascope.metrics.thresholds import (
    ThresholdChoice,
    choose_threshold,
    threshold_best_f1,
    threshold_contamination,
    threshold_mean_std,
    threshold_percentile,
    threshold_recall,
)

__all__ = [
    "METRIC_DEFINITIONS",
    "METRIC_ORDER",
    "RATE_NAMES",
    "ScoreIndex",
    "ThresholdChoice",
    "average_precision",
    "choose_threshold",
    "classification_metrics",
    "confusion_counts",
    "metrics_at_thresholds",
    "metrics_summary",
    "precision_recall_curve",
    "rates_from_counts",
    "roc_auc",
    "roc_curve",
    "score_histograms",
    "threshold_best_f1",
    "threshold_contamination",
    "threshold_mean_std",
    "threshold_percentile",
    "threshold_recall",
]


# -- summary ---------------------------------------------------------------------------------
def metrics_summary(
    scores: np.ndarray, labels: np.ndarray, threshold: float
) -> dict[str, float | int | None]:
    """Plain-dict summary: ``threshold, n, n_anomalies, auc`` (``None`` if one class only),
    ``tp, fp, tn, fn`` and every rate of :data:`RATE_NAMES`. JSON-able (Python ints/floats)."""
    s, y = check_scores(scores, labels)
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
