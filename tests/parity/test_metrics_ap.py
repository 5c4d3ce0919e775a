"""Average precision and the precision-recall curve against scikit-learn's definitions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve

from anomascope import metrics as m


def cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(60):
        n = int(rng.integers(2, 400))
        y = rng.random(n) < rng.uniform(0.05, 0.6)
        y[rng.integers(n)] = True
        if i % 3 == 0:  # many ties
            s = rng.integers(0, 6, n).astype(np.float64)
        elif i % 3 == 1:
            s = rng.normal(size=n) + 1.5 * y
        else:  # float32 scores, as the detectors give
            s = (rng.exponential(size=n) * (1 + y)).astype(np.float32)
        out.append((s, y.astype(np.int64)))
    return out


@pytest.mark.parametrize(("scores", "labels"), cases())
def test_average_precision_matches_sklearn(scores: np.ndarray, labels: np.ndarray) -> None:
    expected = average_precision_score(labels, scores)
    assert m.average_precision(scores, labels) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("scores", "labels"), cases()[:20])
def test_precision_recall_curve_matches_sklearn(scores: np.ndarray, labels: np.ndarray) -> None:
    precision, recall, thresholds = m.precision_recall_curve(scores, labels)
    p_ref, r_ref, t_ref = precision_recall_curve(labels, scores)
    np.testing.assert_allclose(precision, p_ref, rtol=1e-12)
    np.testing.assert_allclose(recall, r_ref, rtol=1e-12)
    assert thresholds.size == t_ref.size
    # ours flags score > t, scikit-learn's score >= t_ref: the same rows at every point
    s = np.asarray(scores, dtype=np.float64)
    for t, t_sk in zip(thresholds, t_ref, strict=True):
        assert np.array_equal(s > t, s >= t_sk)
