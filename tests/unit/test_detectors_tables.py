"""The table detectors of the "Your data" page: fit_steps, parameters, determinism, saving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.detectors import KIND_LABELS, KIND_ORDER, KINDS
from anomascope.detectors.fitting import TABLE_KINDS, TABLE_PARAMS, check_params, make_detector
from anomascope.detectors.iforest import average_path_length
from anomascope.detectors.iforest_fit import IsolationForestFit
from anomascope.detectors.knn import MAX_TRAIN_ROWS, KNNDetector
from anomascope.weights import load_model, load_model_files, save_model

FAST = {"autoencoder": {"epochs": 3, "batch_size": 64}, "iforest": {"n_trees": 30}}


def _data(n: int = 600, d: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    X[:, 1] = np.exp(X[:, 1])  # one skewed column
    return X


def test_kinds_are_registered_with_labels() -> None:
    for kind in ("ecod", "knn"):
        assert kind in KINDS and kind in KIND_LABELS
    assert KIND_ORDER[-2:] == ("ecod", "knn")
    assert KIND_LABELS["knn"] == {"title": "k-nearest neighbours", "short": "kNN"}
    assert set(TABLE_KINDS) <= set(KINDS)
    for kind, params in TABLE_PARAMS.items():
        for rule in params.values():
            assert rule["min"] <= rule["default"] <= rule["max"], kind
            assert rule["kind"] in ("int", "number") and rule["label"]


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_fit_steps_yield_increasing_fractions_ending_at_one(kind: str) -> None:
    X = _data(3000, 8)
    det = make_detector(kind, FAST.get(kind), seed=1)
    fractions = list(det.fit_steps(X))
    assert fractions[-1] == 1.0
    assert all(0 < f <= 1 for f in fractions)
    assert all(b > a for a, b in zip(fractions, fractions[1:], strict=False))
    scores = det.score_samples(X[:50])
    assert scores.shape == (50,) and np.all(np.isfinite(scores))


def test_long_fits_yield_more_than_once() -> None:
    X = _data(5000, 20)
    assert len(list(make_detector("iforest", {}, 0).fit_steps(X))) > 1
    assert len(list(make_detector("autoencoder", {"epochs": 2}, 0).fit_steps(X))) > 1
    assert len(list(make_detector("pca", {}, 0).fit_steps(_data(40_000, 20)))) > 1


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("iforest", {"n_trees": 0}, "n_trees"),
        ("iforest", {"n_trees": 10.5}, "n_trees"),
        ("iforest", {"max_samples": "many"}, "max_samples"),
        ("knn", {"k": 1000}, "k"),
        ("knn", {"neighbours": 3}, "neighbours"),
        ("pca", {"n_components": 2.5}, "n_components"),
        ("pca", {"n_components": True}, "n_components"),
        ("autoencoder", {"learning_rate": float("nan")}, "learning_rate"),
        ("autoencoder", {"epochs": -1}, "epochs"),
        ("lof", {}, "kind"),
    ],
)
def test_bad_params_name_the_field(kind: str, params: dict, field: str) -> None:
    with pytest.raises(AnomascopeError) as err:
        make_detector(kind, params, 0)
    assert err.value.field == field


def test_params_beyond_the_data_name_the_field_at_fit() -> None:
    with pytest.raises(AnomascopeError) as err:
        make_detector("pca", {"n_components": 9}, 0).fit(_data(100, 4))
    assert err.value.field == "n_components"
    with pytest.raises(AnomascopeError) as err:
        make_detector("knn", {"k": 50}, 0).fit(_data(20, 4))
    assert err.value.field == "k" and "20 training rows" in str(err.value)


def test_check_params_fills_defaults() -> None:
    assert check_params("iforest", None) == {"n_trees": 100, "max_samples": 256}
    assert check_params("pca", {"n_components": 3.0}) == {"n_components": 3}
    assert check_params("ecod", {}) == {}


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_same_seed_same_model(kind: str) -> None:
    X, Q = _data(800, 6), _data(100, 6, seed=5)
    a = make_detector(kind, FAST.get(kind), seed=3).fit(X).score_samples(Q)
    b = make_detector(kind, FAST.get(kind), seed=3).fit(X).score_samples(Q)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["iforest", "autoencoder"])
def test_other_seed_other_model(kind: str) -> None:
    X, Q = _data(800, 6), _data(100, 6, seed=5)
    a = make_detector(kind, FAST.get(kind), seed=3).fit(X).score_samples(Q)
    b = make_detector(kind, FAST.get(kind), seed=4).fit(X).score_samples(Q)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_save_load_round_trip_gives_identical_scores(kind: str, tmp_path: Path) -> None:
    X, Q = _data(700, 7), _data(60, 7, seed=9)
    det = make_detector(kind, FAST.get(kind), seed=2).fit(X)
    det.threshold_ = float(np.median(det.score_samples(X)))
    save_model(tmp_path, f"t_{kind}", det, {"dataset": "table"})
    loaded = load_model_files(tmp_path, f"t_{kind}")
    assert loaded.detector.kind == kind
    np.testing.assert_array_equal(loaded.detector.score_samples(Q), det.score_samples(Q))
    np.testing.assert_array_equal(loaded.detector.explain(Q[:5]), det.explain(Q[:5]))
    assert loaded.threshold == pytest.approx(det.threshold_)


def test_isolation_forest_trees_follow_the_depth_limit_and_sample_counts() -> None:
    X = _data(2000, 5)
    det = IsolationForestFit(n_trees=20, max_samples=64, seed=0).fit(X)
    forest = det.forest_
    assert forest is not None and forest.max_depth <= 6  # ceil(log2(64))
    roots = forest.n_node_samples_[:, 0]
    assert np.all(roots == 64)
    inner = forest.children_left_ >= 0
    left, right = forest.children_left_, forest.children_right_
    rows = np.nonzero(inner)
    kids = (
        forest.n_node_samples_[rows[0], left[inner]] + forest.n_node_samples_[rows[0], right[inner]]
    )
    np.testing.assert_array_equal(kids, forest.n_node_samples_[inner])
    assert forest._norm == pytest.approx(float(average_path_length(np.array([64]))[0]))


def test_isolation_forest_scores_planted_outliers_higher() -> None:
    X = _data(2000, 5)
    det = IsolationForestFit(n_trees=50, max_samples=128, seed=0).fit(X)
    far = np.full((5, 5), 8.0, dtype=np.float32)
    assert det.score_samples(far).min() > np.quantile(det.score_samples(X), 0.99)


def test_knn_training_rows_leave_themselves_out() -> None:
    X = np.array([[0.0], [1.0], [3.0], [3.0]], dtype=np.float32)
    det = KNNDetector(k=1).fit(X)
    # training rows: nearest *other* row; a duplicate counts as the other row at distance 0
    np.testing.assert_allclose(det.score_samples(X), [1.0, 1.0, 0.0, 0.0])
    # new rows: nearest stored row
    np.testing.assert_allclose(det.score_samples(np.array([[0.5], [5.0]])), [0.5, 2.0])


def test_knn_stores_at_most_the_cap_with_a_seeded_sample() -> None:
    X = np.random.default_rng(0).normal(size=(MAX_TRAIN_ROWS + 500, 2)).astype(np.float32)
    a, b = KNNDetector(5, seed=1).fit(X), KNNDetector(5, seed=1).fit(X)
    assert a.train_ is not None and b.train_ is not None
    assert a.train_.shape == (MAX_TRAIN_ROWS, 2)
    np.testing.assert_array_equal(a.train_, b.train_)
    assert a.architecture()["n_seen"] == MAX_TRAIN_ROWS + 500


def test_ecod_scores_are_finite_and_tails_rise_away_from_the_data() -> None:
    X = _data(500, 3)
    det = make_detector("ecod", {}, 0).fit(X)
    q = np.array([[0, 1, 0], [50, 1, 0], [-50, 1, 0]], dtype=np.float32)
    s = det.score_samples(q)
    assert np.all(np.isfinite(s)) and s[1] > s[0] and s[2] > s[0]
    # beyond every training value the tail probability is 1 / (n + 1)
    assert det.explain(q)[1, 0] == pytest.approx(np.log(501.0))


def test_fit_rejects_non_finite_rows() -> None:
    X = _data(100, 3)
    X[4, 2] = np.nan
    for kind in TABLE_KINDS:
        with pytest.raises(AnomascopeError, match="NaN or infinite"):
            make_detector(kind, FAST.get(kind), 0).fit(X)


def test_loading_a_knn_model_with_bad_k_is_refused(tmp_path: Path) -> None:
    det = KNNDetector(k=3).fit(_data(50, 2))
    npz, js = save_model(tmp_path, "k", det, {})
    text = js.read_text().replace('"k": 3', '"k": 80')
    with pytest.raises(AnomascopeError, match="k=80"):
        load_model(npz.read_bytes(), text)
