"""A model file with a ``rule`` block: saved, loaded, applied by ``LoadedModel.score`` and
``finish_scores``, and refused with a message naming the field when the block is malformed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.detectors.category_tail import CategoryTailRule
from anomascope.detectors.pca import PCADetector
from anomascope.weights import load_model, load_model_files, save_model

SVC, SRC, DST, WIDTH = 0, 1, 2, 4
PREP = {"input_dim": WIDTH, "steps": [{"op": "log1p", "columns": [SRC, DST]}]}
THRESHOLD = 0.4


def _raw(rng: np.random.Generator, n: int) -> np.ndarray:
    X = np.zeros((n, WIDTH), np.float32)
    X[:, SVC] = rng.integers(0, 3, n)
    X[:, SRC] = np.round(rng.lognormal(5, 0.5, n))
    X[:, DST] = np.round(rng.lognormal(7, 0.5, n))
    X[:, 3] = rng.random(n)
    return X


@pytest.fixture()
def saved(tmp_path: Path) -> tuple[Path, np.ndarray, CategoryTailRule]:
    rng = np.random.default_rng(0)
    fit = _raw(rng, 300)
    det = PCADetector(2).fit(np.log1p(fit))
    rule = CategoryTailRule.fit(
        fit,
        fields=("src_bytes", "dst_bytes"),
        columns=(SRC, DST),
        category_field="service",
        category_column=SVC,
        categories=("a", "b", "c"),
        fitted_on={"source": "synthetic normals", "rows": 300, "seed": 0},
    )
    fields = {
        "dataset": "kddcup99",
        "preprocessing": PREP,
        "threshold": {"value": THRESHOLD, "rule": "manual", "details": {}},
        "rule": rule.to_manifest(),
    }
    save_model(tmp_path, "ruled", det, fields)
    return tmp_path, fit, rule


def _rows_with_outliers(fit: np.ndarray) -> np.ndarray:
    X = _raw(np.random.default_rng(1), 50)
    X[:5, SRC] = fit[:, SRC].max() * np.array([2, 3, 5, 10, 100])  # above every service
    return X


def test_round_trip_applies_the_rule_in_score(saved):
    d, fit, rule = saved
    model = load_model_files(d, "ruled")
    X = _rows_with_outliers(fit)
    own = model.detector.score_samples(model.preprocess(X)).astype(np.float64)
    # independent numpy: lift = max(own, t) + 1 + excess where the bytes pass the bound
    L = np.log1p(X[:, [SRC, DST]].astype(np.float64))
    bound = np.stack([rule.upper[int(c)] for c in X[:, SVC]])
    excess = np.maximum(L - bound, 0).max(axis=1)
    want = np.where(excess > 0, np.maximum(own, THRESHOLD) + 1 + excess, own)
    got = model.score(X)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.all(got[:5] > THRESHOLD) and np.any(own[:5] <= THRESHOLD)
    np.testing.assert_array_equal(got[excess == 0], own[excess == 0])
    np.testing.assert_array_equal(model.finish_scores(own, X), got)
    assert model.rule is not None and model.rule.fitted_on["rows"] == 300


def test_a_model_without_a_rule_passes_scores_through(saved):
    d, fit, _ = saved
    manifest = json.loads((d / "ruled.json").read_text())
    del manifest["rule"]
    model = load_model((d / "ruled.npz").read_bytes(), manifest)
    scores = np.arange(3.0)
    assert model.rule is None and model.finish_scores(scores, fit[:3]) is scores


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("upper", [[1.0, 2.0]] * 2, "rule.upper"),
        ("columns", [1, 9], "rule.columns"),
        ("category_column", -1, "rule.category_column"),
        ("kind", "forest", "rule.kind"),
        ("percentile", "max", "rule.percentile"),
        ("min_rows", None, "rule.min_rows"),
        ("categories", ["a", 2, "c"], "rule.categories"),
    ],
)
def test_a_malformed_rule_block_is_refused_naming_the_field(saved, key, value, named):
    d, _, _ = saved
    manifest = json.loads((d / "ruled.json").read_text())
    manifest["rule"][key] = value
    with pytest.raises(AnomascopeError, match=rf"cannot load model 'ruled': .*{named} must be"):
        load_model((d / "ruled.npz").read_bytes(), manifest)


def test_a_rule_that_is_not_an_object_or_has_no_threshold_is_refused(saved):
    d, _, _ = saved
    manifest = json.loads((d / "ruled.json").read_text())
    with pytest.raises(AnomascopeError, match="rule must be an object"):
        load_model((d / "ruled.npz").read_bytes(), {**manifest, "rule": [1, 2]})
    with pytest.raises(AnomascopeError, match="a model with a rule needs a threshold"):
        load_model((d / "ruled.npz").read_bytes(), {**manifest, "threshold": None})
