"""Convert fitted scikit-learn estimators into Anomascope's numpy detectors.

Lives under ``train/`` because the ``anomascope`` package must not import scikit-learn.

- :func:`ocsvm_from_sklearn` -- ``sklearn.svm.OneClassSVM`` (RBF) -> ``OneClassSVMDetector``
- :func:`iforest_from_sklearn` -- ``IsolationForest`` -> ``IsolationForestDetector``
- :func:`pca_from_sklearn` -- ``sklearn.decomposition.PCA`` -> ``PCADetector``

Each detector's ``threshold_`` is set to scikit-learn's own decision boundary (``predict``), so
``detector.predict(X)`` flags the same rows as ``estimator.predict(X) == -1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.iforest import IsolationForestDetector
from anomascope.detectors.ocsvm import OneClassSVMDetector
from anomascope.detectors.pca import PCADetector


def ocsvm_from_sklearn(estimator: Any) -> OneClassSVMDetector:
    """Export a fitted ``OneClassSVM(kernel="rbf")`` (dense input).

    Score ``= -decision_function``; threshold ``0`` (sklearn predicts -1 where decision < 0).
    """
    if getattr(estimator, "kernel", None) != "rbf":
        raise AnomascopeError(f"only the rbf kernel is supported, got {estimator.kernel!r}")
    sv = np.asarray(estimator.support_vectors_, dtype=np.float64)
    det = OneClassSVMDetector(
        support_vectors=sv,
        dual_coef=np.asarray(estimator.dual_coef_, dtype=np.float64).reshape(-1),
        intercept=float(np.asarray(estimator.intercept_).reshape(-1)[0]),
        gamma=float(estimator._gamma),
    )
    det.threshold_ = 0.0
    return det


def iforest_from_sklearn(estimator: Any) -> IsolationForestDetector:
    """Export a fitted ``IsolationForest``: node arrays per tree, padded, features mapped to
    full-input columns. Threshold ``-offset_`` (sklearn's predict boundary)."""
    trees = []
    for tree_est, feats in zip(estimator.estimators_, estimator.estimators_features_, strict=True):
        t = tree_est.tree_
        feats = np.asarray(feats, dtype=np.int64)
        leaf = t.children_left < 0
        feature = np.where(leaf, -2, feats[np.where(leaf, 0, t.feature)])
        trees.append(
            {
                "children_left": t.children_left,
                "children_right": t.children_right,
                "feature": feature,
                "threshold": np.where(leaf, -2.0, t.threshold),
                "n_node_samples": t.n_node_samples,
            }
        )
    det = IsolationForestDetector.from_trees(
        trees, input_dim=int(estimator.n_features_in_), max_samples=int(estimator.max_samples_)
    )
    det.threshold_ = float(-estimator.offset_)
    return det


def pca_from_sklearn(estimator: Any) -> PCADetector:
    """Export a fitted ``PCA(whiten=False)`` as a reconstruction detector."""
    if getattr(estimator, "whiten", False):
        raise AnomascopeError("whitened PCA is not supported")
    det = PCADetector(int(estimator.n_components_))
    det.mean_ = np.asarray(estimator.mean_, dtype=np.float32)
    det.components_ = np.asarray(estimator.components_, dtype=np.float32)
    det.explained_variance_ = np.asarray(estimator.explained_variance_, dtype=np.float32)
    det.n_components_ = int(estimator.n_components_)
    return det
