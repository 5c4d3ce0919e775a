"""Building blocks of ``train.kdd_experiments`` on small KDD-shaped tables (no dataset files):
per-service byte features, score normalisers, per-service thresholds, the byte-tail rule, the
bar, and the results section that must leave the generated breakdown below it untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anomascope import metrics
from anomascope.data import kdd
from train import kdd_experiment_blocks as B
from train import kdd_experiment_report as R
from train import kdd_experiments as E
from train.breakdown import MARK

HTTP = kdd.CATEGORICAL["service"].index("http")
SMTP = kdd.CATEGORICAL["service"].index("smtp")
RARE = kdd.CATEGORICAL["service"].index("finger")
SRC, DST = kdd.FEATURE_NAMES.index("src_bytes"), kdd.FEATURE_NAMES.index("dst_bytes")
SVC = kdd.FEATURE_NAMES.index("service")


def _rows(rng: np.random.Generator, service: int, n: int, src: float, dst: float) -> np.ndarray:
    """``n`` raw rows of one service with bytes log-normally spread around ``src``/``dst``."""
    X = np.zeros((n, kdd.N_FEATURES), np.float32)
    X[:, SVC] = service
    X[:, SRC] = np.round(src * np.exp(rng.normal(0, 0.3, n)))
    X[:, DST] = np.round(dst * np.exp(rng.normal(0, 0.3, n)))
    return X


@pytest.fixture(scope="module")
def fit_rows() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate(
        [
            _rows(rng, HTTP, 400, 230, 2000),
            _rows(rng, SMTP, 300, 1200, 330),
            _rows(rng, RARE, 5, 10, 10),  # below MIN_SERVICE_ROWS: global statistics
        ]
    )


def _sample(X: np.ndarray, label: np.ndarray) -> kdd.KDDSample:
    return kdd.KDDSample(
        X=X, anomaly=label != 0, label=label.astype(np.uint8), label_names=kdd.LABELS,
        index=np.arange(len(X)),
    )  # fmt: skip


def test_tail_at_the_maximum_never_flags_a_fit_row_and_measures_the_excess(fit_rows):
    tails = B.fit_service_tails(fit_rows, percentile=100.0)
    assert not np.any(B.service_excess(tails, fit_rows)[fit_rows[:, SVC] != RARE])
    big = fit_rows[:1].copy()  # an http row ten times the largest http src_bytes
    http_max = fit_rows[fit_rows[:, SVC] == HTTP, SRC].max()
    big[0, SRC] = 10 * http_max
    ex = B.service_excess(tails, big)
    assert ex[0, 0] == pytest.approx(np.log1p(10 * http_max) - np.log1p(http_max), rel=1e-5)
    assert ex[0, 1] == 0.0  # one-sided: dst_bytes inside the range
    small = big.copy()
    small[0, [SRC, DST]] = 0  # unusually small transfers are not an excess
    assert not B.service_excess(tails, small).any()


def test_rare_services_use_the_statistics_of_all_fit_rows(fit_rows):
    tails = B.fit_service_tails(fit_rows, percentile=100.0)
    everything = np.log1p(fit_rows[:, [SRC, DST]].astype(np.float64)).max(axis=0)
    np.testing.assert_allclose(tails["upper"][RARE], everything)
    np.testing.assert_allclose(tails["upper"][0], everything)  # a service never seen


def test_deviation_is_zero_at_the_service_median_and_grows_away_from_it(fit_rows):
    stats = B.fit_service_stats(fit_rows)
    row = fit_rows[:1].copy()
    row[0, [SRC, DST]] = np.expm1(stats["median"][HTTP])
    far = row.copy()
    far[0, SRC] *= 100
    dev = B.service_deviation(stats, np.concatenate([row, far]))
    np.testing.assert_allclose(dev[0], 0.0, atol=1e-3)
    assert dev[1, 0] > 5 and dev[1, 1] == pytest.approx(dev[0, 1], abs=1e-6)


def test_rarity_is_higher_for_an_unseen_bin_and_frequencies_sum_to_one(fit_rows):
    hists = B.fit_service_histograms(fit_rows)
    np.testing.assert_allclose(hists["freq"].sum(axis=2), 1.0)
    common, odd = fit_rows[:1].copy(), fit_rows[:1].copy()
    odd[0, SRC] = 1e6
    r = B.service_rarity(hists, np.concatenate([common, odd]))
    assert r[1, 0] > r[0, 0] and r[1, 1] == r[0, 1]


def test_normalisers_put_scores_on_a_common_scale():
    rng = np.random.default_rng(1)
    ref = rng.normal(5.0, 2.0, 1000)
    s = np.array([-100.0, 5.0, 100.0])
    rank = B.rank_normalise(ref, s)
    assert rank[0] == 0.0 and rank[2] == 1.0 and 0.4 < rank[1] < 0.6
    q50, q99 = np.percentile(ref, [50, 99])
    np.testing.assert_allclose(B.robust_scale(ref, np.array([q50, q99])), [0.0, 1.0])
    scaled = B.robust_scale(ref, s)
    assert np.all(np.diff(scaled) > 0)


def test_tail_rule_flags_what_the_model_or_the_rule_flags():
    scores = np.array([0.1, 0.9, 0.1, 0.9])
    excess = np.array([0.0, 0.0, 0.5, 0.5])
    lifted = B.tail_rule(scores, 0.5, excess)
    assert (lifted > 0.5).tolist() == [False, True, True, True]
    assert lifted[0] == 0.1 and lifted[1] == 0.9


def _two_service_case() -> tuple[np.ndarray, kdd.KDDSample]:
    """http attacks score above 1 and smtp attacks between 0.4 and 0.6; smtp normal rows stay
    below 0.3 but http normal rows reach 0.8: any single cut either flags http normals or
    misses the smtp attacks, and separate cuts for the two services separate them exactly."""
    rng = np.random.default_rng(2)
    n = 60
    X = np.zeros((4 * n, kdd.N_FEATURES), np.float32)
    X[: 2 * n, SVC], X[2 * n :, SVC] = HTTP, SMTP
    label = np.r_[np.zeros(n), np.ones(n), np.zeros(n), np.ones(n)]
    scores = np.r_[
        rng.uniform(0, 0.8, n), rng.uniform(1, 2, n), rng.uniform(0, 0.3, n),
        rng.uniform(0.4, 0.6, n),
    ]  # fmt: skip
    return scores, _sample(X, label)


def test_per_service_thresholds_raise_the_overall_f1():
    scores, sample = _two_service_case()
    glob, own = B.per_service_thresholds(scores, sample, min_rows=20)
    assert own and set(own) <= {HTTP, SMTP}
    margin = B.service_margin(scores, sample.X, glob, own)
    f1_own = float(metrics.classification_metrics(margin, sample.anomaly, 0.0)["f1"])
    f1_glob = float(metrics.classification_metrics(scores, sample.anomaly, glob)["f1"])
    assert f1_own == pytest.approx(1.0) and f1_glob < f1_own


def test_per_type_detection_counts_add_up():
    label = np.array([0, 0, 5, 5, 5, 7, 7])
    flags = np.array([True, False, True, False, True, False, True])
    sample = _sample(np.zeros((len(label), kdd.N_FEATURES), np.float32), label)
    got = B.per_type_detection(flags, sample)
    assert got == {kdd.LABELS[5]: [2, 3], kdd.LABELS[7]: [1, 2]}
    assert sum(d for d, _ in got.values()) == int(np.sum(flags & sample.anomaly))


def test_the_bar_needs_a_lifted_missed_type_and_no_loss_beyond_the_tolerance():
    base = {"roc_auc": 0.98, "f1": 0.95, "types": {t: [0, 10] for t in R.MISSED}}
    lifted = {t: [0, 10] for t in R.MISSED} | {"back": [3, 10]}
    ok = {"roc_auc": 0.98 - R.TOLERANCE / 2, "f1": 0.95, "types": lifted}
    assert E.meets_bar(ok, base) == (True, ["back"])
    assert not E.meets_bar({**ok, "f1": 0.95 - 2 * R.TOLERANCE}, base)[0]
    assert not E.meets_bar({**ok, "types": base["types"]}, base)[0]


def test_the_section_goes_above_the_marker_and_replaces_an_earlier_one(tmp_path: Path):
    md = tmp_path / "kdd.md"
    generated = f"{MARK}\n## Where the detectors fail\n| a | b |\n"
    md.write_text(f"# KDD\n\nbody\n\n{generated}")
    R.write_section(md, f"{R.HEADING}\n\nfirst")
    R.write_section(md, f"{R.HEADING}\n\nsecond")
    text = md.read_text()
    assert text.endswith(generated) and text.count(R.HEADING) == 1
    assert "second" in text and "first" not in text
    assert text.index("body") < text.index(R.HEADING) < text.index(MARK)
