"""Handlers of the "Train a model" page."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api import (
    Session,
    as_bytes,
    get_dataset,
    handler,
    load_model_request,
    require,
)
from anomascope.weights import load_model

# --- Training in the browser ---
# The "Train a model" page: one TrainingSession at a time (see anomascope.training), trained
# in chunks of at most ``max_ms`` per request; Pause is the page not sending the next request.
TRAINING: dict[str, Any] = {"session": None}
TRAIN_MAX_MS = 5_000


def ecg_pool(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """Both UCR files pooled: rows 0..499 are UCR TRAIN, rows 500.. UCR TEST."""
    data = get_dataset(session, "ecg5000")
    return (
        np.concatenate([data["train_X"], data["test_X"]]),
        np.concatenate([data["train_y"], data["test_y"]]),
    )


def training_session() -> Any:
    if TRAINING["session"] is None:
        raise AnomascopeError("no model is being trained: press Train first")
    return TRAINING["session"]


@handler("train_start")
def train_start(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate ``config``, draw the data sets, build the model; reply its summary."""
    from anomascope.training import TrainingSession

    X, y = ecg_pool(session)
    run = TrainingSession(require(payload, "config", dict), X, y)  # a bad config keeps the old run
    TRAINING["session"] = run
    return run.summary()


@handler("train_check")
def train_check(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate ``config`` without training: the complete config and its parameter count."""
    from anomascope.training import count_parameters, validate_config

    _, y = ecg_pool(session)
    pool = {"normal": int(np.sum(y == 1)), "abnormal": int(np.sum(y != 1))}
    config = validate_config(require(payload, "config", dict), pool)
    return {"config": config, "parameters": count_parameters(config)}


@handler("train_step")
def train_step(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Train for at most ``max_ms`` (optionally stopping at the end of an epoch)."""
    run = training_session()
    max_ms = require(payload, "max_ms", float)
    if not 1 <= max_ms <= TRAIN_MAX_MS:
        raise AnomascopeError(f"max_ms must be between 1 and {TRAIN_MAX_MS}")
    stop = payload.get("stop_at_epoch", False)
    return run.step(max_ms / 1000, stop_at_epoch=bool(stop))


@handler("train_reset")
def train_reset(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    TRAINING["session"] = None
    return {"status": "empty"}


def trained_name(session: Session, payload: dict[str, Any], *, replace: bool = False) -> str:
    """A valid model name; unless ``replace``, only a model trained in the browser may be
    replaced (the page refuses the built-in models' names before it uploads)."""
    from anomascope.weights import _NAME_RE

    name = require(payload, "name", str).strip()
    if not _NAME_RE.match(name) or len(name) > 60:
        raise AnomascopeError(
            "a model name uses letters, digits, '_', '.' and '-' (at most 60), "
            "starting with a letter or digit"
        )
    old = session.models.get(name)
    if (
        not replace
        and old is not None
        and (old.manifest.get("training") or {}).get("where") != "browser"
    ):
        raise AnomascopeError(
            f"a model named {name!r} is already loaded and was not trained here; "
            "choose another name"
        )
    return name


@handler("train_export")
def train_export(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The trained model's files: ``{name, manifest (JSON text), weights (npz bytes)}``."""
    name = trained_name(session, payload)
    manifest, weights = training_session().export(name, payload.get("title") or None)
    return {"name": name, "manifest": manifest, "weights": weights}


@handler("train_activate")
def train_activate(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Register the trained model in this worker (as ``load_model`` does) and reply its
    summary plus its files, which the page stores for the ECG lab."""
    files = train_export(session, payload)
    summary = load_model_request(session, files)
    return {**files, "summary": summary}


@handler("train_upload")
def train_upload(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate an uploaded model (manifest text + npz bytes) for ECG5000 and register it.

    Replies ``{name, summary, manifest}`` and, when a training session exists, the model's
    test metrics on that session's test set at the model's own threshold.
    """
    text = require(payload, "manifest", str)
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnomascopeError(f"the manifest is not valid JSON ({exc.msg})") from None
    if not isinstance(manifest, dict):
        raise AnomascopeError("the manifest must be a JSON object")
    model = load_model(as_bytes(require(payload, "weights", object), "weights"), manifest)
    if manifest.get("dataset") != "ecg5000" or not hasattr(model.detector, "reconstruct"):
        raise AnomascopeError("this page takes ECG5000 models that reconstruct beats")
    name = trained_name(session, {"name": str(manifest.get("name", ""))}, replace=True)
    summary = load_model_request(
        session, {"name": name, "manifest": text, "weights": payload["weights"]}
    )
    reply: dict[str, Any] = {"name": name, "summary": summary}
    run = TRAINING["session"]
    if run is not None and model.detector.threshold_ is not None:
        from anomascope.metrics import metrics_summary

        scores = model.score(run.X_test)
        reply["test"] = metrics_summary(scores, run.splits["test"][1], model.detector.threshold_)
    return reply
