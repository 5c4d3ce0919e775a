"""Average precision, the precision-recall curve and the target-recall threshold, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope import metrics as m


def test_average_precision_by_hand() -> None:
    # ranked: a(0.9) n(0.8) a(0.7) n(0.1): P = 1, 1/2, 2/3, 1/2 at recall 1/2, 1/2, 1, 1
    s = np.array([0.9, 0.8, 0.7, 0.1])
    y = np.array([1, 0, 1, 0])
    assert m.average_precision(s, y) == pytest.approx(0.5 * 1 + 0.5 * (2 / 3))


def test_perfect_and_reversed_rankings() -> None:
    y = np.array([0, 0, 0, 1, 1])
    assert m.average_precision(np.arange(5.0), y) == 1.0
    assert m.average_precision(-np.arange(5.0), y) == pytest.approx(0.5 * 1 / 4 + 0.5 * 2 / 5)


def test_tied_scores_form_one_point() -> None:
    s = np.array([1.0, 1.0, 1.0, 1.0])
    y = np.array([1, 0, 0, 1])
    precision, recall, thresholds = m.precision_recall_curve(s, y)
    assert precision.tolist() == [0.5, 1.0] and recall.tolist() == [1.0, 0.0]
    assert thresholds.tolist() == [-np.inf]
    assert m.average_precision(s, y) == 0.5


def test_curve_points_are_the_rates_at_their_thresholds() -> None:
    rng = np.random.default_rng(3)
    s = rng.normal(size=200)
    y = rng.random(200) < 0.2
    precision, recall, thresholds = m.precision_recall_curve(s, y)
    assert np.all(np.diff(recall) <= 0) and np.all(np.diff(thresholds) > 0)
    for p, r, t in zip(precision[:-1], recall[:-1], thresholds, strict=True):
        got = m.classification_metrics(s, y, t)
        assert got["precision"] == pytest.approx(p) and got["recall"] == pytest.approx(r)


def test_no_anomaly_is_refused() -> None:
    with pytest.raises(AnomascopeError, match="anomalous"):
        m.average_precision(np.array([0.1, 0.2]), np.array([0, 0]))


def test_ap_is_published_with_the_metric_definitions() -> None:
    assert m.METRIC_DEFINITIONS["ap"]["title"] == "Average precision"


@pytest.mark.parametrize("target", [0.1, 0.5, 0.75, 0.9, 1.0])
def test_recall_threshold_is_the_highest_reaching_the_target(target: float) -> None:
    rng = np.random.default_rng(11)
    s = np.round(rng.normal(size=300), 2)  # ties included
    y = rng.random(300) < 0.3
    choice = m.threshold_recall(s, y, target)
    assert choice.rule == "recall_validation"
    assert m.classification_metrics(s, y, choice.value)["recall"] >= target
    # the next distinct score above the threshold no longer reaches the target
    above = np.unique(s[s > choice.value])
    if above.size:
        assert m.classification_metrics(s, y, above[0])["recall"] < target
    assert choice.details["recall"] >= target and choice.details["target_recall"] == target


def test_recall_threshold_by_hand_and_dispatch() -> None:
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    y = np.array([0, 1, 0, 1, 0, 1])
    assert m.threshold_recall(s, y, 2 / 3).value == pytest.approx(0.35)  # flags .4 .5 .6
    assert m.threshold_recall(s, y, 1.0).value == pytest.approx(0.15)
    assert m.choose_threshold("recall_validation", s, y, recall=1 / 3).value == pytest.approx(0.55)
    with pytest.raises(AnomascopeError, match="in \\(0, 1\\]"):
        m.threshold_recall(s, y, 0.0)
    with pytest.raises(AnomascopeError, match="needs labels"):
        m.choose_threshold("recall_validation", s)
