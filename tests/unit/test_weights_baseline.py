"""A model file with an ``explain_baseline`` block: the loader sets the detector's training
medians from it, so median-replacement explanations of a model fitted elsewhere use them;
a malformed block is refused with a message naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.detectors.ocsvm import OneClassSVMDetector
from anomascope.explain import explain_rows
from anomascope.weights import load_model_files, save_model

D = 5


def _saved(tmp_path: Path, baseline: object) -> Path:
    rng = np.random.default_rng(0)
    det = OneClassSVMDetector(
        support_vectors=rng.normal(size=(8, D)).astype(np.float32),
        dual_coef=np.full(8, 1 / 8, np.float32),
        intercept=-0.5,
        gamma=0.2,
    )
    fields = {"threshold": {"value": 0.1, "rule": "manual", "details": {}}}
    if baseline is not None:
        fields["explain_baseline"] = baseline
    save_model(tmp_path, "svm", det, fields)
    return tmp_path


def test_the_baseline_block_sets_the_training_medians(tmp_path: Path) -> None:
    medians = [0.5, -1.0, 2.0, 0.0, 3.25]
    block = {"median": medians, "rows": 40, "source": "x"}
    model = load_model_files(_saved(tmp_path, block), "svm")
    np.testing.assert_array_equal(model.detector.baseline_, np.float32(medians))
    x = np.array([[0.5, -1.0, 9.0, 0.0, 3.25]], np.float32)  # only feature 2 off its median
    contributions = explain_rows(model, x)["contributions"][0]
    assert contributions[2] != 0 and np.all(np.delete(contributions, 2) == 0)


def test_without_the_block_there_is_no_baseline(tmp_path: Path) -> None:
    assert load_model_files(_saved(tmp_path, None), "svm").detector.baseline_ is None


@pytest.mark.parametrize(
    "block",
    [
        {"median": [1.0, 2.0]},  # wrong length
        {"median": [1.0, 2.0, "3", 4.0, 5.0]},
        {"median": [1.0, 2.0, float("nan"), 4.0, 5.0]},
        {"rows": 3},
        [1.0, 2.0, 3.0, 4.0, 5.0],
    ],
)
def test_a_malformed_block_is_refused_by_name(tmp_path: Path, block: object) -> None:
    folder = _saved(tmp_path, None)
    path = folder / "svm.json"
    manifest = json.loads(path.read_text())
    manifest["explain_baseline"] = block
    path.write_text(json.dumps(manifest))
    with pytest.raises(AnomascopeError, match=r"explain_baseline\.median must be a list of 5"):
        load_model_files(folder, "svm")
