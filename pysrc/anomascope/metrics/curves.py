"""ROC curve, ROC AUC (as scikit-learn, ties included) and score histograms."""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError
from anomascope.metrics.rates import check_scores


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
    s, y = check_scores(scores, labels)
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
    s, y = check_scores(scores, labels)
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
