"""Preprocessing specs: every op, order of steps, and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.preprocessing import (
    apply_preprocessing,
    fit_minmax,
    fit_standardize,
    output_dim,
    validate_spec,
)


def test_empty_spec_is_identity_float32() -> None:
    X = np.arange(6, dtype=np.float64).reshape(2, 3)
    for spec in (None, {}, {"steps": []}):
        out = apply_preprocessing(spec, X)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, X)


def test_standardize_and_minmax() -> None:
    X = np.array([[1.0, 10.0], [3.0, 30.0]])
    spec = {"steps": [{"op": "standardize", "mean": [2.0, 20.0], "scale": [1.0, 10.0]}]}
    np.testing.assert_allclose(apply_preprocessing(spec, X), [[-1, -1], [1, 1]])
    spec = {"steps": [{"op": "minmax", "min": [1.0, 30.0], "max": [3.0, 30.0]}]}
    np.testing.assert_allclose(apply_preprocessing(spec, X), [[0, -20], [1, 0]])
    sub = {"steps": [{"op": "standardize", "mean": [20.0], "scale": [10.0], "columns": [1]}]}
    np.testing.assert_allclose(apply_preprocessing(sub, X), [[1, -1], [3, 1]])


def test_fit_steps_round_trip() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(40, 3))
    X[:, 2] = 7.0  # constant column
    Z = apply_preprocessing({"steps": [fit_standardize(X)]}, X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    M = apply_preprocessing({"steps": [fit_minmax(X)]}, X)
    np.testing.assert_allclose(M[:, :2].min(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(M[:, :2].max(axis=0), 1.0, atol=1e-6)
    json.dumps(fit_standardize(X, columns=[0, 1]), allow_nan=False)


def test_log1p_select_and_order() -> None:
    X = np.array([[0.0, np.e - 1.0, 5.0]])
    spec = {"steps": [{"op": "log1p", "columns": [1]}, {"op": "select", "columns": [2, 1]}]}
    np.testing.assert_allclose(apply_preprocessing(spec, X), [[5.0, 1.0]], rtol=1e-6)
    with pytest.raises(AnomascopeError, match="greater than -1"):
        apply_preprocessing({"steps": [{"op": "log1p", "columns": [0]}]}, np.array([[-2.0]]))


def test_onehot_strings_in_place_unknown_is_zeros() -> None:
    rows = [[1.5, "tcp", 2.0], [0.5, "udp", 3.0], [2.0, "icmp?", 4.0]]
    spec = {"steps": [{"op": "onehot", "column": 1, "categories": ["tcp", "udp"]}]}
    out = apply_preprocessing(spec, rows)
    np.testing.assert_array_equal(out, [[1.5, 1, 0, 2.0], [0.5, 0, 1, 3.0], [2.0, 0, 0, 4.0]])
    assert output_dim(spec, 3) == 4
    # numeric categories compare numerically
    num = {"steps": [{"op": "onehot", "column": 0, "categories": [1, 2, 3]}]}
    np.testing.assert_array_equal(
        apply_preprocessing(num, np.array([[2.0], [9.0]])), [[0, 1, 0], [0, 0, 0]]
    )


def test_strings_without_onehot_fail_clearly() -> None:
    with pytest.raises(AnomascopeError, match="non-numeric"):
        apply_preprocessing({"steps": []}, [[1.0, "tcp"]])


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"steps": [{"op": "whiten"}]}, "unknown op 'whiten'"),
        ({"steps": [{"op": "select", "columns": [5]}]}, "out of range"),
        ({"steps": [{"op": "select", "columns": "0"}]}, "list of integers"),
        ({"steps": [{"op": "standardize", "mean": [0.0, 0.0], "scale": [1.0, 0.0]}]}, "non-zero"),
        ({"steps": [{"op": "standardize", "mean": [0.0, 0.0], "scale": [1.0]}]}, "need 2 values"),
        ({"steps": [{"op": "onehot", "column": 0, "categories": []}]}, "non-empty"),
        ({"steps": [], "input_dim": 3}, "expects 3"),
        ("nope", "JSON object"),
    ],
)
def test_bad_specs(spec: object, match: str) -> None:
    with pytest.raises(AnomascopeError, match=match):
        apply_preprocessing(spec, np.zeros((2, 2)))  # type: ignore[arg-type]


def test_non_2d_input_rejected() -> None:
    with pytest.raises(AnomascopeError, match="2-D"):
        apply_preprocessing(None, np.zeros(3))


def test_impute_fills_nan_and_none() -> None:
    spec = {"steps": [{"op": "impute", "columns": [0, 2], "values": [5.0, -1.0]}]}
    X = np.array([[np.nan, 1.0, 2.0], [3.0, 4.0, np.nan]])
    np.testing.assert_array_equal(apply_preprocessing(spec, X), [[5, 1, 2], [3, 4, -1]])
    rows = [[None, "a"], [2.0, "b"]]
    spec2 = {
        "steps": [
            {"op": "impute", "columns": [0], "values": [7.0]},
            {"op": "onehot", "column": 1, "categories": ["a"], "other": True},
        ]
    }
    np.testing.assert_array_equal(apply_preprocessing(spec2, rows), [[7, 1, 0], [2, 0, 1]])
    validate_spec(spec2)


def test_onehot_other_takes_unseen_and_missing() -> None:
    rows = np.array([["tcp"], ["udp"], ["icmp"], [None], [np.nan]], dtype=object)
    spec = {"steps": [{"op": "onehot", "column": 0, "categories": ["tcp", "udp"], "other": True}]}
    out = apply_preprocessing(spec, rows)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1]])
    assert output_dim(spec, 1) == 3
    # "None" as a category is a value, never a missing cell
    spec_none = {"steps": [{"op": "onehot", "column": 0, "categories": ["None"], "other": True}]}
    np.testing.assert_array_equal(
        apply_preprocessing(spec_none, [[None], ["None"]]), [[0, 1], [1, 0]]
    )
    only_other = {"steps": [{"op": "onehot", "column": 0, "categories": [], "other": True}]}
    np.testing.assert_array_equal(apply_preprocessing(only_other, [["x"]]), [[1]])
    assert output_dim(only_other, 1) == 1


def test_missing_without_impute_fails_clearly() -> None:
    with pytest.raises(AnomascopeError, match="NaN or infinite"):
        apply_preprocessing({"steps": []}, np.array([[np.nan, 1.0]]))


@pytest.mark.parametrize(
    ("step", "match"),
    [
        ({"op": "impute", "columns": [0], "values": [1.0, 2.0]}, "differ in length"),
        ({"op": "impute", "columns": [0], "values": [float("nan")]}, "finite numbers"),
        ({"op": "onehot", "column": 0, "categories": ["a"], "other": "yes"}, "true or false"),
    ],
)
def test_validate_new_ops(step: dict, match: str) -> None:
    with pytest.raises(AnomascopeError, match=match):
        validate_spec({"steps": [step]})


def test_validate_feature_names_and_output_features() -> None:
    steps = [{"op": "onehot", "column": 1, "categories": ["a"], "other": True}]
    good = {"steps": steps, "input_dim": 2, "feature_names": ["x", "k"]}
    validate_spec({**good, "output_features": [0, 1, 1]})
    with pytest.raises(AnomascopeError, match="has 2 entries for 3 output columns"):
        validate_spec({**good, "output_features": [0, 1]})
    with pytest.raises(AnomascopeError, match="indices into 'feature_names'"):
        validate_spec({**good, "output_features": [0, 1, 2]})
    with pytest.raises(AnomascopeError, match="'input_dim' names"):
        validate_spec({**good, "feature_names": ["x"], "output_features": [0]})
    # KDD specs name their output columns in feature_names and carry no output_features
    validate_spec({"steps": [], "input_dim": 3, "feature_names": ["a", "b"]})
