"""Handlers of the ECG lab page: the beat viewer, threshold explorer, your own beats, the
drawing pad, model costs and the training replay. The math lives in :mod:`anomascope.lab`
and :mod:`anomascope.metrics`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from anomascope import AnomascopeError, lab
from anomascope.api import (
    Session,
    as_bytes,
    float_rows,
    get_dataset,
    get_model,
    handler,
    require,
    split_rows,
)
from anomascope.data import ecg
from anomascope.data.beats import parse_beats
from anomascope.weights import LoadedModel


def reconstruct(model: LoadedModel, X_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores ``(n,)`` and reconstructions ``(n, d)`` in the units of ``X_raw``."""
    X = model.preprocess(X_raw)
    detector = model.detector
    if not hasattr(detector, "reconstruct"):
        raise AnomascopeError(f"a {model.manifest['kind']} model does not reconstruct its input")
    recon = detector.reconstruct(X)
    scores = detector.score_samples(X)
    return scores, invert_affine(model.manifest.get("preprocessing"), recon)


def invert_affine(spec: dict[str, Any] | None, X: np.ndarray) -> np.ndarray:
    """Map model-space rows back to data units through whole-row affine steps.

    Reconstruction models on ECG beats use only ``standardize`` / ``minmax`` steps over every
    column (or none), which are invertible; anything else cannot be drawn in data units.
    """
    steps = (spec or {}).get("steps", [])
    out = np.array(X, dtype=np.float32)
    for step in reversed(steps):
        if step.get("columns") is not None:
            raise AnomascopeError("this model's input scaling cannot be inverted for display")
        if step["op"] == "standardize":
            out = out * np.asarray(step["scale"], np.float32) + np.asarray(step["mean"], np.float32)
        elif step["op"] == "minmax":
            lo, hi = np.asarray(step["min"], np.float32), np.asarray(step["max"], np.float32)
            out = out * np.where(hi - lo == 0, np.float32(1), hi - lo) + lo
        else:
            raise AnomascopeError(f"this model's input step {step['op']!r} cannot be inverted")
    return out


