"""ECG model selection (train/ecg_selection.py, run by train/ecg.py): the winner is picked by
validation ROC AUC with the stated tie rule, and selection never looks at the test split or the
UCR TEST file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from train import ecg, ecg_data, ecg_selection


def cand(auc: float | None, params: int, epochs: int = 100) -> dict:
    return {"validation_auc": auc, "params": params, "epochs": epochs}


def test_pick_winner_takes_the_best_validation_auc() -> None:
    cands = [cand(0.95, 10), cand(0.99, 5000), cand(0.97, 100)]
    assert ecg_selection.pick_winner(cands, tolerance=0.001) == 1
    # The tolerance is what makes a near-tie: with none, the strictly best still wins.
    cands = [cand(0.9950, 5000), cand(0.9945, 100)]
    assert ecg_selection.pick_winner(cands, tolerance=0.0) == 0


def test_pick_winner_tie_rule() -> None:
    # Within 0.001 of the best (0.9950): 0.9945 and 0.9941 tie with it; 0.9930 does not.
    cands = [cand(0.9950, 5000), cand(0.9945, 800), cand(0.9941, 600), cand(0.9930, 100)]
    assert ecg_selection.pick_winner(cands, tolerance=0.001) == 2
    # Equal parameters: the fewest epochs, then the earliest in grid order.
    cands = [cand(0.990, 500, 200), cand(0.9905, 500, 50), cand(0.9902, 500, 50)]
    assert ecg_selection.pick_winner(cands, tolerance=0.001) == 1
    # A candidate whose scores were not finite (None) is never chosen, however small.
    cands = [cand(None, 1), cand(0.80, 900)]
    assert ecg_selection.pick_winner(cands, tolerance=0.001) == 1
    with pytest.raises(ValueError, match="finite"):
        ecg_selection.pick_winner([cand(None, 1)], tolerance=0.001)


def test_apply_point_mirrors_the_decoder_and_rejects_unknown_keys() -> None:
    cfg = ecg.ECGConfig()
    point = {"encoder_units": [64, 32], "input_noise": 0.0}
    out = ecg_selection.apply_point(cfg.autoencoder, point)
    assert out["architecture"]["decoder_units"] == [32, 64]
    assert out["input_noise"] == 0.0
    assert cfg.autoencoder["architecture"]["encoder_units"] == [32, 16]  # template untouched
    with pytest.raises(ValueError, match="not a setting"):
        ecg_selection.apply_point(cfg.autoencoder, {"dropout": 0.5})


def synthetic_dev(rng: np.random.Generator) -> ecg_data.DevSplit:
    """Normal beats: one sine shape plus noise; abnormal beats: a shifted, distorted shape."""
    t = np.linspace(0, 2 * np.pi, 140, dtype=np.float32)
    normal = np.sin(t) + 0.1 * rng.normal(size=(60, 140))
    abnormal = np.sin(2 * t + 1) + 0.1 * rng.normal(size=(20, 140))
    val_X = np.concatenate([normal[40:], abnormal]).astype(np.float32)
    val_anomaly = np.r_[np.zeros(20, bool), np.ones(20, bool)]
    return ecg_data.DevSplit(normal[:40].astype(np.float32), val_X, val_anomaly)


def select_tiny(dev: ecg_data.DevSplit) -> ecg_selection.Selection:
    cfg = ecg.ECGConfig()
    grid = {"latent_dim": [2, 4], "epochs": [1, 2]}
    return ecg_selection.select_torch_model("autoencoder", dev, cfg.autoencoder, grid, 16, 0, 0.001)


def test_selection_runs_on_validation_only() -> None:
    dev = synthetic_dev(np.random.default_rng(0))
    # The same rows with a poisoned test split: NaN beats, and labels that are not labels.
    poisoned = ecg_data.ECGSplit(
        fit_X=dev.fit_X,
        val_X=dev.val_X,
        val_anomaly=dev.val_anomaly,
        test_X=np.full((7, 140), np.nan, np.float32),
        test_anomaly=np.full(7, -1),
        data_sha256="not read",
    )
    a, b = select_tiny(dev), select_tiny(poisoned)
    assert len(a.record["candidates"]) == 4  # 2 fits x 2 epoch checkpoints
    assert all(0.0 <= c["validation_auc"] <= 1.0 for c in b.record["candidates"])
    # Identical outcome: nothing about the test split entered the choice.
    assert a.record["candidates"] == b.record["candidates"]
    assert a.record["winner"] == b.record["winner"] and a.config == b.config
    i = ecg_selection.pick_winner(a.record["candidates"], 0.001)
    assert a.record["winner"] is a.record["candidates"][i]
    assert a.config["epochs"] == a.record["winner"]["epochs"]
    assert a.config["architecture"]["latent_dim"] == a.record["winner"]["latent_dim"]


def test_run_reads_the_test_file_after_every_selection(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_read, real_torch, real_pca = ecg_data.read_ucr_file, ecg.select_torch_model, ecg.select_pca

    def read(data: str | Path, rel: str) -> tuple[np.ndarray, np.ndarray]:
        events.append(f"read {Path(rel).name}")
        return real_read(data, rel)

    def select_torch(kind: str, dev: ecg_data.DevSplit, *args: object) -> ecg_selection.Selection:
        assert not isinstance(dev, ecg_data.ECGSplit), "selection was handed the test split"
        out = real_torch(kind, dev, *args)  # type: ignore[arg-type]
        events.append(f"selected {kind}")
        return out

    def select_pca(dev: ecg_data.DevSplit, *args: object) -> ecg_selection.Selection:
        out = real_pca(dev, *args)  # type: ignore[arg-type]
        events.append("selected pca")
        return out

    monkeypatch.setattr(ecg_data, "read_ucr_file", read)
    monkeypatch.setattr(ecg, "select_torch_model", select_torch)
    monkeypatch.setattr(ecg, "select_pca", select_pca)
    cfg = ecg.ECGConfig().quick()
    cfg.autoencoder_grid = {"latent_dim": [4], "epochs": [1]}
    cfg.vae_grid = {"latent_dim": [4], "epochs": [1]}
    cfg.seq2seq_grid = {"hidden_size": [4], "epochs": [1]}
    ecg.run(cfg, data_dir, tmp_path / "m", tmp_path / "r")
    first_test = events.index("read ECG5000_TEST.txt")
    assert events[:first_test] == [
        "read ECG5000_TRAIN.txt",
        "selected autoencoder",
        "selected vae",
        "selected seq2seq",
        "selected pca",
    ]
    assert "Model selection" in (tmp_path / "r" / "ecg.md").read_text()
