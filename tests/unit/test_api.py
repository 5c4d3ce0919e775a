"""The worker's request surface in CPython: the ECG lab handlers and their input checks."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from api_calls import err, ok

from anomascope import AnomascopeError, api, drawing, lab
from anomascope.detectors.pca import PCADetector
from anomascope.metrics import confusion_counts, roc_auc
from anomascope.weights import save_model


def synthetic_ecg(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Normal beats = a sine + small noise; abnormal beats = noisier, shifted."""
    t = np.linspace(0, 2 * np.pi, 140, dtype=np.float32)

    def beats(n: int, abnormal: bool) -> np.ndarray:
        base = np.sin(t + (1.0 if abnormal else 0.0))
        noise = rng.normal(scale=0.8 if abnormal else 0.05, size=(n, 140))
        return (base + noise).astype(np.float32)

    train_X = np.concatenate([beats(60, False), beats(40, True)])
    train_y = np.array([1] * 60 + [2] * 20 + [4] * 20, np.int8)
    test_X = np.concatenate([beats(90, False), beats(30, True)])
    test_y = np.array([1] * 90 + [3] * 30, np.int8)
    return {"train_X": train_X, "train_y": train_y, "test_X": test_X, "test_y": test_y}


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> api.State:
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    rng = np.random.default_rng(0)
    data = synthetic_ecg(rng)
    buf = io.BytesIO()
    np.savez(buf, **data)
    reply = api.dispatch("load_dataset", {"name": "ecg5000", "data": buf.getvalue()})
    assert reply["ok"], reply
    det = PCADetector(n_components=3).fit(data["train_X"][:60])
    det.threshold_ = 0.05
    npz, manifest = save_model(
        tmp_path,
        "m",
        det,
        {
            "dataset": "ecg5000",
            "threshold": {"value": 0.05, "rule": "best_f1_validation", "details": {"f1": 0.9}},
            "training": {"seconds": 1.5},
        },
    )
    reply = api.dispatch(
        "load_model", {"name": "m", "manifest": manifest.read_text(), "weights": npz.read_bytes()}
    )
    assert reply["ok"], reply
    assert reply["result"]["file_bytes"] == npz.stat().st_size
    assert reply["result"]["training_seconds"] == 1.5
    return fresh


def test_threshold_metrics_agree_with_counts(session: api.State) -> None:
    scores = session.models["m"].detector.score_samples(session.datasets["ecg5000"]["test_X"])
    labels = session.datasets["ecg5000"]["test_y"] != 1
    for t in (0.0, 0.01, float(np.median(scores)), 1e9):
        m = ok("threshold_metrics", {"model": "m", "threshold": t})
        assert {k: m[k] for k in ("tp", "fp", "tn", "fn")} == confusion_counts(scores, labels, t)
        flagged = m["tp"] + m["fp"]
        # nothing flagged (the highest threshold): precision is undefined, sent as null
        assert m["precision"] == (pytest.approx(m["tp"] / flagged) if flagged else None)
        assert m["fnr"] == pytest.approx(1 - m["tpr"]) and m["recall"] == m["tpr"]
    summary = ok("explorer", {"model": "m"})
    assert summary["auc"] == pytest.approx(roc_auc(scores, labels))
    assert summary["n"] == 120 and summary["n_anomalies"] == 30 and summary["n_user"] == 0
    edges = np.frombuffer(summary["edges"]["data"], np.float32)
    normal = np.frombuffer(summary["normal"]["data"], np.int32)
    abnormal = np.frombuffer(summary["abnormal"]["data"], np.int32)
    assert normal.sum() == 90 and abnormal.sum() == 30 and edges.size == normal.size + 1
    assert "finite number" in err("threshold_metrics", {"model": "m", "threshold": float("nan")})
    assert "not loaded" in err("threshold_metrics", {"model": "x", "threshold": 1.0})


def test_presets_use_validation_rows(session: api.State) -> None:
    model = ok("threshold_preset", {"model": "m", "rule": "model"})
    assert model["value"] == pytest.approx(0.05)
    assert model["details"]["manifest_rule"] == "best_f1_validation"
    cont = ok("threshold_preset", {"model": "m", "rule": "contamination"})
    assert cont["param"] == pytest.approx(0.4)  # 40 of 100 validation rows are abnormal
    assert cont["details"]["flagged"] == pytest.approx(40, abs=1)
    mks = ok("threshold_preset", {"model": "m", "rule": "mean_k_std", "param": 2.0})
    d = mks["details"]
    assert mks["value"] == pytest.approx(d["mean"] + 2 * d["std"]) and d["n_normal"] == 60
    assert "between" in err("threshold_preset", {"model": "m", "rule": "contamination", "param": 2})
    too_few = err("threshold_preset", {"model": "m", "rule": "contamination", "param": 0})
    assert too_few.startswith("The contamination rate") and "got 0 %" in too_few
    assert err("threshold_preset", {"model": "m", "rule": "mean_k_std", "param": 30}).startswith(
        "The multiplier k must be between 0 and 20 (got 30)"
    )
    assert "unknown preset" in err("threshold_preset", {"model": "m", "rule": "magic"})


