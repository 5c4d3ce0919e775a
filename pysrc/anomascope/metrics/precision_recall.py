"""Precision-recall curve and average precision, as scikit-learn defines them.

Average precision is ``sum_n (R_n - R_{n-1}) P_n`` over the distinct score thresholds taken
from the highest score down (no interpolation): exactly
:func:`sklearn.metrics.average_precision_score`. The curve's points are those of
:func:`sklearn.metrics.precision_recall_curve` (recall decreasing, ending at recall 0 and
precision 1), with thresholds in Anomascope's convention (``score > threshold`` flags).
"""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError
from anomascope.metrics.curves import _binary_curve
from anomascope.metrics.rates import check_scores


def precision_recall_curve(
    scores: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall at every distinct threshold.

    Parameters
    ----------
    scores : ndarray, shape (n,)
        Higher is more anomalous.
    labels : ndarray, shape (n,), 0/1 or bool (1 = anomaly)

    Returns
    -------
    precision, recall : ndarray, float64, shape (k + 1,)
        Point ``i < k`` flags the rows with ``score > thresholds[i]``; recall decreases with
        ``i`` and the last point is (recall 0, precision 1), as scikit-learn.
    thresholds : ndarray, float64, shape (k,)
        Increasing; ``thresholds[0]`` is ``-inf`` (every row flagged) when no point was
        dropped, else the next lower distinct score.

    Raises
    ------
    AnomascopeError
        If there is no anomalous row (recall is undefined).
    """
    s, y = check_scores(scores, labels)
    if not np.any(y):
        raise AnomascopeError("the precision-recall curve needs at least one anomalous row")
    fps, tps, thr_ge = _binary_curve(s, y)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    # ``score >= thr_ge[i]`` is ``score > (next lower distinct score)``
    distinct_desc = np.unique(s)[::-1]
    pos = np.searchsorted(-distinct_desc, -thr_ge)
    lower = np.where(
        pos + 1 < distinct_desc.size,
        distinct_desc[np.minimum(pos + 1, distinct_desc.size - 1)],
        -np.inf,
    )
    return (
        np.concatenate([precision[::-1], [1.0]]),
        np.concatenate([recall[::-1], [0.0]]),
        lower[::-1].astype(np.float64),
    )


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Average precision ``sum_n (R_n - R_{n-1}) P_n``; equals
    :func:`sklearn.metrics.average_precision_score`.

    Parameters
    ----------
    scores : ndarray, shape (n,)
    labels : ndarray, shape (n,), 0/1 or bool (1 = anomaly)

    Raises
    ------
    AnomascopeError
        If there is no anomalous row.
    """
    precision, recall, _ = precision_recall_curve(scores, labels)
    return float(-np.sum(np.diff(recall) * precision[:-1]))
