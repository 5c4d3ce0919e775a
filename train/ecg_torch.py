"""Epoch hooks of the ECG training (``on_epoch`` of :func:`train.loop.fit_torch`).

:class:`ValidationCheckpoints` scores validation checkpoints for model selection;
:class:`ReplayRecorder` records the autoencoder's per-epoch test scores for the training replay.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from anomascope import metrics
from anomascope.detectors import detector_class
from train import common


class ValidationCheckpoints:
    """Epoch hook for model selection: scores the validation rows at chosen epochs.

    At every epoch listed in ``epochs`` it copies the module's weights (float32 numpy state),
    builds the numpy detector of ``kind`` from them (the model the browser would load) and
    records its ROC AUC on the validation rows ``X`` float32 ``(n, d)`` / ``anomaly`` bool
    ``(n,)``. A model whose scores are not all finite gets ``None``. One training run of
    ``max(epochs)`` epochs thus yields one candidate per listed epoch count (the weights after
    epoch ``e`` are those of a run of ``e`` epochs with the same seed). Only validation rows are
    ever passed in, so selection cannot see the test split.

    ``records``: ``(epoch, auc | None, state)`` tuples in epoch order.
    """

    def __init__(
        self,
        kind: str,
        architecture: dict[str, Any],
        X: np.ndarray,
        anomaly: np.ndarray,
        epochs: list[int] | tuple[int, ...],
    ) -> None:
        self.kind = kind
        self.architecture = architecture
        self.X = np.ascontiguousarray(X, dtype=np.float32)
        self.anomaly = np.asarray(anomaly, dtype=bool)
        self.epochs = {int(e) for e in epochs}
        self.records: list[tuple[int, float | None, dict[str, np.ndarray]]] = []

    def __call__(self, epoch: int, module: nn.Module) -> None:
        if epoch not in self.epochs:
            return
        state = common.torch_state_to_numpy(module)
        scores = (
            detector_class(self.kind).from_state(self.architecture, state).score_samples(self.X)
        )
        auc = metrics.roc_auc(scores, self.anomaly) if np.isfinite(scores).all() else None
        self.records.append((epoch, auc, state))


class ReplayRecorder:
    """Epoch hook that records the autoencoder's test scores after every epoch.

    :meth:`to_dict` turns them into compact histograms over one fixed set of shared,
    log-spaced bin edges (scores below the first edge count in the first bin, above the last
    edge in the last bin), with normal and abnormal counts and the test ROC AUC per epoch.
    """

    def __init__(self, X: np.ndarray, anomaly: np.ndarray, bins: int = 40) -> None:
        self.X = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
        self.anomaly = np.asarray(anomaly, dtype=bool)
        self.bins = bins
        self.scores: list[np.ndarray] = []

    def __call__(self, epoch: int, module: nn.Module) -> None:
        """Record ``module.score`` (per-row reconstruction MSE) on the test beats."""
        scores: torch.Tensor = module.score(self.X)  # type: ignore[operator]
        self.scores.append(scores.numpy().astype(np.float32))

    def to_dict(self, threshold: float, losses: list[float] | None = None) -> dict[str, Any]:
        """JSON-able replay: ``edges`` (bins + 1, log-spaced), per epoch ``normal``/``abnormal``
        counts, test ``auc`` and (if ``losses`` is given) the mean training ``loss``;
        ``threshold`` is the final model's validation-chosen threshold."""
        if not self.scores:
            raise ValueError("no epochs recorded")
        S = np.stack(self.scores)
        lo = max(float(S.min()), 1e-6)
        hi = max(float(S.max()), lo * 10)
        edges = np.geomspace(lo, hi, self.bins + 1)
        # Bin index per score: clip into [0, bins - 1] so every test beat is counted.
        idx = np.clip(np.searchsorted(edges, S, side="right") - 1, 0, self.bins - 1)
        epochs = []
        for e, row in enumerate(idx):
            epochs.append(
                {
                    "epoch": e + 1,
                    "auc": round(metrics.roc_auc(S[e], self.anomaly), 5),
                    "normal": np.bincount(row[~self.anomaly], minlength=self.bins).tolist(),
                    "abnormal": np.bincount(row[self.anomaly], minlength=self.bins).tolist(),
                }
            )
            if losses is not None:
                epochs[-1]["loss"] = losses[e]
        return {
            "format": "anomascope-replay",
            "version": 1,
            "model": "ecg_autoencoder",
            "split": "test",
            "score": "per-beat mean squared reconstruction error",
            "edges": [float(f"{x:.6g}") for x in edges],
            "edges_scale": "log",
            "n_normal": int((~self.anomaly).sum()),
            "n_abnormal": int(self.anomaly.sum()),
            "threshold": threshold,
            "epochs": epochs,
        }