def test_upload_joins_the_explorer(session: api.State) -> None:
    rng = np.random.default_rng(1)
    rows = [
        ",".join(["2"] + [f"{v:.4f}" for v in rng.normal(scale=2.0, size=140)]) for _ in range(5)
    ]
    reply = ok("upload_beats", {"name": "mine.csv", "data": "\n".join(rows).encode()})
    assert reply["n"] == 5 and reply["labelled"]
    assert ok("explorer", {"model": "m"})["n"] == 125
    assert len(np.frombuffer(ok("user_scores", {"model": "m"})["scores"]["data"], np.float32)) == 5
    beat = ok("inspect_beat", {"model": "m", "dataset": "ecg5000", "split": "user", "index": 4})
    assert beat["true_class"] == 2 and beat["true_anomaly"] is True
    unlabelled = "\n".join(",".join(["0.5"] * 140) for _ in range(3)).encode()
    assert not ok("upload_beats", {"name": "u.csv", "data": unlabelled})["labelled"]
    assert ok("explorer", {"model": "m"})["n"] == 120  # unlabelled rows do not count
    beat = ok("inspect_beat", {"model": "m", "dataset": "ecg5000", "split": "user", "index": 0})
    assert beat["true_anomaly"] is None
    assert "140 values" in err("upload_beats", {"name": "w.csv", "data": b"1,2,3\n"})
    assert "empty" in err("upload_beats", {"name": "e.csv", "data": b""})
    assert "NaN" in err("upload_beats", {"name": "n.csv", "data": ",".join(["nan"] * 140).encode()})
    assert "binary" in err("upload_beats", {"name": "b.csv", "data": "text"})


def test_strokes_to_beat_rule() -> None:
    # one stroke from (0, 0) to (139, 139): a ramp
    beat, drawn = drawing.strokes_to_beat([np.array([[0, 0], [139, 139]])])
    np.testing.assert_allclose(beat, np.arange(140), atol=1e-4)
    assert drawn.all()
    # gaps interpolate, ends held flat
    beat, drawn = drawing.strokes_to_beat([np.array([[10, 1.0]]), np.array([[20, 3.0]])])
    assert beat[0] == 1.0 and beat[139] == 3.0 and beat[15] == pytest.approx(2.0)
    assert drawn.sum() == 2
    # a later stroke overwrites an earlier one at the same time step
    strokes = [np.array([[0, 0.0], [50, 0.0]]), np.array([[20, 5], [30, 5]])]
    beat, _ = drawing.strokes_to_beat(strokes)
    assert beat[25] == 5.0 and beat[40] == 0.0 and beat[10] == 0.0
    with pytest.raises(AnomascopeError, match="empty"):
        drawing.strokes_to_beat([])
    with pytest.raises(AnomascopeError, match="single point"):
        drawing.strokes_to_beat([np.array([[5.2, 1.0], [5.3, 2.0]])])


def test_draw_beat_scores_flat_lower_than_noise(session: api.State) -> None:
    t = np.arange(140, dtype=np.float32)
    sine = np.stack([t, np.sin(np.linspace(0, 2 * np.pi, 140))], axis=1).astype(np.float32)
    zig = np.stack([t, np.where(t % 2 == 0, 3.0, -3.0)], axis=1).astype(np.float32)
    smooth = ok("draw_beat", {"model": "m", "strokes": [sine.ravel().tobytes()]})
    rough = ok("draw_beat", {"model": "m", "strokes": [zig.ravel().tolist()]})
    assert smooth["score"] < rough["score"]
    assert "empty" in err("draw_beat", {"model": "m", "strokes": []})
    assert "single point" in err("draw_beat", {"model": "m", "strokes": [[3.0, 1.0]]})
    assert "finite" in err("draw_beat", {"model": "m", "strokes": [[3.0, float("inf")]]})
    assert "wrong type" in err("draw_beat", {"model": "m", "strokes": "x"})


def test_time_inference(session: api.State) -> None:
    reply = ok("time_inference", {"model": "m", "repeats": 2})
    assert reply["rows"] == 120 and reply["seconds_median"] > 0
    assert "repeats" in err("time_inference", {"model": "m", "repeats": 0})


