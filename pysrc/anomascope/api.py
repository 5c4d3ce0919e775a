"""The one surface the browser worker calls.

Every request from the page arrives here as ``dispatch(request_type, payload)``. Payloads are
plain Python values converted from JavaScript (dicts, lists, str, numbers, and ``memoryview``
for typed arrays and file bytes). Each handler validates what it reads, so nothing unchecked
reaches the math. The reply is an envelope of plain values:

- ``{"ok": True, "result": ...}`` with numpy arrays encoded by :func:`encode`;
- ``{"ok": False, "error": {"message": str, "kind": "input" | "internal"}}``.

This module never imports ``js`` or ``pyodide``: the worker converts values at the boundary.
"""

from __future__ import annotations

import io
import json
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from anomascope import AnomascopeError, lab
from anomascope.data import ecg
from anomascope.weights import LoadedModel, load_model

Handler = Callable[["Session", dict[str, Any]], Any]
HANDLERS: dict[str, Handler] = {}
MAX_ROWS_PER_REQUEST = 20_000


@dataclass
class Session:
    """What the worker holds between requests: datasets and loaded models by name."""

    datasets: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    models: dict[str, LoadedModel] = field(default_factory=dict)
    score_cache: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)
    explorers: dict[str, lab.Explorer] = field(default_factory=dict)
    file_bytes: dict[str, int] = field(default_factory=dict)
    explainers: dict[str, dict[str, Any]] = field(default_factory=dict)


SESSION = Session()


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def dispatch(request_type: str, payload: Any = None) -> dict[str, Any]:
    """Run one request against the worker's session; never raises."""
    try:
        if request_type not in HANDLERS:
            raise AnomascopeError(f"unknown request type {request_type!r}")
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise AnomascopeError("request payload must be an object")
        return {"ok": True, "result": encode(HANDLERS[request_type](SESSION, payload))}
    except AnomascopeError as exc:
        return {"ok": False, "error": {"message": str(exc), "kind": "input"}}
    except Exception as exc:  # a bug: report it plainly, keep the worker alive
        return {
            "ok": False,
            "error": {
                "message": f"Internal error in {request_type}: {type(exc).__name__}: {exc}",
                "kind": "internal",
                "detail": traceback.format_exc(limit=6),
            },
        }


