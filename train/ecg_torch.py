"""PyTorch training loops for the ECG models, and the per-epoch "training replay" recorder.

Each ``train_*`` function seeds torch from ``seed`` itself (weight init) and draws batch order
and noise from its own seeded ``torch.Generator``, so a model's weights depend only on its
data, its config and the seed, not on what was trained before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from anomascope import metrics
from anomascope.detectors import detector_class
from train import common
from train.torch_seq2seq import TorchSeq2Seq

EpochHook = Callable[[int, nn.Module], None]


@dataclass
class TrainResult:
    """A trained model: float32 numpy state dict, mean training loss per epoch, and wall
    seconds of training (excluding the time spent in ``on_epoch`` hooks)."""

    module: nn.Module
    state: dict[str, np.ndarray]
    losses: list[float]
    seconds: float


def fit_torch(
    module: nn.Module,
    X: np.ndarray,
    loss_fn: Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor],
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    weight_decay: float = 0.0,
    input_noise: float = 0.0,
    clip_grad_norm: float | None = None,
    on_epoch: EpochHook | None = None,
) -> TrainResult:
    """Minibatch Adam on rows ``X`` float32 ``(n, d)``.

    ``loss_fn(module, inputs, targets, generator)`` returns the scalar loss (``generator`` is
    the run's seeded generator, for any sampling inside the loss); ``inputs`` are ``targets``
    plus Gaussian noise of std ``input_noise`` (a denoising autoencoder) when it is > 0.
    ``on_epoch(epoch, module)`` runs after every epoch (1-based), in eval mode, without grad;
    its time is not counted in ``TrainResult.seconds``.
    """
    gen = common.torch_generator(seed)
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    opt = torch.optim.Adam(module.parameters(), lr=lr, weight_decay=weight_decay)
    losses: list[float] = []
    hook_seconds = 0.0
    with common.Timer() as timer:
        for epoch in range(1, epochs + 1):
            module.train()
            perm = torch.randperm(len(data), generator=gen)
            total = 0.0
            for start in range(0, len(perm), batch_size):
                target = data[perm[start : start + batch_size]]
                inputs = target
                if input_noise > 0:
                    inputs = target + input_noise * torch.randn(target.shape, generator=gen)
                loss = loss_fn(module, inputs, target, gen)
                opt.zero_grad()
                loss.backward()
                if clip_grad_norm:
                    nn.utils.clip_grad_norm_(module.parameters(), clip_grad_norm)
                opt.step()
                total += float(loss.detach()) * len(target)
            losses.append(round(total / len(data), 6))
            if on_epoch is not None:
                module.eval()
                with common.Timer() as hook, torch.no_grad():
                    on_epoch(epoch, module)
                hook_seconds += hook.seconds
    module.eval()
    seconds = timer.seconds - hook_seconds
    return TrainResult(module, common.torch_state_to_numpy(module), losses, seconds)


def _mse(
    module: nn.Module, inputs: torch.Tensor, target: torch.Tensor, gen: torch.Generator
) -> torch.Tensor:
    return ((module(inputs) - target) ** 2).mean()


def build_autoencoder(architecture: dict[str, Any]) -> nn.Module:
    """The torch autoencoder for an architecture dict (naming contract of the numpy side)."""
    from train.torch_models import TorchAutoencoder

    return TorchAutoencoder(architecture)


def build_vae(architecture: dict[str, Any]) -> nn.Module:
    """The torch VAE for an architecture dict (naming contract of the numpy side)."""
    from train.torch_models import TorchVAE

    return TorchVAE(architecture)


def train_autoencoder(
    X: np.ndarray,
    cfg: dict[str, Any],
    batch_size: int,
    seed: int,
    on_epoch: EpochHook | None = None,
) -> TrainResult:
    """Train the dense autoencoder on normal beats ``X`` (MSE, optional input noise)."""
    torch.manual_seed(seed)
    module = build_autoencoder(cfg["architecture"])
    return fit_torch(
        module,
        X,
        _mse,
        epochs=cfg["epochs"],
        lr=cfg["lr"],
        batch_size=batch_size,
        seed=seed,
        weight_decay=cfg.get("weight_decay", 0.0),
        input_noise=cfg.get("input_noise", 0.0),
        on_epoch=on_epoch,
    )


def train_vae(
    X: np.ndarray,
    cfg: dict[str, Any],
    batch_size: int,
    seed: int,
    on_epoch: EpochHook | None = None,
) -> TrainResult:
    """Train the VAE with ``TorchVAE.loss`` (reconstruction MSE + ``beta`` x KL, both per
    element, as the numpy VAE); the reparameterisation noise comes from the seeded generator."""
    torch.manual_seed(seed)
    module = build_vae(cfg["architecture"])
    latent = int(cfg["architecture"]["latent_dim"])

    def loss_fn(
        m: nn.Module, inputs: torch.Tensor, target: torch.Tensor, gen: torch.Generator
    ) -> torch.Tensor:
        eps = torch.randn((len(inputs), latent), generator=gen)
        loss: torch.Tensor = m.loss(inputs, eps)  # type: ignore[operator]
        return loss

    return fit_torch(
        module,
        X,
        loss_fn,
        epochs=cfg["epochs"],
        lr=cfg["lr"],
        batch_size=batch_size,
        seed=seed,
        weight_decay=cfg.get("weight_decay", 0.0),
        on_epoch=on_epoch,
    )


def train_seq2seq(
    X: np.ndarray,
    cfg: dict[str, Any],
    batch_size: int,
    seed: int,
    on_epoch: EpochHook | None = None,
) -> TrainResult:
    """Train the seq2seq LSTM autoencoder (MSE, gradient-norm clipping)."""
    torch.manual_seed(seed)
    module = TorchSeq2Seq.from_architecture(cfg["architecture"])
    return fit_torch(
        module,
        X,
        _mse,
        epochs=cfg["epochs"],
        lr=cfg["lr"],
        batch_size=batch_size,
        seed=seed,
        clip_grad_norm=cfg.get("clip_grad_norm"),
        on_epoch=on_epoch,
    )


#: The torch trainer of each detector kind (same signature).
TRAINERS: dict[str, Callable[..., TrainResult]] = {
    "autoencoder": train_autoencoder,
    "vae": train_vae,
    "seq2seq": train_seq2seq,
}


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

    def __init__(self, X: np.ndarray, anomaly: np.ndarray, y: np.ndarray, bins: int = 40) -> None:
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
