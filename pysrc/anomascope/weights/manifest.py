"""The manifest side of the weight format: its fixed fields, the model-name rule, and JSON.

See :mod:`anomascope.weights` for the format.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

import anomascope
from anomascope import AnomascopeError
from anomascope.detectors import KINDS, Detector, detector_class

FORMAT_NAME = "anomascope-model"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
RESERVED_FIELDS = (
    "format",
    "version",
    "kind",
    "name",
    "architecture",
    "arrays",
    "param_count",
    "npz_sha256",
    "npz_bytes",
    "anomascope_version",
)
#: The model-name rule, published to the page by the api's ``schema`` request: the pattern is
#: valid as a JavaScript ``RegExp`` and in Python (used with ``fullmatch``).
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
NAME_MAX_LENGTH = 60
NAME_RULE = (
    f"a model name uses letters, digits, '_', '.' and '-' (at most {NAME_MAX_LENGTH}), "
    "starting with a letter or digit"
)
_NAME_RE = re.compile(NAME_PATTERN)


def valid_model_name(name: str) -> bool:
    """Whether ``name`` follows :data:`NAME_RULE` (a page-chosen name, also a file stem)."""
    return bool(_NAME_RE.fullmatch(name)) and len(name) <= NAME_MAX_LENGTH


# -- JSON ------------------------------------------------------------------------------------
def to_jsonable(obj: Any) -> Any:
    """Recursively convert numpy scalars/arrays, tuples, Paths and objects with ``to_dict``
    to plain JSON types; non-finite floats become ``None``."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    raise AnomascopeError(f"manifest value of type {type(obj).__name__} is not JSON-able")


def dumps_manifest(manifest: dict[str, Any]) -> str:
    """Manifest as JSON text (strict: no NaN)."""
    return json.dumps(to_jsonable(manifest), indent=1, allow_nan=False) + "\n"


def parse_manifest(text: str | bytes, what: str = "model manifest") -> dict[str, Any]:
    """A manifest's JSON text as a dict; errors name ``what`` (e.g. ``"m: the manifest"``)."""
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as e:
        raise AnomascopeError(f"{what} is not valid JSON ({e.msg})") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise AnomascopeError(f"{what} is not valid JSON ({e})") from None
    if not isinstance(manifest, dict):
        raise AnomascopeError(f"{what} must be a JSON object")
    return manifest


def as_manifest(manifest: dict[str, Any] | str | bytes) -> dict[str, Any]:
    if isinstance(manifest, bytes | bytearray | str):
        return parse_manifest(manifest)
    if not isinstance(manifest, dict):
        raise AnomascopeError("model manifest must be a JSON object")
    return manifest


def check_header(m: dict[str, Any]) -> type[Detector]:
    if m.get("format") != FORMAT_NAME:
        raise AnomascopeError(
            f"not an Anomascope model manifest: format is {m.get('format')!r}, "
            f"expected {FORMAT_NAME!r}"
        )
    if m.get("version") not in SUPPORTED_VERSIONS:
        raise AnomascopeError(
            f"unknown model format version {m.get('version')!r}; this Anomascope "
            f"({anomascope.__version__}) reads version(s) {list(SUPPORTED_VERSIONS)}"
        )
    kind = m.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise AnomascopeError(f"unknown model kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if not isinstance(m.get("architecture"), dict):
        raise AnomascopeError("model manifest has no 'architecture' object")
    return detector_class(kind)
