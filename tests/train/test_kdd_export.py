"""train.kdd end to end on tiny synthetic KDD-shaped data: fit each of the six detectors for a
few steps, export, load with the numpy package, and compare scores with the torch / sklearn
originals (float32 tolerances), and the shipped scores with the byte rule recomputed here."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.decomposition import PCA

from anomascope.data import kdd
from anomascope.weights import load_model_files
from train import common
from train import kdd as train_kdd
from train.breakdown import MARK


def _raw(rng: np.random.Generator, n: int, attack: bool) -> np.ndarray:
    """KDD-shaped raw rows: valid category codes, skewed counts/bytes, rates in [0, 1]."""
    X = rng.random((n, kdd.N_FEATURES)).round(2)
    X[:, [0, 4, 5]] = rng.exponential(500.0 if attack else 50.0, (n, 3)).round()
    X[:, 22:24] = rng.integers(0, 40 if attack else 10, (n, 2))
    X[:, 31:33] = rng.integers(0, 255, (n, 2))
    X[:, 1] = rng.integers(0, 3, n)
    X[:, 2] = rng.integers(0, 10 if not attack else 71, n)
    X[:, 3] = rng.integers(0, 2 if not attack else 11, n)
    return X.astype(np.float32)


def _sample(rng: np.random.Generator, n_normal: int, n_attack: int) -> kdd.KDDSample:
    X = np.concatenate([_raw(rng, n_normal, False), _raw(rng, n_attack, True)])
    label = np.r_[np.zeros(n_normal), rng.integers(1, 40, n_attack)].astype(np.uint8)
    return kdd.KDDSample(
        X=X, anomaly=label != 0, label=label, label_names=kdd.LABELS, index=np.arange(len(X))
    )


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(0)
    fit = _raw(rng, 600, False)
    return fit, _sample(rng, 160, 40), _sample(rng, 160, 40)


@pytest.mark.parametrize("model", train_kdd.MODELS)
def test_export_load_matches_original(tmp_path, tiny, model):
    fit, val, stream = tiny
    choice, log = train_kdd.select(model, fit, val, stream, quick=True, seed=0)
    assert set(log) == {"report18", "rich"}
    row = train_kdd.export(model, choice, fit, val, stream, tmp_path, 0, log)
    loaded = load_model_files(tmp_path, f"kdd_{model}")
    m = loaded.manifest
    assert m["kind"] == {"autoencoder": "autoencoder"}.get(model, model)
    assert m["dataset"] == "kddcup99" and m["preprocessing"]["input_dim"] == 41
    assert m["threshold"]["rule"] == "best_f1_validation"
    assert loaded.detector.threshold_ == pytest.approx(row["threshold"])
    # The browser path: raw rows -> manifest preprocessing -> numpy detector.
    X = loaded.preprocess(stream.X)
    own = loaded.detector.score_samples(X).astype(np.float64)
    want = choice.candidate.original(X)
    scale = max(1.0, float(np.abs(want).max()))
    np.testing.assert_allclose(own, want, rtol=1e-4, atol=1e-5 * scale)
    assert np.std(own) > 0
    # The shipped score: the byte rule on top, recomputed here from the fit rows.
    got = loaded.score(stream.X)
    excess = _byte_excess(fit, stream.X)
    assert 0 < np.sum(excess > 0) < len(excess)
    thr = loaded.detector.threshold_
    np.testing.assert_allclose(
        got, np.where(excess > 0, np.maximum(own, thr) + 1 + excess, own), rtol=1e-12
    )
    assert m["rule"]["fitted_on"] == {
        "source": "normal rows of kddcup.data_10_percent",
        "rows": len(fit),
        "seed": 0,
    }
    alone = m["metrics"]["without_rule"]["test"]
    assert alone["tp"] == int(((own > thr) & stream.anomaly).sum())
    assert m["metrics"]["test"]["tp"] == int(((got > thr) & stream.anomaly).sum())
    assert m["metrics"]["validation"]["n"] == len(val.X)
    # The row's metrics are the numpy package's own at the exported threshold.
    pred = got > loaded.detector.threshold_
    tp = int((pred & stream.anomaly).sum())
    assert row["recall"] == pytest.approx(tp / stream.anomaly.sum())
    json.loads((tmp_path / f"kdd_{model}.json").read_text())  # plain JSON (no NaN)


def test_pca_matches_sklearn(tiny):
    fit, val, stream = tiny
    choice, _ = train_kdd.select(
        "pca", fit, val, stream, quick=True, seed=0, feature_sets=("rich",)
    )
    from anomascope.preprocessing import apply_preprocessing

    Xf = apply_preprocessing(choice.spec, fit).astype(np.float64)
    Xs = apply_preprocessing(choice.spec, stream.X).astype(np.float64)
    k = choice.candidate.detector.n_components_
    sk = PCA(n_components=k).fit(Xf)
    want = ((sk.inverse_transform(sk.transform(Xs)) - Xs) ** 2).mean(axis=1)
    got = choice.candidate.detector.score_samples(Xs)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5)


def test_run_exports_every_model_and_writes_the_results(tmp_path, tiny, monkeypatch):
    """``run`` on the tiny rows (the data loading replaced): six exports, one table row each."""
    fit, val, stream = tiny
    rows = kdd.KDDSample(
        X=fit,
        anomaly=np.zeros(len(fit), bool),
        label=np.zeros(len(fit), np.uint8),
        label_names=kdd.LABELS,
        index=np.arange(len(fit)),
    )
    monkeypatch.setattr(kdd, "load_kdd", lambda _dir: SimpleNamespace(train=None, corrected=None))
    monkeypatch.setattr(kdd, "training_normals", lambda _table, _rng, _n: rows)
    monkeypatch.setattr(kdd, "build_validation", lambda _table: val)
    monkeypatch.setattr(kdd, "build_stream", lambda _table: stream)
    out = train_kdd.run(tmp_path / "data", tmp_path / "m", tmp_path / "r", quick=True, seed=0)
    assert [r["model"] for r in out] == list(train_kdd.MODELS)
    for model in train_kdd.MODELS:
        assert load_model_files(tmp_path / "m", f"kdd_{model}").detector.threshold_ is not None
    table = json.loads((tmp_path / "r" / "kdd.json").read_text())
    assert table["rows"] == json.loads(json.dumps(out)) and table["meta"]["fit_rows"] == len(fit)
    md = (tmp_path / "r" / "kdd.md").read_text()
    assert "## Against the report" in md
    for model in train_kdd.MODELS:  # the results table, the rule's with/without, the report's
        assert md.count(f"\n| {model} |") == 3
    assert "The shipped models include the byte rule" in md
    for r in out:
        assert r["f1"] == r["rule"]["test"]["f1"]
        assert r["rule"]["without_rule"]["test"]["n"] == len(stream.X)


def _byte_excess(fit: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The byte rule in plain numpy: how far log1p(src/dst bytes) lies above the largest of the
    fit rows of the row's service (all fit rows for services with fewer than 20)."""
    svc, cols = kdd.FEATURE_NAMES.index("service"), [4, 5]
    L = np.log1p(fit[:, cols].astype(np.float64))
    out = np.zeros(len(X))
    for i, x in enumerate(X):
        own = fit[:, svc] == x[svc]
        top = L[own].max(axis=0) if own.sum() >= 20 else L.max(axis=0)
        out[i] = max(0.0, *(np.log1p(x[cols].astype(np.float64)) - top))
    return out


def test_rewriting_the_results_keeps_the_other_scripts_sections(tmp_path):
    """``write_kdd_results`` replaces the main table and keeps what the experiments and the
    breakdown wrote below it byte for byte."""
    tail = "## What we tried for the missed types\n\nsome table\n\n" + MARK + "\nper type\n"
    (tmp_path / "kdd.md").write_text("# old title\n\nold table\n\n" + tail)
    row = {k: 0.5 for k, _ in common.RESULT_COLUMNS}
    row.update(model="pca", file_bytes=1024, params=3)
    train_kdd.write_kdd_results(tmp_path, [row], {"title": "New", "notes": ["a note"]})
    md = (tmp_path / "kdd.md").read_text()
    assert md.startswith("# New\n") and "old table" not in md and "a note" in md
    assert md.endswith("\n\n" + tail)
