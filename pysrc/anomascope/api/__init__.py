"""The one surface the browser worker calls.

Every request from the page arrives here as ``dispatch(request_type, payload)``. Payloads are
plain Python values converted from JavaScript (dicts, lists, str, numbers, and ``memoryview``
for typed arrays and file bytes). Each handler validates what it reads, so nothing unchecked
reaches the math. The reply is an envelope of plain values:

- ``{"ok": True, "result": ...}`` with numpy arrays encoded by :func:`encode`;
- ``{"ok": False, "error": {"message": str, "kind": "input" | "internal"}}``.

This package never imports ``js`` or ``pyodide``: the worker converts values at the boundary.
Here: the envelope, input validation, datasets and models. Each page's handlers live in a
module of their own (:mod:`.ecg_lab`, :mod:`.stream`, :mod:`.training`) and register on import.
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
        return stream.load_kdd_stream(session, payload)
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
    try:
        ecg.rows_seen_in_training(manifest)
    except AnomascopeError as exc:
        raise AnomascopeError(f"{name}: {exc}") from None
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


# Each page's handlers register themselves on import.
from anomascope.api import ecg_lab, stream, training  # noqa: E402, F401
