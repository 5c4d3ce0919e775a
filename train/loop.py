"""The one torch training loop of ``train/``: minibatch Adam for the reconstruction models.

:func:`train_torch` builds the torch twin of a detector kind (``autoencoder``, ``vae``,
``seq2seq``) and fits it with :func:`fit_torch`; ``train/ecg.py`` (model selection, final
runs) and ``train/kdd.py`` (dense detectors) both train through it. The BiGAN's two-player game
has its own loop in ``train/torch_bigan.py``.

Reproducibility: :func:`train_torch` seeds torch with ``seed`` itself (weight init) and draws
batch order, input noise and VAE noise from one ``torch.Generator`` seeded with ``seed``, so a
model's weights depend only on its data, its config and the seed, not on what was trained
before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from train import common
from train.torch_models import TorchAutoencoder, TorchVAE
from train.torch_seq2seq import TorchSeq2Seq

EpochHook = Callable[[int, nn.Module], None]
LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor]


@dataclass
class TrainResult:
    """A trained model: float32 numpy state dict, mean training loss per epoch (over rows,
    rounded to 6 decimals), and wall seconds of training (excluding ``on_epoch`` hooks)."""

    module: nn.Module
    state: dict[str, np.ndarray]
    losses: list[float]
    seconds: float


def fit_torch(
    module: nn.Module,
    X: np.ndarray,
    loss_fn: LossFn,
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
    """Minibatch Adam on rows ``X`` float32 ``(n, d)``, in a seeded random order per epoch.

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
    return TrainResult(
        module, common.torch_state_to_numpy(module), losses, timer.seconds - hook_seconds
    )


def reconstruction_mse(
    module: nn.Module, inputs: torch.Tensor, target: torch.Tensor, gen: torch.Generator
) -> torch.Tensor:
    """Mean over every element of ``(module(inputs) - target) ** 2`` (``gen`` is unused)."""
    return ((module(inputs) - target) ** 2).mean()


def vae_loss(
    module: nn.Module, inputs: torch.Tensor, target: torch.Tensor, gen: torch.Generator
) -> torch.Tensor:
    """``TorchVAE.loss`` of ``target`` (reconstruction MSE + ``beta`` x KL, both per element,
    as the numpy VAE), with the reparameterisation noise drawn from ``gen``. ``inputs`` are
    ignored: :func:`train_torch` refuses input noise for the VAE."""
    assert isinstance(module, TorchVAE)
    eps = torch.randn((len(target), module.fc_mu.out_features), generator=gen)
    return module.loss(target, eps)


#: Per kind: the torch module built from an architecture dict, and its training loss.
MODELS: dict[str, tuple[Callable[[dict[str, Any]], nn.Module], LossFn]] = {
    "autoencoder": (TorchAutoencoder, reconstruction_mse),
    "vae": (TorchVAE, vae_loss),
    "seq2seq": (TorchSeq2Seq.from_architecture, reconstruction_mse),
}


def train_torch(
    kind: str,
    X: np.ndarray,
    cfg: dict[str, Any],
    batch_size: int,
    seed: int,
    on_epoch: EpochHook | None = None,
) -> TrainResult:
    """Build the torch model of ``kind`` from ``cfg["architecture"]`` and train it on ``X``.

    ``cfg`` keys: ``architecture``, ``epochs``, ``lr``, and optionally ``weight_decay``,
    ``input_noise`` (autoencoder and seq2seq only) and ``clip_grad_norm``; see
    :func:`fit_torch` for them and for ``on_epoch``.
    """
    build, loss_fn = MODELS[kind]
    input_noise = float(cfg.get("input_noise", 0.0))
    if input_noise and kind == "vae":
        raise ValueError("input_noise is not supported for the VAE")
    torch.manual_seed(seed)
    module = build(cfg["architecture"])
    return fit_torch(
        module,
        X,
        loss_fn,
        epochs=int(cfg["epochs"]),
        lr=float(cfg["lr"]),
        batch_size=batch_size,
        seed=seed,
        weight_decay=float(cfg.get("weight_decay", 0.0)),
        input_noise=input_noise,
        clip_grad_norm=cfg.get("clip_grad_norm"),
        on_epoch=on_epoch,
    )
