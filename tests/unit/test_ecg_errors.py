"""Where and why the ECG models fail, through the bridge: confusion-matrix cells, recall per
class, per-step contributions, the peak score and the nearest training beat."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from api_calls import err, ok

from anomascope import api, beat_errors
from anomascope.data import ecg
from anomascope.metrics import threshold_best_f1

MODELS = Path(__file__).resolve().parents[2] / "models"


def arr(encoded: dict) -> np.ndarray:
    """An array as the bridge sends it to the page."""
    return np.frombuffer(encoded["data"], encoded["__ndarray__"])


@pytest.fixture(scope="module")
def data(data_dir: Path) -> ecg.ECG5000:
    return ecg.load_ecg5000(data_dir)


@pytest.fixture
def lab(data: ecg.ECG5000, monkeypatch: pytest.MonkeyPatch) -> api.State:
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    buf = io.BytesIO()
    np.savez(
        buf, train_X=data.train_X, train_y=data.train_y, test_X=data.test_X, test_y=data.test_y
    )
    ok("load_dataset", {"name": "ecg5000", "data": buf.getvalue()})
    for name in ("ecg_autoencoder", "ecg_pca"):
        manifest = (MODELS / f"{name}.json").read_text()
        ok(
            "load_model",
            {"name": name, "manifest": manifest, "weights": (MODELS / f"{name}.npz").read_bytes()},
        )
    return fresh


def test_a_cell_lists_exactly_the_beats_numpy_counts_there(lab: api.State, data) -> None:
    scores = lab.models["ecg_pca"].score(data.test_X)
    abnormal = data.test_y != 1
    threshold = float(np.quantile(scores, 0.6))
    cells = {
        "tp": abnormal & (scores > threshold),
        "fn": abnormal & (scores <= threshold),
        "fp": ~abnormal & (scores > threshold),
        "tn": ~abnormal & (scores <= threshold),
    }
    for cell, mask in cells.items():
        r = ok("explorer_cell", {"model": "ecg_pca", "threshold": threshold, "cell": cell})
        listed = arr(r["index"])
        assert r["count"] == int(mask.sum())
        expected = np.flatnonzero(mask)
        assert set(listed.tolist()) <= set(expected.tolist())
        assert len(listed) == min(len(expected), 500)
        listed_scores = arr(r["score"])
        assert np.allclose(listed_scores, scores[listed], rtol=1e-6)
        order = -listed_scores if cell in ("tp", "fp") else listed_scores
        assert np.all(np.diff(order) >= 0)
    assert "cell must be one of" in err(
        "explorer_cell", {"model": "ecg_pca", "threshold": 0.1, "cell": "xx"}
    )


def test_recall_per_abnormal_class_matches_numpy(lab: api.State, data) -> None:
    model = lab.models["ecg_autoencoder"]
    scores = model.score(data.test_X)
    m = ok("threshold_metrics", {"model": "ecg_autoencoder", "threshold": model.threshold})
    assert [c["class"] for c in m["per_class"]] == [2, 3, 4, 5]
    for c in m["per_class"]:
        rows = data.test_y == c["class"]
        assert c["n"] == int(rows.sum())
        assert c["caught"] == int((scores[rows] > model.threshold).sum())
        assert c["recall"] == pytest.approx(c["caught"] / c["n"])


def test_step_contributions_sum_to_the_score_and_peak_is_the_largest_step(lab, data) -> None:
    r = ok(
        "inspect_beat",
        {"model": "ecg_autoencoder", "dataset": "ecg5000", "split": "test", "index": 7},
    )
    contributions = arr(r["contributions"])
    assert contributions.size == 140 and np.all(contributions >= 0)
    assert contributions.sum() == pytest.approx(r["score"], rel=1e-4)
    peak = arr(r["peak_score"])[0]
    assert peak == pytest.approx(contributions.max() * 140, rel=1e-5)
    assert r["nearest"]["distance"] >= 0 and r["nearest"]["bound"] > 0


def test_the_peak_threshold_is_chosen_on_the_validation_beats(lab, data) -> None:
    model = lab.models["ecg_autoencoder"]
    c = beat_errors.step_contributions(model, data.train_X)
    expected = threshold_best_f1(c.max(axis=1) * 140, data.train_y != 1).value
    r = ok(
        "inspect_beat",
        {"model": "ecg_autoencoder", "dataset": "ecg5000", "split": "test", "index": 0},
    )
    assert r["peak_threshold"]["value"] == pytest.approx(expected)
    assert r["peak_threshold"]["n_validation"] == len(data.train_X)


def test_flat_line_and_spike_slip_under_the_mean_but_not_the_new_checks(lab) -> None:
    """The explainer's edge cases: the autoencoder copies a flat line and a flat line with one
    spike well enough that the mean score calls both normal; the peak score catches the spike,
    and the nearest-beat check says the flat line is unlike any training beat."""
    cases = {c["title"]: c for c in ok("explainer", {"model": "ecg_autoencoder"})["edge_cases"]}
    flat, spike = cases["flat line"], cases["one-step spike"]
    assert flat["score"] <= flat["threshold"] and spike["score"] <= spike["threshold"]
    assert spike["peak_score"] > spike["peak_threshold"]
    assert flat["peak_score"] <= flat["peak_threshold"]
    assert flat["nearest"]["unlike"] and flat["nearest"]["distance"] > flat["nearest"]["bound"]


def test_a_drawing_gets_both_scores_and_its_nearest_training_beat(lab, data) -> None:
    beat = data.train_X[data.train_y == 1][3]
    stroke = np.stack([np.arange(140, dtype=np.float32), beat], axis=1).ravel()
    r = ok("draw_beat", {"model": "ecg_autoencoder", "strokes": [stroke.tolist()]})
    assert r["nearest"]["distance"] == pytest.approx(0.0, abs=1e-3)
    assert not r["nearest"]["unlike"]
    contributions = arr(r["contributions"])
    assert contributions.sum() == pytest.approx(r["score"], rel=1e-4)
