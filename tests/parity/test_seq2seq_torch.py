"""The numpy seq2seq LSTM forward pass matches the PyTorch module on the same weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from anomascope import AnomascopeError
from anomascope.detectors import detector_class
from anomascope.detectors.seq2seq import Seq2SeqDetector
from train.common import torch_state_to_numpy
from train.torch_seq2seq import TorchSeq2Seq


def _random_module(seq_len: int, patch: int, hidden: int, seed: int) -> TorchSeq2Seq:
    torch.manual_seed(seed)
    module = TorchSeq2Seq(seq_len, patch, hidden)
    with torch.no_grad():  # larger than the default init, so gates saturate in both directions
        for p in module.parameters():
            p.uniform_(-0.8, 0.8)
    return module.eval()


@pytest.mark.parametrize(("seq_len", "patch", "hidden"), [(140, 4, 32), (12, 1, 5), (140, 10, 16)])
def test_reconstruction_matches_torch(seq_len: int, patch: int, hidden: int) -> None:
    module = _random_module(seq_len, patch, hidden, seed=seq_len + patch + hidden)
    X = np.random.default_rng(0).normal(size=(37, seq_len)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()
    det = Seq2SeqDetector.from_state(module.architecture(), torch_state_to_numpy(module))
    got = det.reconstruct(X)
    assert got.dtype == np.float32 and got.shape == X.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    exp_scores = ((expected - X) ** 2).mean(axis=1)
    np.testing.assert_allclose(det.score_samples(X), exp_scores, rtol=1e-4, atol=1e-6)


def test_encoder_state_matches_torch() -> None:
    module = _random_module(20, 2, 6, seed=3)
    X = np.random.default_rng(1).normal(size=(9, 20)).astype(np.float32)
    with torch.no_grad():
        _, (h, c) = module.encoder(torch.from_numpy(X).reshape(9, 10, 2))
    det = Seq2SeqDetector.from_state(module.architecture(), torch_state_to_numpy(module))
    h_np, c_np = det.encode(X)
    np.testing.assert_allclose(h_np, h[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_np, c[0].numpy(), rtol=1e-5, atol=1e-6)


def test_expected_shapes_name_every_torch_key() -> None:
    module = TorchSeq2Seq(140, 5, 8)
    state = torch_state_to_numpy(module)
    shapes = Seq2SeqDetector.expected_shapes(module.architecture())
    assert shapes == {k: tuple(v.shape) for k, v in state.items()}
    assert detector_class("seq2seq") is Seq2SeqDetector


def test_bad_input_and_architecture_raise() -> None:
    module = TorchSeq2Seq(12, 3, 4)
    det = Seq2SeqDetector.from_state(module.architecture(), torch_state_to_numpy(module))
    with pytest.raises(AnomascopeError, match="12 values"):
        det.score_samples(np.zeros((2, 11), dtype=np.float32))
    with pytest.raises(AnomascopeError, match="patch dividing"):
        Seq2SeqDetector(140, 3, 8)
    with pytest.raises(AnomascopeError, match="no weights"):
        Seq2SeqDetector().score_samples(np.zeros((1, 140), dtype=np.float32))
