"""Metrics: counts, rates, ROC/AUC (against a brute-force pair count), thresholds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope import metrics as m


def pair_auc(s: np.ndarray, y: np.ndarray) -> float:
    """AUC as P(score_pos > score_neg) + 0.5 P(tie), by brute force over all pairs."""
    pos, neg = s[y == 1][:, None], s[y == 0][None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def test_confusion_counts_strict_threshold() -> None:
    s = np.array([0.1, 0.5, 0.5, 0.9, 0.2, 0.7])
    y = np.array([0, 0, 1, 1, 1, 0])
    # score == threshold counts as normal
    assert m.confusion_counts(s, y, 0.5) == {"tp": 1, "fp": 1, "tn": 2, "fn": 2}
    assert m.confusion_counts(s, y, 0.49) == {"tp": 2, "fp": 2, "tn": 1, "fn": 1}


def test_rates_by_hand_and_zero_division() -> None:
    r = {k: float(v) for k, v in m.rates_from_counts(tp=3, fp=1, tn=4, fn=2).items()}
    assert r["accuracy"] == pytest.approx(7 / 10)
    assert r["precision"] == pytest.approx(3 / 4)
    assert r["recall"] == r["tpr"] == pytest.approx(3 / 5)
    p, rc = 3 / 4, 3 / 5
    assert r["f1"] == pytest.approx(2 * p * rc / (p + rc))
    assert r["f2"] == pytest.approx(5 * p * rc / (4 * p + rc))
    assert r["fpr"] == pytest.approx(1 / 5)
    assert r["tnr"] == pytest.approx(4 / 5)
    assert r["fnr"] == pytest.approx(2 / 5)
    zero = m.rates_from_counts(tp=0, fp=0, tn=5, fn=0)  # no positives, nothing flagged
    for undefined in ("precision", "recall", "f1", "f2", "tpr", "fnr"):
        assert np.isnan(zero[undefined]), undefined
    assert float(zero["accuracy"]) == 1.0 and float(zero["fpr"]) == 0.0


@pytest.mark.parametrize(
    ("counts", "undefined", "defined"),
    [
        # nothing flagged: precision is 0/0; F1 is still 0 because there are missed anomalies
        ({"tp": 0, "fp": 0, "tn": 4, "fn": 2}, {"precision"}, {"recall": 0.0, "f1": 0.0}),
        # no anomalies, one false alarm: recall is 0/0, F1 = 0 / (0 + 1 + 0) = 0
        ({"tp": 0, "fp": 1, "tn": 3, "fn": 0}, {"recall", "tpr", "fnr"}, {"precision": 0.0}),
        # every row anomalous and flagged: the normal-class rates are 0/0
        ({"tp": 3, "fp": 0, "tn": 0, "fn": 0}, {"fpr", "tnr"}, {"f1": 1.0, "precision": 1.0}),
        # an empty set: everything is undefined
        ({"tp": 0, "fp": 0, "tn": 0, "fn": 0}, set(m.RATE_NAMES), {}),
    ],
)
def test_zero_denominators_are_undefined(counts, undefined, defined) -> None:
    rates = m.rates_from_counts(**counts)
    assert {k for k, v in rates.items() if np.isnan(v)} == undefined
    for k, v in defined.items():
        assert float(rates[k]) == v


def test_f1_is_two_tp_over_two_tp_plus_errors() -> None:
    tp, fp, fn = np.array([0, 1, 4]), np.array([3, 0, 2]), np.array([1, 1, 0])
    f1 = m.rates_from_counts(tp=tp, fp=fp, tn=np.zeros(3), fn=fn)["f1"]
    assert f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))


def test_undefined_metrics_reach_the_page_as_null() -> None:
    from anomascope import api

    out = api.encode(m.classification_metrics(np.array([0.1, 0.2]), np.array([0, 0]), 0.5))
    assert out["precision"] is None and out["recall"] is None and out["f1"] is None
    assert out["accuracy"] == 1.0


def test_best_f1_threshold_ignores_undefined_cuts() -> None:
    # one anomaly: the cut above every score flags nothing (F1 0, not undefined); best is 1.0
    c = m.threshold_best_f1(np.array([0.1, 0.2, 0.9]), np.array([0, 0, 1]))
    assert 0.2 <= c.value < 0.9 and c.details["f1"] == 1.0


def test_auc_known_values_and_ties() -> None:
    assert m.roc_auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert m.roc_auc(np.array([1.0, 1.0, 0.0, 0.0]), np.array([1, 0, 1, 0])) == 0.5
    assert m.roc_auc(np.ones(6), np.array([0, 1, 0, 1, 1, 0])) == 0.5
    assert m.roc_auc(np.arange(4.0), np.array([0, 0, 1, 1])) == 1.0
    assert m.roc_auc(-np.arange(4.0), np.array([0, 0, 1, 1])) == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_auc_matches_pair_count_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 6, 80).astype(np.float32)  # heavy ties
    y = rng.integers(0, 2, 80)
    assert m.roc_auc(s, y) == pytest.approx(pair_auc(s, y), abs=1e-12)


def test_roc_curve_thresholds_follow_strict_rule() -> None:
    rng = np.random.default_rng(1)
    s = np.round(rng.normal(size=60), 1)
    y = (s + rng.normal(size=60) > 0).astype(int)
    for drop in (True, False):
        fpr, tpr, thr = m.roc_curve(s, y, drop_intermediate=drop)
        assert fpr[0] == tpr[0] == 0.0 and fpr[-1] == tpr[-1] == 1.0
        assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
        assert thr[0] == s.max() and thr[-1] == -np.inf
        for f, t, th in zip(fpr, tpr, thr, strict=True):
            pred = s > th
            assert pred[y == 1].mean() == pytest.approx(t)
            assert pred[y == 0].mean() == pytest.approx(f)
    assert len(m.roc_curve(s, y)[0]) <= len(m.roc_curve(s, y, drop_intermediate=False)[0])


def test_metrics_at_thresholds_matches_single_threshold() -> None:
    rng = np.random.default_rng(2)
    s = rng.normal(size=200).astype(np.float32)
    y = rng.random(200) < 0.3
    ts = np.concatenate([np.linspace(-3, 3, 25), s[:5].astype(np.float64)])
    many = m.metrics_at_thresholds(s, y, ts)
    for i, t in enumerate(ts):
        one = m.classification_metrics(s, y, float(t))
        for key, value in one.items():
            assert many[key][i] == pytest.approx(value, nan_ok=True), (key, t)


def test_score_histograms_shared_edges() -> None:
    s = np.array([0.0, 0.1, 0.2, 0.9, 1.0, 0.5])
    y = np.array([0, 0, 0, 1, 1, 1])
    h = m.score_histograms(s, y, bins=4)
    assert h["edges"] == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert h["normal"] == [3, 0, 0, 0]
    assert h["abnormal"] == [0, 0, 1, 2]
    json.dumps(h)


def test_best_f1_threshold_is_optimal_and_between_scores() -> None:
    rng = np.random.default_rng(3)
    s = np.round(rng.normal(size=150), 2).astype(np.float32)
    y = (s + rng.normal(size=150) > 0.8).astype(int)
    choice = m.threshold_best_f1(s, y)
    brute = max(
        m.classification_metrics(s, y, float(t))["f1"]
        for t in np.concatenate([[-np.inf], np.unique(s)])
    )
    assert choice.details["f1"] == pytest.approx(brute)
    assert choice.rule == "best_f1_validation"
    assert not np.any(s.astype(np.float64) == choice.value)  # strictly between two scores
    assert m.classification_metrics(s, y, choice.value)["f1"] == pytest.approx(brute)
    json.dumps(choice.to_dict(), allow_nan=False)


def test_best_f1_all_flagged_and_perfect() -> None:
    c = m.threshold_best_f1(np.array([1.0, 2.0]), np.array([1, 1]))
    assert c.value < 1.0 and c.details["f1"] == 1.0
    c = m.threshold_best_f1(np.array([0.0, 0.1, 5.0, 6.0]), np.array([0, 0, 1, 1]))
    assert c.value == pytest.approx(2.55) and c.details["f1"] == 1.0


def test_percentile_contamination_mean_std() -> None:
    s = np.arange(101.0)
    assert m.threshold_percentile(s, 90).value == pytest.approx(90.0)
    c = m.threshold_contamination(s, 0.05)
    assert c.value == pytest.approx(95.0) and c.rule == "contamination"
    y = np.array([0] * 100 + [1])
    ms = m.threshold_mean_std(s, y, k=2.0)
    normal = s[:100]
    assert ms.value == pytest.approx(normal.mean() + 2.0 * normal.std())
    assert m.choose_threshold("mean_k_std", s, y, k=2.0).value == ms.value
    with pytest.raises(AnomascopeError, match="unknown threshold rule"):
        m.choose_threshold("magic", s, y)


def test_summary_is_json_and_consistent() -> None:
    rng = np.random.default_rng(4)
    s = rng.normal(size=50).astype(np.float32)
    y = rng.integers(0, 2, 50)
    out = m.metrics_summary(s, y, 0.0)
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text)["auc"] == pytest.approx(pair_auc(s, y))
    assert out["tp"] + out["fp"] + out["tn"] + out["fn"] == 50
    assert all(type(v) in (int, float) for v in out.values())
    assert m.metrics_summary(s, np.zeros(50), 0.0)["auc"] is None


def test_bad_inputs_raise() -> None:
    with pytest.raises(AnomascopeError, match="does not match"):
        m.roc_auc(np.zeros(3), np.zeros(4))
    with pytest.raises(AnomascopeError, match="0 \\(normal\\) or 1"):
        m.confusion_counts(np.zeros(3), np.array([0, 2, 1]), 0.0)
    with pytest.raises(AnomascopeError, match="non-finite"):
        m.roc_auc(np.array([0.0, np.nan]), np.array([0, 1]))
    with pytest.raises(AnomascopeError, match="one class"):
        m.roc_auc(np.arange(3.0), np.ones(3))
