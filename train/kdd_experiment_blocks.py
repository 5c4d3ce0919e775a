"""Building blocks of ``train/kdd_experiments.py``: per-service byte features of KDD rows,
score normalisers, per-service thresholds and per-attack-type detection counts.

Every ``fit_*`` function takes the raw fit normals (float32 ``(n, 41)``) and returns a small
dict of arrays; the matching function applies it to any raw rows. Nothing here reads files.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import metrics
from anomascope.data import kdd

MIN_SERVICE_ROWS = 20  # per class, for a per-service threshold; also for per-service stats
SPREAD_FLOOR = 0.25  # log1p units: services whose bytes never vary still get a finite scale
_SERVICE = kdd.FEATURE_NAMES.index("service")
_BYTES = [kdd.FEATURE_NAMES.index("src_bytes"), kdd.FEATURE_NAMES.index("dst_bytes")]


def fit_service_stats(X_raw: np.ndarray, min_rows: int = MIN_SERVICE_ROWS) -> dict[str, Any]:
    """Per-service median and spread of ``log1p`` src/dst bytes over normal raw rows.

    Parameters
    ----------
    X_raw : float32 ``(n, 41)`` raw KDD rows (the fit normals).
    min_rows : services with fewer rows use the global statistics.

    Returns
    -------
    ``{"median": (71, 2), "spread": (71, 2), "global_median": (2,), "global_spread": (2,)}``
    float64 arrays; spread = median absolute deviation / 0.6745, at least :data:`SPREAD_FLOOR`.
    """
    L = np.log1p(np.asarray(X_raw, np.float64)[:, _BYTES])
    service = np.asarray(X_raw)[:, _SERVICE].astype(np.int64)

    def stats(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        med = np.median(rows, axis=0)
        mad = np.median(np.abs(rows - med), axis=0) / 0.6745
        return med, np.maximum(mad, SPREAD_FLOOR)

    g_med, g_spread = stats(L)
    n_services = len(kdd.CATEGORICAL["service"])
    median = np.tile(g_med, (n_services, 1))
    spread = np.tile(g_spread, (n_services, 1))
    for s in np.unique(service):
        rows = L[service == s]
        if len(rows) >= min_rows:
            median[s], spread[s] = stats(rows)
    return {"median": median, "spread": spread, "global_median": g_med, "global_spread": g_spread}


def service_deviation(stats: dict[str, Any], X_raw: np.ndarray) -> np.ndarray:
    """``|log1p(bytes) - median_service| / spread_service`` for src and dst bytes.

    Parameters
    ----------
    stats : from :func:`fit_service_stats`.
    X_raw : float32 ``(n, 41)`` raw KDD rows.

    Returns
    -------
    float32 ``(n, 2)``, columns (src_bytes, dst_bytes); unknown service codes use the global
    statistics.
    """
    X_raw = np.asarray(X_raw)
    L = np.log1p(X_raw[:, _BYTES].astype(np.float64))
    service = X_raw[:, _SERVICE].astype(np.int64)
    n_services = len(stats["median"])
    known = (service >= 0) & (service < n_services)
    idx = np.clip(service, 0, n_services - 1)
    med = np.where(known[:, None], stats["median"][idx], stats["global_median"])
    spread = np.where(known[:, None], stats["spread"][idx], stats["global_spread"])
    return (np.abs(L - med) / spread).astype(np.float32)


def robust_scale(reference: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``(score - median) / (99th percentile - median)`` of the ``reference`` scores.

    Unlike :func:`rank_normalise` it does not saturate above the largest reference score, so
    a row far outside every fit normal stays above one merely outside them (float64 ``(n,)``).
    """
    q50, q99 = np.percentile(np.asarray(reference, np.float64), [50, 99])
    return (np.asarray(scores, np.float64) - q50) / max(q99 - q50, 1e-12)


HIST_WIDTH = 0.5  # log1p(bytes) units per histogram bin
HIST_BINS = 48  # covers log1p(bytes) up to 24, beyond any KDD byte count (~7e8 = e^20.4)


