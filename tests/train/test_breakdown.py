"""The failure breakdown of the bundled models (``train.breakdown``) adds up.

Needs the datasets in ``$ANOMASCOPE_DATA`` (``python build.py test`` sets it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anomascope.data import kdd
from anomascope.weights import load_model_files
from train import breakdown

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def kdd_result(data_dir: Path) -> dict:
    return breakdown.kdd_breakdown(data_dir, MODELS)


def test_per_type_detections_add_up_to_each_models_true_positives(kdd_result: dict) -> None:
    assert sum(kdd_result["counts"].values()) == kdd.STREAM_ATTACK
    for row in kdd_result["models"].values():
        assert sum(row["detected"].values()) == row["true_positives"]
        assert all(row["detected"][t] <= kdd_result["counts"][t] for t in kdd_result["types"])


def test_novel_types_are_absent_from_the_fitting_file(data_dir: Path, kdd_result: dict) -> None:
    data = kdd.load_kdd(data_dir)
    present = {data.train.label_names[c] for c in np.unique(data.train.label)}
    assert kdd_result["novel"] and not set(kdd_result["novel"]) & present
    assert set(kdd_result["novel"]) < set(kdd_result["types"])


def test_every_ceiling_row_scores_exactly_as_some_normal_row(data_dir: Path, kdd_result: dict):
    """An attack row counted in the ceiling has the same features, hence the same score, as a
    normal row: check one such pair through a model."""
    ceiling = kdd_result["ceiling"]
    assert 0 < ceiling["identical_to_a_normal_row"] <= ceiling["attack_rows"]
    data = kdd.load_kdd(data_dir)
    stream = kdd.build_stream(data.corrected)
    normals = data.corrected.X[data.corrected.label == 0]
    attacks = stream.X[stream.anomaly]
    keys = set(breakdown._row_keys(normals).tolist())
    twin = next(i for i, k in enumerate(breakdown._row_keys(attacks).tolist()) if k in keys)
    partner = np.flatnonzero((normals == attacks[twin]).all(axis=1))[0]
    model = load_model_files(MODELS, "kdd_pca")
    a, b = model.score(np.stack([attacks[twin], normals[partner]]))
    assert a == b


def test_ecg_recall_per_class_counts_the_flags(data_dir: Path) -> None:
    result = breakdown.ecg_breakdown(data_dir, MODELS)
    assert set(result["counts"]) == {1, 2, 3, 4, 5}
    for row in result["models"].values():
        assert all(0 <= row[c] <= result["counts"][c] for c in result["counts"])


def test_the_generated_section_is_replaced_not_repeated(tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    md.write_text("# Results\n\nbody\n")
    breakdown.append_section(md, "## A\none")
    breakdown.append_section(md, "## B\ntwo")
    text = md.read_text()
    assert text.count(breakdown.MARK) == 1 and "## B" in text and "## A" not in text
    assert text.startswith("# Results\n\nbody\n")
