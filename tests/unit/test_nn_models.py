"""Numpy models, optimizers, trainer and the autoencoder / VAE detectors (no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.detectors import detector_class
from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.vae import VAEDetector
from anomascope.nn import layers
from anomascope.nn.models import VAE, Autoencoder
from anomascope.nn.optim import SGD, Adam, make_optimizer
from anomascope.nn.regularizers import make_regularizer
from anomascope.nn.trainer import Trainer, TrainingDiverged

ARCH = {"input_dim": 12, "encoder_units": [8], "latent_dim": 3}


def low_rank_data(n: int = 300, d: int = 12, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((n, 2))
    X = latent @ rng.standard_normal((2, d)) + 0.05 * rng.standard_normal((n, d))
    return X.astype(np.float32)


@pytest.mark.parametrize("cls", [Autoencoder, VAE])
def test_same_seed_same_weights(cls: type) -> None:
    a = cls(ARCH, np.random.default_rng(42))
    b = cls(ARCH, np.random.default_rng(42))
    c = cls(ARCH, np.random.default_rng(43))
    assert a.params.dtype == np.float32
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    # torch's nn.Linear default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias
    for name, arr in a.state_dict().items():
        fan_in = a._named[name.replace(".bias", ".weight")].shape[1]
        assert np.abs(arr).max() <= 1 / np.sqrt(fan_in)
        if name.endswith(".weight"):  # many draws: the bound is nearly reached
            assert np.abs(arr).max() > 0.8 / np.sqrt(fan_in)


@pytest.mark.parametrize("cls", [Autoencoder, VAE])
def test_state_dict_round_trip_and_errors(cls: type) -> None:
    model = cls(ARCH, np.random.default_rng(0))
    state = model.state_dict()
    assert {k: v.shape for k, v in state.items()} == cls.expected_shapes(ARCH)
    other = cls(ARCH)
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.params, model.params)
    bad = dict(state)
    bad.pop("encoder.0.bias")
    bad["extra"] = np.zeros(1)
    bad["decoder.0.weight"] = np.zeros((2, 2))
    with pytest.raises(
        AnomascopeError, match=r"missing: encoder.0.bias.*unexpected: extra.*decoder.0.weight"
    ):
        other.load_state_dict(bad)


def test_architecture_validation() -> None:
    with pytest.raises(AnomascopeError, match="activation"):
        Autoencoder({**ARCH, "activation": "swish"})
    with pytest.raises(AnomascopeError, match="latent_dim"):
        Autoencoder({"input_dim": 4})
    with pytest.raises(AnomascopeError, match="unknown architecture keys: beta"):
        Autoencoder({**ARCH, "beta": 1.0})
    with pytest.raises(AnomascopeError, match="shape"):
        Autoencoder(ARCH).reconstruct(np.zeros((3, 5), np.float32))
    assert Autoencoder(ARCH).architecture["decoder_units"] == [8]  # mirrored by default


def test_kernels_agree() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((37, 12)).astype(np.float32)
    model = VAE({**ARCH, "decoder_units": [5, 9]}, rng)
    eps = rng.standard_normal((37, 3)).astype(np.float32)
    out = {}
    for k in ("blas", "einsum"):
        layers.set_kernel(k)
        value = model.loss_and_grad(X, eps=eps)
        out[k] = (value, model.grads.copy(), model.reconstruct(X))
    layers.set_kernel("auto")
    assert out["blas"][0] == pytest.approx(out["einsum"][0], rel=1e-5)
    np.testing.assert_allclose(out["blas"][1], out["einsum"][1], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out["blas"][2], out["einsum"][2], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [Autoencoder, VAE])
def test_short_fit_reduces_loss_and_is_deterministic(cls: type) -> None:
    X = low_rank_data()
    params = []
    for _ in range(2):
        model = cls(ARCH, np.random.default_rng(0))
        trainer = Trainer(
            model, Adam(model.params, lr=1e-2), batch_size=32, rng=np.random.default_rng(1)
        )
        first = trainer.train_epoch(X)
        for _ in range(15):
            last = trainer.train_epoch(X)
        assert last.mean() < 0.5 * first[:2].mean()
        params.append(model.params.copy())
    np.testing.assert_array_equal(params[0], params[1])


def test_trainer_epochs_partial_batches_and_resume() -> None:
    X = low_rank_data(n=100)

    def fresh() -> Trainer:
        model = Autoencoder(ARCH, np.random.default_rng(0))
        return Trainer(model, Adam(model.params), batch_size=32, rng=np.random.default_rng(2))

    t = fresh()
    assert t.batches_per_epoch(100) == 4
    losses = t.train_epoch(X)
    assert losses.shape == (4,) and t.epoch == 1 and t.step == 4 and t.position == 100
    assert t._batch.keys() == {32, 4}  # the last partial batch holds the remaining 4 rows
    # 10 steps in one call == 3 + 7 in two calls (state and order carry over)
    a, b = fresh(), fresh()
    la = a.train_steps(X, 10)
    lb = np.concatenate([b.train_steps(X, 3), b.train_steps(X, 7)])
    np.testing.assert_array_equal(la, lb)
    np.testing.assert_array_equal(a.model.params, b.model.params)
    assert (a.epoch, a.step, a.optimizer.t) == (2, 10, 10)
    # train_epoch finishes the current epoch only
    assert a.train_epoch(X).shape == (2,) and a.epoch == 3


def test_divergence_restores_last_good_parameters() -> None:
    X = low_rank_data(n=64) * 10
    model = Autoencoder(ARCH, np.random.default_rng(0))
    trainer = Trainer(model, SGD(model.params, lr=1e4), batch_size=64, rng=np.random.default_rng(0))
    history = []
    with pytest.raises(TrainingDiverged, match="last good parameters"):
        for _ in range(100):
            history.append(model.params.copy())
            trainer.train_steps(X, 1)
    # the params at the failing step came from a bad update; the ones before it gave a finite loss
    assert len(history) >= 2
    np.testing.assert_array_equal(model.params, history[-2])
    assert np.isfinite(model.params).all()
    assert trainer.step == trainer.optimizer.t == len(history) - 2
    assert np.isfinite(model.loss_and_grad(X))


def test_divergence_on_first_step_changes_nothing() -> None:
    X = low_rank_data(n=20)
    X[3, 2] = np.inf
    model = Autoencoder(ARCH, np.random.default_rng(0))
    before = model.params.copy()
    trainer = Trainer(model, Adam(model.params), batch_size=50, rng=np.random.default_rng(0))
    with pytest.raises(TrainingDiverged):
        trainer.train_steps(X, 1)
    np.testing.assert_array_equal(model.params, before)
    assert trainer.step == 0 and trainer.optimizer.t == 0
    assert not trainer.optimizer.state_arrays()[0].any()


def test_trainer_and_optimizer_errors() -> None:
    model = Autoencoder(ARCH, np.random.default_rng(0))
    with pytest.raises(AnomascopeError, match="model.params"):
        Trainer(model, Adam(np.zeros(3, np.float32)), rng=np.random.default_rng(0))
    with pytest.raises(AnomascopeError, match="batch_size"):
        Trainer(model, Adam(model.params), batch_size=0, rng=np.random.default_rng(0))
    with pytest.raises(AnomascopeError, match="unknown optimizer"):
        make_optimizer("lbfgs", model.params)
    with pytest.raises(AnomascopeError, match="bad settings"):
        make_optimizer("adam", model.params, momentum=0.9)
    with pytest.raises(AnomascopeError, match="lr"):
        make_optimizer("sgd", model.params, lr=-1.0)
    with pytest.raises(AnomascopeError, match="unknown regularizer"):
        make_regularizer("l3")
    with pytest.raises(AnomascopeError, match="unknown loss"):
        Trainer(model, Adam(model.params), loss="huber", rng=np.random.default_rng(0))
    trainer = Trainer(model, Adam(model.params), rng=np.random.default_rng(0))
    with pytest.raises(AnomascopeError, match="shape"):
        trainer.train_steps(np.zeros((5, 3), np.float32), 1)


def test_regularizers_by_name() -> None:
    assert make_regularizer(None) is None and make_regularizer("none") is None
    r = make_regularizer("l1l2", l1=0.1, l2=0.2)
    assert r is not None and (r.l1, r.l2) == (0.1, 0.2)
    r2 = make_regularizer("l2", 0.3)
    assert r2 is not None and (r2.l1, r2.l2) == (0.0, 0.3)


@pytest.mark.parametrize("kind", ["autoencoder", "vae"])
def test_detectors_fit_score_and_round_trip(kind: str) -> None:
    cls = detector_class(kind)
    assert cls is {"autoencoder": AutoencoderDetector, "vae": VAEDetector}[kind]
    X = low_rank_data()
    det = cls(ARCH, epochs=8, batch_size=32, optimizer_kwargs={"lr": 1e-2}, seed=3)
    assert det.fit(X) is det
    assert len(det.history_) == 8 and det.history_[-1] < det.history_[0]
    scores = det.score_samples(X)
    assert scores.shape == (300,) and scores.dtype == np.float32
    outliers = X[:20] + 3.0
    assert np.median(det.score_samples(outliers)) > np.quantile(scores, 0.95)
    np.testing.assert_array_equal(det.score_samples(X), scores)  # deterministic (VAE: mu)
    again = cls.from_state(det.architecture(), det.state_dict())
    np.testing.assert_array_equal(again.score_samples(X), scores)
    assert cls.expected_shapes(det.architecture()) == {
        k: v.shape for k, v in det.state_dict().items()
    }
    same = cls(ARCH, epochs=8, batch_size=32, optimizer_kwargs={"lr": 1e-2}, seed=3).fit(X)
    np.testing.assert_array_equal(same.score_samples(X), scores)


def test_detector_errors() -> None:
    with pytest.raises(AnomascopeError, match="not fitted"):
        AutoencoderDetector().score_samples(np.zeros((2, 3), np.float32))
    with pytest.raises(AnomascopeError, match="input_dim"):
        AutoencoderDetector(ARCH, epochs=1).fit(np.zeros((4, 5), np.float32))
    with pytest.raises(AnomascopeError, match="NaN"):
        VAEDetector(epochs=1).fit(np.full((4, 5), np.nan, np.float32))
    det = AutoencoderDetector(epochs=1).fit(low_rank_data(n=40))
    assert det.architecture()["encoder_units"] == [32, 16]  # the default architecture
