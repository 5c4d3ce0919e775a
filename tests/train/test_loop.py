"""The torch training loops of train/: ``train.loop`` (autoencoder, VAE, seq2seq) and the
BiGAN's game in ``train.torch_bigan``, on small synthetic data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from anomascope.detectors.bigan import DEFAULT_ARCHITECTURE as BIGAN_DEFAULTS
from train.loop import fit_torch, reconstruction_mse, train_torch
from train.torch_bigan import BiGANConfig, TorchBiGAN, train_bigan
from train.torch_models import TorchAutoencoder

ARCH: dict[str, Any] = {"input_dim": 6, "encoder_units": [5], "latent_dim": 2}


def rows(n: int = 50, d: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def test_epoch_loss_is_the_mean_over_rows() -> None:
    # lr 0 keeps the weights, so every epoch's loss is the loss of the initial model on all
    # rows, although the last of the 4 batches has only 2 of the 50 rows.
    X = rows()
    torch.manual_seed(0)
    module = TorchAutoencoder(ARCH)
    with torch.no_grad():
        full = float(((module(torch.from_numpy(X)) - torch.from_numpy(X)) ** 2).mean())
    result = fit_torch(module, X, reconstruction_mse, epochs=3, lr=0.0, batch_size=16, seed=0)
    assert result.losses == [pytest.approx(full, abs=2e-6)] * 3
    assert len(result.losses) == 3 and result.seconds > 0


def test_hook_runs_after_each_epoch_in_eval_mode_without_grad() -> None:
    seen: list[tuple[int, bool, bool]] = []

    def hook(epoch: int, module: nn.Module) -> None:
        seen.append((epoch, module.training, torch.is_grad_enabled()))

    result = train_torch(
        "autoencoder", rows(), {"architecture": ARCH, "epochs": 3, "lr": 1e-2}, 16, 0, hook
    )
    assert seen == [(1, False, False), (2, False, False), (3, False, False)]
    assert not result.module.training


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_input_noise_perturbs_inputs_not_targets(noise: float) -> None:
    X = rows()
    batches: list[tuple[torch.Tensor, torch.Tensor]] = []

    def loss_fn(
        m: nn.Module, inputs: torch.Tensor, target: torch.Tensor, gen: torch.Generator
    ) -> torch.Tensor:
        batches.append((inputs, target))
        return reconstruction_mse(m, inputs, target, gen)

    torch.manual_seed(0)
    fit_torch(
        TorchAutoencoder(ARCH),
        X,
        loss_fn,
        epochs=1,
        lr=1e-2,
        batch_size=16,
        seed=0,
        input_noise=noise,
    )
    inputs, targets = (torch.cat(t).numpy() for t in zip(*batches, strict=True))
    # One epoch visits every row once, as the clean target; inputs carry the noise.
    np.testing.assert_array_equal(np.sort(targets, axis=0), np.sort(X, axis=0))
    assert float(np.std(inputs - targets)) == pytest.approx(noise, rel=0.15)


def test_same_seed_same_weights_and_other_seed_differs() -> None:
    cfg = {"architecture": {**ARCH, "beta": 0.5}, "epochs": 2, "lr": 1e-2}
    a, b, c = (train_torch("vae", rows(), cfg, 16, seed) for seed in (4, 4, 5))
    for k in a.state:
        np.testing.assert_array_equal(a.state[k], b.state[k])
    assert a.losses == b.losses
    assert any(not np.array_equal(a.state[k], c.state[k]) for k in a.state)


def test_the_vae_refuses_input_noise() -> None:
    cfg = {"architecture": ARCH, "epochs": 1, "lr": 1e-2, "input_noise": 0.1}
    with pytest.raises(ValueError, match="input_noise"):
        train_torch("vae", rows(), cfg, 16, 0)


def test_bigan_training_reduces_reconstruction_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(256, 4)) @ rng.normal(size=(4, 7))).astype(np.float32)
    X /= X.std(axis=0)
    arch = dict(
        BIGAN_DEFAULTS,
        input_dim=7,
        latent_dim=3,
        encoder_units=[11, 5],
        generator_units=[6],
        discriminator_units=[9, 4],
    )
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        tm = TorchBiGAN(arch)
        cfg = BiGANConfig(epochs=12, batch_size=64, lr=1e-2)
        train_bigan(tm, X, cfg, torch.Generator().manual_seed(3))
        runs.append((tm, cfg.history))
    hist = runs[0][1]
    assert hist[-1]["recon"] < 0.6 * hist[0]["recon"]
    for k, v in runs[0][0].state_dict().items():
        torch.testing.assert_close(v, runs[1][0].state_dict()[k])
