"""The "Your data" detectors against their references (issue 12, "Reference parity").

- PCA: scikit-learn's ``PCA`` reconstruction (both fitting paths: one SVD, and the scatter
  matrix summed over row blocks for large inputs).
- kNN: ``sklearn.neighbors.NearestNeighbors``, k-th neighbour distance; training rows scored
  leaving themselves out, as PyOD's ``KNN.decision_scores_``.
- ECOD: PyOD's ``ECOD`` itself (``pyod`` is in the ``train`` group): one row scored by
  ``decision_function`` equals our score of that row.
- Isolation Forest (random): on scikit-learn's breast-cancer data (malignant = anomaly), our
  numpy forest's test ROC AUC, averaged over 5 seeds, is within 0.03 of scikit-learn's
  ``IsolationForest`` with the same ``n_estimators`` and ``max_samples``.
"""

from __future__ import annotations

import numpy as np
import pytest
from pyod.models.ecod import ECOD
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from anomascope.detectors import pca as pca_module
from anomascope.detectors.ecod import ECODDetector
from anomascope.detectors.iforest_fit import IsolationForestFit
from anomascope.detectors.knn import KNNDetector
from anomascope.detectors.pca import PCADetector


def _mixed(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    X[:, 0] = rng.exponential(size=n)  # right-skewed
    X[:, 1] = -rng.exponential(size=n)  # left-skewed
    return X.astype(np.float32)


@pytest.mark.parametrize("n_components", [2, 0.9])
@pytest.mark.parametrize("n_rows", [500, 30_000])  # one SVD; scatter matrix in blocks
def test_pca_scores_match_sklearn(n_components: float, n_rows: int) -> None:
    assert (n_rows * 10 > pca_module.SVD_ELEMENTS) == (n_rows == 30_000)
    X, Q = _mixed(n_rows, 10, 0), _mixed(200, 10, 1) * 2
    sk = PCA(n_components=n_components).fit(X.astype(np.float64))
    ours = PCADetector(n_components).fit(X)
    assert ours.n_components_ == sk.n_components_
    Q64 = Q.astype(np.float64)
    expected = np.mean((sk.inverse_transform(sk.transform(Q64)) - Q64) ** 2, axis=1)
    np.testing.assert_allclose(ours.score_samples(Q), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("k", [1, 5, 10])
def test_knn_matches_nearest_neighbors(k: int) -> None:
    X = _mixed(1500, 6, 2)
    X[100:110] = X[:10]  # duplicated training rows
    Q = _mixed(300, 6, 3)
    det = KNNDetector(k=k).fit(X)
    nn = NearestNeighbors(n_neighbors=k).fit(X.astype(np.float64))
    np.testing.assert_allclose(det.score_samples(Q), nn.kneighbors(Q)[0][:, -1], rtol=1e-6)
    # training rows leave themselves out (PyOD's decision_scores_ = kneighbors() without X)
    np.testing.assert_allclose(
        det.score_samples(X), nn.kneighbors()[0][:, -1], rtol=1e-6, atol=1e-6
    )


def test_knn_over_the_cap_is_exact_on_its_stored_sample() -> None:
    from anomascope.detectors import knn

    X = _mixed(knn.MAX_TRAIN_ROWS + 3000, 3, 4)
    det = KNNDetector(k=4, seed=7).fit(X)
    assert det.train_ is not None
    nn = NearestNeighbors(n_neighbors=4).fit(det.train_.astype(np.float64))
    Q = _mixed(200, 3, 5)
    np.testing.assert_allclose(det.score_samples(Q), nn.kneighbors(Q)[0][:, -1], rtol=1e-6)


def test_ecod_matches_pyod_row_by_row() -> None:
    X, Q = _mixed(800, 5, 6), _mixed(40, 5, 7) * 1.5
    ours = ECODDetector().fit(X)
    ref = ECOD().fit(X.astype(np.float64))
    got = ours.score_samples(Q)
    for i in range(Q.shape[0]):  # PyOD scores a batch together; one row = our definition
        expected = ref.decision_function(Q[i : i + 1].astype(np.float64))[0]
        assert got[i] == pytest.approx(expected, rel=1e-9)
        # the per-feature terms are PyOD's O matrix (its last row is the scored row)
        np.testing.assert_allclose(ours.explain(Q[i : i + 1])[0], ref.O[-1], rtol=1e-9)


def test_isolation_forest_auc_is_within_003_of_sklearn() -> None:
    data = load_breast_cancer()
    X = ((data.data - data.data.mean(0)) / data.data.std(0)).astype(np.float32)
    y = (data.target == 0).astype(int)  # malignant = anomaly
    X_fit, X_test, _, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    ours, ref = [], []
    for seed in range(5):
        det = IsolationForestFit(n_trees=100, max_samples=256, seed=seed).fit(X_fit)
        ours.append(roc_auc_score(y_test, det.score_samples(X_test)))
        sk = IsolationForest(n_estimators=100, max_samples=256, random_state=seed).fit(X_fit)
        ref.append(roc_auc_score(y_test, -sk.score_samples(X_test)))
    assert abs(np.mean(ours) - np.mean(ref)) <= 0.03, (ours, ref)
