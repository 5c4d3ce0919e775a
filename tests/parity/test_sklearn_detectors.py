"""numpy detectors and metrics against scikit-learn on small random data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.svm import OneClassSVM

from anomascope import metrics
from anomascope.detectors.pca import PCADetector
from anomascope.weights import load_model_files, save_model
from train.sklearn_export import (
    iforest_from_sklearn,
    ocsvm_from_sklearn,
    pca_from_sklearn,
)


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, 7)) @ rng.normal(size=(7, 7))
    Xt = np.concatenate(
        [rng.normal(size=(80, 7)) @ rng.normal(size=(7, 7)), 4 * rng.normal(size=(20, 7))]
    )
    return X.astype(np.float32), Xt.astype(np.float32)


@pytest.mark.parametrize("n_components", [1, 4, 0.9])
def test_pca_reconstruction_matches_sklearn(n_components: float) -> None:
    X, Xt = _data()
    sk = PCA(n_components=n_components).fit(X.astype(np.float64))
    ours = PCADetector(n_components).fit(X)
    assert ours.n_components_ == sk.n_components_
    expected = sk.inverse_transform(sk.transform(Xt.astype(np.float64)))
    np.testing.assert_allclose(ours.reconstruct(Xt), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.explained_variance_, sk.explained_variance_, rtol=1e-4)
    err = ((expected - Xt) ** 2).mean(axis=1)
    np.testing.assert_allclose(ours.score_samples(Xt), err, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(pca_from_sklearn(sk).reconstruct(Xt), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("gamma", ["scale", 0.05])
def test_ocsvm_decision_function_matches(gamma: object, tmp_path: Path) -> None:
    X, Xt = _data(1)
    sk = OneClassSVM(kernel="rbf", gamma=gamma, nu=0.1).fit(X)
    det = ocsvm_from_sklearn(sk)
    det.chunk_rows = 7  # exercise the chunking
    np.testing.assert_allclose(
        det.score_samples(Xt), -sk.decision_function(Xt), rtol=1e-9, atol=1e-10
    )
    np.testing.assert_array_equal(det.predict(Xt), sk.predict(Xt) == -1)
    save_model(tmp_path, "svm", det, {})  # float64 survives the weight file
    loaded = load_model_files(tmp_path, "svm").detector
    np.testing.assert_allclose(
        loaded.score_samples(Xt), -sk.decision_function(Xt), rtol=1e-9, atol=1e-10
    )


@pytest.mark.parametrize(("max_samples", "max_features"), [(64, 1.0), (150, 0.6), ("auto", 3)])
def test_iforest_score_samples_matches(
    max_samples: object, max_features: float, tmp_path: Path
) -> None:
    X, Xt = _data(2)
    sk = IsolationForest(
        n_estimators=25, max_samples=max_samples, max_features=max_features, random_state=0
    ).fit(X)
    det = iforest_from_sklearn(sk)
    det.chunk_elements = 25 * 13  # several row blocks
    np.testing.assert_allclose(det.score_samples(Xt), -sk.score_samples(Xt), rtol=1e-12)
    np.testing.assert_array_equal(det.predict(Xt), sk.predict(Xt) == -1)
    save_model(tmp_path, "forest", det, {})
    loaded = load_model_files(tmp_path, "forest")
    assert loaded.manifest["arrays"]["threshold"]["dtype"] == "float64"
    np.testing.assert_allclose(loaded.detector.score_samples(Xt), -sk.score_samples(Xt), rtol=1e-12)
    assert loaded.threshold == pytest.approx(-sk.offset_)


@pytest.mark.parametrize("seed", range(4))
def test_auc_and_roc_match_sklearn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    y = rng.integers(0, 2, n)
    s = (y + rng.normal(size=n)).astype(np.float32)
    if seed % 2:
        s = np.round(s, 1)  # many ties
    assert metrics.roc_auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    fpr, tpr, _ = metrics.roc_curve(s, y)
    sk_fpr, sk_tpr, _ = roc_curve(y, s)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
