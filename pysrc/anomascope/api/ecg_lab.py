"""Handlers of the ECG lab page: the beat viewer, threshold explorer, your own beats, the
drawing pad, model costs and the training replay. The math lives in :mod:`anomascope.lab`
and :mod:`anomascope.metrics`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from anomascope import AnomascopeError, drawing, lab
from anomascope.api.core import as_bytes, finite_number, float_rows, get_model, handler, require
from anomascope.api.ecg_errors import beat_details, edge_cases, explorer_for, per_class
from anomascope.api.state import ECG, State
from anomascope.data import ecg
from anomascope.data.beats import parse_beats, z_normalisation_report, z_normalise


@handler("score_split")
def score_split(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Scores of every row of a dataset split (cached per model)."""
    name, _ = get_model(state, payload)
    dataset = require(payload, "dataset", str)
    split = require(payload, "split", str)
    return {"scores": state.split_scores(name, dataset, split)}


@handler("inspect_beat")
def inspect_beat(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """One beat of a split with its reconstruction, score and label at a threshold, and where
    its error sits (:func:`.ecg_errors.beat_details`)."""
    name, model = get_model(state, payload)
    X, y = state.split(require(payload, "dataset", str), require(payload, "split", str))
    index = require(payload, "index", int)
    if not 0 <= index < len(X):
        raise AnomascopeError(f"beat index {index} is out of range 0..{len(X) - 1}", "index")
    threshold = payload.get("threshold", model.detector.threshold_)
    if (
        not isinstance(threshold, int | float)
        or isinstance(threshold, bool)
        or not np.isfinite(threshold)
    ):
        raise AnomascopeError("threshold must be a finite number", "threshold")
    scores, recon = model.reconstruct(X[index : index + 1])
    return {
        "index": index,
        "beat": X[index],
        "reconstruction": recon[0],
        "score": float(scores[0]),
        "threshold": float(threshold),
        "predicted_anomaly": bool(scores[0] > threshold),
        "true_class": int(y[index]),
        "true_anomaly": None if y[index] == 0 else bool(y[index] != 1),
        **beat_details(state, name, model, X[index : index + 1]),
    }


# ---------------------------------------------------------------------------------------------
# The ECG lab: threshold explorer, your own beats, drawing, costs
# ---------------------------------------------------------------------------------------------
@handler("explorer")
def explorer(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Histogram, ROC and AUC of the test split (+ your labelled beats) for one model;
    ``n_left_out`` test beats are left out because the model was trained or thresholded on them."""
    name, model = get_model(state, payload)
    explorer_rows = explorer_for(state, name, model)
    data = state.dataset(ECG)
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
def threshold_metrics(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Counts and rates at one threshold on the explorer's rows (cheap: a sorted index), with
    recall per abnormal class."""
    name, model = get_model(state, payload)
    threshold = finite_number(payload, "threshold", -1e30, 1e30)
    out: dict[str, Any] = explorer_for(state, name, model).at(threshold)
    return {**out, "per_class": per_class(state, name, model, threshold)}


@handler("threshold_preset")
def threshold_preset(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """A preset threshold computed on the validation rows (the UCR TRAIN file)."""
    name, model = get_model(state, payload)
    rule = require(payload, "rule", str)
    param = payload.get("param")
    if param is not None:
        param = finite_number(payload, "param", -1e6, 1e6)
    scores = state.split_scores(name, ECG, "train")
    labels = state.split(ECG, "train")[1] != 1
    manifest_threshold = model.manifest.get("threshold") or {}
    if not isinstance(manifest_threshold, dict):
        manifest_threshold = {}
    manifest_threshold = {"value": float(model.detector.threshold_ or 0.0), **manifest_threshold}
    out = lab.preset(rule, scores, labels, manifest_threshold, param)
    return {**out, "n_validation": int(labels.size), "n_validation_normal": int((~labels).sum())}


@handler("upload_beats")
def upload_beats(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Parse a visitor's CSV / TSV / UCR file (bytes); the rows become the ``user`` split.

    Unlabelled rows get class 0. A new upload replaces the previous one.
    """
    name = require(payload, "name", str)[:120] or "file"
    beats = parse_beats(as_bytes(require(payload, "data", object), name), name)
    data = state.dataset(ECG)
    n = len(beats.X)
    data["user_X"] = beats.X.astype(np.float32)
    data["user_y"] = np.zeros(n, np.int8) if beats.y is None else beats.y.astype(np.int8)
    state.invalidate(dataset=ECG, split="user")
    return {
        "X": data["user_X"],
        "y": data["user_y"],
        "n": n,
        "labelled": beats.y is not None,
        "header": beats.header,
        "scale_warning": scale_warning(data["user_X"]),
    }


def scale_warning(X: np.ndarray) -> str | None:
    """Why the uploaded rows do not look like ECG5000's (each row z-normalised), with the
    numbers; None when every row is z-normalised."""
    r = z_normalisation_report(X)
    if not r["count"]:
        return None
    (m0, m1), (s0, s1) = r["mean_range"], r["std_range"]
    rows = ", ".join(str(i) for i in r["first_rows"])
    return (
        f"{r['count']} of the {r['rows']} beats are not z-normalised (for example rows {rows}): "
        f"their means run from {m0:.3g} to {m1:.3g} and their standard deviations from "
        f"{s0:.3g} to {s1:.3g}, while every ECG5000 beat has mean 0 and standard deviation 1 "
        f"(within {r['tolerance']:g}). The models learned z-normalised beats, so these would "
        "likely all be flagged. Z-normalising each row (minus its mean, divided by its "
        "standard deviation) keeps every beat's shape and puts it on the models' scale."
    )


@handler("normalise_upload")
def normalise_upload(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Z-normalise each of the visitor's uploaded beats (see :func:`z_normalise`)."""
    data = state.dataset(ECG)
    if "user_X" not in data:
        raise AnomascopeError("there are no uploaded beats to z-normalise; upload a file first")
    data["user_X"] = z_normalise(data["user_X"])
    state.invalidate(dataset=ECG, split="user")
    return {
        "X": data["user_X"],
        "n": int(len(data["user_X"])),
        "scale_warning": scale_warning(data["user_X"]),
    }


@handler("user_scores")
def user_scores(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Scores of the visitor's uploaded beats under one model."""
    name, model = get_model(state, payload)
    return {"scores": state.split_scores(name, ECG, "user")}


@handler("draw_beat")
def draw_beat(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Strokes (each a flat list or float32 array of x, y pairs in data units) -> one beat,
    scored and reconstructed by the model, with where its error sits and how far it is from
    the nearest training beat. See :func:`anomascope.drawing.strokes_to_beat`."""
    name, model = get_model(state, payload)
    raw = require(payload, "strokes", list)
    if len(raw) > 500:
        raise AnomascopeError("too many strokes; clear the pad and draw again", "strokes")
    strokes = [float_rows(s, 2, "stroke", "strokes") for s in raw if _nonempty(s)]
    if sum(len(s) for s in strokes) > drawing.MAX_DRAW_POINTS:
        raise AnomascopeError(
            "the drawing has too many points; clear the pad and draw again", "strokes"
        )
    beat, drawn = drawing.strokes_to_beat(strokes, ecg.BEAT_LENGTH)
    scores, recon = model.reconstruct(beat[None, :])
    return {
        "beat": beat,
        "drawn": drawn,
        "n_drawn": int(drawn.sum()),
        "reconstruction": recon[0],
        "score": float(scores[0]),
        **beat_details(state, name, model, beat[None, :]),
    }


def _nonempty(value: Any) -> bool:
    if isinstance(value, memoryview | bytes | bytearray):
        return len(bytes(value)) > 0
    return isinstance(value, list | tuple) and len(value) > 0


@handler("time_inference")
def time_inference(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Wall time of scoring every test beat, measured here (median of ``repeats`` runs).

    With ``scores: true`` the reply also carries the last run's ``scores`` (float32, one per
    test beat), so a caller can time scoring as a page receives it (the benchmark does).
    """
    _, model = get_model(state, payload)
    repeats = require(payload, "repeats", int)
    if not 1 <= repeats <= 20:
        raise AnomascopeError("repeats must be between 1 and 20", "repeats")
    send = payload.get("scores", False)
    if not isinstance(send, bool):
        raise AnomascopeError("scores must be true or false", "scores")
    X, _ = state.split(ECG, "test")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        scores = model.score(X)
        times.append(time.perf_counter() - start)
    out = {"rows": int(len(X)), "seconds_median": float(np.median(times)), "repeats": repeats}
    if send:
        out["scores"] = np.asarray(scores, dtype=np.float32)
    return out


@handler("training_replay")
def training_replay(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate a model's exported training history (JSON text fetched by the page)."""
    name, _ = get_model(state, payload)
    text = require(payload, "text", str)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnomascopeError(
            f"{name}: the training history is not valid JSON ({exc.msg})"
        ) from None
    out = lab.parse_replay(document, f"{name} training history")
    out["best_epoch"] = lab.best_epoch(out["epoch"], out["auc"])
    return out


@handler("explainer")
def explainer(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Numbers behind the explainer: the model's layers, the classes of ECG5000, what the
    model's preprocessing does, and how it reconstructs abnormal beats (cached per model)."""
    name, model = get_model(state, payload)
    if name in state.explainers:
        return state.explainers[name]
    train_X, train_y = state.split(ECG, "train")
    test_X, test_y = state.split(ECG, "test")
    classes = np.arange(1, 6)
    means = lab.class_means(test_X, test_y, classes)
    abnormal = test_y != 1
    scores = state.split_scores(name, ECG, "test")[abnormal]
    _, recon = model.reconstruct(test_X[abnormal])
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
        "edge_cases": edge_cases(state, name, model),
    }
    state.explainers[name] = out
    return out
