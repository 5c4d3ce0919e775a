"""The detectors the "Your data" page fits in the browser, their parameters, and how to build one.

:data:`TABLE_PARAMS` is the one source of every bound, default and label (the api's schema
sends it to the page). :func:`make_detector` validates parameters against it and builds an
unfitted detector whose ``fit_steps(X)`` generator fits on prepared float32 rows, yielding the
fraction done after each slice of work (about 100 ms or less in the browser):

- ``pca``: one SVD (small inputs) or one row block of the scatter matrix per step;
- ``iforest``: a group of trees per step (:mod:`anomascope.detectors.iforest_fit`);
- ``ecod``: a block of columns sorted per step;
- ``knn``: storing the (sampled) rows, one step;
- ``autoencoder``: a few thousand rows of minibatch training per step (Adam).

Exhausting the generator leaves the detector fitted; ``fit(X)`` does exactly that.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import Detector

TABLE_KINDS: tuple[str, ...] = ("pca", "iforest", "ecod", "knn", "autoencoder")

TABLE_PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "pca": {
        "n_components": {
            "label": "Components (below 1: share of variance kept)",
            "kind": "number",
            "min": 0.01,
            "max": 50,
            "default": 0.9,
        },
    },
    "iforest": {
        "n_trees": {"label": "Trees", "kind": "int", "min": 1, "max": 500, "default": 100},
        "max_samples": {
            "label": "Rows per tree",
            "kind": "int",
            "min": 2,
            "max": 4096,
            "default": 256,
        },
    },
    "ecod": {},
    "knn": {"k": {"label": "Neighbour k", "kind": "int", "min": 1, "max": 100, "default": 10}},
    "autoencoder": {
        "hidden_units": {
            "label": "Hidden units (0: sized from the features)",
            "kind": "int",
            "min": 0,
            "max": 256,
            "default": 0,
        },
        "epochs": {"label": "Epochs", "kind": "int", "min": 1, "max": 200, "default": 20},
        "batch_size": {
            "label": "Batch size",
            "kind": "int",
            "min": 8,
            "max": 4096,
            "default": 256,
        },
        "learning_rate": {
            "label": "Learning rate",
            "kind": "number",
            "min": 1e-5,
            "max": 0.1,
            "default": 0.003,
        },
    },
}
assert set(TABLE_PARAMS) == set(TABLE_KINDS)


def check_params(kind: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Validated parameters of ``kind``: defaults filled in, ints as ``int``.

    Raises
    ------
    AnomascopeError
        With ``field`` = the kind field (``"kind"``) or the offending parameter's name.
    """
    if kind not in TABLE_PARAMS:
        raise AnomascopeError(
            f"unknown detector {kind!r}; the choices are {', '.join(TABLE_KINDS)}", field="kind"
        )
    given = dict(params or {})
    spec = TABLE_PARAMS[kind]
    for name in given:
        if name not in spec:
            known = ", ".join(spec) or "none"
            raise AnomascopeError(
                f"{kind} has no parameter {name!r} (its parameters: {known})", field=name
            )
    out: dict[str, Any] = {}
    for name, rule in spec.items():
        value = given.get(name, rule["default"])
        label = rule["label"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AnomascopeError(f"{label} must be a number, got {value!r}", field=name)
        if not math.isfinite(value) or not rule["min"] <= value <= rule["max"]:
            raise AnomascopeError(
                f"{label} must be between {rule['min']} and {rule['max']}, got {value}",
                field=name,
            )
        if rule["kind"] == "int":
            if value != int(value):
                raise AnomascopeError(f"{label} must be a whole number, got {value}", field=name)
            value = int(value)
        out[name] = value
    if kind == "pca" and out["n_components"] >= 1:
        if out["n_components"] != int(out["n_components"]):
            raise AnomascopeError(
                "Components must be a whole number, or a share of variance below 1, "
                f"got {out['n_components']}",
                field="n_components",
            )
        out["n_components"] = int(out["n_components"])
    return out


def make_detector(kind: str, params: dict[str, Any] | None = None, seed: int = 0) -> Detector:
    """An unfitted table detector of ``kind`` with validated ``params``; see the module
    docstring. ``seed`` seeds everything random in its fit (same seed and data, same model)."""
    p = check_params(kind, params)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise AnomascopeError(f"seed must be an integer, got {seed!r}", field="seed")
    if kind == "pca":
        from anomascope.detectors.pca import PCADetector

        return PCADetector(p["n_components"])
    if kind == "iforest":
        from anomascope.detectors.iforest_fit import IsolationForestFit

        return IsolationForestFit(p["n_trees"], p["max_samples"], seed)
    if kind == "ecod":
        from anomascope.detectors.ecod import ECODDetector

        return ECODDetector()
    if kind == "knn":
        from anomascope.detectors.knn import KNNDetector

        return KNNDetector(p["k"], seed)
    from anomascope.detectors.autoencoder import TableAutoencoderDetector

    return TableAutoencoderDetector(
        hidden_units=p["hidden_units"],
        epochs=p["epochs"],
        batch_size=p["batch_size"],
        learning_rate=p["learning_rate"],
        seed=seed,
    )
