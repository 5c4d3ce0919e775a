"""The train page's part of a model manifest: which pooled beats each set used.

A model trained on the train page draws from both UCR files pooled: pool index i < 500 is
UCR TRAIN row i, i >= 500 is UCR TEST row i - 500. Its manifest lists each set's pool indices
under ``training.rows`` (written by :func:`training_rows`), so the ECG lab can leave the beats a
model was trained or thresholded on out of its metrics (read by :func:`rows_seen_in_training`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError

MAX_POOL_ROWS = 100_000
POOL_NOTE = "index i < 500: UCR TRAIN row i; i >= 500: UCR TEST row i - 500"
#: the replay in a manifest keeps at most this many epochs (spread over the run)
REPLAY_MAX_EPOCHS = 200


def training_rows(splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """The manifest's ``training.rows``: ``{"pool": note, set name: [pool indices]}``."""
    return {"pool": POOL_NOTE, **{k: v[0].tolist() for k, v in splits.items()}}


def rows_seen_in_training(manifest: dict[str, Any]) -> np.ndarray:
    """Pool indices of the beats a model was trained or thresholded on.

    Parameters
    ----------
    manifest : a model manifest. ECG5000 models trained on the train page list their sets'
        pool indices under ``training.rows`` (``train``, ``validation``, ``test``); other
        models have none (and other datasets' models are not read).

    Returns
    -------
    int64 ``(k,)`` sorted unique indices from ``train`` and ``validation`` (empty if none are
    listed). Raises :class:`AnomascopeError` if the lists are not whole numbers in range.
    """
    rows = (manifest.get("training") or {}).get("rows")
    if rows is None or manifest.get("dataset") != "ecg5000":
        return np.zeros(0, np.int64)
    if not isinstance(rows, dict):
        raise AnomascopeError("the manifest's training.rows must be an object")
    seen = []
    for key in ("train", "validation"):
        values = rows.get(key, [])
        if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v < MAX_POOL_ROWS
            for v in values
        ):
            raise AnomascopeError(
                f"the manifest's training.rows.{key} must be a list of row numbers "
                f"from 0 to {MAX_POOL_ROWS - 1}"
            )
        seen.append(np.asarray(values, np.int64))
    return np.unique(np.concatenate(seen))


def replay_counts(
    scores: np.ndarray, labels: np.ndarray, edges: np.ndarray
) -> tuple[list[int], list[int]]:
    """Normal and abnormal scores counted on ``edges`` (scores are clipped into them)."""
    clipped = np.clip(scores, edges[0], edges[-1])
    normal, _ = np.histogram(clipped[~labels], bins=edges)
    abnormal, _ = np.histogram(clipped[labels], bins=edges)
    return normal.tolist(), abnormal.tolist()


def replay_history(
    history: list[dict[str, Any]],
    counts: list[tuple[list[int], list[int]]],
    labels: np.ndarray,
    edges: np.ndarray,
    score: str,
) -> dict[str, Any]:
    """A manifest's ``history``: an ``anomascope-replay`` document (version 1, read by
    :func:`anomascope.lab.parse_replay`) of at most :data:`REPLAY_MAX_EPOCHS` epochs, plus the
    full per-epoch ``train_loss``, ``val_loss`` and ``auc`` lists.

    ``history`` are the session's epoch records, ``counts`` each epoch's test-score
    ``(normal, abnormal)`` counts on log-spaced ``edges``, ``labels`` the test labels.
    """
    n = len(history)
    keep = np.unique(np.linspace(0, n - 1, min(n, REPLAY_MAX_EPOCHS)).round().astype(int))
    return {
        "format": "anomascope-replay",
        "version": 1,
        "split": "test",
        "score": score,
        "edges": np.asarray(edges).tolist(),
        "edges_scale": "log",
        "n_normal": int((~labels).sum()),
        "n_abnormal": int(labels.sum()),
        "threshold": history[-1]["threshold"],
        "epochs": [
            {
                "epoch": history[i]["epoch"],
                "normal": counts[i][0],
                "abnormal": counts[i][1],
                "auc": history[i]["auc"],
                "loss": history[i]["train_loss"],
            }
            for i in keep.tolist()
        ],
        "train_loss": [r["train_loss"] for r in history],
        "val_loss": [r["val_loss"] for r in history],
        "auc": [r["auc"] for r in history],
    }
