"""The drill-down's fast paths give the same numbers as the plain ones (issue 13's speed
target): median replacement scores only the values that differ from their medians, the stream
explains rows it already prepared, and a described row is kept (equal rows share it) until its
model or the stream's table is replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from api_calls import ok
from test_api_stream import npz_bytes
from test_api_stream_mixes import N, table

from anomascope import api
from anomascope.api import stream_detail
from anomascope.detectors import explain as det_explain
from anomascope.detectors.base import Detector
from anomascope.detectors.fitting import make_detector
from anomascope.explain import explain_prepared, explain_rows, raw_width
from anomascope.weights import LoadedModel, load_model_files

MODELS = Path(__file__).resolve().parents[2] / "models"
KDD = ("kdd_iforest", "kdd_ocsvm", "kdd_bigan", "kdd_pca")


def _kdd_rows(model: LoadedModel, n: int, seed: int) -> np.ndarray:
    """Raw 41-column rows inside the model's vocabularies, float32 ``(n, 41)``."""
    rng = np.random.default_rng(seed)
    X = np.round(np.abs(rng.normal(size=(n, 41))) * 3).astype(np.float32)
    X[:, 20:30] = 0  # many fields at their (zero) medians, as in KDD connections
    for step in model.manifest["preprocessing"]["steps"]:
        if step["op"] == "onehot":
            X[:, step["column"]] = rng.integers(0, len(step["categories"]), n)
    return X


def _per_feature(det: Detector, X: np.ndarray) -> np.ndarray:
    """Median replacement the plain way: one score call per row and feature, float64 (n, d)."""
    base = np.asarray(det.baseline_, dtype=np.float32)
    out = np.zeros(X.shape, dtype=np.float64)
    for i, x in enumerate(X):  # loop over rows and features: the reference, not the fast path
        for j in range(X.shape[1]):
            if x[j] == base[j]:
                continue
            v = x.copy()
            v[j] = base[j]
            s = det.score_samples(np.stack([x, v]))
            out[i, j] = float(s[0]) - float(s[1])
    return out


def _median_detectors() -> list[tuple[str, Detector, np.ndarray]]:
    """Median-replacement detectors with rows to explain (model space)."""
    rng = np.random.default_rng(0)
    fit = rng.normal(size=(300, 6)).astype(np.float32)
    forest = make_detector("iforest", {"n_trees": 30}, 0).fit(fit)
    rows = rng.normal(size=(9, 6)).astype(np.float32)
    rows[::2, 1] = forest.baseline_[1]  # some values at their median
    rows[3] = forest.baseline_  # a row at every median
    out: list[tuple[str, Detector, np.ndarray]] = [("iforest", forest, rows)]
    for name in KDD[:3]:
        model = load_model_files(MODELS, name)
        out.append((name, model.detector, model.preprocess(_kdd_rows(model, 4, 1))))
    return out


@pytest.mark.parametrize(("name", "det", "X"), _median_detectors())
def test_median_replacement_equals_one_score_call_per_feature(
    name: str, det: Detector, X: np.ndarray
) -> None:
    got = det.explain(X)
    want = _per_feature(det, X)
    assert got.dtype == np.float64 and got.shape == X.shape
    base = np.asarray(det.baseline_, dtype=np.float32)
    assert np.all(got[X == base[None, :]] == 0.0)
    if "iforest" in name:  # no matrix products: the same numbers in any batch
        np.testing.assert_array_equal(got, want)
    else:  # float32 products may round differently in a batch of another size
        scale = float(np.abs(det.score_samples(X)).max())
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * scale)


def test_median_replacement_blocks_of_rows_give_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    forest = make_detector("iforest", {"n_trees": 25}, 0).fit(rng.normal(size=(200, 5)))
    X = rng.normal(size=(11, 5)).astype(np.float32)
    X[4] = forest.baseline_  # a block may hold no variant at all
    X[::3, 2] = forest.baseline_[2]
    whole = forest.explain(X)
    monkeypatch.setattr(det_explain, "CHUNK_ELEMENTS", 5 * 5 * 2)  # two rows per block
    np.testing.assert_array_equal(forest.explain(X), whole)
    np.testing.assert_array_equal(whole, _per_feature(forest, X))


@pytest.mark.parametrize("name", KDD)
def test_explaining_prepared_rows_equals_explaining_raw_rows(name: str) -> None:
    model = load_model_files(MODELS, name)
    raw = _kdd_rows(model, 5, 2)
    want = explain_rows(model, raw, top=5)
    got = explain_prepared(model, model.preprocess(raw), raw_width(None, raw), top=5)
    assert got["features"] == want["features"] and got["method"] == want["method"]
    np.testing.assert_array_equal(got["contributions"], want["contributions"])
    assert got["top"] == want["top"]
    got["features"].append("changed by a caller")  # the kept names are not the caller's list
    assert explain_rows(model, raw)["features"] == want["features"]


def _load(name: str, as_name: str | None = None) -> None:
    ok(
        "load_model",
        {
            "name": as_name or name,
            "manifest": (MODELS / f"{name}.json").read_text(),
            "weights": (MODELS / f"{name}.npz").read_bytes(),
        },
    )


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    a = table()
    model = load_model_files(MODELS, "kdd_iforest")
    a["features"] = _kdd_rows(model, N, 4)
    a["pool_features"] = _kdd_rows(model, len(a["pool_label"]), 5)
    a["features"][11] = a["features"][10]  # a connection repeated
    return a


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch, arrays: dict[str, np.ndarray]) -> api.State:
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    ok("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    for name in ("kdd_iforest", "kdd_bigan", "kdd_pca"):
        _load(name)
    return fresh


def _reference(state: api.State, row: int) -> dict:
    """The model-dependent part of a reply, computed from nothing kept."""
    stream_detail._KEPT.clear()
    reply = ok("stream_connection", {"row": row})
    stream_detail._KEPT.clear()
    return {k: reply[k] for k in ("scores", "model_scores", "rules", "explanations")}


def test_a_reopened_or_repeated_connection_gets_the_same_answer(
    session: api.State, arrays: dict[str, np.ndarray]
) -> None:
    want = {row: _reference(session, row) for row in (10, 11, 12)}
    for row in (12, 10, 12, 11, 10):  # reopened rows, and row 11 equal to row 10
        reply = ok("stream_connection", {"row": row})
        assert {k: reply[k] for k in want[row]} == want[row]
    assert want[10] == want[11]
    model = session.models["kdd_iforest"]
    full = explain_rows(model, arrays["features"][12:13])
    values = dict(zip(full["features"], full["contributions"][0].tolist(), strict=True))
    shown = want[12]["explanations"]["kdd_iforest"]
    if not shown["rule_fields"]:
        assert [v for _, v in shown["features"]] == sorted(values.values(), reverse=True)[:5]
    for feature, value in shown["features"]:
        assert value == values[feature]  # the very numbers of the plain path


def test_a_replaced_model_is_not_answered_from_what_was_kept(session: api.State) -> None:
    before = ok("stream_connection", {"row": 12})
    _load("kdd_ocsvm", as_name="kdd_iforest")  # another model under the same name
    after = ok("stream_connection", {"row": 12})
    assert after["explanations"]["kdd_iforest"] != before["explanations"]["kdd_iforest"]
    assert after == {**after, **_reference(session, 12)}
    assert after["explanations"]["kdd_bigan"] == before["explanations"]["kdd_bigan"]