def fit_service_histograms(X_raw: np.ndarray, min_rows: int = MIN_SERVICE_ROWS) -> dict[str, Any]:
    """Per-service histograms of ``log1p`` src/dst bytes over normal raw rows.

    Parameters
    ----------
    X_raw : float32 ``(n, 41)`` raw KDD rows (the fit normals).
    min_rows : services with fewer rows use the histogram of all rows.

    Returns
    -------
    ``{"freq": float64 (71, 2, HIST_BINS)}``: add-one-smoothed bin frequencies per service
    and column (src_bytes, dst_bytes).
    """
    X_raw = np.asarray(X_raw)
    bins = _byte_bins(X_raw)
    service = X_raw[:, _SERVICE].astype(np.int64)

    def freq(b: np.ndarray) -> np.ndarray:
        counts = np.stack([np.bincount(b[:, j], minlength=HIST_BINS) for j in range(2)])
        return (counts + 1.0) / (len(b) + HIST_BINS)

    n_services = len(kdd.CATEGORICAL["service"])
    out = np.tile(freq(bins), (n_services, 1, 1))
    for s in np.unique(service):
        if np.sum(service == s) >= min_rows:
            out[s] = freq(bins[service == s])
    return {"freq": out}


def _byte_bins(X_raw: np.ndarray) -> np.ndarray:
    L = np.log1p(np.maximum(np.asarray(X_raw, np.float64)[:, _BYTES], 0.0))
    return np.minimum((L / HIST_WIDTH).astype(np.int64), HIST_BINS - 1)


def service_rarity(hists: dict[str, Any], X_raw: np.ndarray) -> np.ndarray:
    """``-log`` frequency of each row's src and dst byte bin among the fit normals of its
    service (float32 ``(n, 2)``; service codes outside the vocabulary are clipped into it)."""
    X_raw = np.asarray(X_raw)
    freq = hists["freq"]
    service = np.clip(X_raw[:, _SERVICE].astype(np.int64), 0, len(freq) - 1)
    bins = _byte_bins(X_raw)
    return -np.log(np.stack([freq[service, j, bins[:, j]] for j in range(2)], axis=1)).astype(
        np.float32
    )


TAIL_PERCENTILE = 99.9


def fit_service_tails(
    X_raw: np.ndarray, min_rows: int = MIN_SERVICE_ROWS, percentile: float = TAIL_PERCENTILE
) -> dict[str, Any]:
    """Per-service ``percentile`` of ``log1p`` src/dst bytes over normal raw rows (services
    with fewer than ``min_rows`` rows get that of all rows).

    Returns
    -------
    ``{"upper": float64 (71, 2)}``.
    """
    L = np.log1p(np.maximum(np.asarray(X_raw, np.float64)[:, _BYTES], 0.0))
    service = np.asarray(X_raw)[:, _SERVICE].astype(np.int64)
    upper = np.tile(np.percentile(L, percentile, axis=0), (len(kdd.CATEGORICAL["service"]), 1))
    for s in np.unique(service):
        if np.sum(service == s) >= min_rows:
            upper[s] = np.percentile(L[service == s], percentile, axis=0)
    return {"upper": upper}


def service_excess(tails: dict[str, Any], X_raw: np.ndarray) -> np.ndarray:
    """How far ``log1p`` src/dst bytes lie above the upper tail of the row's service (0 when
    below it): float32 ``(n, 2)``, one-sided, so unusually small transfers score 0."""
    X_raw = np.asarray(X_raw)
    upper = tails["upper"]
    service = np.clip(X_raw[:, _SERVICE].astype(np.int64), 0, len(upper) - 1)
    L = np.log1p(np.maximum(X_raw[:, _BYTES].astype(np.float64), 0.0))
    return np.maximum(L - upper[service], 0.0).astype(np.float32)


BYTE_FEATURES: dict[str, tuple[Any, Any]] = {
    "svc": (fit_service_stats, service_deviation),
    "hist": (fit_service_histograms, service_rarity),
    "tail": (fit_service_tails, service_excess),
}


