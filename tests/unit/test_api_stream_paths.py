"""The stream's faster scoring paths give the numbers of the plain ones: the first product
over one-hot rows without their zero columns, the BiGAN's shared discriminator input and the
autoencoder / VAE scores through that product (float32 sums rounded in another order only)."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.bigan import DEFAULT_ARCHITECTURE, BiGANDetector
from anomascope.detectors.products import input_product
from anomascope.detectors.vae import VAEDetector
from anomascope.nn import layers

F32 = 2e-5  # float32 sums rounded in another order


def one_hot_rows(
    n: int = 300, numeric: int = 5, groups: tuple[int, ...] = (4, 12, 6)
) -> np.ndarray:
    """Rows like a preprocessed KDD table: a few numeric columns (mostly zero) and one-hot
    groups in which many categories never occur; float32 ``(n, numeric + sum(groups))``."""
    rng = np.random.default_rng(7)
    num = rng.random((n, numeric)) * (rng.random((n, numeric)) < 0.3)
    blocks = [num]
    for width in groups:
        hot = np.zeros((n, width))
        hot[np.arange(n), rng.integers(0, max(1, width // 2), n)] = 1.0  # half never occur
        blocks.append(hot)
    return np.concatenate(blocks, axis=1).astype(np.float32)


@pytest.fixture(params=["blas", "einsum"])
def kernel(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    layers.set_kernel(request.param)
    yield request.param
    layers.set_kernel("auto")


def test_input_product_equals_the_full_product(kernel: str) -> None:
    X = one_hot_rows()
    W = np.random.default_rng(1).standard_normal((9, X.shape[1])).astype(np.float32)
    assert (~X.any(axis=0)).sum() > X.shape[1] / 4  # the product does leave columns out
    np.testing.assert_allclose(input_product(X, W), X @ W.T, rtol=F32, atol=1e-5)
    dense = np.random.default_rng(2).random((40, X.shape[1]), dtype=np.float32) + 0.5
    np.testing.assert_array_equal(input_product(dense, W), layers.matmul_nt(dense, W))
    late = dense.copy()  # a column zero in the first rows only is still in the product
    late[:10, 3] = 0.0
    np.testing.assert_allclose(input_product(late, W), late @ W.T, rtol=F32, atol=1e-5)
    zeros = np.zeros((6, X.shape[1]), np.float32)  # a block with no non-zero column at all
    np.testing.assert_array_equal(input_product(zeros, W), np.zeros((6, 9), np.float32))


def _reference_bigan(det: BiGANDetector, X: np.ndarray) -> np.ndarray:
    """``A(x)`` from the detector's public passes: D on the concatenated ``[x, z]``."""
    Z = det.encode(X)
    R = det.generate(Z)
    diff = X - R
    norm = int(det.arch["norm"])
    rec = np.abs(diff).sum(1) if norm == 1 else np.sqrt((diff.astype(np.float64) ** 2).sum(1))
    logit, f_real = det.discriminate(X, Z)
    if det.arch["discriminator_term"] == "cross_entropy":
        disc = np.logaddexp(0.0, -logit.astype(np.float64))
    else:
        disc = np.abs(f_real - det.discriminate(R, Z)[1]).sum(1)
    alpha = float(det.arch["alpha"])
    return alpha * rec + (1 - alpha) * disc


@pytest.mark.parametrize(
    "over",
    [
        {"discriminator_term": "feature_matching", "output_activation": "sigmoid"},
        {"discriminator_term": "cross_entropy", "discriminator_units": [9, 4], "norm": 2},
    ],
)
def test_bigan_scores_equal_the_concatenated_discriminator(kernel: str, over: dict) -> None:
    X = one_hot_rows()
    arch = {**DEFAULT_ARCHITECTURE, "input_dim": X.shape[1], "latent_dim": 3, **over}
    rng = np.random.default_rng(3)
    params = {
        k: (rng.standard_normal(s) * 0.3).astype(np.float32)
        for k, s in BiGANDetector.expected_shapes(arch).items()
    }
    det = BiGANDetector(arch, params)
    got = det.score_samples(X)
    assert got.dtype == np.float32 and got.shape == (len(X),)
    np.testing.assert_allclose(got, _reference_bigan(det, X), rtol=F32, atol=1e-5)


@pytest.mark.parametrize("cls", [AutoencoderDetector, VAEDetector])
def test_autoencoder_scores_equal_the_reconstruction_errors(kernel: str, cls: type) -> None:
    X = one_hot_rows()
    arch = {"input_dim": X.shape[1], "encoder_units": [10, 6], "latent_dim": 3}
    det = cls(arch, epochs=2, batch_size=64, seed=0).fit(X)
    errors = ((det.reconstruct(X) - X) ** 2).mean(axis=1)
    np.testing.assert_allclose(det.score_samples(X), errors, rtol=F32, atol=1e-7)
    dense = X + 0.25  # no zero column: the very same products as the model's own pass
    np.testing.assert_array_equal(
        det.score_samples(dense), det.model_.reconstruction_errors(dense)
    )
