"""Computations behind the ECG lab page (numpy only): the threshold explorer's curves and
presets, the training replay's format, layer sizes and the explainer's tendency. The drawing
pad's rule lives in :mod:`anomascope.drawing`.

:mod:`anomascope.api` validates page input and keeps caches; this module only computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.metrics import (
    ScoreIndex,
    roc_auc,
    roc_curve,
    score_histograms,
    threshold_contamination,
    threshold_mean_std,
)

HISTOGRAM_BINS = 60


class Explorer:
    """Scores and labels of one evaluation set, indexed once for fast threshold moves.

    Parameters
    ----------
    scores : ndarray, shape (n,), float
    labels : ndarray, shape (n,), bool (True = anomaly)
    classes : ndarray, shape (n,), int, optional: the true class of each row
    rows : ndarray, shape (n, 2), int, optional: where each row comes from (the caller's
        split code and the row's index in that split)
    """

    def __init__(
        self,
        scores: np.ndarray,
        labels: np.ndarray,
        classes: np.ndarray | None = None,
        rows: np.ndarray | None = None,
    ) -> None:
        self.scores = np.asarray(scores, dtype=np.float64)
        self.labels = np.asarray(labels, dtype=bool)
        self.classes = None if classes is None else np.asarray(classes, dtype=np.int64)
        self.rows = None if rows is None else np.asarray(rows, dtype=np.int64)
        self.index = ScoreIndex(self.scores, self.labels)

    def at(self, threshold: float) -> dict[str, Any]:
        """Counts (ints) and rates (floats) at one threshold."""
        out = self.index.at(np.asarray([threshold], dtype=np.float64))
        return {k: (float(v[0]) if v.dtype.kind == "f" else int(v[0])) for k, v in out.items()}

    def per_class(self, threshold: float, names: dict[int, str]) -> list[dict[str, Any]]:
        """For each abnormal class (every class but 1): ``{"class", "name", "n", "caught",
        "recall"}`` at ``threshold`` (recall NaN for a class with no rows)."""
        if self.classes is None:
            return []
        flagged = self.scores > threshold
        out = []
        for c in sorted(names):
            if c == 1:
                continue
            rows = self.classes == c
            n, caught = int(rows.sum()), int((flagged & rows).sum())
            recall = caught / n if n else float("nan")
            out.append({"class": c, "name": names[c], "n": n, "caught": caught, "recall": recall})
        return out

    def cell(self, threshold: float, cell: str) -> np.ndarray:
        """Positions (int64, ascending) of the rows in one confusion-matrix cell at
        ``threshold``: ``"tp"``, ``"fp"``, ``"tn"`` or ``"fn"``."""
        flagged = self.scores > threshold
        truth = {"tp": self.labels, "fn": self.labels, "fp": ~self.labels, "tn": ~self.labels}
        verdict = {"tp": flagged, "fp": flagged, "fn": ~flagged, "tn": ~flagged}
        return np.flatnonzero(truth[cell] & verdict[cell])

    def summary(self) -> dict[str, Any]:
        """Histogram (normal vs abnormal), ROC curve, AUC and the score range.

        The histogram uses log-spaced bins when every score is positive (reconstruction errors
        span decades); ``log`` says which. ``roc_fpr`` / ``roc_tpr``: float32 ``(k,)``.
        """
        s, y = self.scores, self.labels
        log = bool(s.size and s.min() > 0)
        if log:
            h = score_histograms(np.log10(s), y, bins=HISTOGRAM_BINS)
            edges = 10.0 ** np.asarray(h["edges"], dtype=np.float64)
        else:
            h = score_histograms(s, y, bins=HISTOGRAM_BINS)
            edges = np.asarray(h["edges"], dtype=np.float64)
        n_pos = int(y.sum())
        two_classes = 0 < n_pos < y.size
        if two_classes:
            fpr, tpr, _ = roc_curve(s, y)
            auc: float | None = roc_auc(s, y)
        else:
            fpr = tpr = np.zeros(0)
            auc = None
        return {
            "n": int(y.size),
            "n_anomalies": n_pos,
            "all_normal_accuracy": float(1.0 - n_pos / y.size) if y.size else 0.0,
            "min": float(s.min()),
            "max": float(s.max()),
            "log": log,
            "edges": edges,
            "normal": np.asarray(h["normal"], dtype=np.int32),
            "abnormal": np.asarray(h["abnormal"], dtype=np.int32),
            "roc_fpr": fpr.astype(np.float32),
            "roc_tpr": tpr.astype(np.float32),
            "auc": auc,
        }


def preset(
    rule: str,
    validation_scores: np.ndarray,
    validation_labels: np.ndarray,
    manifest_threshold: dict[str, Any],
    param: float | None = None,
) -> dict[str, Any]:
    """One threshold preset computed on validation rows, never on the test split.

    Parameters
    ----------
    rule : {"model", "contamination", "mean_k_std"}
        ``model``: the threshold stored in the model's manifest (chosen offline, usually best
        F1 on the training helper's validation split). ``contamination``: flag a fraction
        ``param`` (0..1, default = the share of abnormal validation rows) of validation rows.
        ``mean_k_std``: mean + ``param`` (default 3) standard deviations of the normal
        validation scores.
    validation_scores : ndarray, shape (m,)
    validation_labels : ndarray, shape (m,), bool (True = anomaly)
    manifest_threshold : dict
        The manifest's ``threshold`` field ``{"value", "rule", "details"}``.

    Returns
    -------
    dict
        ``{"rule", "value", "param", "details"}``.
    """
    s = np.asarray(validation_scores, dtype=np.float64)
    y = np.asarray(validation_labels, dtype=bool)
    if rule == "model":
        return {
            "rule": "model",
            "value": float(manifest_threshold.get("value", 0.0)),
            "param": None,
            "details": {
                "manifest_rule": manifest_threshold.get("rule"),
                **_plain(manifest_threshold.get("details", {})),
            },
        }
    if rule == "contamination":
        rate = float(y.mean()) if param is None else float(param)
        if not 0.0 < rate < 1.0:
            raise AnomascopeError(
                f"The contamination rate must be between 0 and 100 percent (got {rate * 100:g} %)"
            )
        choice = threshold_contamination(s, rate)
        flagged = int(np.count_nonzero(s > choice.value))
        details = {**choice.details, "flagged": flagged, "abnormal_share": float(y.mean())}
        return {"rule": rule, "value": choice.value, "param": rate, "details": details}
    if rule == "mean_k_std":
        k = 3.0 if param is None else float(param)
        if not 0.0 <= k <= 20.0:
            raise AnomascopeError(f"The multiplier k must be between 0 and 20 (got {k:g})")
        choice = threshold_mean_std(s, y, k)
        return {"rule": rule, "value": choice.value, "param": k, "details": choice.details}
    raise AnomascopeError(f"unknown preset {rule!r}; known: model, contamination, mean_k_std")


def _plain(details: Any) -> dict[str, Any]:
    """Scalar entries of a manifest's details (numbers and strings only)."""
    if not isinstance(details, dict):
        return {}
    return {str(k): v for k, v in details.items() if isinstance(v, int | float | str)}


def parse_replay(document: Any, name: str = "history") -> dict[str, Any]:
    """Validate an exported training history (format ``anomascope-replay`` version 1).

    The training helper writes, per epoch, the test-score histograms of normal and abnormal
    beats over shared ``edges`` plus the epoch's test AUC and training loss.

    Returns
    -------
    dict
        ``edges`` float64 ``(B + 1,)``, ``normal`` / ``abnormal`` int32 ``(E, B)``, ``auc`` and
        ``loss`` float64 ``(E,)`` (NaN where missing), ``epoch`` int32 ``(E,)``, ``threshold``,
        ``log`` (bool), ``split``, ``score``.
    """
    if not isinstance(document, dict) or document.get("format") != "anomascope-replay":
        raise AnomascopeError(f"{name}: not an Anomascope training history")
    if document.get("version") != 1:
        raise AnomascopeError(f"{name}: unknown history version {document.get('version')!r}")
    epochs = document.get("epochs")
    if not isinstance(epochs, list) or not epochs:
        raise AnomascopeError(f"{name}: the history has no epochs")
    try:
        edges = np.asarray(document["edges"], dtype=np.float64)
        bins = edges.size - 1
        lengths = {len(e["normal"]) for e in epochs} | {len(e["abnormal"]) for e in epochs}
        if lengths != {bins}:
            raise AnomascopeError(
                f"{name}: every epoch needs {bins} normal and {bins} abnormal counts"
            )
        normal = np.asarray([e["normal"] for e in epochs], dtype=np.int64)
        abnormal = np.asarray([e["abnormal"] for e in epochs], dtype=np.int64)
        epoch = np.asarray([e.get("epoch", i + 1) for i, e in enumerate(epochs)], dtype=np.int64)
        auc = np.asarray([np.nan if e.get("auc") is None else e["auc"] for e in epochs], np.float64)
        loss = np.asarray(
            [np.nan if e.get("loss") is None else e["loss"] for e in epochs], np.float64
        )
        threshold = float(document.get("threshold", np.nan))
    except AnomascopeError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AnomascopeError(f"{name}: damaged history ({type(exc).__name__}: {exc})") from None
    if edges.ndim != 1 or bins < 1 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise AnomascopeError(f"{name}: histogram edges must be increasing finite numbers")
    if normal.shape != (len(epochs), bins) or abnormal.shape != normal.shape:
        raise AnomascopeError(f"{name}: every epoch needs {bins} normal and {bins} abnormal counts")
    if normal.min() < 0 or abnormal.min() < 0:
        raise AnomascopeError(f"{name}: histogram counts must not be negative")
    return {
        "edges": edges,
        "normal": normal.astype(np.int32),
        "abnormal": abnormal.astype(np.int32),
        "epoch": epoch.astype(np.int32),
        "auc": auc,
        "loss": loss,
        "threshold": threshold if np.isfinite(threshold) else None,
        "log": document.get("edges_scale") == "log" and bool(edges[0] > 0),
        "split": str(document.get("split", "test")),
        "score": str(document.get("score", "anomaly score")),
    }


def layer_sizes(kind: str, architecture: dict[str, Any]) -> list[dict[str, Any]]:
    """The active model drawn as columns of units: ``[{"units": int, "label": str}, ...]``.

    Dense autoencoders and VAEs list every Linear layer's width; PCA is input -> components
    -> input; the sequence model is described by its LSTM state size per step.
    """
    a = architecture
    if kind in ("autoencoder", "vae") and "encoder_units" in a:
        d = int(a["input_dim"])
        enc = [int(u) for u in a["encoder_units"]]
        dec = [int(u) for u in a.get("decoder_units", enc[::-1])]
        latent = int(a["latent_dim"])
        mid = "latent (mean)" if kind == "vae" else "latent"
        return (
            [{"units": d, "label": "input"}]
            + [{"units": u, "label": "encoder"} for u in enc]
            + [{"units": latent, "label": mid}]
            + [{"units": u, "label": "decoder"} for u in dec]
            + [{"units": d, "label": "output"}]
        )
    if kind == "pca" and "n_components" in a:
        d = int(a["input_dim"])
        k = int(a["n_components"])
        return [
            {"units": d, "label": "input"},
            {"units": k, "label": "components"},
            {"units": d, "label": "output"},
        ]
    if kind == "seq2seq" and "hidden_size" in a:
        n, p, h = int(a["seq_len"]), int(a["patch"]), int(a["hidden_size"])
        return [
            {"units": n, "label": f"input ({n // p} steps of {p})"},
            {"units": h, "label": "encoder LSTM state"},
            {"units": h, "label": "decoder LSTM state"},
            {"units": n, "label": "output"},
        ]
    return []


def tendency(
    X: np.ndarray, recon: np.ndarray, scores: np.ndarray, mean_normal: np.ndarray
) -> dict[str, Any]:
    """Does the model pull abnormal beats towards the mean normal beat?

    Parameters
    ----------
    X, recon : ndarray, shape (n, d), the abnormal beats and their reconstructions
    scores : ndarray, shape (n,)
    mean_normal : ndarray, shape (d,), mean of the normal training beats

    Returns
    -------
    dict
        ``closer_to_mean``: share of beats whose reconstruction is nearer (MSE) to the mean
        normal beat than to the beat itself; ``example``: the beat with the median score, its
        reconstruction and both distances.
    """
    to_mean = np.mean((recon - mean_normal) ** 2, axis=1)
    to_input = np.mean((recon - X) ** 2, axis=1)
    k = int(np.argsort(scores)[scores.size // 2])
    return {
        "n": int(scores.size),
        "closer_to_mean": float(np.mean(to_mean < to_input)),
        "example_beat": X[k],
        "example_reconstruction": recon[k],
        "example_to_mean": float(to_mean[k]),
        "example_to_input": float(to_input[k]),
        "example_index": k,
    }


def class_means(X: np.ndarray, y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Mean row of each class in ``classes`` (zeros for a class with no rows), float32
    ``(len(classes), d)``."""
    return np.stack(
        [X[y == c].mean(axis=0) if (y == c).any() else np.zeros(X.shape[1]) for c in classes]
    ).astype(np.float32)


def best_epoch(epochs: np.ndarray, auc: np.ndarray) -> int | None:
    """The epoch with the highest test AUC in a training history (``None`` if no epoch has
    one); NaN AUCs (undefined) are skipped."""
    auc = np.asarray(auc, dtype=np.float64)
    if not np.isfinite(auc).any():
        return None
    return int(np.asarray(epochs)[int(np.nanargmax(np.where(np.isfinite(auc), auc, np.nan)))])
