"""The envelope, the handler registry and the validation of page input.

Every request from the page arrives as ``dispatch(request_type, payload)``. Payloads are plain
Python values converted from JavaScript (dicts, lists, str, numbers, and ``memoryview`` for
typed arrays and file bytes). Each handler validates what it reads, so nothing unchecked
reaches the math. The reply is an envelope of plain values:

- ``{"ok": True, "result": ...}`` with numpy arrays encoded by :func:`encode`;
- ``{"ok": False, "error": {"message": str, "kind": "input" | "internal", "field": str | None}}``
  where ``field`` names the request or configuration field an input error is about.

The page modules (:mod:`.loading`, :mod:`.ecg_lab`, :mod:`.stream`, :mod:`.training`,
:mod:`.schema`) import this module and register their handlers with :func:`handler`; this
module imports none of them up front: :data:`PROVIDERS` (filled by the package from its table
of requests) names the module to import on a request's first call.
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.state import State
from anomascope.weights import LoadedModel

Handler = Callable[[State, dict[str, Any]], Any]
HANDLERS: dict[str, Handler] = {}
#: request name -> the module of ``anomascope.api`` that registers it (see the package's
#: ``REQUESTS``); imported on the request's first call.
PROVIDERS: dict[str, str] = {}
MAX_ROWS_PER_REQUEST = 20_000

#: The worker's state; tests replace it with a fresh ``State()``.
STATE = State()


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a function ``(state, payload) -> result`` as the handler of ``name``."""

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def find_handler(request_type: str) -> Handler:
    """The handler of ``request_type``, importing the module that registers it on first use.

    A name missing from :data:`PROVIDERS` makes every listed module load before it is called
    unknown, so a handler added without its table entry still answers (slowly, once).
    """
    if request_type not in HANDLERS:
        modules = [PROVIDERS[request_type]] if request_type in PROVIDERS else PROVIDERS.values()
        for module in sorted(set(modules)):
            importlib.import_module(f"anomascope.api.{module}")
    if request_type not in HANDLERS:
        raise AnomascopeError(f"unknown request type {request_type!r}")
    return HANDLERS[request_type]


def dispatch(request_type: str, payload: Any = None) -> dict[str, Any]:
    """Run one request against the worker's state; never raises."""
    try:
        if not isinstance(request_type, str):
            raise AnomascopeError("the request type must be a string")
        run = find_handler(request_type)
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise AnomascopeError("request payload must be an object")
        return {"ok": True, "result": encode(run(STATE, payload))}
    except AnomascopeError as exc:
        error = {"message": str(exc), "kind": "input", "field": exc.field}
        return {"ok": False, "error": error}
    except Exception as exc:  # a bug: report it plainly, keep the worker alive
        return {
            "ok": False,
            "error": {
                "message": f"Internal error in {request_type}: {type(exc).__name__}: {exc}",
                "kind": "internal",
                "field": None,
                "detail": traceback.format_exc(limit=6),
            },
        }


def encode(value: Any) -> Any:
    """Turn numpy arrays and scalars into plain values the worker can send.

    Arrays become ``{"__ndarray__": dtype, "shape": [...], "data": bytes}`` (little-endian,
    C order); the page rebuilds a typed array from the bytes without copying each number.
    Non-finite plain floats (undefined metrics) become ``None``; inside float arrays they
    stay NaN.
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
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------------------------
# Validation of page input
# ---------------------------------------------------------------------------------------------
def require(payload: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """``payload[key]`` checked to be of ``kind`` (an int is accepted as a float)."""
    if key not in payload:
        raise AnomascopeError(f"missing field {key!r}", key)
    value = payload[key]
    if isinstance(value, bool) and kind in (int, float):
        raise AnomascopeError(f"{key} must be a number", key)
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind):
        raise AnomascopeError(f"{key} has the wrong type", key)
    return value


def finite_number(payload: dict[str, Any], key: str, lo: float, hi: float) -> float:
    """``payload[key]``: a finite number from ``lo`` to ``hi``."""
    value = require(payload, key, float)
    if not np.isfinite(value) or not lo <= value <= hi:
        raise AnomascopeError(f"{key} must be a finite number between {lo:g} and {hi:g}", key)
    return float(value)


def as_bytes(value: Any, what: str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise AnomascopeError(f"{what} must be binary data")


def float_rows(value: Any, width: int, what: str, field: str | None = None) -> np.ndarray:
    """Rows of ``width`` finite float32 values from a typed array (memoryview) or nested list;
    errors start with ``what`` and name ``field``."""
    if isinstance(value, memoryview | bytes | bytearray):
        raw = bytes(value)
        if len(raw) % 4:
            raise AnomascopeError(f"{what}: not a float32 array", field)
        flat = np.frombuffer(raw, dtype="<f4")
    else:
        try:
            flat = np.asarray(value, dtype=np.float32).ravel()
        except (TypeError, ValueError):
            raise AnomascopeError(f"{what}: values must be numbers", field) from None
    if flat.size == 0 or flat.size % width:
        raise AnomascopeError(
            f"{what}: expected rows of {width} values, got {flat.size} values", field
        )
    if flat.size // width > MAX_ROWS_PER_REQUEST:
        raise AnomascopeError(f"{what}: at most {MAX_ROWS_PER_REQUEST} rows per request", field)
    if not np.isfinite(flat).all():
        raise AnomascopeError(f"{what}: values must be finite (no NaN or infinity)", field)
    return flat.reshape(-1, width).astype(np.float32, copy=False)


def get_model(state: State, payload: dict[str, Any]) -> tuple[str, LoadedModel]:
    """The loaded model named by ``payload["model"]``."""
    name = require(payload, "model", str)
    return name, state.model(name)
