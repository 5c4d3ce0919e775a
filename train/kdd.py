"""KDD Cup 1999: train, select, export and evaluate the six stream detectors.

    python -m train.kdd --data /work/shared/datasets --out models --results results [--quick]

Protocol (honest evaluation):

1. Fit rows: ``N_FIT`` normal connections of ``kddcup.data_10_percent``, drawn with ``--seed``
   (the One-Class SVM gets a ``OCSVM_ROWS`` subset so that it stays small and fast).
2. Validation: 8000 normal + 2000 attack rows of ``corrected`` (seed ``STREAM_SEED``).
   Hyperparameters, the feature set (report18 vs rich) and the threshold (best F1) are chosen
   here, by validation ROC AUC for the first two.
3. Report on the evaluation stream: 10,000 other rows of ``corrected`` (8000 + 2000,
   disjoint by row from validation). Every non-normal label is an attack, including the attack
   types that never occur in the fitting file.

Exports ``kdd_{pca,ocsvm,iforest,autoencoder,vae,bigan}`` (npz + json with the raw-feature
preprocessing spec) into ``--out`` and ``kdd.json`` / ``kdd.md`` into ``--results``. Every
export is loaded back with :func:`anomascope.weights.load_model_files` and its scores checked
against the in-memory torch / scikit-learn original. "Training s" is the fit time of the
selected configuration (the selection grid itself is not counted).
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.ensemble import IsolationForest
from sklearn.svm import OneClassSVM

from anomascope import metrics
from anomascope.data import kdd
from anomascope.data.kdd_features import FEATURE_SETS, fit_feature_spec
from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.base import Detector
from anomascope.detectors.bigan import DEFAULT_ARCHITECTURE as BIGAN_DEFAULTS
from anomascope.detectors.bigan import BiGANDetector
from anomascope.detectors.pca import PCADetector
from anomascope.detectors.vae import VAEDetector
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import load_model_files, save_model
from train import common
from train.sklearn_export import iforest_from_sklearn, ocsvm_from_sklearn
from train.torch_bigan import BiGANConfig, TorchBiGAN, train_bigan
from train.torch_models import TorchAutoencoder, TorchVAE

MODELS = ("pca", "ocsvm", "iforest", "autoencoder", "vae", "bigan")
REPORT_AUC = {
    "pca": 0.771,
    "ocsvm": 0.957,
    "iforest": None,
    "autoencoder": 0.963,
    "vae": 0.946,
    "bigan": 0.972,
}
N_FIT = 40_000
OCSVM_ROWS = 3000
BIGAN_CHECKPOINTS = (6, 9, 12, 15, 18)
Scorer = Callable[[np.ndarray], np.ndarray]


@dataclass
class Candidate:
    """A fitted configuration: numpy detector, its original's scorer, hyperparameters."""

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


