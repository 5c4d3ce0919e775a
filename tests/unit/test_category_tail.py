"""The per-category tail rule (the KDD byte rule): the properties its docstrings promise, on small
KDD-shaped tables (column 2 = service code, 4 = src_bytes, 5 = dst_bytes)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.detectors.category_tail import CategoryTailRule, from_manifest

SERVICES = ("ftp", "http", "smtp", "finger", "whois")
HTTP, SMTP, FINGER, WHOIS = 1, 2, 3, 4  # finger: 5 fit rows; whois: none
SVC, SRC, DST = 2, 4, 5


def _rows(rng: np.random.Generator, service: int, n: int, src: float, dst: float) -> np.ndarray:
    X = np.zeros((n, 8), np.float32)
    X[:, SVC] = service
    X[:, SRC] = np.round(src * np.exp(rng.normal(0, 0.3, n)))
    X[:, DST] = np.round(dst * np.exp(rng.normal(0, 0.3, n)))
    return X


@pytest.fixture(scope="module")
def fit_X() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate(
        [
            _rows(rng, HTTP, 300, 230, 2000),
            _rows(rng, SMTP, 200, 1200, 330),
            _rows(rng, FINGER, 5, 10, 10),  # fewer than min_rows: the global bound
            _rows(rng, 0, 40, 50000, 90000),  # ftp: the largest bytes, so the global bound
        ]
    )


def _fit(X: np.ndarray, percentile: float = 100.0) -> CategoryTailRule:
    return CategoryTailRule.fit(
        X,
        fields=("src_bytes", "dst_bytes"),
        columns=(SRC, DST),
        category_field="service",
        category_column=SVC,
        categories=SERVICES,
        percentile=percentile,
        min_rows=20,
        fitted_on={"source": "synthetic", "rows": len(X), "seed": 0},
    )


@pytest.fixture(scope="module")
def rule(fit_X) -> CategoryTailRule:
    return _fit(fit_X)


def _row(service: float, src: float, dst: float = 0.0) -> np.ndarray:
    x = np.zeros((1, 8), np.float32)
    x[0, SVC], x[0, SRC], x[0, DST] = service, src, dst
    return x


def test_bounds_are_the_largest_bytes_of_each_service(rule, fit_X):
    http = fit_X[fit_X[:, SVC] == HTTP]
    assert rule.upper[HTTP] == pytest.approx(np.log1p(http[:, [SRC, DST]].max(axis=0)))
    assert rule.global_upper == pytest.approx(np.log1p(fit_X[:, [SRC, DST]].max(axis=0)))
    assert rule.fit_rows.tolist() == [40, 300, 200, 5, 0]
    assert not np.any(rule.excess(fit_X) > 0)  # percentile 100: no fit row is flagged


def test_unflagged_rows_keep_their_scores_exactly(rule, fit_X):
    scores = np.random.default_rng(1).normal(size=len(fit_X))
    np.testing.assert_array_equal(rule.lift(scores, 0.3, fit_X), scores)


@pytest.mark.parametrize("score", [-5.0, 0.29, 0.3, 7.0])
def test_a_flagged_row_ends_above_the_threshold(rule, fit_X, score):
    big = 2 * fit_X[fit_X[:, SVC] == HTTP, SRC].max()
    lifted = rule.lift(np.array([score]), 0.3, _row(HTTP, big))[0]
    assert lifted > 0.3 and lifted >= score + 1.0


def test_the_lift_rises_with_the_excess(rule, fit_X):
    http_max = fit_X[fit_X[:, SVC] == HTTP, SRC].max()
    X = np.concatenate([_row(HTTP, http_max * f) for f in (1.5, 2.0, 4.0, 40.0)])
    ex = rule.excess(X)
    assert np.all(np.diff(ex) > 0) and ex[0] == pytest.approx(
        np.log1p(1.5 * http_max) - np.log1p(http_max), rel=1e-6
    )
    lifted = rule.lift(np.zeros(4), 0.3, X)
    assert np.all(np.diff(lifted) > 0)
    np.testing.assert_allclose(lifted, 0.3 + 1.0 + ex)


def test_a_service_under_min_rows_uses_the_global_bound(rule, fit_X):
    finger_max = fit_X[fit_X[:, SVC] == FINGER, SRC].max()
    global_max = fit_X[:, SRC].max()
    # far above finger's own 5 rows, yet within every normal: not flagged
    assert rule.excess(_row(FINGER, 10 * finger_max))[0] == 0
    assert rule.excess(_row(FINGER, 2 * global_max))[0] > 0
    assert rule.bounds(_row(FINGER, 0))[0] == pytest.approx(rule.global_upper)


@pytest.mark.parametrize("code", [WHOIS, 99, -1, 2.5, np.nan])
def test_a_service_code_never_seen_in_fitting_uses_the_global_bound(rule, fit_X, code):
    global_max = fit_X[:, DST].max()
    assert rule.bounds(_row(code, 0))[0] == pytest.approx(rule.global_upper)
    assert rule.excess(_row(code, 0, global_max))[0] == 0
    assert rule.excess(_row(code, 0, 3 * global_max))[0] == pytest.approx(
        np.log1p(3 * global_max) - np.log1p(global_max), rel=1e-6
    )


def test_dst_bytes_counts_too_and_the_larger_excess_wins(rule, fit_X):
    smtp = fit_X[fit_X[:, SVC] == SMTP]
    s_max, d_max = smtp[:, SRC].max(), smtp[:, DST].max()
    X = _row(SMTP, 2 * s_max, 5 * d_max)
    per_field = rule.field_excess(X)[0]
    assert per_field[0] > 0 and per_field[1] > per_field[0]
    assert rule.excess(X)[0] == per_field[1]


def test_describe_says_which_field_passed_which_bound_of_which_service(rule, fit_X):
    http_max = fit_X[fit_X[:, SVC] == HTTP, SRC].max()
    (reason,) = rule.describe(_row(HTTP, 54540)[0])
    assert reason["field"] == "src_bytes" and reason["category"] == "http"
    assert reason["scope"] == "category" and reason["bound"] == http_max
    assert reason["text"] == (
        f"src_bytes 54,540 is above every normal http connection in training "
        f"(max {int(http_max):,})"
    )
    assert rule.describe(_row(HTTP, http_max)[0]) == []
    (few,) = rule.describe(_row(FINGER, 0, 10**7)[0])
    assert few["scope"] == "all" and few["field"] == "dst_bytes"
    assert "every normal connection in training" in few["text"]
    assert "only 5 normal finger connections there, fewer than 20" in few["text"]
    (unknown,) = rule.describe(_row(99, 10**7)[0])
    assert (
        unknown["category"] is None
        and "service code 99 is not one the rule knows" in unknown["text"]
    )


def test_a_lower_percentile_is_worded_as_a_percentile(fit_X):
    rule = _fit(fit_X, 99.0)
    (reason,) = rule.describe(_row(HTTP, 10**6)[0])
    assert "above the 99th percentile of normal http connections in training" in reason["text"]


def test_manifest_round_trip_through_json(rule, fit_X):
    block = json.loads(json.dumps(rule.to_manifest()))
    back = from_manifest(block, input_dim=8)
    X = np.concatenate([fit_X, _row(HTTP, 10**6), _row(99, 10**9)])
    scores = np.linspace(0, 1, len(X))
    np.testing.assert_array_equal(back.lift(scores, 0.5, X), rule.lift(scores, 0.5, X))
    assert back.fitted_on == {"source": "synthetic", "rows": len(fit_X), "seed": 0}
    assert block["kind"] == "category_tail" and block["fields"] == ["src_bytes", "dst_bytes"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("kind", "per_service"),
        ("fields", []),
        ("columns", [4]),
        ("columns", [4, 8]),
        ("category_column", "service"),
        ("categories", "http"),
        ("percentile", 101),
        ("min_rows", 0),
        ("upper", [[1.0, 2.0]] * 4),
        ("upper", [[1.0, float("nan")]] * 5),
        ("global_upper", [1.0]),
        ("fit_rows", [1, 2, 3, 4, -5]),
        ("fitted_on", "train"),
    ],
)
def test_a_malformed_block_is_refused_naming_its_field(rule, key, value):
    block = rule.to_manifest()
    block[key] = value
    with pytest.raises(AnomascopeError, match=rf"rule\.{key} must be") as err:
        from_manifest(block, input_dim=8)
    assert err.value.field == f"rule.{key}"


def test_scores_and_rows_must_agree(rule, fit_X):
    with pytest.raises(AnomascopeError, match="3 scores for 545 rows"):
        rule.lift(np.zeros(3), 0.0, fit_X)
