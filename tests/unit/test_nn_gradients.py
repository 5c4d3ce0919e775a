"""Gradient checks (float64, central differences) for the numpy engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest

from anomascope.nn import layers
from anomascope.nn.activations import ACTIVATIONS, activate, backward_
from anomascope.nn.layers import Dense, init_linear_
from anomascope.nn.losses import LOSSES, loss_grad, loss_value, residual_
from anomascope.nn.models import VAE, Autoencoder
from anomascope.nn.regularizers import Regularizer

H = 1e-6


def numeric_grad(f: Callable[[], float], x: np.ndarray) -> np.ndarray:
    """Central differences of ``f()`` with respect to every element of ``x`` (in place)."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + H
        fp = f()
        flat[i] = old - H
        fm = f()
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * H)
    return g


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal samples with |x| >= 0.05 (kinks of relu / leaky relu / abs stay out of reach)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.05, 0.05 * np.sign(x) + 0.05 * (x == 0), x)


@pytest.fixture(params=["blas", "einsum"])
def kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    layers.set_kernel(request.param)
    yield request.param
    layers.set_kernel("auto")


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradient(name: str) -> None:
    rng = np.random.default_rng(0)
    z = away_from_zero(rng, (5, 7))
    w = rng.standard_normal(z.shape)
    analytic = backward_(w.copy(), activate(z, name, 0.2), name, 0.2)
    numeric = numeric_grad(lambda: float((activate(z, name, 0.2) * w).sum()), z)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_activation_values() -> None:
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(activate(z, "relu"), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(activate(z, "leaky_relu", 0.1), [-0.2, -0.05, 0, 0.5, 2])
    np.testing.assert_allclose(activate(z, "sigmoid"), 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(activate(z, "tanh"), np.tanh(z))
    big = activate(np.array([-1000.0, 1000.0], dtype=np.float32), "sigmoid")
    np.testing.assert_array_equal(big, [0.0, 1.0])


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_dense_gradient(act: str, kernel: str) -> None:
    rng = np.random.default_rng(1)
    n, fin, fout = 6, 5, 4
    W, b = np.empty((fout, fin)), np.empty(fout)
    init_linear_(W, b, rng)
    dW, db = np.empty_like(W), np.empty_like(b)
    layer = Dense(W, b, dW, db, act, slope=0.1)
    x = rng.standard_normal((n, fin))
    w = rng.standard_normal((n, fout))

    def f() -> float:
        return float((layer.forward(x) * w).sum())

    y = layer.forward(x)
    dx = layer.backward(w.copy(), x, y)
    assert dx is not None
    for analytic, param in ((dW.copy(), W), (db.copy(), b), (dx, x)):
        np.testing.assert_allclose(analytic, numeric_grad(f, param), rtol=1e-5, atol=1e-8)
    # the first layer skips its input gradient
    assert layer.backward(w.copy(), x, layer.forward(x), need_dx=False) is None


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradient(name: str) -> None:
    rng = np.random.default_rng(2)
    target = rng.standard_normal((4, 6))
    pred = target + away_from_zero(rng, (4, 6))
    numeric = numeric_grad(lambda: loss_value(name, pred, target), pred)
    np.testing.assert_allclose(loss_grad(name, pred, target), numeric, rtol=1e-6, atol=1e-9)
    # the fused form gives the same value and gradient
    delta = pred - target
    value, factor = residual_(name, delta)
    assert value == pytest.approx(loss_value(name, pred, target), rel=1e-12)
    np.testing.assert_allclose(factor * delta, loss_grad(name, pred, target), rtol=1e-12)


def test_loss_values() -> None:
    pred, target = np.array([[1.0, 2.0], [3.0, 5.0]]), np.zeros((2, 2))
    assert loss_value("mse", pred, target) == pytest.approx((1 + 4 + 9 + 25) / 4)
    assert loss_value("mae", pred, target) == pytest.approx((1 + 2 + 3 + 5) / 4)


@pytest.mark.parametrize("l1,l2", [(0.3, 0.0), (0.0, 0.2), (0.05, 0.7)])
def test_regularizer_gradient(l1: float, l2: float) -> None:
    rng = np.random.default_rng(3)
    W = away_from_zero(rng, (3, 5))
    reg = Regularizer(l1=l1, l2=l2)
    assert reg.penalty(W) == pytest.approx(l1 * np.abs(W).sum() + l2 * (W**2).sum())
    g = np.zeros_like(W)
    reg.add_grad_(W, g)
    np.testing.assert_allclose(g, numeric_grad(lambda: reg.penalty(W), W), rtol=1e-6, atol=1e-9)


def _check_model_gradient(model: Autoencoder | VAE, f: Callable[[], float]) -> None:
    f()
    analytic = model.grads.copy()
    numeric = numeric_grad(f, model.params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


AE_CASES = [
    ({"encoder_units": [5], "latent_dim": 3}, "mse", None),
    (
        {
            "encoder_units": [6, 4],
            "latent_dim": 2,
            "decoder_units": [5],
            "activation": "tanh",
            "latent_activation": "leaky_relu",
            "output_activation": "sigmoid",
            "leaky_slope": 0.2,
        },
        "mse",
        Regularizer(l1=0.01, l2=0.02),
    ),
    ({"latent_dim": 3, "activation": "leaky_relu", "output_activation": "tanh"}, "mae", None),
    (
        {"encoder_units": [4], "latent_dim": 2, "activation": "sigmoid", "decoder_units": []},
        "mae",
        Regularizer(l2=0.1),
    ),
]


@pytest.mark.parametrize("arch,loss,reg", AE_CASES)
def test_autoencoder_gradient(arch: dict, loss: str, reg: Regularizer | None, kernel: str) -> None:
    rng = np.random.default_rng(4)
    model = Autoencoder({"input_dim": 7, **arch}, rng, dtype=np.float64)
    X = rng.standard_normal((9, 7))
    _check_model_gradient(model, lambda: model.loss_and_grad(X, loss, reg))


def test_regularizer_leaves_biases_alone() -> None:
    rng = np.random.default_rng(5)
    model = Autoencoder({"input_dim": 6, "encoder_units": [4], "latent_dim": 2}, rng, np.float64)
    X = rng.standard_normal((5, 6))
    base = model.loss_and_grad(X)
    g0 = model.grads.copy()
    reg = Regularizer(l1=0.1, l2=0.1)
    assert model.loss_and_grad(X, regularizer=reg) == pytest.approx(
        base + reg.penalty(model.weights)
    )
    diff = model.grads - g0
    assert np.all(diff[model.n_weights :] == 0)
    assert np.all(diff[: model.n_weights] != 0)


VAE_CASES = [
    ({"encoder_units": [5], "latent_dim": 2, "beta": 1.0}, "mse", None),
    (
        {
            "encoder_units": [6, 4],
            "latent_dim": 3,
            "decoder_units": [5, 4],
            "activation": "tanh",
            "output_activation": "sigmoid",
            "beta": 0.3,
        },
        "mae",
        Regularizer(l1=0.01, l2=0.01),
    ),
    ({"encoder_units": [], "latent_dim": 2, "activation": "leaky_relu", "beta": 2.0}, "mse", None),
]


@pytest.mark.parametrize("arch,loss,reg", VAE_CASES)
def test_vae_gradient(arch: dict, loss: str, reg: Regularizer | None, kernel: str) -> None:
    rng = np.random.default_rng(6)
    model = VAE({"input_dim": 7, **arch}, rng, dtype=np.float64)
    X = rng.standard_normal((8, 7))
    eps = rng.standard_normal((8, arch["latent_dim"]))
    _check_model_gradient(model, lambda: model.loss_and_grad(X, loss, reg, eps=eps))


def test_vae_loss_value() -> None:
    """The documented loss: (sum err^2 + beta * sum KL) / (n * d)."""
    rng = np.random.default_rng(7)
    model = VAE(
        {"input_dim": 4, "encoder_units": [3], "latent_dim": 2, "beta": 0.5}, rng, np.float64
    )
    X = rng.standard_normal((5, 4))
    eps = rng.standard_normal((5, 2))
    mu, logvar = model.encode(X)
    recon = model.decode(mu + np.exp(0.5 * logvar) * eps)
    kl = -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar))
    expected = (np.sum((recon - X) ** 2) + 0.5 * kl) / X.size
    assert model.loss_and_grad(X, eps=eps) == pytest.approx(expected, rel=1e-12)
