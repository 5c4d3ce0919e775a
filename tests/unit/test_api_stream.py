"""The network stream's request surface in CPython: loading the stream asset, the play order
and chunked scoring (handlers in ``anomascope.api.stream``)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from api_calls import err, ok

from anomascope import api
from anomascope.data import kdd
from anomascope.detectors.pca import PCADetector
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import save_model

N = 300
SPEC = {
    "steps": [
        {"op": "log1p", "columns": [4, 5]},
        {"op": "onehot", "column": 1, "categories": [0, 1, 2]},
    ]
}


def stream_arrays(rng: np.random.Generator, n: int = N) -> dict[str, np.ndarray]:
    X = rng.random((n, kdd.N_FEATURES)).astype(np.float32)
    X[:, 1] = rng.integers(0, 3, n)
    label = np.where(rng.random(n) < 0.2, rng.integers(1, 4, n), 0).astype(np.uint8)
    X[label != 0, 4] *= 1000.0  # attacks move a lot of bytes
    return {
        "features": X,
        "anomaly": (label != 0).astype(np.uint8),
        "label": label,
        "label_names": np.array(["normal", "smurf", "neptune", "satan"]),
        "feature_names": np.array(kdd.FEATURE_NAMES),
        "index": np.arange(n, dtype=np.int32),
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def as_array(encoded: dict) -> np.ndarray:
    return np.frombuffer(encoded["data"], dtype=encoded["__ndarray__"]).reshape(encoded["shape"])


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    return stream_arrays(np.random.default_rng(0))


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrays) -> api.State:  # type: ignore[no-untyped-def]
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    reply = ok("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    assert reply["n"] == N
    assert reply["feature_names"] == list(kdd.FEATURE_NAMES)
    assert reply["vocabularies"]["flag"] == list(kdd.FLAGS)
    np.testing.assert_array_equal(as_array(reply["anomaly"]), arrays["anomaly"])
    X = apply_preprocessing(SPEC, arrays["features"][arrays["anomaly"] == 0])
    det = PCADetector(n_components=3).fit(X)
    det.threshold_ = 0.5
    npz, manifest = save_model(
        tmp_path,
        "kdd_m",
        det,
        {
            "dataset": "kddcup99",
            "preprocessing": SPEC,
            "threshold": {"value": 0.5, "rule": "manual"},
        },
    )
    ok(
        "load_model",
        {"name": "kdd_m", "manifest": manifest.read_text(), "weights": npz.read_bytes()},
    )
    return fresh


def test_chunks_in_order_equal_scoring_the_whole_stream(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    model = session.models["kdd_m"]
    expected = model.detector.score_samples(model.preprocess(arrays["features"]))
    chunks = [
        ok("score_stream", {"model": "kdd_m", "start": a, "stop": min(a + 128, N)})
        for a in range(0, N, 128)
    ]
    got = np.concatenate([as_array(c["scores"]) for c in chunks])
    assert got.dtype == np.float64 and got.shape == (N,)
    np.testing.assert_array_equal(got, expected.astype(np.float64))
    assert [c["start"] for c in chunks] == [0, 128, 256] and chunks[-1]["stop"] == N
    assert chunks[0]["seed"] is None


def test_new_shuffle_permutes_play_order_and_keeps_counts(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    model = session.models["kdd_m"]
    by_row = model.detector.score_samples(model.preprocess(arrays["features"])).astype(np.float64)
    reply = ok("stream_order", {"seed": 7})
    order = as_array(reply["order"])
    assert reply["seed"] == 7
    np.testing.assert_array_equal(order, kdd.reshuffle(N, 7))
    scores = as_array(
        ok("score_stream", {"model": "kdd_m", "start": 0, "stop": N, "seed": 7})["scores"]
    )
    np.testing.assert_array_equal(scores, by_row[order])
    assert (scores > 0.5).sum() == (by_row > 0.5).sum()
    # A chunk asked for under another order is refused rather than silently misplaced.
    assert "order changed" in err(
        "score_stream", {"model": "kdd_m", "start": 0, "stop": 5, "seed": 8}
    )
    back = ok("stream_order", {"seed": None})
    assert back["seed"] is None
    np.testing.assert_array_equal(as_array(back["order"]), np.arange(N))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"model": "kdd_m", "start": 0, "stop": N + 1}, "0 <= start < stop"),
        ({"model": "kdd_m", "start": 5, "stop": 5}, "0 <= start < stop"),
        ({"model": "kdd_m", "start": -1, "stop": 5}, "0 <= start < stop"),
        ({"model": "kdd_m", "start": "0", "stop": 5}, "wrong type"),
        ({"model": "nope", "start": 0, "stop": 5}, "not loaded"),
        ({"start": 0, "stop": 5}, "missing field 'model'"),
    ],
)
def test_score_stream_rejects_bad_requests(session: api.State, payload: dict, message: str) -> None:
    assert message in err("score_stream", payload)


def test_seed_is_validated(session: api.State) -> None:
    assert "seed must be" in err("stream_order", {"seed": -3})
    assert "wrong type" in err("stream_order", {"seed": 1.5})


def test_chunk_size_is_limited(monkeypatch: pytest.MonkeyPatch, session: api.State) -> None:
    monkeypatch.setattr(api.stream, "STREAM_MAX_CHUNK", 100)
    assert "at most 100" in err("score_stream", {"model": "kdd_m", "start": 0, "stop": 101})


def test_scoring_needs_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.core, "STATE", api.State())
    assert "not loaded" in err("stream_order", {"seed": 1})


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda a: a.pop("anomaly"), "missing anomaly"),
        (lambda a: a.update(features=a["features"][:, :40]), "features has shape"),
        (lambda a: a.update(label=a["label"][:-1]), "labels"),
        (lambda a: a.update(anomaly=1 - a["anomaly"]), "disagree"),
        (lambda a: a.update(label=a["label"] + 10), "label_names"),
        (lambda a: a["features"].__setitem__((3, 3), np.nan), "finite"),
        (lambda a: a.update(feature_names=a["feature_names"][::-1]), "feature_names"),
    ],
)
def test_damaged_stream_is_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, arrays, damage, message: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(api.core, "STATE", api.State())
    damage(arrays)
    text = err("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    assert text.startswith("kdd_stream:") and message in text


def test_not_an_npz_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.core, "STATE", api.State())
    assert "not a readable .npz" in err("load_dataset", {"name": "kdd_stream", "data": b"garbage"})


def test_ecg_models_cannot_score_the_stream(session: api.State, tmp_path: Path) -> None:
    det = PCADetector(n_components=2).fit(
        np.random.default_rng(1).random((50, kdd.N_FEATURES)).astype(np.float32)
    )
    det.threshold_ = 1.0
    npz, manifest = save_model(tmp_path, "ecg_m", det, {"dataset": "ecg5000"})
    ok(
        "load_model",
        {"name": "ecg_m", "manifest": manifest.read_text(), "weights": npz.read_bytes()},
    )
    assert "not a KDD Cup 1999 model" in err(
        "score_stream", {"model": "ecg_m", "start": 0, "stop": 5}
    )
