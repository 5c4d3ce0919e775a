"""Handlers of the "Train a model" page.

One :class:`anomascope.training.TrainingSession` at a time (``State.training``), trained in
chunks of at most ``max_ms`` per request; Pause is the page not sending the next request.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import as_bytes, finite_number, handler, require
from anomascope.api.loading import load_model_request
from anomascope.api.schema import TRAIN_MAX_MS
from anomascope.api.state import ECG, State
from anomascope.metrics import metrics_summary
from anomascope.training import (
    TrainingSession,
    config_warnings,
    count_parameters,
    validate_config,
)
from anomascope.weights import NAME_RULE, load_model, parse_manifest, valid_model_name


def ecg_pool(state: State) -> tuple[np.ndarray, np.ndarray]:
    """Both UCR files pooled: rows 0..499 are UCR TRAIN, rows 500.. UCR TEST."""
    data = state.dataset(ECG)
    return (
        np.concatenate([data["train_X"], data["test_X"]]),
        np.concatenate([data["train_y"], data["test_y"]]),
    )


@handler("train_start")
def train_start(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate ``config``, draw the data sets, build the model; reply its summary."""
    X, y = ecg_pool(state)
    run = TrainingSession(require(payload, "config", dict), X, y)  # a bad config keeps the old run
    state.training = run
    return run.summary()


@handler("train_check")
def train_check(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate ``config`` without training: the complete config, its parameter count and
    ``warnings`` (``[{field, message}]``) about settings that are allowed but doubtful."""
    _, y = ecg_pool(state)
    pool = {"normal": int(np.sum(y == 1)), "abnormal": int(np.sum(y != 1))}
    config = validate_config(require(payload, "config", dict), pool)
    return {
        "config": config,
        "parameters": count_parameters(config),
        "warnings": config_warnings(config),
    }


@handler("train_step")
def train_step(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Train for at most ``max_ms`` (optionally stopping at the end of an epoch)."""
    run = state.training_session()
    max_ms = finite_number(payload, "max_ms", 1, TRAIN_MAX_MS)
    stop = payload.get("stop_at_epoch", False)
    return run.step(max_ms / 1000, stop_at_epoch=bool(stop))


@handler("train_reset")
def train_reset(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    state.training = None
    return {"status": "empty"}


def trained_name(state: State, payload: dict[str, Any], *, replace: bool = False) -> str:
    """A valid model name; unless ``replace``, only a model trained in the browser may be
    replaced (the page refuses the built-in models' names before it uploads)."""
    name = require(payload, "name", str).strip()
    if not valid_model_name(name):
        raise AnomascopeError(NAME_RULE, "name")
    old = state.models.get(name)
    if (
        not replace
        and old is not None
        and (old.manifest.get("training") or {}).get("where") != "browser"
    ):
        raise AnomascopeError(
            f"a model named {name!r} is already loaded and was not trained here; "
            "choose another name",
            "name",
        )
    return name


@handler("train_export")
def train_export(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """The trained model's files: ``{name, manifest (JSON text), weights (npz bytes)}``."""
    name = trained_name(state, payload)
    manifest, weights = state.training_session().export(name, payload.get("title") or None)
    return {"name": name, "manifest": manifest, "weights": weights}


@handler("train_activate")
def train_activate(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Register the trained model in this worker (as ``load_model`` does) and reply its
    summary plus its files, which the page stores for the ECG lab."""
    files = train_export(state, payload)
    summary = load_model_request(state, files)
    return {**files, "summary": summary}


@handler("train_upload")
def train_upload(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate an uploaded model (manifest text + npz bytes) for ECG5000 and register it.

    Replies ``{name, summary, manifest}`` and, when a training session exists, the model's
    test metrics on that session's test set at the model's own threshold.
    """
    text = require(payload, "manifest", str)
    manifest = parse_manifest(text, "the manifest")
    model = load_model(as_bytes(require(payload, "weights", object), "weights"), manifest)
    if manifest.get("dataset") != ECG or not hasattr(model.detector, "reconstruct"):
        raise AnomascopeError("this page takes ECG5000 models that reconstruct beats", "manifest")
    name = trained_name(state, {"name": str(manifest.get("name", ""))}, replace=True)
    summary = load_model_request(
        state, {"name": name, "manifest": text, "weights": payload["weights"]}
    )
    reply: dict[str, Any] = {"name": name, "summary": summary}
    run = state.training
    if run is not None and model.detector.threshold_ is not None:
        scores = model.score(run.X_test)
        reply["test"] = metrics_summary(scores, run.splits["test"][1], model.detector.threshold_)
    return reply
