"""explain(X) on every detector kind, and explain_rows in the raw feature space (issue 13)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.data.kdd import FEATURE_NAMES
from anomascope.detectors import KIND_ORDER, detector_class
from anomascope.detectors.base import Detector
from anomascope.detectors.fitting import make_detector
from anomascope.explain import explain_rows, output_sources
from anomascope.weights import LoadedModel, load_model_files

MODELS = Path(__file__).resolve().parents[2] / "models"
KDD = ["kdd_pca", "kdd_ocsvm", "kdd_autoencoder", "kdd_bigan", "kdd_vae", "kdd_iforest"]
ECG = ["ecg_pca", "ecg_autoencoder", "ecg_vae", "ecg_seq2seq"]


def _data(n: int = 400, d: int = 5, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def _kdd_like_rows(model: LoadedModel, n: int, seed: int) -> np.ndarray:
    """Raw 41-column rows inside the model's vocabularies (categorical codes are ints)."""
    rng = np.random.default_rng(seed)
    X = np.abs(rng.normal(size=(n, 41))).astype(np.float32)
    for step in model.manifest["preprocessing"]["steps"]:
        if step["op"] == "onehot":
            X[:, step["column"]] = rng.integers(0, len(step["categories"]), n)
    return X


def test_every_kind_documents_its_method() -> None:
    for kind in KIND_ORDER:
        cls = detector_class(kind)
        assert isinstance(cls.explain_method, str) and len(cls.explain_method) > 40
        assert "explain_method" in (cls.__doc__ or ""), kind


@pytest.mark.parametrize("name", ECG + ["kdd_pca", "kdd_autoencoder", "kdd_vae"])
def test_reconstruction_contributions_sum_to_the_score(name: str) -> None:
    model = load_model_files(MODELS, name)
    d = int(model.detector.architecture().get("input_dim", 140) or 140)
    if name.startswith("kdd"):
        X = model.preprocess(_kdd_like_rows(model, 20, 1))
    else:
        X = np.random.default_rng(2).normal(size=(20, d)).astype(np.float32)
    contrib = model.detector.explain(X)
    assert contrib.dtype == np.float64 and contrib.shape == X.shape
    assert np.all(contrib >= 0)
    np.testing.assert_allclose(contrib.sum(axis=1), model.detector.score_samples(X), rtol=1e-5)


def test_ecod_contributions_sum_to_the_score() -> None:
    det = make_detector("ecod", {}, 0).fit(_data())
    Q = _data(30, seed=4) * 3
    np.testing.assert_allclose(det.explain(Q).sum(axis=1), det.score_samples(Q), rtol=1e-12)


def _median_kinds() -> list[tuple[str, Detector]]:
    X = _data(300, 5)
    out: list[tuple[str, Detector]] = [
        ("iforest", make_detector("iforest", {"n_trees": 40}, 0).fit(X)),
        ("knn", make_detector("knn", {"k": 5}, 0).fit(X)),
    ]
    for name in ("kdd_ocsvm", "kdd_bigan", "kdd_iforest"):
        model = load_model_files(MODELS, name)
        model.detector.set_baseline(model.preprocess(_kdd_like_rows(model, 200, 3)))
        out.append((name, model.detector))
    return out


@pytest.mark.parametrize(("name", "det"), _median_kinds())
def test_median_replacement_is_zero_on_baseline_columns(name: str, det: Detector) -> None:
    base = det.baseline_
    assert base is not None
    rng = np.random.default_rng(7)
    X = np.repeat(base[None, :], 6, axis=0) + rng.normal(size=(6, base.size)).astype(np.float32)
    keep = rng.random(X.shape) < 0.4
    X[keep] = np.broadcast_to(base, X.shape)[keep]  # these cells equal the baseline
    contrib = det.explain(X)
    assert contrib.shape == X.shape and contrib.dtype == np.float64
    assert np.all(contrib[keep] == 0.0)
    # the definition: score(x) - score(x with column j set to the median)
    j = int(np.flatnonzero(~keep[0])[0])
    moved = X[:1].copy()
    moved[0, j] = base[j]
    score = float(det.score_samples(X[:1])[0])
    expect = score - float(det.score_samples(moved)[0])
    # float32 models (BiGAN) round a row differently at another position of a batch
    assert contrib[0, j] == pytest.approx(expect, abs=2e-6 * (1 + abs(score)))


def test_a_row_at_the_baseline_has_no_contributions() -> None:
    det = make_detector("knn", {"k": 3}, 0).fit(_data())
    assert det.baseline_ is not None
    assert np.all(det.explain(det.baseline_[None, :]) == 0.0)


def test_median_replacement_without_a_baseline_says_so() -> None:
    model = load_model_files(MODELS, "kdd_ocsvm")
    assert model.detector.baseline_ is not None  # the shipped file carries its training medians
    model.detector.baseline_ = None  # as a model file without them
    with pytest.raises(AnomascopeError, match="no baseline"):
        explain_rows(model, _kdd_like_rows(model, 1, 0))