def encode(value: Any) -> Any:
    """Turn numpy arrays and scalars into plain values the worker can send.

    Arrays become ``{"__ndarray__": dtype, "shape": [...], "data": bytes}`` (little-endian,
    C order); the page rebuilds a typed array from the bytes without copying each number.
    """
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        if arr.dtype == np.bool_:
            arr = arr.astype(np.uint8)
        elif arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64:
            arr = arr.astype(np.int32)
        return {"__ndarray__": arr.dtype.name, "shape": list(arr.shape), "data": arr.tobytes()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------------------------
# Validation of page input
# ---------------------------------------------------------------------------------------------
def require(payload: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in payload:
        raise AnomascopeError(f"missing field {key!r}")
    value = payload[key]
    if isinstance(value, bool) and kind in (int, float):
        raise AnomascopeError(f"{key} must be a number")
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind):
        raise AnomascopeError(f"{key} has the wrong type")
    return value


def as_bytes(value: Any, what: str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise AnomascopeError(f"{what} must be binary data")


def float_rows(value: Any, width: int, what: str) -> np.ndarray:
    """Rows of ``width`` finite float32 values from a typed array (memoryview) or nested list."""
    if isinstance(value, memoryview | bytes | bytearray):
        raw = bytes(value)
        if len(raw) % 4:
            raise AnomascopeError(f"{what}: not a float32 array")
        flat = np.frombuffer(raw, dtype="<f4")
    else:
        try:
            flat = np.asarray(value, dtype=np.float32).ravel()
        except (TypeError, ValueError):
            raise AnomascopeError(f"{what}: values must be numbers") from None
    if flat.size == 0 or flat.size % width:
        raise AnomascopeError(f"{what}: expected rows of {width} values, got {flat.size} values")
    if flat.size // width > MAX_ROWS_PER_REQUEST:
        raise AnomascopeError(f"{what}: at most {MAX_ROWS_PER_REQUEST} rows per request")
    if not np.isfinite(flat).all():
        raise AnomascopeError(f"{what}: values must be finite (no NaN or infinity)")
    return flat.reshape(-1, width).astype(np.float32, copy=False)


def get_model(session: Session, payload: dict[str, Any]) -> tuple[str, LoadedModel]:
    name = require(payload, "model", str)
    if name not in session.models:
        raise AnomascopeError(f"model {name!r} is not loaded")
    return name, session.models[name]


def get_dataset(session: Session, name: str) -> dict[str, np.ndarray]:
    if name not in session.datasets:
        raise AnomascopeError(f"dataset {name!r} is not loaded")
    return session.datasets[name]


def split_rows(session: Session, dataset: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    data = get_dataset(session, dataset)
    if f"{split}_X" not in data:
        raise AnomascopeError(f"dataset {dataset!r} has no split {split!r}")
    return data[f"{split}_X"], data[f"{split}_y"]


# ---------------------------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------------------------
def read_npz(
    raw: bytes, what: str, keys: dict[str, tuple[int | None, ...]]
) -> dict[str, np.ndarray]:
    """Arrays of an .npz file, checked against ``keys`` (name -> shape, None = any length)."""
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise AnomascopeError(f"{what}: not a readable .npz file ({exc})") from None
    problems = [f"missing {k}" for k in keys if k not in arrays]
    for k, shape in keys.items():
        if k in arrays and (
            arrays[k].ndim != len(shape)
            or any(s is not None and s != a for s, a in zip(shape, arrays[k].shape, strict=False))
        ):
            problems.append(f"{k} has shape {arrays[k].shape}")
    if problems:
        raise AnomascopeError(f"{what}: {', '.join(problems)}")
    return arrays


@handler("load_dataset")
def load_dataset(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Load ``ecg5000.npz`` bytes; reply with the test beats and labels for drawing."""
    name = require(payload, "name", str)
    if name == "kdd_stream":
        return load_kdd_stream(session, payload)
    if name != "ecg5000":
        raise AnomascopeError(f"unknown dataset {name!r}")
    width = ecg.BEAT_LENGTH
    arrays = read_npz(
        as_bytes(require(payload, "data", object), name),
        name,
        {"train_X": (None, width), "train_y": (None,), "test_X": (None, width), "test_y": (None,)},
    )
    for split in ("train", "test"):
        X, y = arrays[f"{split}_X"], arrays[f"{split}_y"]
        if len(X) != len(y) or not np.isin(y, np.arange(1, 6)).all() or not np.isfinite(X).all():
            raise AnomascopeError(f"{name}: the {split} split is damaged")
    session.datasets[name] = {
        k: v.astype(np.float32 if k.endswith("X") else np.int8) for k, v in arrays.items()
    }
    session.score_cache = {k: v for k, v in session.score_cache.items() if k[1] != name}
    return {
        "test_X": session.datasets[name]["test_X"],
        "test_y": session.datasets[name]["test_y"],
        "class_names": {str(k): v for k, v in ecg.CLASS_NAMES.items()},
    }


@handler("load_model")
def load_model_request(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Load a model from its manifest (JSON text) and weights (.npz bytes)."""
    name = require(payload, "name", str)
    manifest_text = require(payload, "manifest", str)
    try:
        manifest = json.loads(manifest_text)
    except json.JSONDecodeError as exc:
        raise AnomascopeError(f"{name}: the manifest is not valid JSON ({exc.msg})") from None
    if not isinstance(manifest, dict):
        raise AnomascopeError(f"{name}: the manifest must be a JSON object")
    weights = as_bytes(require(payload, "weights", object), name)
    model = load_model(weights, manifest)
    session.models[name] = model
    session.file_bytes[name] = len(weights)
    session.score_cache = {k: v for k, v in session.score_cache.items() if k[0] != name}
    session.explorers.pop(name, None)
    session.explainers.pop(name, None)
    return {**model_summary(name, model), "file_bytes": session.file_bytes[name]}


def model_summary(name: str, model: LoadedModel) -> dict[str, Any]:
    manifest = model.manifest
    return {
        "name": name,
        "kind": manifest["kind"],
        "title": manifest.get("title", name),
        "dataset": manifest.get("dataset"),
        "architecture": manifest.get("architecture", {}),
        "threshold": float(model.detector.threshold_ or 0.0),
        "threshold_rule": manifest.get("threshold", {}).get("rule"),
        "parameters": int(sum(a.size for a in model.detector.state_dict().values())),
        "metrics": manifest.get("metrics", {}),
        "training_seconds": (manifest.get("training") or {}).get("seconds"),
        "history": manifest.get("history") if isinstance(manifest.get("history"), dict) else None,
        "reconstructs": hasattr(model.detector, "reconstruct"),
    }


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


# The lab page's handlers register themselves on import.
from anomascope import api_lab  # noqa: E402, F401

# --- Network stream (KDD) ---
# The stream page's data: the 10,000-connection evaluation stream (raw features; each model
# applies its own preprocessing) and a play order. Scores are computed on request, a chunk of
# play positions at a time, never precomputed.
STREAM = "kdd_stream"
STREAM_MAX_CHUNK = 2_000
STREAM_MAX_SEED = 2**31 - 1


def load_kdd_stream(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Load ``kdd_stream.npz`` bytes (see :meth:`anomascope.data.kdd.KDDSample.to_arrays`).

    Replies with everything the page draws: features float32 ``(n, 41)``, anomaly uint8
    ``(n,)``, label uint8 ``(n,)``, label/feature names and the symbol vocabularies.
    """
    from anomascope.data import kdd

    arrays = read_npz(
        as_bytes(require(payload, "data", object), STREAM),
        STREAM,
        {
            "features": (None, kdd.N_FEATURES),
            "anomaly": (None,),
            "label": (None,),
            "label_names": (None,),
            "feature_names": (kdd.N_FEATURES,),
        },
    )
    X, anomaly, label = arrays["features"], arrays["anomaly"], arrays["label"]
    names = [str(v) for v in arrays["label_names"].tolist()]
    n = len(X)
    problems = []
    if n == 0 or len(anomaly) != n or len(label) != n:
        problems.append(f"{n} feature rows, {len(anomaly)} anomaly flags, {len(label)} labels")
    elif not np.isin(anomaly, (0, 1)).all():
        problems.append("anomaly flags must be 0 or 1")
    elif label.min() < 0 or label.max() >= len(names) or not names or names[0] != "normal":
        problems.append("labels do not match label_names (label 0 must be 'normal')")
    elif ((label != 0) != (anomaly != 0)).any():
        problems.append("anomaly flags disagree with the labels")
    elif not np.isfinite(X).all():
        problems.append("features must be finite")
    elif tuple(str(v) for v in arrays["feature_names"].tolist()) != kdd.FEATURE_NAMES:
        problems.append("feature_names are not the 41 KDD Cup 1999 features")
    if problems:
        raise AnomascopeError(f"{STREAM}: the stream is damaged ({problems[0]})")
    session.datasets[STREAM] = {
        "features": X.astype(np.float32),
        "anomaly": anomaly.astype(np.uint8),
        "label": label.astype(np.uint8),
        "order": np.arange(n, dtype=np.int64),
        "seed": np.array(-1, dtype=np.int64),
    }
    return {
        "n": n,
        "features": session.datasets[STREAM]["features"],
        "anomaly": session.datasets[STREAM]["anomaly"],
        "label": session.datasets[STREAM]["label"],
        "label_names": names,
        "feature_names": list(kdd.FEATURE_NAMES),
        "vocabularies": {
            "protocol_type": list(kdd.PROTOCOLS),
            "service": list(kdd.SERVICES),
            "flag": list(kdd.FLAGS),
        },
    }


def float64_array(values: np.ndarray) -> dict[str, Any]:
    """An encoded float64 array (``encode`` narrows float64 to float32; scores must not be,
    so the page compares them with a threshold exactly as numpy does)."""
    arr = np.ascontiguousarray(values, dtype="<f8")
    return {"__ndarray__": "float64", "shape": list(arr.shape), "data": arr.tobytes()}


@handler("stream_order")
def stream_order(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Set the play order: ``seed`` null = the stream's own order, else a seeded permutation
    (:func:`anomascope.data.kdd.reshuffle`). Replies ``{seed, order}`` (int32 ``(n,)``:
    play position -> stream row)."""
    from anomascope.data import kdd

    data = get_dataset(session, STREAM)
    n = len(data["features"])
    seed = payload.get("seed")
    if seed is None:
        order = np.arange(n, dtype=np.int64)
        seed_value = -1
    else:
        seed_value = require(payload, "seed", int)
        if not 0 <= seed_value <= STREAM_MAX_SEED:
            raise AnomascopeError(f"seed must be a whole number from 0 to {STREAM_MAX_SEED}")
        order = kdd.reshuffle(n, seed_value).astype(np.int64)
    data["order"] = order
    data["seed"] = np.array(seed_value, dtype=np.int64)
    return {"seed": None if seed_value < 0 else seed_value, "order": order.astype(np.int32)}


@handler("score_stream")
def score_stream(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Scores of play positions ``start <= p < stop`` (current order) with one model.

    Replies ``{model, start, stop, seed, scores}``; scores float64 ``(stop - start,)``, higher
    = more anomalous; the model's own preprocessing is applied to the raw rows.
    """
    name, model = get_model(session, payload)
    if model.manifest.get("dataset") != "kddcup99":
        raise AnomascopeError(f"model {name!r} is not a KDD Cup 1999 model")
    data = get_dataset(session, STREAM)
    n = len(data["features"])
    start = require(payload, "start", int)
    stop = require(payload, "stop", int)
    if not 0 <= start < stop <= n:
        raise AnomascopeError(f"positions must satisfy 0 <= start < stop <= {n}")
    if stop - start > STREAM_MAX_CHUNK:
        raise AnomascopeError(f"at most {STREAM_MAX_CHUNK} connections per request")
    seed = int(data["seed"])
    if "seed" in payload and payload["seed"] != (None if seed < 0 else seed):
        raise AnomascopeError("the play order changed; request the scores again")
    rows = data["features"][data["order"][start:stop]]
    scores = model.detector.score_samples(model.preprocess(rows))
    return {
        "model": name,
        "start": start,
        "stop": stop,
        "seed": None if seed < 0 else seed,
        "scores": float64_array(scores),
    }


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
