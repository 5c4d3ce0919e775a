"""Scoring as the ECG lab's requests do it: ``time_inference`` can send the scores it timed,
and float32 rows without preprocessing steps skip the float64 round trip with the same checks
and the same numbers."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from api_calls import err, ok

from anomascope import AnomascopeError, api
from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.nn import Autoencoder
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import save_model

ARCH = {
    "input_dim": 140,
    "encoder_units": [7, 3],
    "latent_dim": 2,
    "output_activation": "sigmoid",
}


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, np.ndarray]:
    """A fresh worker state with synthetic beats and Anomagram's architecture loaded as "ae"."""
    monkeypatch.setattr(api.core, "STATE", api.State())
    rng = np.random.default_rng(0)
    data = {
        "train_X": rng.standard_normal((30, 140)).astype(np.float32),
        "train_y": np.array([1] * 20 + [2] * 10, np.int8),
        "test_X": rng.standard_normal((45, 140)).astype(np.float32),
        "test_y": np.array([1] * 30 + [3] * 15, np.int8),
    }
    buf = io.BytesIO()
    np.savez(buf, **data)
    ok("load_dataset", {"name": "ecg5000", "data": buf.getvalue()})
    model = Autoencoder(ARCH, np.random.default_rng(1))
    det = AutoencoderDetector.from_state(model.architecture, model.state_dict())
    det.threshold_ = 1.0
    fields = {"dataset": "ecg5000", "preprocessing": {"steps": [], "input_dim": 140}}
    npz, manifest = save_model(tmp_path, "ae", det, fields)
    ok("load_model", {"name": "ae", "manifest": manifest.read_text(), "weights": npz.read_bytes()})
    return {"det_scores": det.score_samples(data["test_X"]), **data}


def test_time_inference_sends_the_scores_it_timed_when_asked(lab) -> None:
    plain = ok("time_inference", {"model": "ae", "repeats": 1})
    assert "scores" not in plain and plain["rows"] == 45
    reply = api.dispatch("time_inference", {"model": "ae", "repeats": 2, "scores": True})
    encoded = reply["result"]["scores"]
    assert encoded["__ndarray__"] == "float32" and encoded["shape"] == [45]
    scores = np.frombuffer(encoded["data"], "<f4")
    np.testing.assert_array_equal(scores, lab["det_scores"])
    split = ok("score_split", {"model": "ae", "dataset": "ecg5000", "split": "test"})
    np.testing.assert_array_equal(np.frombuffer(split["scores"]["data"], "<f4"), scores)
    assert "true or false" in err("time_inference", {"model": "ae", "repeats": 1, "scores": 1})


def test_float32_rows_without_steps_keep_the_checks_and_the_numbers() -> None:
    spec = {"steps": [], "input_dim": 4}
    X = np.random.default_rng(2).standard_normal((6, 4)).astype(np.float32)
    out = apply_preprocessing(spec, X)
    assert out.dtype == np.float32 and not np.shares_memory(out, X)
    np.testing.assert_array_equal(out, apply_preprocessing(spec, X.astype(np.float64)))
    out[0, 0] = 99.0  # a copy: the caller's rows stay as they were
    assert X[0, 0] != 99.0
    with pytest.raises(AnomascopeError, match="model expects 4"):
        apply_preprocessing(spec, X[:, :3])
    X[2, 1] = np.nan
    with pytest.raises(AnomascopeError, match="NaN or infinite"):
        apply_preprocessing(spec, X)
    with pytest.raises(AnomascopeError, match="2-D table"):
        apply_preprocessing(spec, X[0])
