"""Train, evaluate and export the ECG5000 models (autoencoder, VAE, seq2seq LSTM, PCA).

Usage::

    python -m train.ecg --data /work/shared/datasets --out models --results results [--quick]

Protocol (the same for every model):

1. The UCR TRAIN file (500 beats) is split by :func:`anomascope.data.ecg.protocol_split`
   (stratified, seeded): a *fit* set of normal beats only and a *validation* set of both classes.
2. Each model is fitted on the fit set alone.
3. Its threshold is the best-F1 threshold on the validation set.
4. Metrics are reported on the UCR TEST file (4500 beats), which neither step touched.

Scores and metrics come from the exported numpy model (the file the browser loads), not from
torch. Beats are used as given (each row is already z-normalised by the archive), so every
model's preprocessing spec is the identity.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from anomascope.data.ecg import CLASS_NAMES, FILES, is_anomaly, load_ecg5000, protocol_split
from anomascope.detectors import Detector, detector_class
from anomascope.detectors.pca import PCADetector
from anomascope.weights import save_model
from train import common
from train.ecg_torch import (
    ReplayRecorder,
    TrainResult,
    train_autoencoder,
    train_seq2seq,
    train_vae,
)


@dataclass
class ECGConfig:
    """Every knob of the ECG training run (recorded in each manifest's ``training`` field)."""

    seed: int = 0
    validation_fraction: float = 0.2
    batch_size: int = 32
    autoencoder: dict[str, Any] = field(
        default_factory=lambda: {
            "architecture": {
                "input_dim": 140,
                "encoder_units": [32, 16],
                "latent_dim": 8,
                "decoder_units": [16, 32],
                "activation": "relu",
                "latent_activation": "linear",
                "output_activation": "linear",
                "leaky_slope": 0.01,
            },
            "epochs": 200,
            "lr": 1e-3,
            "weight_decay": 0.0,
            "input_noise": 0.1,
        }
    )
    vae: dict[str, Any] = field(
        default_factory=lambda: {
            "architecture": {
                "input_dim": 140,
                "encoder_units": [32, 16],
                "latent_dim": 8,
                "decoder_units": [16, 32],
                "activation": "relu",
                "output_activation": "linear",
                "leaky_slope": 0.01,
                "beta": 0.1,
            },
            "epochs": 200,
            "lr": 1e-3,
            "weight_decay": 0.0,
        }
    )
    seq2seq: dict[str, Any] = field(
        default_factory=lambda: {
            "architecture": {"seq_len": 140, "patch": 7, "hidden_size": 32},
            "epochs": 200,
            "lr": 3e-3,
            "clip_grad_norm": 1.0,
        }
    )
    # PCA: the component count is chosen by validation ROC AUC among these candidates.
    pca_candidates: tuple[int, ...] = (2, 4, 6, 8, 12, 16, 24, 32)
    replay_bins: int = 40

    def quick(self) -> ECGConfig:
        """A smoke-test copy: a few epochs per model."""
        cfg = ECGConfig(**asdict(self))
        for part in (cfg.autoencoder, cfg.vae, cfg.seq2seq):
            part["epochs"] = 3
        return cfg


@dataclass(frozen=True)
class ECGSplit:
    """The protocol's three sets: float32 beats ``(n, 140)``, bool anomaly labels ``(n,)``."""

    fit_X: np.ndarray
    val_X: np.ndarray
    val_anomaly: np.ndarray
    test_X: np.ndarray
    test_anomaly: np.ndarray
    test_y: np.ndarray
    data_sha256: str


def make_split(data_dir: str | Path, seed: int, validation_fraction: float) -> ECGSplit:
    """Load both UCR files and split TRAIN into fit (normal only) and validation rows."""
    data = load_ecg5000(data_dir)
    fit_idx, val_idx = protocol_split(
        data.train_y, np.random.default_rng(seed), validation_fraction
    )
    return ECGSplit(
        fit_X=data.train_X[fit_idx],
        val_X=data.train_X[val_idx],
        val_anomaly=is_anomaly(data.train_y[val_idx]),
        test_X=data.test_X,
        test_anomaly=is_anomaly(data.test_y),
        test_y=data.test_y,
        data_sha256=common.sha256_files(*(Path(data_dir) / f for f in FILES)),
    )


def to_detector(kind: str, architecture: dict[str, Any], state: dict[str, np.ndarray]) -> Detector:
    """Build the numpy detector of ``kind`` from exported torch state (float32 arrays)."""
    return detector_class(kind).from_state(architecture, state)


def fit_pca(split: ECGSplit, candidates: tuple[int, ...]) -> tuple[PCADetector, dict[str, Any]]:
    """Fit PCA on the fit set for each candidate component count; keep the best on validation
    ROC AUC (ties: fewer components). Returns the detector and the selection record."""
    from anomascope import metrics

    tried: dict[str, float] = {}
    best: tuple[float, int] | None = None
    max_k = min(len(split.fit_X) - 1, split.fit_X.shape[1])
    for k in sorted(c for c in candidates if c <= max_k):
        det = PCADetector(n_components=k).fit(split.fit_X)
        auc = metrics.roc_auc(det.score_samples(split.val_X), split.val_anomaly)
        tried[str(k)] = round(auc, 6)
        if best is None or auc > best[0]:
            best = (auc, k)
    assert best is not None, "no PCA candidate fits the data"
    return PCADetector(n_components=best[1]).fit(split.fit_X), {
        "validation_auc_by_components": tried,
        "chosen_components": best[1],
    }


def export_model(
    out_dir: Path,
    name: str,
    model_label: str,
    det: Detector,
    split: ECGSplit,
    training: dict[str, Any],
    seconds: float,
    history: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Threshold on validation, evaluate on test, save ``name.npz/.json``; return a results row."""
    val_scores = det.score_samples(split.val_X)
    test_scores = det.score_samples(split.test_X)
    evaluation = common.evaluate_scores(
        val_scores, split.val_anomaly, test_scores, split.test_anomaly
    )
    det.threshold_ = evaluation["threshold"]["value"]
    infer_ms = common.inference_ms_per_1000(det.score_samples, split.test_X)
    fields: dict[str, Any] = {
        "title": common.TITLES[det.kind],
        "dataset": "ecg5000",
        "preprocessing": {"steps": [], "input_dim": 140},
        "threshold": evaluation["threshold"],
        "training": {**training, "seconds": round(seconds, 3)},
        "metrics": {
            "test": evaluation["test"],
            "validation": evaluation["validation"],
            "infer_ms_per_1000": round(infer_ms, 3),
        },
        "data_sha256": split.data_sha256,
        "class_names": {str(k): v for k, v in CLASS_NAMES.items()},
    }
    if history is not None:
        fields["history"] = history
    save_model(out_dir, name, det, fields)
    return common.results_row(
        model_label,
        evaluation,
        params=common.param_count(det.state_dict()),
        file_bytes=common.model_file_bytes(out_dir, name),
        train_seconds=seconds,
        infer_ms=infer_ms,
        name=name,
        validation_auc=evaluation["validation"]["roc_auc"],
    )


def run(cfg: ECGConfig, data_dir: Path, out_dir: Path, results_dir: Path) -> list[dict[str, Any]]:
    """Train, evaluate and export every ECG model; write ``results_dir/ecg.{json,md}``."""
    load_at_start = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    split = make_split(data_dir, cfg.seed, cfg.validation_fraction)
    base = {
        "seed": cfg.seed,
        "validation_fraction": cfg.validation_fraction,
        "n_fit": len(split.fit_X),
        "n_validation": len(split.val_X),
        "n_test": len(split.test_X),
    }
    rows = []

    # Headline: the autoencoder, with the per-epoch test-score histograms for the replay.
    recorder = ReplayRecorder(split.test_X, split.test_anomaly, split.test_y, cfg.replay_bins)
    ae: TrainResult = train_autoencoder(
        split.fit_X, cfg.autoencoder, cfg.batch_size, cfg.seed, on_epoch=recorder
    )
    det = to_detector("autoencoder", cfg.autoencoder["architecture"], ae.state)
    replay_name = "ecg_autoencoder_history.json"
    rows.append(
        export_model(
            out_dir,
            "ecg_autoencoder",
            "Autoencoder (headline)",
            det,
            split,
            {**base, **cfg.autoencoder, "batch_size": cfg.batch_size, "loss_per_epoch": ae.losses},
            ae.seconds,
            history={"file": replay_name, "epochs": len(ae.losses)},
        )
    )
    replay = recorder.to_dict(threshold=float(det.threshold_ or 0.0), losses=ae.losses)
    (out_dir / replay_name).write_text(json.dumps(replay, separators=(",", ":")) + "\n")

    vae = train_vae(split.fit_X, cfg.vae, cfg.batch_size, cfg.seed)
    det = to_detector("vae", cfg.vae["architecture"], vae.state)
    rows.append(
        export_model(
            out_dir,
            "ecg_vae",
            "VAE",
            det,
            split,
            {**base, **cfg.vae, "batch_size": cfg.batch_size, "loss_per_epoch": vae.losses},
            vae.seconds,
        )
    )

    s2s = train_seq2seq(split.fit_X, cfg.seq2seq, cfg.batch_size, cfg.seed)
    det = to_detector("seq2seq", cfg.seq2seq["architecture"], s2s.state)
    rows.append(
        export_model(
            out_dir,
            "ecg_seq2seq",
            "Seq2seq LSTM",
            det,
            split,
            {**base, **cfg.seq2seq, "batch_size": cfg.batch_size, "loss_per_epoch": s2s.losses},
            s2s.seconds,
        )
    )

    with common.Timer() as t:
        pca, selection = fit_pca(split, cfg.pca_candidates)
    rows.append(
        export_model(
            out_dir,
            "ecg_pca",
            "PCA",
            pca,
            split,
            {**base, "method": "numpy SVD", **selection},
            t.seconds,
        )
    )

    meta = {
        "title": "ECG5000 results (UCR TEST, 4500 beats)",
        "protocol": (
            f"Fit on {len(split.fit_X)} normal beats of UCR TRAIN; threshold = best F1 on a "
            f"stratified validation split of UCR TRAIN ({len(split.val_X)} beats, "
            f"{int(split.val_anomaly.sum())} abnormal); metrics on UCR TEST "
            f"({len(split.test_X)} beats, {int(split.test_anomaly.sum())} abnormal), "
            f"untouched by fitting and thresholding. Seed {cfg.seed}."
        ),
        "seed": cfg.seed,
        "config": asdict(cfg),
        "data_sha256": split.data_sha256,
        "notes": [
            "Accuracy, precision, recall, F1 and F2 at the validation-chosen threshold; "
            "training seconds on a 2-core CPU (torch.set_num_threads(2)); inference = numpy "
            "score_samples on the exported model, best of 5, per 1000 rows; file size = "
            ".npz + .json manifest. Wall-clock times grow when other jobs share the CPU: "
            f"1-minute load average at the start of this run: {load_at_start}.",
        ],
        "load_average_at_start": load_at_start,
    }
    common.write_results(results_dir, "ecg", rows, meta)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding ECG5000/")
    parser.add_argument("--out", type=Path, default=Path("models"), help="model folder")
    parser.add_argument("--results", type=Path, default=Path("results"), help="results folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a few epochs only (smoke test)")
    args = parser.parse_args(argv)
    cfg = ECGConfig(seed=args.seed)
    if args.quick:
        cfg = cfg.quick()
    common.seed_everything(cfg.seed)
    with common.Timer() as total:
        rows = run(cfg, args.data, args.out, args.results)
    for r in rows:
        print(
            f"{r['model']:<24} AUC {r['roc_auc']:.4f}  F1 {r['f1']:.4f}  "
            f"{r['train_seconds']:.1f}s  {r['params']} params"
        )
    print(f"total {total.seconds:.1f}s; wrote {args.results / 'ecg.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
