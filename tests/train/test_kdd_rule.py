"""The shipped byte rule (train/kdd_rule.py) and adding it to existing model files
(train/kdd_add_rule.py), on tiny KDD-shaped rows (no dataset files, no torch training)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from test_kdd_export import _byte_excess, _raw, _sample

from anomascope.data import kdd, kdd_features
from anomascope.detectors.ocsvm import OneClassSVMDetector
from anomascope.detectors.pca import PCADetector
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import load_model_files
from train import common, kdd_add_rule
from train import kdd as train_kdd
from train import kdd_experiment_blocks as B
from train.kdd_rule import explain_baseline, fit_rule, rule_evaluation


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(3)
    return _raw(rng, 600, False), _sample(rng, 160, 40), _sample(rng, 160, 40)


def test_the_shipped_rule_is_the_one_the_experiments_judged(tiny):
    """``M + tail rule (p100)`` of train.kdd_experiments, computed by its own blocks, flags and
    lifts the same rows as the package's rule."""
    fit, val, _ = tiny
    rule = fit_rule(fit, seed=0)
    tails = B.fit_service_tails(fit, percentile=100.0)
    np.testing.assert_allclose(rule.upper, tails["upper"])
    theirs = B.service_excess(tails, val.X).max(axis=1)
    np.testing.assert_array_equal(rule.excess(val.X) > 0, theirs > 0)
    scores = np.random.default_rng(0).random(len(val.X))
    np.testing.assert_allclose(
        rule.lift(scores, 0.5, val.X), B.tail_rule(scores, 0.5, theirs), rtol=1e-6
    )
    np.testing.assert_allclose(rule.excess(val.X), _byte_excess(fit, val.X), rtol=1e-12)


def test_rule_evaluation_reports_both_at_the_stored_threshold(tiny):
    fit, val, stream = tiny
    rule = fit_rule(fit, seed=0)
    own = {p: np.random.default_rng(i).random(len(s.X)) for i, (p, s) in enumerate(
        (("validation", val), ("test", stream)))}  # fmt: skip
    out = rule_evaluation(
        rule, 0.9, {p: (own[p], s) for p, s in (("validation", val), ("test", stream))}
    )
    for part, sample in (("validation", val), ("test", stream)):
        hit = rule.excess(sample.X) > 0
        alone = own[part] > 0.9
        assert out["without_rule"][part]["tp"] == int((alone & sample.anomaly).sum())
        assert out[part]["tp"] == int(((alone | hit) & sample.anomaly).sum())
        assert out[part]["fp"] == int(((alone | hit) & ~sample.anomaly).sum())
        assert out["flagged_by_rule"][part] == {
            "normal": int((hit & ~sample.anomaly).sum()),
            "attack": int((hit & sample.anomaly).sum()),
        }


def _patch_data(monkeypatch, fit, val, stream):
    rows = kdd.KDDSample(
        X=fit, anomaly=np.zeros(len(fit), bool), label=np.zeros(len(fit), np.uint8),
        label_names=kdd.LABELS, index=np.arange(len(fit)),
    )  # fmt: skip
    monkeypatch.setattr(kdd, "load_kdd", lambda _dir: SimpleNamespace(train=None, corrected=None))
    monkeypatch.setattr(kdd, "training_normals", lambda _table, _rng, _n: rows)
    monkeypatch.setattr(kdd, "build_validation", lambda _table: val)
    monkeypatch.setattr(kdd, "build_stream", lambda _table: stream)
    monkeypatch.setattr(train_kdd, "MODELS", ("pca",))


def test_adding_the_rule_to_an_old_file_gives_what_an_export_writes(tmp_path, tiny, monkeypatch):
    fit, val, stream = tiny
    _patch_data(monkeypatch, fit, val, stream)
    train_kdd.run(tmp_path / "data", tmp_path / "m", tmp_path / "r", quick=True, seed=0)
    path = tmp_path / "m" / "kdd_pca.json"
    exported = json.loads(path.read_text())
    npz = (tmp_path / "m" / "kdd_pca.npz").read_bytes()
    old = dict(exported)  # a file from before the rule: no blocks, the model's own metrics
    del old["rule"]
    assert "explain_baseline" not in exported  # PCA explains by reconstruction: no medians
    old["metrics"] = {**exported["metrics"], **exported["metrics"]["without_rule"]}
    del old["metrics"]["without_rule"]
    path.write_text(json.dumps(old))
    assert load_model_files(tmp_path / "m", "kdd_pca").rule is None
    assert load_model_files(tmp_path / "m", "kdd_pca").detector.baseline_ is None
    kdd_add_rule.run(tmp_path / "data", tmp_path / "m", tmp_path / "r", seed=0)
    again = json.loads(path.read_text())
    assert again == exported
    assert list(again).index("rule") == list(again).index("threshold") + 1
    assert (tmp_path / "m" / "kdd_pca.npz").read_bytes() == npz
    table = json.loads((tmp_path / "r" / "kdd.json").read_text())
    (row,) = table["rows"]
    assert row["f1"] == exported["metrics"]["test"]["f1"]
    assert row["file_bytes"] == common.model_file_bytes(tmp_path / "m", "kdd_pca")
    assert "The shipped models include the byte rule" in (tmp_path / "r" / "kdd.md").read_text()


def test_median_replacement_models_carry_their_fit_rows_medians(tiny):
    """OCSVM, Isolation Forest and BiGAN are explained by median replacement: their files carry
    the medians of the preprocessed fit normals, which the loader sets as the baseline."""
    fit, _, _ = tiny
    spec = kdd_features.fit_feature_spec("rich", fit)
    X = apply_preprocessing(spec, fit)
    svm = OneClassSVMDetector(X[:7], np.full(7, 1 / 7), -0.5, 0.1)
    block = explain_baseline(svm, spec, fit, seed=0)
    np.testing.assert_allclose(block["median"], np.median(X, axis=0), rtol=1e-6)
    assert block["rows"] == len(fit) and "seed 0" in block["source"]
    assert explain_baseline(PCADetector(2).fit(X), spec, fit, seed=0) is None


def test_other_fit_rows_are_refused(tmp_path, tiny, monkeypatch):
    fit, val, stream = tiny
    _patch_data(monkeypatch, fit, val, stream)
    train_kdd.run(tmp_path / "data", tmp_path / "m", tmp_path / "r", quick=True, seed=0)
    _patch_data(monkeypatch, fit[:-1], val, stream)
    with pytest.raises(SystemExit, match="kdd_pca: its fit rows are not the draw of seed 0"):
        kdd_add_rule.run(tmp_path / "data", tmp_path / "m", None, seed=0)
