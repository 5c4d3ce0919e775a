"""Numpy autoencoder and VAE against the torch modules of ``train/torch_models.py``:
same weights give the same forward pass, loss and gradients (float32)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.vae import VAEDetector
from anomascope.nn import layers
from anomascope.nn.optim import Adam
from anomascope.nn.regularizers import Regularizer
from anomascope.nn.trainer import Trainer
from train.common import torch_state_to_numpy
from train.torch_models import TorchAutoencoder, TorchVAE

RTOL, ATOL = 2e-5, 2e-6

AE_ARCHS: list[dict[str, Any]] = [
    {"input_dim": 20, "encoder_units": [12, 6], "latent_dim": 3},
    {
        "input_dim": 20,
        "encoder_units": [10],
        "latent_dim": 4,
        "decoder_units": [6, 14],
        "activation": "leaky_relu",
        "latent_activation": "tanh",
        "output_activation": "sigmoid",
        "leaky_slope": 0.1,
    },
    {"input_dim": 20, "latent_dim": 5, "activation": "tanh", "output_activation": "linear"},
]
VAE_ARCHS: list[dict[str, Any]] = [
    {"input_dim": 20, "encoder_units": [12], "latent_dim": 3, "beta": 1.0},
    {
        "input_dim": 20,
        "encoder_units": [12, 8],
        "latent_dim": 2,
        "decoder_units": [9],
        "activation": "sigmoid",
        "output_activation": "tanh",
        "beta": 0.25,
    },
]


@pytest.fixture(params=["blas", "einsum"])
def kernel(request: pytest.FixtureRequest):
    layers.set_kernel(request.param)
    yield request.param
    layers.set_kernel("auto")


def data(n: int = 33, d: int = 20, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def torch_grads(module: torch.nn.Module) -> dict[str, np.ndarray]:
    return {k: p.grad.detach().numpy() for k, p in module.named_parameters()}


@pytest.mark.parametrize("arch", AE_ARCHS)
@pytest.mark.parametrize("loss", ["mse", "mae"])
@pytest.mark.usefixtures("kernel")
def test_autoencoder_matches_torch(arch: dict[str, Any], loss: str) -> None:
    torch.manual_seed(0)
    module = TorchAutoencoder(arch)
    det = AutoencoderDetector.from_state(arch, torch_state_to_numpy(module))
    assert set(module.state_dict()) == set(AutoencoderDetector.expected_shapes(arch))
    X = data()
    xt = torch.from_numpy(X)
    with torch.no_grad():
        np.testing.assert_allclose(det.reconstruct(X), module(xt).numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(
            det.score_samples(X), module.score(xt).numpy(), rtol=1e-4, atol=ATOL
        )
    reg = Regularizer(l1=1e-3, l2=1e-2)
    total = module.loss(xt, loss) + module.weight_penalty(reg.l1, reg.l2)
    total.backward()
    value = det.model_.loss_and_grad(X, loss, reg)
    assert value == pytest.approx(float(total.detach()), rel=1e-5)
    ours = det.model_.named_grads()
    for name, g in torch_grads(module).items():
        np.testing.assert_allclose(ours[name], g, rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("arch", VAE_ARCHS)
@pytest.mark.parametrize("loss", ["mse", "mae"])
@pytest.mark.usefixtures("kernel")
def test_vae_matches_torch(arch: dict[str, Any], loss: str) -> None:
    torch.manual_seed(1)
    module = TorchVAE(arch)
    det = VAEDetector.from_state(arch, torch_state_to_numpy(module))
    assert set(module.state_dict()) == set(VAEDetector.expected_shapes(arch))
    X = data(seed=1)
    eps = (
        np.random.default_rng(2)
        .standard_normal((X.shape[0], arch["latent_dim"]))
        .astype(np.float32)
    )
    xt = torch.from_numpy(X)
    with torch.no_grad():
        mu, logvar = det.model_.encode(X)
        tmu, tlogvar = module.encode(xt)
        np.testing.assert_allclose(mu, tmu.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(logvar, tlogvar.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(
            det.reconstruct(X), module.decode(tmu).numpy(), rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(
            det.score_samples(X), module.score(xt).numpy(), rtol=1e-4, atol=ATOL
        )
    total = module.loss(xt, torch.from_numpy(eps), loss) + module.weight_penalty(0.0, 1e-2)
    total.backward()
    value = det.model_.loss_and_grad(X, loss, Regularizer(l2=1e-2), eps=eps)
    assert value == pytest.approx(float(total.detach()), rel=1e-5)
    ours = det.model_.named_grads()
    for name, g in torch_grads(module).items():
        np.testing.assert_allclose(ours[name], g, rtol=1e-4, atol=1e-6, err_msg=name)


def test_adam_training_matches_torch() -> None:
    """Trainer + Adam + gradients: three full-batch steps land on torch's weights."""
    arch = AE_ARCHS[1]
    torch.manual_seed(2)
    module = TorchAutoencoder(arch)
    det = AutoencoderDetector.from_state(arch, torch_state_to_numpy(module))
    X = data(n=40, seed=3)
    model = det.model_
    trainer = Trainer(
        model,
        Adam(model.params, lr=0.01),
        batch_size=40,
        rng=np.random.default_rng(0),
        shuffle=False,
    )
    trainer.train_steps(X, 3)
    topt = torch.optim.Adam(module.parameters(), lr=0.01)
    for _ in range(3):
        topt.zero_grad()
        module.loss(torch.from_numpy(X)).backward()
        topt.step()
    theirs = torch_state_to_numpy(module)
    for name, arr in model.state_dict().items():
        np.testing.assert_allclose(arr, theirs[name], rtol=1e-4, atol=1e-5, err_msg=name)
