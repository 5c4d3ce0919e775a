"""numpy BiGANDetector vs the torch TorchBiGAN on the same (random) weights, float32."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from anomascope import AnomascopeError
from anomascope.detectors import detector_class
from anomascope.detectors.bigan import DEFAULT_ARCHITECTURE, BiGANDetector
from train.torch_bigan import TorchBiGAN


def _arch(**over):
    a = dict(DEFAULT_ARCHITECTURE)
    a.update(
        input_dim=7,
        latent_dim=3,
        encoder_units=[11, 5],
        generator_units=[6],
        discriminator_units=[9, 4],
    )
    a.update(over)
    return a


def _pair(arch, seed=0):
    torch.manual_seed(seed)
    tm = TorchBiGAN(arch).eval()
    state = {k: v.detach().numpy().copy() for k, v in tm.state_dict().items()}
    return tm, BiGANDetector.from_state(arch, state)


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"discriminator_term": "feature_matching", "norm": 2, "alpha": 0.5},
        {"activation": "tanh", "output_activation": "sigmoid", "latent_activation": "tanh"},
        {"activation": "relu", "alpha": 0.0},
    ],
)
def test_scores_match_torch(over):
    arch = _arch(**over)
    tm, det = _pair(arch)
    X = np.random.default_rng(1).normal(size=(50, 7)).astype(np.float32)
    with torch.no_grad():
        xt = torch.from_numpy(X)
        want = tm.score(xt).numpy()
        rec_t, disc_t = (t.numpy() for t in tm.score_parts(xt))
        z_t = tm.encode(xt).numpy()
    rec, disc = det.score_parts(X)
    np.testing.assert_allclose(det.encode(X), z_t, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rec, rec_t, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(disc, disc_t, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(det.score_samples(X), want, rtol=1e-5, atol=1e-5)
    assert det.score_samples(X).dtype == np.float32
    # Both terms contribute unless alpha says otherwise.
    assert np.std(rec) > 0 and np.std(disc) > 0


def test_state_names_and_registry():
    arch = _arch()
    tm, _ = _pair(arch)
    assert set(tm.state_dict()) == set(BiGANDetector.expected_shapes(arch))
    for k, v in tm.state_dict().items():
        assert tuple(v.shape) == BiGANDetector.expected_shapes(arch)[k]
    assert detector_class("bigan") is BiGANDetector


def test_bad_parameters_are_named():
    arch = _arch()
    _, det = _pair(arch)
    state = det.state_dict()
    state.pop("generator.0.bias")
    state["extra"] = np.zeros(1, np.float32)
    with pytest.raises(AnomascopeError, match="generator.0.bias.*extra"):
        BiGANDetector(arch, state)
    with pytest.raises(AnomascopeError, match="discriminator_term"):
        BiGANDetector.expected_shapes(_arch(discriminator_term="nope"))
