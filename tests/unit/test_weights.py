"""Weight format: round trip and one clear error per kind of corruption."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.detectors.pca import PCADetector
from anomascope.metrics import ThresholdChoice
from anomascope.weights import (
    FORMAT_VERSION,
    load_model,
    load_model_files,
    npz_bytes,
    save_model,
)

PREP = {"steps": [{"op": "standardize", "mean": [0.5] * 6, "scale": [2.0] * 6}]}


@pytest.fixture()
def saved(tmp_path: Path) -> tuple[Path, np.ndarray, PCADetector]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6)).astype(np.float32)
    det = PCADetector(3).fit(X)
    fields: dict[str, Any] = {
        "dataset": "ecg5000",
        "preprocessing": PREP,
        "threshold": ThresholdChoice(
            np.float32(0.25), "best_f1_validation", {"f1": np.float64(0.9)}
        ),
        "training": {"seed": np.int64(0), "seconds": 0.01},
        "metrics": {"test": {"auc": float("nan")}},
        "data_sha256": "0" * 64,
    }
    save_model(tmp_path, "pca_test", det, fields)
    return tmp_path, X, det


def _parts(d: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    with np.load(d / "pca_test.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    manifest = json.loads((d / "pca_test.json").read_text())
    return arrays, manifest


def _load(arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> None:
    manifest = copy.deepcopy(manifest)
    manifest.pop("npz_sha256", None)  # test the named check, not the hash
    load_model(npz_bytes(arrays), manifest)


def test_round_trip_identical_scores(saved: tuple[Path, np.ndarray, PCADetector]) -> None:
    d, X, det = saved
    model = load_model_files(d, "pca_test")
    np.testing.assert_array_equal(model.detector.score_samples(X), det.score_samples(X))
    assert model.threshold == pytest.approx(0.25)
    m = model.manifest
    assert m["format"] == "anomascope-model" and m["version"] == FORMAT_VERSION
    assert m["kind"] == "pca" and m["architecture"]["n_components"] == 3
    assert m["metrics"]["test"]["auc"] is None  # NaN stored as null
    assert m["param_count"] == 6 + 18 + 3
    assert m["arrays"]["components"] == {"shape": [3, 6], "dtype": "float32"}
    np.testing.assert_allclose(model.preprocess(X), (X - 0.5) / 2.0, rtol=1e-6)
    np.testing.assert_array_equal(model.score(X), det.score_samples(model.preprocess(X)))


def test_bytes_and_file_object_sources(saved: tuple[Path, np.ndarray, PCADetector]) -> None:
    d, X, det = saved
    raw = (d / "pca_test.npz").read_bytes()
    text = (d / "pca_test.json").read_text()
    a = load_model(raw, json.loads(text)).detector.score_samples(X)
    b = load_model(io.BytesIO(raw), text).detector.score_samples(X)
    np.testing.assert_array_equal(a, b)


def test_save_is_deterministic(saved: tuple[Path, np.ndarray, PCADetector], tmp_path: Path) -> None:
    d, _, det = saved
    save_model(tmp_path / "again", "pca_test", det, {"threshold": {"value": 0.25}})
    assert (tmp_path / "again" / "pca_test.npz").read_bytes() == (d / "pca_test.npz").read_bytes()


@pytest.mark.parametrize(
    ("corrupt", "match"),
    [
        (lambda a, m: a.pop("components"), "missing keys: components"),
        (
            lambda a, m: a.__setitem__("bogus.weight", np.zeros(2, np.float32)),
            "unexpected keys: bogus.weight",
        ),
        (
            lambda a, m: a.__setitem__("mean", np.zeros(5, np.float32)),
            r"wrong shape for mean: got \(5,\), expected \(6,\)",
        ),
        (
            lambda a, m: a["components"].__setitem__((0, 0), np.nan),
            "non-finite values .* in components",
        ),
        (lambda a, m: m.__setitem__("version", 99), "unknown model format version 99"),
        (lambda a, m: m.__setitem__("kind", "crystal_ball"), "unknown model kind 'crystal_ball'"),
        (lambda a, m: m.__setitem__("format", "keras"), "not an Anomascope model manifest"),
        (lambda a, m: m["architecture"].pop("input_dim"), "invalid pca architecture"),
        (lambda a, m: m.__setitem__("threshold", {"value": "high"}), "threshold must be"),
        (
            lambda a, m: m.__setitem__("preprocessing", {"steps": [{"op": "fft"}]}),
            "unknown op 'fft'",
        ),
    ],
)
def test_each_corruption_named(
    saved: tuple[Path, np.ndarray, PCADetector], corrupt: Any, match: str
) -> None:
    arrays, manifest = _parts(saved[0])
    corrupt(arrays, manifest)
    with pytest.raises(AnomascopeError, match=match):
        _load(arrays, manifest)


def test_several_problems_in_one_message(saved: tuple[Path, np.ndarray, PCADetector]) -> None:
    arrays, manifest = _parts(saved[0])
    arrays.pop("components")
    arrays["extra"] = np.zeros(1, np.float32)
    arrays["mean"] = np.full(6, np.inf, np.float32)
    with pytest.raises(AnomascopeError) as err:
        _load(arrays, manifest)
    msg = str(err.value)
    assert "missing keys: components" in msg and "unexpected keys: extra" in msg
    assert "non-finite values (NaN/inf) in mean" in msg and "'pca_test'" in msg


def test_truncated_npz(saved: tuple[Path, np.ndarray, PCADetector]) -> None:
    raw = (saved[0] / "pca_test.npz").read_bytes()
    _, manifest = _parts(saved[0])
    manifest.pop("npz_sha256")
    with pytest.raises(AnomascopeError, match="not a readable .npz"):
        load_model(raw[: len(raw) // 2], manifest)


def test_pickled_object_array_refused(saved: tuple[Path, np.ndarray, PCADetector]) -> None:
    arrays, manifest = _parts(saved[0])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, a in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, a)
            zf.writestr(k + ".npy", member.getvalue())
        member = io.BytesIO()
        np.lib.format.write_array(member, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        zf.writestr("payload.npy", member.getvalue())
    manifest.pop("npz_sha256")
    with pytest.raises(AnomascopeError, match="'payload' is a pickled object array"):
        load_model(buf.getvalue(), manifest)


def test_hash_mismatch_named(saved: tuple[Path, np.ndarray, PCADetector]) -> None:
    arrays, manifest = _parts(saved[0])
    arrays["mean"] = arrays["mean"] + 1.0
    with pytest.raises(AnomascopeError, match="npz_sha256"):
        load_model(npz_bytes(arrays), manifest)


def test_missing_files_and_bad_json(
    tmp_path: Path, saved: tuple[Path, np.ndarray, PCADetector]
) -> None:
    with pytest.raises(AnomascopeError, match="model file not found"):
        load_model_files(tmp_path, "nothing")
    with pytest.raises(AnomascopeError, match="not valid JSON"):
        load_model((saved[0] / "pca_test.npz").read_bytes(), "{oops")


def test_save_rejects_reserved_fields_and_bad_names(tmp_path: Path) -> None:
    det = PCADetector(1).fit(np.random.default_rng(1).normal(size=(10, 2)))
    with pytest.raises(AnomascopeError, match="reserved"):
        save_model(tmp_path, "m", det, {"version": 2})
    with pytest.raises(AnomascopeError, match="invalid model name"):
        save_model(tmp_path, "../m", det, {})
    det.threshold_ = 1.5
    save_model(tmp_path, "m", det, {})
    assert load_model_files(tmp_path, "m").manifest["threshold"]["rule"] == "manual"
