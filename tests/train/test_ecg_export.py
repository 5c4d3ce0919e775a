"""ECG training -> export -> numpy load: a few training steps per model on a small subset.

Needs the ECG5000 files in ``$ANOMASCOPE_DATA`` (``python build.py test`` sets it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from anomascope import metrics
from anomascope.weights import load_model_files
from train import common, ecg, ecg_data, ecg_selection
from train.ecg_torch import ReplayRecorder
from train.loop import train_torch


def _tiny(cfg: dict, epochs: int = 2) -> dict:
    return {**cfg, "epochs": epochs}


@pytest.fixture(scope="module")
def split(data_dir: Path) -> ecg_data.ECGSplit:
    full = ecg_data.make_split(data_dir, seed=0, validation_fraction=0.2)
    return replace(
        full,
        fit_X=full.fit_X[:64],
        test_X=full.test_X[::30],
        test_anomaly=full.test_anomaly[::30],
    )


def test_split_follows_protocol(data_dir: Path) -> None:
    full = ecg_data.make_split(data_dir, seed=0, validation_fraction=0.2)
    # Fit rows are normal only; validation has both classes; no fit row is in validation.
    assert full.val_anomaly.any() and (~full.val_anomaly).any()
    fit_rows = {r.tobytes() for r in full.fit_X}
    assert not any(r.tobytes() in fit_rows for r in full.val_X)
    assert len(full.test_X) == 4500
    assert full.fit_X.shape[1] == 140 and full.fit_X.dtype == np.float32


def _torch_scores(module: torch.nn.Module, X: np.ndarray) -> np.ndarray:
    """Per-row reconstruction MSE computed by torch (VAE: decoding the mean)."""
    with torch.no_grad():
        return module.score(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("kind", ["autoencoder", "vae", "seq2seq"])
def test_torch_model_exports_and_loads(kind: str, split: ecg_data.ECGSplit, tmp_path: Path) -> None:
    cfg = ecg.ECGConfig()
    part = {"autoencoder": cfg.autoencoder, "vae": cfg.vae, "seq2seq": cfg.seq2seq}[kind]
    result = train_torch(kind, split.fit_X, _tiny(part), 32, 0)
    det = ecg.to_detector(kind, part["architecture"], result.state)
    row = ecg.export_model(tmp_path, f"ecg_{kind}", kind, det, split, {"seed": 0}, 1.0)

    loaded = load_model_files(tmp_path, f"ecg_{kind}")
    scores = loaded.score(split.test_X)
    np.testing.assert_allclose(
        scores, _torch_scores(result.module, split.test_X), rtol=2e-4, atol=1e-6
    )
    m = loaded.manifest
    assert m["kind"] == kind and m["dataset"] == "ecg5000"
    assert m["threshold"]["rule"] == "best_f1_validation"
    assert loaded.threshold == pytest.approx(row["threshold"])
    assert m["metrics"]["test"]["roc_auc"] == pytest.approx(row["roc_auc"])
    assert m["metrics"]["test"]["n"] == len(split.test_X)
    assert row["params"] == m["param_count"]
    assert row["file_bytes"] == common.model_file_bytes(tmp_path, f"ecg_{kind}")


def test_pca_exports_and_loads(split: ecg_data.ECGSplit, tmp_path: Path) -> None:
    pca, selection = ecg_selection.fit_pca(split, (2, 4, 8))
    assert selection["chosen_components"] in (2, 4, 8)
    ecg.export_model(tmp_path, "ecg_pca", "PCA", pca, split, selection, 0.1)
    loaded = load_model_files(tmp_path, "ecg_pca")
    np.testing.assert_allclose(
        loaded.score(split.test_X), pca.score_samples(split.test_X), rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("kind", ["autoencoder", "vae", "seq2seq"])
def test_same_seed_same_weights(kind: str, split: ecg_data.ECGSplit) -> None:
    part = getattr(ecg.ECGConfig(), kind)
    X = split.fit_X[:40]
    a = train_torch(kind, X, _tiny(part), 16, 7)
    b = train_torch(kind, X, _tiny(part), 16, 7)
    c = train_torch(kind, X, _tiny(part), 16, 8)
    assert a.state.keys() == b.state.keys()
    for k in a.state:
        np.testing.assert_array_equal(a.state[k], b.state[k])
    assert a.losses == b.losses
    assert any(not np.array_equal(a.state[k], c.state[k]) for k in a.state)


def test_replay_histograms(split: ecg_data.ECGSplit) -> None:
    cfg = ecg.ECGConfig()
    rec = ReplayRecorder(split.test_X, split.test_anomaly, bins=12)
    result = train_torch("autoencoder", split.fit_X, _tiny(cfg.autoencoder, 3), 32, 0, on_epoch=rec)
    replay = rec.to_dict(threshold=0.5, losses=result.losses)
    assert len(replay["edges"]) == 13 and len(replay["epochs"]) == 3
    assert np.all(np.diff(replay["edges"]) > 0)
    for e in replay["epochs"]:
        assert sum(e["normal"]) == int((~split.test_anomaly).sum())
        assert sum(e["abnormal"]) == int(split.test_anomaly.sum())
        assert 0.0 <= e["auc"] <= 1.0
    assert [e["loss"] for e in replay["epochs"]] == result.losses
    # The last epoch's AUC is the AUC of the trained model's test scores.
    with torch.no_grad():
        final = result.module.score(torch.from_numpy(split.test_X)).numpy()
    assert replay["epochs"][-1]["auc"] == pytest.approx(
        metrics.roc_auc(final, split.test_anomaly), abs=1e-5
    )
    json.dumps(replay)


def test_quick_run_writes_models_and_results(tmp_path: Path, data_dir: Path) -> None:
    assert (
        ecg.main(
            [
                "--data",
                str(data_dir),
                "--out",
                str(tmp_path / "m"),
                "--results",
                str(tmp_path / "r"),
                "--quick",
            ]
        )
        == 0
    )
    for name in ("ecg_autoencoder", "ecg_vae", "ecg_seq2seq", "ecg_pca"):
        assert load_model_files(tmp_path / "m", name).detector.threshold_ is not None
    table = json.loads((tmp_path / "r" / "ecg.json").read_text())
    assert [r["name"] for r in table["rows"]] == [
        "ecg_autoencoder",
        "ecg_vae",
        "ecg_seq2seq",
        "ecg_pca",
    ]
    md = (tmp_path / "r" / "ecg.md").read_text()
    table, selection = md.split("## Model selection")
    assert "ROC AUC" in table and table.count("\n| ") == 5
    for label in ("Autoencoder (headline)", "VAE", "Seq2seq LSTM", "PCA"):
        assert f"### {label}" in selection
    for name in ("ecg_autoencoder", "ecg_vae", "ecg_seq2seq", "ecg_pca"):
        record = json.loads((tmp_path / "m" / f"{name}.json").read_text())["training"]["selection"]
        assert record["winner"] in record["candidates"] and record["rule"]
    replay = json.loads((tmp_path / "m" / "ecg_autoencoder_history.json").read_text())
    assert len(replay["epochs"]) == 3