def test_training_replay_validates_the_history(session: api.State) -> None:
    import json

    doc = {
        "format": "anomascope-replay",
        "version": 1,
        "edges": [0.01, 0.1, 1.0],
        "edges_scale": "log",
        "threshold": 0.2,
        "epochs": [
            {"epoch": 1, "auc": 0.5, "normal": [1, 2], "abnormal": [0, 3], "loss": 1.0},
            {"epoch": 2, "auc": 0.9, "normal": [3, 0], "abnormal": [0, 3], "loss": 0.5},
        ],
    }
    reply = ok("training_replay", {"model": "m", "text": json.dumps(doc)})
    assert reply["log"] and reply["best_epoch"] == 2 and reply["threshold"] == 0.2
    assert reply["normal"]["shape"] == [2, 2]
    doc["epochs"][1]["normal"] = [1]
    assert "2 normal" in err("training_replay", {"model": "m", "text": json.dumps(doc)})
    doc["epochs"][1]["normal"] = [1, 2]
    doc["edges"] = [1.0, 0.5, 2.0]
    assert "increasing" in err("training_replay", {"model": "m", "text": json.dumps(doc)})
    assert "not valid JSON" in err("training_replay", {"model": "m", "text": "{"})
    assert "not an Anomascope" in err("training_replay", {"model": "m", "text": "[]"})


def test_explainer_numbers(session: api.State) -> None:
    reply = ok("explainer", {"model": "m"})
    assert [layer["units"] for layer in reply["layers"]] == [140, 3, 140]
    counts = np.frombuffer(reply["counts_test"]["data"], np.int32)
    assert counts.tolist() == [90, 0, 30, 0, 0]
    assert reply["all_normal_accuracy"] == pytest.approx(0.75)
    assert reply["class_means"]["shape"] == [5, 140] and reply["steps"] == []
    t = reply["tendency"]
    assert t["n"] == 30 and 0.0 <= t["closer_to_mean"] <= 1.0
    # PCA fitted on normal beats reconstructs noisy abnormal beats near the normal shape
    assert t["example_to_mean"] < t["example_to_input"]
    assert api.dispatch("explainer", {"model": "m"})["result"] is not None


def test_layer_sizes_of_each_kind() -> None:
    ae = {"input_dim": 140, "encoder_units": [32, 16], "latent_dim": 8, "decoder_units": [16, 32]}
    assert [x["units"] for x in lab.layer_sizes("autoencoder", ae)] == [140, 32, 16, 8, 16, 32, 140]
    seq = lab.layer_sizes("seq2seq", {"seq_len": 140, "patch": 7, "hidden_size": 32})
    assert seq[0]["label"] == "input (20 steps of 7)"
    assert lab.layer_sizes("iforest", {}) == []


def test_every_committed_model_loads_through_the_bridge() -> None:
    models = Path(__file__).resolve().parents[2] / "models"
    index = sorted(p for p in models.glob("*.json") if not p.stem.endswith("_history"))
    assert len(index) >= 10
    session = api.State()
    for manifest in index:
        reply = api.loading.load_model_request(
            session,
            {
                "name": manifest.stem,
                "manifest": manifest.read_text(),
                "weights": manifest.with_suffix(".npz").read_bytes(),
            },
        )
        assert reply["name"] == manifest.stem


def test_upload_scale_check_and_row_z_normalisation(session: api.State) -> None:
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(4, 140))
    minmax = (raw - raw.min(1, keepdims=True)) / np.ptp(raw, axis=1, keepdims=True)
    text = "\n".join(",".join(f"{v:.6f}" for v in row) for row in minmax).encode()
    reply = ok("upload_beats", {"name": "anomagram.csv", "data": text})
    warning = reply["scale_warning"]
    assert warning and "4 of the 4 beats are not z-normalised" in warning
    assert "means run from 0.4" in warning or "means run from 0.5" in warning, warning
    fixed = ok("normalise_upload", {})
    X = np.frombuffer(fixed["X"]["data"], np.float32).reshape(4, 140)
    np.testing.assert_allclose(X.mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(X.std(1, ddof=1), 1, atol=1e-4)
    assert fixed["n"] == 4 and fixed["scale_warning"] is None
    beat = ok("inspect_beat", {"model": "m", "dataset": "ecg5000", "split": "user", "index": 0})
    np.testing.assert_allclose(np.frombuffer(beat["beat"]["data"], np.float32), X[0], atol=1e-6)
    z = "\n".join(",".join(f"{v:.6f}" for v in row) for row in X).encode()
    assert ok("upload_beats", {"name": "z.csv", "data": z})["scale_warning"] is None


def test_upload_reads_excel_exports_and_explains_semicolons(session: api.State) -> None:
    row = ",".join(["1"] + ["0.25"] * 140)
    excel = (f"label,{','.join(f't{i}' for i in range(140))},\r\n" + f"{row},\r\n" * 2).encode()
    reply = ok("upload_beats", {"name": "excel.csv", "data": excel})
    assert reply["n"] == 2 and reply["labelled"] and reply["header"]
    semi = "\n".join(";".join(["0,5"] * 140) for _ in range(2)).encode()
    message = err("upload_beats", {"name": "de.csv", "data": semi})
    assert "semicolons with decimal commas" in message and "points as decimal marks" in message
    assert "header" not in message
