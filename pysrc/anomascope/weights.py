"""The one versioned weight format: ``NAME.npz`` (arrays) + ``NAME.json`` (manifest).

The browser package and the CLI read exactly the same files through :func:`load_model`.

Arrays
------
Torch ``state_dict`` names and layouts, one ``.npy`` member per array, read with
``allow_pickle=False``. Floating arrays are stored as float32, except the keys a detector
class lists in its ``float64_keys`` class attribute (One-Class SVM and Isolation Forest keep
float64 so their scores match scikit-learn exactly). Integer and bool arrays keep their dtype.
The npz is written deterministically (fixed zip timestamps, sorted members), so the same model
gives the same bytes and the same ``npz_sha256``.

Manifest (JSON object)
----------------------
Written by :func:`save_model`:

- ``format``: ``"anomascope-model"``; ``version``: ``1`` (:data:`FORMAT_VERSION`)
- ``kind``: a key of :data:`anomascope.detectors.KINDS`; ``name``: file stem
- ``architecture``: the detector's ``architecture()`` dict
- ``arrays``: ``{key: {"shape": [...], "dtype": "float32"}}``; ``param_count``: total elements
- ``npz_sha256``, ``npz_bytes``: hash and size of the npz (checked by the loader when present)
- ``threshold``: ``{"value": float, "rule": str, "details": {...}}`` or ``null``
- ``anomascope_version``

Supplied by the caller in ``manifest_fields`` (free-form JSON-able, conventional keys):
``dataset``, ``preprocessing`` (spec for :mod:`anomascope.preprocessing`), ``threshold``,
``training`` (config, seconds, seed, ...), ``metrics`` (``{"test": {...}, "validation": {...}}``),
``data_sha256``, ``history`` (optional). numpy scalars/arrays are converted; NaN/inf become
``null`` (browsers' ``JSON.parse`` rejects NaN).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

import anomascope
from anomascope import AnomascopeError
from anomascope.detectors import KINDS, Detector, detector_class
from anomascope.preprocessing import apply_preprocessing, validate_spec

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
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


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


# -- npz -------------------------------------------------------------------------------------
def _storage_arrays(detector: Detector) -> dict[str, np.ndarray]:
    f64 = set(getattr(type(detector), "float64_keys", ()))
    out: dict[str, np.ndarray] = {}
    for key, value in detector.state_dict().items():
        a = np.asarray(value)
        if a.dtype.kind == "f":
            a = a.astype(np.float64 if key in f64 else np.float32)
        elif a.dtype.kind not in "iub":
            raise AnomascopeError(f"array {key!r} has unsupported dtype {a.dtype}")
        out[key] = np.ascontiguousarray(a)
    return out


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Deterministic compressed npz bytes (sorted members, fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def _source_bytes(npz_source: str | Path | bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(npz_source, bytes | bytearray | memoryview):
        return bytes(npz_source)
    if isinstance(npz_source, str | Path):
        try:
            return Path(npz_source).read_bytes()
        except OSError as e:
            raise AnomascopeError(f"cannot read weights file {npz_source}: {e.strerror}") from None
    if hasattr(npz_source, "read"):
        data = npz_source.read()
        if not isinstance(data, bytes | bytearray):
            raise AnomascopeError("weights file object must be opened in binary mode")
        return bytes(data)
    raise AnomascopeError(f"cannot read weights from a {type(npz_source).__name__}")


def read_arrays(data: bytes, problems: list[str]) -> dict[str, np.ndarray]:
    """Read every array of an npz held in ``data`` with ``allow_pickle=False``.

    Unreadable members (pickled object arrays, corrupt data) are appended to ``problems``;
    an unreadable archive raises :class:`AnomascopeError` at once.
    """
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any failure means "not a readable npz"
        raise AnomascopeError(
            f"weights are not a readable .npz archive ({type(e).__name__}: {e})"
        ) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise AnomascopeError("weights are a single .npy array, not an .npz archive")
    arrays: dict[str, np.ndarray] = {}
    with npz:
        for key in npz.files:
            try:
                arrays[key] = npz[key]
            except ValueError as e:
                if "pickle" in str(e).lower() or "object" in str(e).lower():
                    problems.append(f"array {key!r} is a pickled object array (not allowed)")
                else:
                    problems.append(f"array {key!r} is unreadable ({e})")
            except Exception as e:  # noqa: BLE001 - corrupt member
                problems.append(f"array {key!r} is unreadable ({type(e).__name__}: {e})")
    return arrays


# -- save ------------------------------------------------------------------------------------
def _threshold_field(detector: Detector, given: Any) -> dict[str, Any] | None:
    if given is None:
        t = detector.threshold_
        return None if t is None else {"value": float(t), "rule": "manual", "details": {}}
    th = to_jsonable(given)
    if not isinstance(th, dict) or not isinstance(th.get("value"), int | float):
        raise AnomascopeError("threshold must be {'value': number, 'rule': str, 'details': {...}}")
    th.setdefault("rule", "manual")
    th.setdefault("details", {})
    return th


def save_model(
    directory: str | Path, name: str, detector: Detector, manifest_fields: dict[str, Any]
) -> tuple[Path, Path]:
    """Write ``directory/name.npz`` and ``directory/name.json``; return both paths.

    Parameters
    ----------
    directory : path
        Created if missing.
    name : str
        File stem: letters, digits, ``_ . -``.
    detector : Detector
        A fitted detector whose ``kind`` is registered in ``KINDS``.
    manifest_fields : dict
        Extra manifest content (see module docstring). Reserved keys written by this function
        (:data:`RESERVED_FIELDS`) may not be supplied. If ``threshold`` is absent the
        detector's ``threshold_`` is recorded with rule ``"manual"``.
    """
    if not _NAME_RE.match(name):
        raise AnomascopeError(f"invalid model name {name!r}: use letters, digits, '_', '.', '-'")
    if detector.kind not in KINDS:
        raise AnomascopeError(f"detector kind {detector.kind!r} is not registered in KINDS")
    clash = sorted(set(manifest_fields) & set(RESERVED_FIELDS))
    if clash:
        raise AnomascopeError(f"manifest_fields may not set reserved field(s): {clash}")
    arrays = _storage_arrays(detector)
    expected = type(detector).expected_shapes(detector.architecture())
    bad = sorted(set(expected) ^ set(arrays))
    if bad:
        raise AnomascopeError(f"state_dict and expected_shapes disagree on keys: {bad}")
    data = npz_bytes(arrays)
    manifest: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "kind": detector.kind,
        "name": name,
        "architecture": detector.architecture(),
        "arrays": {k: {"shape": list(a.shape), "dtype": str(a.dtype)} for k, a in arrays.items()},
        "param_count": int(sum(a.size for a in arrays.values())),
        "npz_sha256": hashlib.sha256(data).hexdigest(),
        "npz_bytes": len(data),
        "anomascope_version": anomascope.__version__,
    }
    extra = dict(manifest_fields)
    manifest["threshold"] = _threshold_field(detector, extra.pop("threshold", None))
    manifest.update(extra)
    text = dumps_manifest(manifest)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    npz_path, json_path = out / f"{name}.npz", out / f"{name}.json"
    npz_path.write_bytes(data)
    json_path.write_text(text, encoding="utf-8")
    return npz_path, json_path


# -- load ------------------------------------------------------------------------------------
@dataclass
class LoadedModel:
    """A model read from disk or bytes.

    Attributes
    ----------
    manifest : dict
        The parsed manifest.
    detector : Detector
        Built from the arrays, with ``threshold_`` set from ``manifest["threshold"]["value"]``
        (``None`` when the manifest has no threshold).
    """

    manifest: dict[str, Any]
    detector: Detector

    @property
    def threshold(self) -> float | None:
        return self.detector.threshold_

    def preprocess(self, X_raw: Any) -> np.ndarray:
        """Raw rows -> model input (float32, shape ``(n, d)``) via the manifest's spec."""
        return apply_preprocessing(self.manifest.get("preprocessing"), X_raw)

    def score(self, X_raw: Any) -> np.ndarray:
        """Anomaly scores of raw rows, shape ``(n,)`` (higher = more anomalous)."""
        return self.detector.score_samples(self.preprocess(X_raw))


