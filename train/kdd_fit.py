"""KDD Cup 1999 candidate fitters: each detector's hyperparameter grid, fitted on normal rows.

Every fitter has the signature ``(X_fit, quick, seed) -> list[Candidate]``: ``X_fit`` are
preprocessed float32 rows ``(n, d)``, ``quick`` shrinks the grid and the epochs (smoke test),
``seed`` seeds any randomness. ``train/kdd.py`` scores the candidates on validation rows, picks
one per model and exports it. The dense models train through :func:`train.loop.train_torch`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.ensemble import IsolationForest
from sklearn.svm import OneClassSVM

from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.base import Detector
from anomascope.detectors.bigan import DEFAULT_ARCHITECTURE as BIGAN_DEFAULTS
from anomascope.detectors.bigan import BiGANDetector
from anomascope.detectors.pca import PCADetector
from anomascope.detectors.vae import VAEDetector
from train import common
from train.loop import train_torch
from train.sklearn_export import iforest_from_sklearn, ocsvm_from_sklearn
from train.torch_bigan import BiGANConfig, TorchBiGAN, train_bigan

OCSVM_ROWS = 3000
BIGAN_CHECKPOINTS = (6, 9, 12, 15, 18)
DENSE_BATCH = 256
DENSE_LR = 1e-3
Scorer = Callable[[np.ndarray], np.ndarray]


@dataclass
class Candidate:
    """A fitted configuration: numpy detector, its original's scorer (torch / scikit-learn, on
    preprocessed rows), hyperparameters, fit seconds and per-epoch training losses."""

    detector: Detector
    original: Scorer
    hyper: dict[str, Any]
    seconds: float
    history: list[Any] = field(default_factory=list)


@contextlib.contextmanager
def _flush_denormals() -> Iterator[None]:
    """Flush denormals while torch trains (tiny activations otherwise slow CPUs ~10x)."""
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


def _torch_scorer(module: Any) -> Scorer:
    def score(X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return module.score(torch.from_numpy(np.asarray(X, np.float32))).numpy()

    return score


def fit_pca(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    """PCA by retained variance or component count (deterministic: ``seed`` is unused)."""
    out = []
    for k in [0.95] if quick else [0.9, 0.95, 0.99, 3, 5, 10]:
        with common.Timer() as t:
            det = PCADetector(k).fit(X)
        out.append(Candidate(det, det.score_samples, {"n_components": k}, t.seconds))
    return out


def fit_ocsvm(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    """RBF One-Class SVMs over ``gamma``, on a seeded subset of ``OCSVM_ROWS`` rows."""
    rng = np.random.default_rng(seed)
    rows = X[rng.choice(len(X), size=min(OCSVM_ROWS, len(X)), replace=False)]
    out = []
    for gamma in [1.0] if quick else [0.1, 0.3, 1.0, 3.0]:
        with common.Timer() as t:
            est = OneClassSVM(kernel="rbf", gamma=gamma, nu=0.05).fit(rows.astype(np.float64))
        hyper = {"gamma": gamma, "nu": 0.05, "rows": len(rows), "n_support": len(est.support_)}
        out.append(
            Candidate(
                ocsvm_from_sklearn(est), lambda Z, e=est: -e.decision_function(Z), hyper, t.seconds
            )
        )
    return out


def fit_iforest(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    """Isolation Forests over ``max_samples``."""
    out = []
    for max_samples in [256] if quick else [256, 1024]:
        with common.Timer() as t:
            est = IsolationForest(
                n_estimators=25 if quick else 100, max_samples=max_samples, random_state=seed
            ).fit(X.astype(np.float64))
        hyper = {"n_estimators": est.n_estimators, "max_samples": max_samples}
        out.append(
            Candidate(
                iforest_from_sklearn(est), lambda Z, e=est: -e.score_samples(Z), hyper, t.seconds
            )
        )
    return out


def _fit_dense(X: np.ndarray, quick: bool, seed: int, kind: str) -> list[Candidate]:
    """Autoencoders over the latent size, or VAEs over ``beta`` (``kind``: the detector kind)."""
    vae = kind == "vae"
    grid = [(8, 1.0)] if quick else [(8, 1.0), (8, 0.1)] if vae else [(4, 1.0), (8, 1.0)]
    epochs = 2 if quick else 20
    out = []
    for latent, beta in grid:
        arch: dict[str, Any] = {
            "input_dim": X.shape[1],
            "encoder_units": [64, 32],
            "latent_dim": latent,
            "decoder_units": [32, 64],
            "activation": "relu",
            "output_activation": "linear",
            "leaky_slope": 0.01,
            **({"beta": beta} if vae else {"latent_activation": "linear"}),
        }
        cfg = {"architecture": arch, "epochs": epochs, "lr": DENSE_LR}
        with _flush_denormals():
            result = train_torch(kind, X, cfg, DENSE_BATCH, seed)
        module: Any = result.module
        cls = VAEDetector if vae else AutoencoderDetector
        det = cls.from_state(module.architecture, result.state)
        hyper = {"latent_dim": latent, "epochs": epochs, "lr": DENSE_LR, "batch_size": DENSE_BATCH}
        if vae:
            hyper["beta"] = beta
        out.append(Candidate(det, _torch_scorer(module), hyper, result.seconds, result.losses))
    return out


def fit_autoencoder(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    """Dense autoencoders (MSE) over the latent size."""
    return _fit_dense(X, quick, seed, "autoencoder")


def fit_vae(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    """Dense VAEs over ``beta``."""
    return _fit_dense(X, quick, seed, "vae")


def fit_bigan(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    """One BiGAN run; checkpoints at ``BIGAN_CHECKPOINTS`` epochs, each scored with both
    discriminator terms, become the candidates (GAN training oscillates, so the epoch is
    chosen on validation like any other hyperparameter)."""
    arch = dict(BIGAN_DEFAULTS, input_dim=X.shape[1], output_activation="sigmoid")
    torch.manual_seed(seed)
    module = TorchBiGAN(arch)
    checkpoints = (2,) if quick else BIGAN_CHECKPOINTS
    cfg = BiGANConfig(epochs=max(checkpoints), batch_size=256, lr=3e-4, recon_weight=1.0)
    states: dict[int, dict[str, torch.Tensor]] = {}

    def keep(epoch: int, m: TorchBiGAN) -> None:
        if epoch in checkpoints:
            states[epoch] = {k: v.detach().clone() for k, v in m.state_dict().items()}

    with common.Timer() as t, _flush_denormals():
        train_bigan(module, X, cfg, common.torch_generator(seed), on_epoch=keep)
    out = []
    for epoch, state in states.items():
        for term in ("cross_entropy", "feature_matching"):
            a = dict(arch, discriminator_term=term)
            twin = TorchBiGAN(a)
            twin.load_state_dict(state)
            twin.eval()
            hyper = {
                **cfg.to_dict(),
                "epochs": epoch,
                "discriminator_term": term,
                "alpha": a["alpha"],
            }
            seconds = t.seconds * epoch / cfg.epochs
            out.append(
                Candidate(
                    BiGANDetector(a, common.torch_state_to_numpy(twin)),
                    _torch_scorer(twin),
                    hyper,
                    seconds,
                    list(cfg.history[:epoch]),
                )
            )
    return out


FITTERS: dict[str, Callable[[np.ndarray, bool, int], list[Candidate]]] = {
    "pca": fit_pca,
    "ocsvm": fit_ocsvm,
    "iforest": fit_iforest,
    "autoencoder": fit_autoencoder,
    "vae": fit_vae,
    "bigan": fit_bigan,
}
