"""The one versioned weight format: ``NAME.npz`` (arrays) + ``NAME.json`` (manifest).

The browser package and the CLI read exactly the same files through :func:`load_model`.
Manifest JSON and npz reading live here only: :mod:`.manifest` (fixed fields, name rule,
JSON) and :mod:`.npz` (deterministic writing, checked reading); this module saves and loads.

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

Optional ``rule``: a rule applied on top of the detector's scores at the model's threshold,
checked by the loader and applied by :meth:`LoadedModel.finish_scores`. The one kind is
``"category_tail"`` (:mod:`anomascope.detectors.category_tail`: the KDD models' per-service
byte rule); a model with a rule must have a threshold.

Optional ``explain_baseline``: ``{"median": [d floats], "rows": int, "source": str}``, the
column medians of the (preprocessed) rows the model was fitted on, for models explained by
median replacement (:mod:`anomascope.detectors.explain`) whose fitting happened elsewhere; the
loader sets it as the detector's ``baseline_``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

import anomascope
from anomascope import AnomascopeError
from anomascope.detectors import KINDS, Detector
from anomascope.preprocessing import apply_preprocessing, invert_affine, validate_spec
from anomascope.weights.manifest import (
    FORMAT_NAME,
    FORMAT_VERSION,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    NAME_RULE,
    RESERVED_FIELDS,
    SUPPORTED_VERSIONS,
    as_manifest,
    check_header,
    dumps_manifest,
    parse_manifest,
    to_jsonable,
    valid_model_name,
)
from anomascope.weights.npz import npz_bytes, read_arrays, read_npz, source_bytes

if TYPE_CHECKING:
    from anomascope.detectors.category_tail import CategoryTailRule

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "NAME_MAX_LENGTH",
    "NAME_PATTERN",
    "NAME_RULE",
    "RESERVED_FIELDS",
    "SUPPORTED_VERSIONS",
    "LoadedModel",
    "dumps_manifest",
    "load_model",
    "load_model_files",
    "npz_bytes",
    "parse_manifest",
    "read_arrays",
    "read_npz",
    "save_model",
    "to_jsonable",
    "valid_model_name",
]


# -- save ------------------------------------------------------------------------------------
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
    if not valid_model_name(name):
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
    rule: CategoryTailRule | None = None

    @property
    def threshold(self) -> float | None:
        return self.detector.threshold_

    def preprocess(self, X_raw: Any) -> np.ndarray:
        """Raw rows -> model input (float32, shape ``(n, d)``) via the manifest's spec."""
        return apply_preprocessing(self.manifest.get("preprocessing"), X_raw)

    def score(self, X_raw: Any) -> np.ndarray:
        """Anomaly scores of raw rows, shape ``(n,)`` (higher = more anomalous).

        The detector's scores passed through :meth:`finish_scores`.
        """
        return self.finish_scores(self.detector.score_samples(self.preprocess(X_raw)), X_raw)

    def finish_scores(
        self, scores: np.ndarray, X_raw: Any, excess: np.ndarray | None = None
    ) -> np.ndarray:
        """The model's final scores from the detector's raw scores.

        Parameters
        ----------
        scores : ndarray, shape (n,), float64
            ``detector.score_samples`` of the preprocessed rows.
        X_raw : array-like, shape (n, n_features)
            The raw rows the scores came from.
        excess : ndarray, shape (n,), float64, optional
            The rule's :meth:`~anomascope.detectors.category_tail.CategoryTailRule.excess` of
            ``X_raw``, when the caller already has it (models sharing a rule share it).

        Returns
        -------
        ndarray, shape (n,)
            ``scores`` itself when the manifest has no ``rule``; else, float64, the rule's
            :meth:`~anomascope.detectors.category_tail.CategoryTailRule.lift` at the manifest's
            threshold (rows the rule flags end above it; the others keep their score).
        """
        if self.rule is None:
            return scores
        if excess is None:
            excess = self.rule.excess(X_raw)
        return self.rule.lift_excess(scores, float(self.manifest["threshold"]["value"]), excess)

    def reconstruct(self, X_raw: Any) -> tuple[np.ndarray, np.ndarray]:
        """Scores ``(n,)`` and reconstructions ``(n, d)`` in the units of ``X_raw``.

        Only reconstruction models whose preprocessing is invertible (see
        :func:`anomascope.preprocessing.invert_affine`) can; others raise
        :class:`AnomascopeError`.
        """
        X = self.preprocess(X_raw)
        detector = self.detector
        if not hasattr(detector, "reconstruct"):
            raise AnomascopeError(f"a {self.manifest['kind']} model does not reconstruct its input")
        recon = detector.reconstruct(X)
        scores = detector.score_samples(X)
        return scores, invert_affine(self.manifest.get("preprocessing"), recon)


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
        shapes, non-finite values, pickled arrays, bad threshold, preprocessing or rule
        (a malformed ``rule`` block is named by its field, e.g. ``rule.upper``).
    """
    m = as_manifest(manifest)
    cls = check_header(m)
    name = m.get("name", "?")
    try:
        expected = cls.expected_shapes(m["architecture"])
    except (KeyError, TypeError, ValueError) as e:
        raise AnomascopeError(f"model {name!r}: invalid {m['kind']} architecture ({e})") from None
    data = source_bytes(npz_source)
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
    rule = _read_rule(m, value, problems)
    baseline = _read_baseline(m, problems)
    if problems:
        raise AnomascopeError(f"cannot load model {name!r}: " + "; ".join(problems))
    try:
        detector = cls.from_state(m["architecture"], arrays)
    except (KeyError, TypeError, ValueError) as e:
        raise AnomascopeError(f"cannot build model {name!r}: {e}") from None
    detector.threshold_ = value
    if baseline is not None:
        detector.baseline_ = baseline
    return LoadedModel(manifest=m, detector=detector, rule=rule)


def _read_baseline(m: dict[str, Any], problems: list[str]) -> np.ndarray | None:
    """The manifest's ``explain_baseline`` medians, float32 ``(d,)`` (``None`` without one);
    a malformed block adds its problem, naming the field, to ``problems``."""
    block = m.get("explain_baseline")
    if block is None:
        return None
    median = block.get("median") if isinstance(block, dict) else None
    width = m.get("architecture", {}).get("input_dim")
    ok = isinstance(median, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in median
    )
    if not ok or (isinstance(width, int) and len(median) != width):  # type: ignore[arg-type]
        problems.append(
            f"explain_baseline.median must be a list of {width or 'input_dim'} finite numbers"
        )
        return None
    return np.asarray(median, dtype=np.float32)


def _read_rule(m: dict[str, Any], threshold: float | None, problems: list[str]) -> Any:
    """The manifest's ``rule`` block as a rule object (``None`` without one); a malformed
    block adds its problem, naming the field, to ``problems``."""
    if m.get("rule") is None:
        return None
    from anomascope.detectors.category_tail import from_manifest

    spec = m.get("preprocessing")
    width = spec.get("input_dim") if isinstance(spec, dict) else None
    try:
        rule = from_manifest(m["rule"], width if isinstance(width, int) else None)
    except AnomascopeError as e:
        problems.append(str(e))
        return None
    if threshold is None:
        problems.append("a model with a rule needs a threshold (the rule lifts scores above it)")
    return rule


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
    return load_model(npz_path, parse_manifest(text, f"manifest {json_path}"))