# -- candidate fitters: (X_fit, quick, seed) -> candidates -----------------------------------
def fit_pca(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    out = []
    for k in [0.95] if quick else [0.9, 0.95, 0.99, 3, 5, 10]:
        with common.Timer() as t:
            det = PCADetector(k).fit(X)
        out.append(Candidate(det, det.score_samples, {"n_components": k}, t.seconds))
    return out


def fit_ocsvm(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
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


def _train_dense(module: Any, X: np.ndarray, epochs: int, lr: float, seed: int) -> list[float]:
    """Adam on the module's own ``loss`` (MSE; VAE adds its KL term); per-epoch mean loss."""
    data = torch.from_numpy(np.ascontiguousarray(X, np.float32))
    gen = common.torch_generator(seed)
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        perm = torch.randperm(len(data), generator=gen)
        total, batches = 0.0, 0
        for start in range(0, len(data), 256):
            xb = data[perm[start : start + 256]]
            if isinstance(module, TorchVAE):
                loss = module.loss(
                    xb, eps=torch.randn(len(xb), module.fc_mu.out_features, generator=gen)
                )
            else:
                loss = module.loss(xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, batches = total + float(loss.detach()), batches + 1
        history.append(total / batches)
    module.eval()
    return history


def _fit_dense(X: np.ndarray, quick: bool, seed: int, vae: bool) -> list[Candidate]:
    d = X.shape[1]
    grid = [(8, 1.0)] if quick else [(4, 1.0), (8, 1.0)] if not vae else [(8, 1.0), (8, 0.1)]
    out = []
    for latent, beta in grid:
        arch: dict[str, Any] = {
            "input_dim": d,
            "encoder_units": [64, 32],
            "latent_dim": latent,
            "decoder_units": [32, 64],
            "activation": "relu",
            "output_activation": "linear",
            "leaky_slope": 0.01,
        }
        torch.manual_seed(seed)
        if vae:
            arch["beta"] = beta
            module: Any = TorchVAE(arch)
        else:
            arch["latent_activation"] = "linear"
            module = TorchAutoencoder(arch)
        epochs = 2 if quick else 20
        with common.Timer() as t, _flush_denormals():
            hist = _train_dense(module, X, epochs, 1e-3, seed)
        cls = VAEDetector if vae else AutoencoderDetector
        det = cls.from_state(module.architecture, module.numpy_state())
        hyper = {"latent_dim": latent, "epochs": epochs, "lr": 1e-3, "batch_size": 256}
        if vae:
            hyper["beta"] = beta
        out.append(Candidate(det, _torch_scorer(module), hyper, t.seconds, hist))
    return out


def fit_autoencoder(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    return _fit_dense(X, quick, seed, vae=False)


def fit_vae(X: np.ndarray, quick: bool, seed: int) -> list[Candidate]:
    return _fit_dense(X, quick, seed, vae=True)


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


# -- selection, export, evaluation -----------------------------------------------------------
@dataclass
class Choice:
    feature_set: str
    spec: dict[str, Any]
    candidate: Candidate
    val_auc: float
    stream_auc: float


def select(
    model: str,
    fit_X: np.ndarray,
    val: kdd.KDDSample,
    stream: kdd.KDDSample,
    quick: bool,
    seed: int,
    feature_sets: tuple[str, ...] = FEATURE_SETS,
) -> tuple[Choice, dict[str, Any]]:
    """Best (feature set, configuration) of ``model`` by validation AUC; also a per-set log."""
    best: Choice | None = None
    log: dict[str, Any] = {}
    for fs in feature_sets:
        spec = fit_feature_spec(fs, fit_X)
        Xf, Xv, Xs = (apply_preprocessing(spec, a) for a in (fit_X, val.X, stream.X))
        tried = []
        fs_best: Choice | None = None
        for cand in FITTERS[model](Xf, quick, seed):
            v = metrics.roc_auc(cand.detector.score_samples(Xv), val.anomaly)
            s = metrics.roc_auc(cand.detector.score_samples(Xs), stream.anomaly)
            tried.append(
                {
                    "hyper": cand.hyper,
                    "val_auc": v,
                    "stream_auc": s,
                    "train_seconds": round(cand.seconds, 2),
                }
            )
            if fs_best is None or v > fs_best.val_auc:
                fs_best = Choice(fs, spec, cand, v, s)
        assert fs_best is not None
        log[fs] = {
            "val_auc": fs_best.val_auc,
            "stream_auc": fs_best.stream_auc,
            "hyper": fs_best.candidate.hyper,
            "tried": tried,
        }
        if best is None or fs_best.val_auc > best.val_auc:
            best = fs_best
    assert best is not None
    return best, log


def export(
    model: str,
    choice: Choice,
    fit_X: np.ndarray,
    val: kdd.KDDSample,
    stream: kdd.KDDSample,
    out_dir: Path,
    seed: int,
    log: dict[str, Any],
) -> dict[str, Any]:
    """Threshold on validation, save, reload, check against the original; a results row."""
    det, spec = choice.candidate.detector, choice.spec
    Xv, Xs = apply_preprocessing(spec, val.X), apply_preprocessing(spec, stream.X)
    evaluation = common.evaluate_scores(
        det.score_samples(Xv), val.anomaly, det.score_samples(Xs), stream.anomaly
    )
    det.threshold_ = evaluation["threshold"]["value"]
    name = f"kdd_{model}"
    fields = {
        "title": common.TITLES[det.kind],
        "dataset": "kddcup99",
        "preprocessing": spec,
        "threshold": evaluation["threshold"],
        "training": {
            "seed": seed,
            "feature_set": choice.feature_set,
            "fit_rows": int(len(fit_X)),
            "fit_source": "normal rows of kddcup.data_10_percent",
            "seconds": choice.candidate.seconds,
            **choice.candidate.hyper,
            "selection": "validation ROC AUC",
            "stream": {
                "seed": kdd.STREAM_SEED,
                "normal": kdd.STREAM_NORMAL,
                "attack": kdd.STREAM_ATTACK,
            },
        },
        "metrics": {
            "test": evaluation["test"],
            "validation": evaluation["validation"],
            "feature_sets": log,
        },
        "data_sha256": common.sha256_arrays(fit_X),
    }
    if choice.candidate.history:
        fields["history"] = {"loss": choice.candidate.history}
    save_model(out_dir, name, det, fields)
    loaded = load_model_files(out_dir, name)
    got = loaded.score(stream.X)
    want = choice.candidate.original(Xs)
    if not np.allclose(got, want, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(want).max()))):
        raise RuntimeError(f"{name}: exported scores differ from the original model")
    infer = common.inference_ms_per_1000(loaded.detector.score_samples, Xs)
    return common.results_row(
        model,
        evaluation,
        common.param_count(det.state_dict()),
        common.model_file_bytes(out_dir, name),
        choice.candidate.seconds,
        infer,
        feature_set=choice.feature_set,
        report_auc=REPORT_AUC[model],
        validation_auc=choice.val_auc,
        hyper=choice.candidate.hyper,
        feature_set_auc={
            fs: {"validation": v["val_auc"], "stream": v["stream_auc"]} for fs, v in log.items()
        },
    )


def _notes(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Against the report, and per feature set (ROC AUC; validation / stream)",
        "",
        "| Model | Report AUC | Stream AUC | Chosen set | report18 val / stream "
        "| rich val / stream |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        fa = r["feature_set_auc"]
        cells = [
            f"{fa[fs]['validation']:.4f} / {fa[fs]['stream']:.4f}" if fs in fa else "-"
            for fs in FEATURE_SETS
        ]
        rep = "-" if r["report_auc"] is None else f"{r['report_auc']:.3f}"
        lines.append(
            f"| {r['model']} | {rep} | {r['roc_auc']:.4f} | {r['feature_set']} | "
            + " | ".join(cells)
            + " |"
        )
    return ["\n".join(lines)]


def run(data_dir: Path, out_dir: Path, results_dir: Path, quick: bool, seed: int) -> list[dict]:
    t0 = time.perf_counter()
    rng = common.seed_everything(seed)
    data = kdd.load_kdd(data_dir)
    fit = kdd.training_normals(data.train, rng, 5000 if quick else N_FIT)
    val, stream = kdd.build_validation(data.corrected), kdd.build_stream(data.corrected)
    rows = []
    for model in MODELS:
        choice, log = select(model, fit.X, val, stream, quick, seed)
        rows.append(export(model, choice, fit.X, val, stream, out_dir, seed, log))
        print(
            f"{model:12s} {choice.feature_set:9s} val AUC {choice.val_auc:.4f} "
            f"stream AUC {rows[-1]['roc_auc']:.4f} F1 {rows[-1]['f1']:.4f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    meta = {
        "title": "KDD Cup 1999: six detectors on the 10,000-connection stream",
        "protocol": (
            f"Fit on {len(fit)} normal connections of kddcup.data_10_percent (seed {seed}; "
            f"One-Class SVM on {OCSVM_ROWS} of them). Hyperparameters, feature set and the "
            "best-F1 threshold chosen on a validation split of corrected (8000 normal + 2000 "
            f"attack, seed {kdd.STREAM_SEED}); metrics below on the disjoint 10,000-connection "
            "stream (8000 normal + 2000 attack, every non-normal label an attack, including "
            "types absent from training). Inference: numpy score_samples on preprocessed rows."
        ),
        "notes": _notes(rows),
        "quick": quick,
        "seed": seed,
        "fit_rows": len(fit),
        "stream_seed": kdd.STREAM_SEED,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    common.write_results(results_dir, "kdd", rows, meta)
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    p.add_argument("--out", type=Path, default=Path("models"))
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--quick", action="store_true", help="tiny grid and few epochs (smoke test)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    run(a.data, a.out, a.results, a.quick, a.seed)


if __name__ == "__main__":
    main()
