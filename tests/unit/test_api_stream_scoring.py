"""The stream's scores are each model's final scores (its rule on top of its detector);
strategies that share a preprocessing spec share one preparation of the rows, and a row that
repeats another is prepared and scored once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_calls import ok
from test_api_stream import SPEC, as_array, npz_bytes, stream_arrays

from anomascope import api
from anomascope.detectors.category_tail import CategoryTailRule
from anomascope.detectors.pca import PCADetector
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import LoadedModel, save_model

N = 400
SERVICE, SRC, DST = 2, 4, 5
F32 = 1e-6  # float32 rounding
DUPLICATES = 100


def _load(tmp_path: Path, name: str, det: PCADetector, fields: dict) -> None:
    npz, manifest = save_model(tmp_path, name, det, {"dataset": "kddcup99", **fields})
    ok("load_model", {"name": name, "manifest": manifest.read_text(), "weights": npz.read_bytes()})


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    a = stream_arrays(np.random.default_rng(3), N)
    a["features"][:, SERVICE] = np.random.default_rng(4).integers(0, 3, N)
    for key in ("features", "anomaly", "label"):  # the last DUPLICATES rows repeat earlier ones
        a[key][N - DUPLICATES :] = a[key][5 : 5 + DUPLICATES]
    return a


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrays) -> api.State:  # type: ignore[no-untyped-def]
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    ok("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    normal = arrays["features"][arrays["anomaly"] == 0]
    rule = CategoryTailRule.fit(
        normal,
        fields=("src_bytes", "dst_bytes"),
        columns=(SRC, DST),
        category_field="service",
        category_column=SERVICE,
        categories=("a", "b", "c"),
        min_rows=5,
    )
    threshold = {"value": 0.5, "rule": "manual"}
    for name, k in (("kdd_ruled", 3), ("kdd_plain", 2)):
        det = PCADetector(n_components=k).fit(apply_preprocessing(SPEC, normal))
        extra = {"rule": rule.to_manifest()} if name == "kdd_ruled" else {}
        _load(tmp_path, name, det, {"preprocessing": SPEC, "threshold": threshold, **extra})
    return fresh


def _stream(name: str, seed: int | None, chunk: int = 150) -> np.ndarray:
    replies = [
        ok("score_stream", {"model": name, "start": a, "stop": min(a + chunk, N), "seed": seed})
        for a in range(0, N, chunk)
    ]
    return np.concatenate([as_array(r["scores"]) for r in replies])


def test_stream_scores_are_the_models_final_scores(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    model = session.models["kdd_ruled"]
    X = arrays["features"]
    expected = model.score(X)
    detector_only = model.detector.score_samples(model.preprocess(X))
    lifted = expected != detector_only
    assert lifted.any() and (expected[lifted] > 0.5).all()  # the rule flags the big senders
    # float32 PCA: a block of another size may round a last bit differently
    np.testing.assert_allclose(_stream("kdd_ruled", None), expected, rtol=F32, atol=0)
    order = as_array(ok("stream_order", {"seed": 11})["order"])
    np.testing.assert_allclose(_stream("kdd_ruled", 11, chunk=N), expected[order], rtol=F32, atol=0)


def count_rows(monkeypatch: pytest.MonkeyPatch, cls: type, method: str) -> list[int]:
    """Wrap ``cls.method`` (called with a table of rows first) so that the number of rows of
    every call is appended to the returned list."""
    calls: list[int] = []
    original = getattr(cls, method)

    def counting(self: Any, X: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        calls.append(len(X))
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(cls, method, counting)
    return calls


def test_each_distinct_row_is_prepared_and_scored_once(
    session: api.State, arrays, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    prepared = count_rows(monkeypatch, LoadedModel, "preprocess")
    scored = count_rows(monkeypatch, PCADetector, "score_samples")
    plain = session.models["kdd_plain"]
    expected = plain.score(arrays["features"])
    prepared.clear()
    scored.clear()
    for name in ("kdd_ruled", "kdd_plain"):
        got = _stream(name, None)
    np.testing.assert_allclose(got, expected, rtol=F32, atol=0)
    # each distinct row once: the second strategy reuses the first one's prepared rows
    assert sum(prepared) == N - DUPLICATES and sum(scored) == 2 * (N - DUPLICATES)
    np.testing.assert_array_equal(got[N - DUPLICATES :], got[5 : 5 + DUPLICATES])
    ok("stream_order", {"seed": 5})
    _stream("kdd_plain", 5)
    assert sum(prepared) == N - DUPLICATES  # a shuffle scores nothing again


def test_models_sharing_a_rule_compute_its_excess_once(
    session: api.State, arrays, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    ruled = session.models["kdd_ruled"]
    normal = arrays["features"][arrays["anomaly"] == 0]
    det = PCADetector(n_components=1).fit(apply_preprocessing(SPEC, normal))
    fields = {"preprocessing": SPEC, "threshold": {"value": 0.2, "rule": "manual"}}
    _load(tmp_path, "kdd_ruled_too", det, {**fields, "rule": ruled.manifest["rule"]})
    excess_rows = count_rows(monkeypatch, CategoryTailRule, "excess")
    names, thresholds = ("kdd_ruled", "kdd_ruled_too"), (0.5, 0.2)
    shared = {name: _stream(name, None) for name in names}
    assert sum(excess_rows) == N - DUPLICATES  # once per distinct row, not once per model
    X = arrays["features"]
    for name, threshold in zip(names, thresholds, strict=True):
        model = session.models[name]
        own = model.detector.score_samples(model.preprocess(X))
        unshared = model.finish_scores(own, X)  # the model's own rule on its own scores
        assert (unshared != own).any()
        np.testing.assert_allclose(shared[name], unshared, rtol=F32, atol=0)
        np.testing.assert_array_equal(shared[name] > threshold, unshared > threshold)