@handler("score_beats")
def score_beats(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Score page-supplied beats (flat float32, rows of 140); reply scores + reconstructions."""
    _, model = get_model(session, payload)
    X = float_rows(require(payload, "beats", object), ecg.BEAT_LENGTH, "beats")
    scores, recon = reconstruct(model, X)
    return {"scores": scores, "reconstructions": recon, "threshold": model.detector.threshold_}


@handler("score_split")
def score_split(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Scores of every row of a dataset split (cached per model)."""
    name, model = get_model(session, payload)
    dataset = require(payload, "dataset", str)
    split = require(payload, "split", str)
    key = (name, dataset, split)
    if key not in session.score_cache:
        X, _ = split_rows(session, dataset, split)
        session.score_cache[key] = model.detector.score_samples(model.preprocess(X))
    return {"scores": session.score_cache[key]}


@handler("inspect_beat")
def inspect_beat(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """One beat of a split with its reconstruction, score and label at a threshold."""
    _, model = get_model(session, payload)
    X, y = split_rows(session, require(payload, "dataset", str), require(payload, "split", str))
    index = require(payload, "index", int)
    if not 0 <= index < len(X):
        raise AnomascopeError(f"beat index {index} is out of range 0..{len(X) - 1}")
    threshold = payload.get("threshold", model.detector.threshold_)
    if (
        not isinstance(threshold, int | float)
        or isinstance(threshold, bool)
        or not np.isfinite(threshold)
    ):
        raise AnomascopeError("threshold must be a finite number")
    scores, recon = reconstruct(model, X[index : index + 1])
    return {
        "index": index,
        "beat": X[index],
        "reconstruction": recon[0],
        "score": float(scores[0]),
        "threshold": float(threshold),
        "predicted_anomaly": bool(scores[0] > threshold),
        "true_class": int(y[index]),
        "true_anomaly": None if y[index] == 0 else bool(y[index] != 1),
    }


# ---------------------------------------------------------------------------------------------
# The ECG lab: threshold explorer, your own beats, drawing, costs
# ---------------------------------------------------------------------------------------------
def finite_number(payload: dict[str, Any], key: str, lo: float, hi: float) -> float:
    value = require(payload, key, float)
    if not np.isfinite(value) or not lo <= value <= hi:
        raise AnomascopeError(f"{key} must be a finite number between {lo:g} and {hi:g}")
    return float(value)


def split_scores(session: Session, name: str, model: LoadedModel, split: str) -> np.ndarray:
    """Scores of a split of ECG5000 (``train`` / ``test`` / ``user``), cached per model."""
    key = (name, "ecg5000", split)
    if key not in session.score_cache:
        X, _ = split_rows(session, "ecg5000", split)
        session.score_cache[key] = model.detector.score_samples(model.preprocess(X))
    return session.score_cache[key]


def held_out_test_rows(session: Session, model: LoadedModel) -> np.ndarray:
    """Bool mask over UCR TEST: False for the beats the model was trained or thresholded on
    (a model trained on the train page may have drawn them from the pooled files)."""
    data = get_dataset(session, "ecg5000")
    n_train, n_test = len(data["train_X"]), len(data["test_X"])
    seen = ecg.rows_seen_in_training(model.manifest) - n_train
    keep = np.ones(n_test, bool)
    keep[seen[(seen >= 0) & (seen < n_test)]] = False
    return keep


def explorer_for(session: Session, name: str, model: LoadedModel) -> lab.Explorer:
    """The test split (less any beats the model saw) plus the visitor's labelled beats,
    indexed once per model."""
    if name not in session.explorers:
        keep = held_out_test_rows(session, model)
        scores = [split_scores(session, name, model, "test")[keep]]
        labels = [split_rows(session, "ecg5000", "test")[1][keep] != 1]
        data = get_dataset(session, "ecg5000")
        if "user_X" in data and (data["user_y"] > 0).any():
            keep = data["user_y"] > 0
            scores.append(split_scores(session, name, model, "user")[keep])
            labels.append(data["user_y"][keep] != 1)
        session.explorers[name] = lab.Explorer(np.concatenate(scores), np.concatenate(labels))
    return session.explorers[name]


@handler("explorer")
def explorer(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Histogram, ROC and AUC of the test split (+ your labelled beats) for one model;
    ``n_left_out`` test beats are left out because the model was trained or thresholded on them."""
    name, model = get_model(session, payload)
    explorer_rows = explorer_for(session, name, model)
    data = get_dataset(session, "ecg5000")
    n_user = int((data["user_y"] > 0).sum()) if "user_y" in data else 0
    n_held_out = int(explorer_rows.scores.size) - n_user
    summary = explorer_rows.summary()
    return {
        **summary,
        "n_test": n_held_out,
        "n_left_out": int(len(data["test_y"])) - n_held_out,
        "n_user": n_user,
    }


@handler("threshold_metrics")
def threshold_metrics(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Counts and rates at one threshold on the explorer's rows (cheap: a sorted index)."""
    name, model = get_model(session, payload)
    threshold = finite_number(payload, "threshold", -1e30, 1e30)
    return explorer_for(session, name, model).at(threshold)


@handler("threshold_preset")
def threshold_preset(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """A preset threshold computed on the validation rows (the UCR TRAIN file)."""
    name, model = get_model(session, payload)
    rule = require(payload, "rule", str)
    param = payload.get("param")
    if param is not None:
        param = finite_number(payload, "param", -1e6, 1e6)
    scores = split_scores(session, name, model, "train")
    labels = split_rows(session, "ecg5000", "train")[1] != 1
    manifest_threshold = model.manifest.get("threshold") or {}
    if not isinstance(manifest_threshold, dict):
        manifest_threshold = {}
    manifest_threshold = {"value": float(model.detector.threshold_ or 0.0), **manifest_threshold}
    out = lab.preset(rule, scores, labels, manifest_threshold, param)
    return {**out, "n_validation": int(labels.size), "n_validation_normal": int((~labels).sum())}


@handler("upload_beats")
def upload_beats(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Parse a visitor's CSV / TSV / UCR file (bytes); the rows become the ``user`` split.

    Unlabelled rows get class 0. A new upload replaces the previous one.
    """
    name = require(payload, "name", str)[:120] or "file"
    beats = parse_beats(as_bytes(require(payload, "data", object), name), name)
    data = get_dataset(session, "ecg5000")
    n = len(beats.X)
    data["user_X"] = beats.X.astype(np.float32)
    data["user_y"] = np.zeros(n, np.int8) if beats.y is None else beats.y.astype(np.int8)
    session.score_cache = {k: v for k, v in session.score_cache.items() if k[2] != "user"}
    session.explorers.clear()
    return {
        "X": data["user_X"],
        "y": data["user_y"],
        "n": n,
        "labelled": beats.y is not None,
        "header": beats.header,
    }


@handler("user_scores")
def user_scores(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Scores of the visitor's uploaded beats under one model."""
    name, model = get_model(session, payload)
    return {"scores": split_scores(session, name, model, "user")}


@handler("draw_beat")
def draw_beat(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Strokes (each a flat list or float32 array of x, y pairs in data units) -> one beat,
    scored and reconstructed by the model. See :func:`anomascope.lab.strokes_to_beat`."""
    _, model = get_model(session, payload)
    raw = require(payload, "strokes", list)
    if len(raw) > 500:
        raise AnomascopeError("too many strokes; clear the pad and draw again")
    strokes = [] if not raw else [float_rows(s, 2, "stroke") for s in raw if _nonempty(s)]
    if sum(len(s) for s in strokes) > lab.MAX_DRAW_POINTS:
        raise AnomascopeError("the drawing has too many points; clear the pad and draw again")
    beat, drawn = lab.strokes_to_beat(strokes, ecg.BEAT_LENGTH)
    scores, recon = reconstruct(model, beat[None, :])
    return {
        "beat": beat,
        "drawn": drawn,
        "n_drawn": int(drawn.sum()),
        "reconstruction": recon[0],
        "score": float(scores[0]),
    }


def _nonempty(value: Any) -> bool:
    if isinstance(value, memoryview | bytes | bytearray):
        return len(bytes(value)) > 0
    return isinstance(value, list | tuple) and len(value) > 0


@handler("time_inference")
def time_inference(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Wall time of scoring every test beat, measured here (median of ``repeats`` runs)."""
    _, model = get_model(session, payload)
    repeats = require(payload, "repeats", int)
    if not 1 <= repeats <= 20:
        raise AnomascopeError("repeats must be between 1 and 20")
    X, _ = split_rows(session, "ecg5000", "test")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.detector.score_samples(model.preprocess(X))
        times.append(time.perf_counter() - start)
    return {"rows": int(len(X)), "seconds_median": float(np.median(times)), "repeats": repeats}


@handler("training_replay")
def training_replay(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate a model's exported training history (JSON text fetched by the page)."""
    name, _ = get_model(session, payload)
    text = require(payload, "text", str)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnomascopeError(
            f"{name}: the training history is not valid JSON ({exc.msg})"
        ) from None
    out = lab.parse_replay(document, f"{name} training history")
    out["best_epoch"] = (
        int(out["epoch"][int(np.nanargmax(out["auc"]))]) if np.isfinite(out["auc"]).any() else None
    )
    return out


@handler("explainer")
def explainer(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Numbers behind the explainer: the model's layers, the classes of ECG5000, what the
    model's preprocessing does, and how it reconstructs abnormal beats (cached per model)."""
    name, model = get_model(session, payload)
    if name in session.explainers:
        return session.explainers[name]
    train_X, train_y = split_rows(session, "ecg5000", "train")
    test_X, test_y = split_rows(session, "ecg5000", "test")
    classes = np.arange(1, 6)
    means = np.stack(
        [
            test_X[test_y == c].mean(axis=0) if (test_y == c).any() else np.zeros(test_X.shape[1])
            for c in classes
        ]
    ).astype(np.float32)
    abnormal = test_y != 1
    scores = split_scores(session, name, model, "test")[abnormal]
    _, recon = reconstruct(model, test_X[abnormal])
    mean_normal = train_X[train_y == 1].mean(axis=0).astype(np.float32)
    steps = (model.manifest.get("preprocessing") or {}).get("steps", [])
    out = {
        "layers": lab.layer_sizes(model.manifest["kind"], model.manifest.get("architecture", {})),
        "counts_train": np.array([(train_y == c).sum() for c in classes], np.int32),
        "counts_test": np.array([(test_y == c).sum() for c in classes], np.int32),
        "all_normal_accuracy": float(np.mean(test_y == 1)),
        "class_means": means,
        "class_means_model": np.asarray(model.preprocess(means), np.float32),
        "steps": [str(s.get("op")) for s in steps if isinstance(s, dict)],
        "mean_normal": mean_normal,
        "tendency": lab.tendency(test_X[abnormal], recon, scores, mean_normal),
    }
    session.explainers[name] = out
    return out