def _parse_manifest(manifest: dict[str, Any] | str | bytes) -> dict[str, Any]:
    if isinstance(manifest, bytes | bytearray | str):
        try:
            manifest = json.loads(manifest)
        except (ValueError, UnicodeDecodeError) as e:
            raise AnomascopeError(f"model manifest is not valid JSON ({e})") from None
    if not isinstance(manifest, dict):
        raise AnomascopeError("model manifest must be a JSON object")
    return manifest


def _check_header(m: dict[str, Any]) -> type[Detector]:
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


def _check_arrays(
    arrays: dict[str, np.ndarray], expected: dict[str, tuple[int, ...]], problems: list[str]
) -> None:
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing:
        problems.append(f"missing keys: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {', '.join(unexpected)}")
    for key in sorted(set(expected) & set(arrays)):
        a = arrays[key]
        if tuple(a.shape) != tuple(expected[key]):
            problems.append(
                f"wrong shape for {key}: got {tuple(a.shape)}, expected {tuple(expected[key])}"
            )
        if a.dtype.kind not in "fiub":
            problems.append(f"unsupported dtype {a.dtype} for {key}")
        elif a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            problems.append(f"non-finite values (NaN/inf) in {key}")


def load_model(
    npz_source: str | Path | bytes | bytearray | memoryview | BinaryIO,
    manifest: dict[str, Any] | str | bytes,
) -> LoadedModel:
    """Validate and build a model from npz data and its manifest.

    Parameters
    ----------
    npz_source : path, bytes-like or binary file object
        The ``.npz`` (the browser passes the file's bytes).
    manifest : dict or JSON text
        The parsed (or raw) ``.json`` manifest.

    Raises
    ------
    AnomascopeError
        One message naming every problem found: wrong format name, unknown version or kind,
        bad architecture, npz/manifest hash mismatch, missing keys, unexpected keys, wrong
        shapes, non-finite values, pickled arrays, bad threshold or preprocessing.
    """
    m = _parse_manifest(manifest)
    cls = _check_header(m)
    name = m.get("name", "?")
    try:
        expected = cls.expected_shapes(m["architecture"])
    except (KeyError, TypeError, ValueError) as e:
        raise AnomascopeError(f"model {name!r}: invalid {m['kind']} architecture ({e})") from None
    data = _source_bytes(npz_source)
    problems: list[str] = []
    sha = m.get("npz_sha256")
    if sha is not None and hashlib.sha256(data).hexdigest() != sha:
        problems.append("npz does not match the manifest's npz_sha256 (mixed-up or altered file)")
    arrays = read_arrays(data, problems)
    _check_arrays(arrays, expected, problems)
    th = m.get("threshold")
    value: float | None = None
    if th is not None:
        v = th.get("value") if isinstance(th, dict) else None
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            problems.append("threshold must be an object with a finite numeric 'value'")
        else:
            value = float(v)
    try:
        validate_spec(m.get("preprocessing"))
    except AnomascopeError as e:
        problems.append(str(e))
    if problems:
        raise AnomascopeError(f"cannot load model {name!r}: " + "; ".join(problems))
    try:
        detector = cls.from_state(m["architecture"], arrays)
    except (KeyError, TypeError, ValueError) as e:
        raise AnomascopeError(f"cannot build model {name!r}: {e}") from None
    detector.threshold_ = value
    return LoadedModel(manifest=m, detector=detector)


def load_model_files(directory: str | Path, name: str) -> LoadedModel:
    """Load ``directory/name.npz`` with ``directory/name.json``."""
    json_path = Path(directory) / f"{name}.json"
    npz_path = Path(directory) / f"{name}.npz"
    for p in (json_path, npz_path):
        if not p.is_file():
            raise AnomascopeError(f"model file not found: {p}")
    try:
        text = json_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise AnomascopeError(f"cannot read manifest {json_path}: {e}") from None
    try:
        manifest = json.loads(text)
    except ValueError as e:
        raise AnomascopeError(f"manifest {json_path} is not valid JSON ({e})") from None
    return load_model(npz_path, manifest)
