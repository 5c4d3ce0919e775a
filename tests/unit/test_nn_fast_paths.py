"""The speed paths of the numpy engine give the same numbers as the plain ones: the sigmoid
through ``exp``, the ``matmul`` kernel for tiny layers, and the in-place scoring."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.base import ReconstructionDetector
from anomascope.detectors.vae import VAEDetector
from anomascope.nn import VAE, Autoencoder, layers
from anomascope.nn.activations import activate_


@pytest.fixture(params=["einsum", "blas"])
def kernel(request):
    layers.set_kernel(request.param)
    yield request.param
    layers.set_kernel("auto")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_matches_the_logistic_function_and_its_limits(dtype):
    z = np.array([-1e4, -800.0, -100.0, -20.0, -1.0, 0.0, 0.5, 20.0, 100.0, 1e4], dtype=dtype)
    expected = 0.5 * (1.0 + np.tanh(z.astype(np.float64) / 2))
    with np.errstate(all="raise"):  # the overflow of exp(-z) is expected and silenced
        out = activate_(z.copy(), "sigmoid")
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-30)
    assert out[0] == 0.0 and out[-1] == 1.0
    assert np.isnan(activate_(np.array([np.nan], dtype), "sigmoid"))[0]


@pytest.mark.parametrize("n, k, m", [(512, 7, 3), (64, 3, 2), (33, 2, 8), (40, 140, 7)])
def test_kernels_agree_with_float64_products(kernel, n, k, m):
    rng = np.random.default_rng(n + k + m)
    a = rng.standard_normal((n, k)).astype(np.float32)
    b = rng.standard_normal((m, k)).astype(np.float32)
    g = rng.standard_normal((n, m)).astype(np.float32)
    a64, b64, g64 = (x.astype(np.float64) for x in (a, b, g))
    np.testing.assert_allclose(layers.matmul_nt(a, b), a64 @ b64.T, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layers.matmul_tn(g, a), g64.T @ a64, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(layers.matmul_nn(g, b), g64 @ b64, rtol=1e-4, atol=1e-4)
    out = np.empty((n, m), np.float32)
    assert layers.matmul_nt(a, b, out=out) is out


@pytest.mark.parametrize("cls", [Autoencoder, VAE])
def test_reconstruction_errors_equal_the_plain_score(kernel, cls):
    arch = {"input_dim": 20, "encoder_units": [7, 3], "latent_dim": 2}
    if cls is Autoencoder:
        arch["output_activation"] = "sigmoid"
    model = cls(arch, np.random.default_rng(1))
    X = np.random.default_rng(2).standard_normal((300, 20)).astype(np.float32)
    plain = ((model.reconstruct(X) - X) ** 2).mean(axis=1)
    first = model.reconstruction_errors(X)
    np.testing.assert_allclose(first, plain, rtol=1e-5)
    again = model.reconstruction_errors(X[:50])  # another size, then the first one again
    np.testing.assert_allclose(again, plain[:50], rtol=1e-5)
    np.testing.assert_allclose(model.reconstruction_errors(X), first, rtol=0)
    assert first.shape == (300,) and first.dtype == np.float32


@pytest.mark.parametrize("cls", [AutoencoderDetector, VAEDetector])
def test_dense_detectors_score_in_place_with_the_plain_numbers(kernel, cls):
    arch = {"input_dim": 30, "encoder_units": [12], "latent_dim": 3}
    model = cls.model_class(arch, np.random.default_rng(4))
    det = cls.from_state(model.architecture, model.state_dict())
    X = np.random.default_rng(5).standard_normal((200, 30))  # float64 in: scored as float32
    scores = det.score_samples(X)
    plain = ReconstructionDetector.score_samples(det, X)
    assert scores.dtype == np.float32 and scores.shape == (200,)
    np.testing.assert_allclose(scores, plain, rtol=1e-6)


def test_errors_and_codes_come_from_one_pass(kernel):
    model = Autoencoder({"input_dim": 25, "encoder_units": [9, 4], "latent_dim": 3},
                        np.random.default_rng(6))
    X = np.random.default_rng(7).standard_normal((77, 25)).astype(np.float32)
    errors, codes = model.errors_and_codes(X)
    np.testing.assert_array_equal(errors, model.reconstruction_errors(X))
    np.testing.assert_array_equal(codes, model.encode(X))