def rank_normalise(reference: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Fraction of ``reference`` scores (fit normals) strictly below each score.

    Parameters
    ----------
    reference : float ``(m,)`` scores of the fit normals.
    scores : float ``(n,)``.

    Returns
    -------
    float64 ``(n,)`` in [0, 1]; comparable across detectors whatever their score scale.
    """
    ref = np.sort(np.asarray(reference, np.float64))
    return np.searchsorted(ref, np.asarray(scores, np.float64), side="left") / len(ref)


def per_type_detection(flags: np.ndarray, sample: kdd.KDDSample) -> dict[str, list[int]]:
    """``{attack type: [detected, rows]}`` over the attack types present in ``sample``."""
    names = sample.label_names
    out = {}
    for code in np.unique(sample.label[sample.anomaly]):
        rows = sample.label == code
        out[names[code]] = [int(np.sum(flags & rows)), int(rows.sum())]
    return out


def figures(scores: np.ndarray, sample: kdd.KDDSample, threshold: float) -> dict[str, Any]:
    """ROC AUC, F1, precision, recall and per-type detection of ``scores`` at ``threshold``."""
    cm = metrics.classification_metrics(scores, sample.anomaly, threshold)
    return {
        "roc_auc": metrics.roc_auc(scores, sample.anomaly),
        **{k: float(cm[k]) for k in ("f1", "precision", "recall")},
        "threshold": float(threshold),
        "types": per_type_detection(scores > threshold, sample),
    }


def per_service_thresholds(
    scores: np.ndarray, sample: kdd.KDDSample, min_rows: int = MIN_SERVICE_ROWS
) -> tuple[float, dict[int, float]]:
    """A global best-F1 threshold, then, one service at a time (services with ``min_rows``
    rows of each class), the threshold of that service's rows that maximises the overall F1
    with every other row's threshold fixed (one pass of coordinate ascent; a service keeps
    the global threshold unless its own raises the F1).

    Returns
    -------
    ``(global threshold, {service code: threshold})``; a row is flagged when its score is
    above the threshold of its service.
    """
    s = np.asarray(scores, np.float64)
    y = sample.anomaly
    glob = metrics.threshold_best_f1(s, y).value
    service = sample.X[:, _SERVICE].astype(np.int64)
    cut = np.full(len(s), glob)
    own: dict[int, float] = {}
    for code in np.unique(service):
        rows = service == code
        if y[rows].sum() < min_rows or (~y[rows]).sum() < min_rows:
            continue
        flags = (s > cut) & ~rows
        tp_o, fp_o = int(np.sum(flags & y)), int(np.sum(flags & ~y))
        pos, neg = np.sort(s[rows & y]), np.sort(s[rows & ~y])
        cands = np.concatenate([[glob], np.unique(s[rows])])
        tp = tp_o + len(pos) - np.searchsorted(pos, cands, side="right")
        fp = fp_o + len(neg) - np.searchsorted(neg, cands, side="right")
        f1 = 2 * tp / np.maximum(2 * tp + fp + (y.sum() - tp), 1)
        k = int(np.argmax(f1))
        if f1[k] > f1[0] + 1e-12:
            own[int(code)] = float(cands[k])
            cut[rows] = cands[k]
    return glob, own


def service_margin(
    scores: np.ndarray, X_raw: np.ndarray, glob: float, own: dict[int, float]
) -> np.ndarray:
    """``score - threshold of the row's service``: flag where > 0 (float64 ``(n,)``)."""
    service = np.asarray(X_raw)[:, _SERVICE].astype(np.int64)
    cut = np.array([own.get(int(s), glob) for s in service], np.float64)
    return np.asarray(scores, np.float64) - cut


TAIL_GRID = (99.0, 99.9, 100.0)


def tail_rule(scores: np.ndarray, threshold: float, excess: np.ndarray) -> np.ndarray:
    """A model's scores with the per-service byte rule on top: rows whose bytes exceed their
    service's tail (``excess > 0``) are lifted to ``max(score, threshold) + 1 + excess``, so
    at ``threshold`` a row is flagged when the model flags it or the rule does (float64)."""
    s = np.asarray(scores, np.float64)
    return np.where(excess > 0, np.maximum(s, threshold) + 1.0 + excess, s)