def _table_model(det: Detector, spec: dict[str, Any]) -> LoadedModel:
    return LoadedModel(manifest={"kind": det.kind, "preprocessing": spec}, detector=det)


def test_onehot_columns_sum_back_into_their_feature() -> None:
    # raw: [colour (categorical), size, weight]; model: colour one-hot (3) + size + weight
    spec = {
        "input_dim": 3,
        "feature_names": ["colour", "size", "weight"],
        "output_features": [0, 0, 0, 1, 2],
        "steps": [{"op": "onehot", "column": 0, "categories": ["red", "green", "blue"]}],
    }
    rng = np.random.default_rng(0)
    colours = rng.choice(["red", "green", "blue"], 200)
    raw = np.column_stack([colours, rng.normal(size=200), rng.normal(size=200)]).astype(object)
    for kind in ("pca", "ecod", "knn"):
        det = make_detector(kind, {"n_components": 2} if kind == "pca" else {}, 0)
        model = _table_model(det.fit(np.asarray(_prep(spec, raw))), spec)
        out = explain_rows(model, raw[:7], top=2)
        assert out["features"] == ["colour", "size", "weight"]
        assert out["method"] == type(det).explain_method
        per_col = det.explain(model.preprocess(raw[:7]))
        np.testing.assert_allclose(out["contributions"][:, 0], per_col[:, :3].sum(axis=1))
        np.testing.assert_allclose(out["contributions"][:, 1:], per_col[:, 3:])
        top = out["top"][0]
        assert len(top) == 2 and top[0][1] >= top[1][1]
        assert top[0][0] in out["features"]


def _prep(spec: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    from anomascope.preprocessing import apply_preprocessing

    return apply_preprocessing(spec, raw)


def test_output_sources_follow_select_and_onehot_steps() -> None:
    spec = {
        "steps": [
            {"op": "select", "columns": [2, 0, 1]},
            {"op": "onehot", "column": 1, "categories": [0, 1, 2]},
            {"op": "onehot", "column": 0, "categories": ["a", "b"], "other": True},
        ]
    }
    np.testing.assert_array_equal(output_sources(spec, 3), [2, 2, 2, 0, 0, 0, 1])


def test_kdd_models_explain_against_the_41_field_names_quickly() -> None:
    models = {name: load_model_files(MODELS, name) for name in KDD}
    base = _kdd_like_rows(models["kdd_pca"], 300, 5)
    for name in ("kdd_ocsvm", "kdd_bigan", "kdd_iforest"):
        explain_rows(models[name], base[:1], baseline_raw=base)
    row = _kdd_like_rows(models["kdd_pca"], 1, 6)
    start = time.perf_counter()
    outs = {name: explain_rows(m, row, top=3) for name, m in models.items()}
    elapsed = time.perf_counter() - start
    for name, out in outs.items():
        assert out["features"] == list(FEATURE_NAMES), name
        assert out["contributions"].shape == (1, 41)
        assert np.all(np.isfinite(out["contributions"]))
    assert elapsed < 1.0  # natively about 10 ms; the bound only catches a pathological slowdown


def test_ecg_models_name_time_steps() -> None:
    model = load_model_files(MODELS, "ecg_seq2seq")
    beat = np.sin(np.linspace(0, 6, 140))[None, :].astype(np.float32)
    out = explain_rows(model, beat)
    assert out["features"][:2] == ["t1", "t2"] and len(out["features"]) == 140
    np.testing.assert_allclose(out["contributions"].sum(), model.score(beat)[0], rtol=1e-5)


def test_baseline_rows_are_used_once_and_only_where_needed() -> None:
    svm = load_model_files(MODELS, "kdd_ocsvm")
    svm.detector.baseline_ = None  # as a model file without training medians
    first = _kdd_like_rows(svm, 100, 8)
    row = _kdd_like_rows(svm, 1, 9)
    a = explain_rows(svm, row, baseline_raw=first)["contributions"]
    base = svm.detector.baseline_
    assert base is not None
    np.testing.assert_array_equal(base, np.median(svm.preprocess(first), axis=0))
    b = explain_rows(svm, row, baseline_raw=first[:10] * 5)["contributions"]
    np.testing.assert_array_equal(a, b)  # the first baseline is kept
    pca = load_model_files(MODELS, "kdd_pca")
    explain_rows(pca, row, baseline_raw=first)
    assert pca.detector.baseline_ is None  # reconstruction needs no baseline


def test_knn_explain_matches_the_shared_median_replacement() -> None:
    from anomascope.detectors.explain import median_replacement

    X = _data(500, 6)
    det = make_detector("knn", {"k": 4}, 0).fit(X)
    Q = np.concatenate([_data(20, 6, seed=11) * 2, X[:5]])  # new rows and training rows
    np.testing.assert_allclose(det.explain(Q), median_replacement(det, Q), rtol=1e-7, atol=1e-9)
