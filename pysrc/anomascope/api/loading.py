"""Handlers that load what every page works on: data sets and models."""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import as_bytes, handler, require
from anomascope.api.state import ECG, State
from anomascope.data import ecg
from anomascope.training.manifest import rows_seen_in_training
from anomascope.weights import LoadedModel, load_model, parse_manifest, read_npz


@handler("load_dataset")
def load_dataset(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Load ``ecg5000.npz`` bytes; reply with the test beats and labels for drawing."""
    name = require(payload, "name", str)
    if name != ECG:
        from anomascope.api.stream import STREAM, load_kdd_stream  # the stream page's alone

        if name == STREAM:
            return load_kdd_stream(state, payload)
        raise AnomascopeError(f"unknown dataset {name!r}", "name")
    width = ecg.BEAT_LENGTH
    arrays = read_npz(
        as_bytes(require(payload, "data", object), name),
        name,
        {"train_X": (None, width), "train_y": (None,), "test_X": (None, width), "test_y": (None,)},
    )
    for split in ("train", "test"):
        X, y = arrays[f"{split}_X"], arrays[f"{split}_y"]
        if len(X) != len(y) or not np.isin(y, np.arange(1, 6)).all() or not np.isfinite(X).all():
            raise AnomascopeError(f"{name}: the {split} split is damaged", "data")
    state.datasets[name] = {
        k: v.astype(np.float32 if k.endswith("X") else np.int8) for k, v in arrays.items()
    }
    state.invalidate(dataset=name)
    return {
        "test_X": state.datasets[name]["test_X"],
        "test_y": state.datasets[name]["test_y"],
        "class_names": {str(k): v for k, v in ecg.CLASS_NAMES.items()},
    }


@handler("load_model")
def load_model_request(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Load a model from its manifest (JSON text) and weights (.npz bytes)."""
    name = require(payload, "name", str)
    manifest = parse_manifest(require(payload, "manifest", str), f"{name}: the manifest")
    weights = as_bytes(require(payload, "weights", object), name)
    model = load_model(weights, manifest)
    try:
        rows_seen_in_training(manifest)
    except AnomascopeError as exc:
        raise AnomascopeError(f"{name}: {exc}", "manifest") from None
    state.models[name] = model
    state.file_bytes[name] = len(weights)
    state.invalidate(model=name)
    return {**model_summary(name, model), "file_bytes": state.file_bytes[name]}


def model_summary(name: str, model: LoadedModel) -> dict[str, Any]:
    """What the pages show of a loaded model (from its manifest)."""
    manifest = model.manifest
    return {
        "name": name,
        "kind": manifest["kind"],
        "title": manifest.get("title", name),
        "dataset": manifest.get("dataset"),
        "architecture": manifest.get("architecture", {}),
        "threshold": float(model.detector.threshold_ or 0.0),
        "threshold_rule": (manifest.get("threshold") or {}).get("rule"),
        "parameters": int(sum(a.size for a in model.detector.state_dict().values())),
        "metrics": manifest.get("metrics", {}),
        "training_seconds": (manifest.get("training") or {}).get("seconds"),
        "history": manifest.get("history") if isinstance(manifest.get("history"), dict) else None,
        "reconstructs": hasattr(model.detector, "reconstruct"),
    }
