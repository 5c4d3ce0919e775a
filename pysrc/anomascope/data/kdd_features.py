"""KDD Cup 1999 feature sets, as preprocessing specs over the raw 41-column matrix.

Each model's manifest carries the spec it was trained with, so the browser ships only the raw
stream (:func:`anomascope.data.kdd.stream_arrays`) and applies
:func:`anomascope.preprocessing.apply_preprocessing` per model.

Feature sets
------------
``report18``
    The 18 continuous traffic features of the Cloudera Fast Forward report "Deep Learning for
    Anomaly Detection" (2020) and its Blip demo. Source: ``keep_cols_orig`` in
    ``data/kdd_data_gen.py`` of github.com/fastforwardlabs/deepad (the report's code):
    ``srv_count`` and the 17 rate / host-count columns from ``serror_rate`` to
    ``dst_host_srv_rerror_rate`` (:data:`REPORT18`). Scaled to [0, 1] with min/max of the
    training normals, as the report's ``MinMaxScaler`` did.
``rich``
    All 41 features: ``log1p`` on the heavy-tailed counts and byte columns (:data:`LOG1P`),
    one-hot ``protocol_type`` (3), ``service`` (71) and ``flag`` (11) against the fixed
    vocabularies (unknown values -> all zeros), then min/max scaling from the training
    normals: 41 - 3 + 85 = 123 columns.

Scaling statistics come from the fit rows only (normal rows of ``kddcup.data_10_percent``);
stream values outside the training range simply fall outside [0, 1].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.kdd import CATEGORICAL, FEATURE_NAMES, N_FEATURES
from anomascope.preprocessing import apply_preprocessing, fit_minmax

REPORT18: tuple[str, ...] = FEATURE_NAMES[FEATURE_NAMES.index("srv_count") :]  # the last 18
LOG1P: tuple[str, ...] = (
    "duration", "src_bytes", "dst_bytes", "wrong_fragment", "urgent", "hot",
    "num_failed_logins", "num_compromised", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "count", "srv_count", "dst_host_count",
    "dst_host_srv_count",
)  # fmt: skip
FEATURE_SETS = ("report18", "rich")


def _unfitted_steps(feature_set: str) -> list[dict[str, Any]]:
    """The data-independent steps of a feature set (everything before the scaling)."""
    if feature_set == "report18":
        return [{"op": "select", "columns": [FEATURE_NAMES.index(c) for c in REPORT18]}]
    if feature_set == "rich":
        steps: list[dict[str, Any]] = [
            {"op": "log1p", "columns": [FEATURE_NAMES.index(c) for c in LOG1P]}
        ]
        # One-hot from the right so that earlier column indices stay valid.
        for column in sorted(CATEGORICAL, key=FEATURE_NAMES.index, reverse=True):
            steps.append(
                {
                    "op": "onehot",
                    "column": FEATURE_NAMES.index(column),
                    "categories": list(range(len(CATEGORICAL[column]))),
                }
            )
        return steps
    raise AnomascopeError(f"unknown KDD feature set {feature_set!r}; known: {FEATURE_SETS}")


def output_names(feature_set: str) -> list[str]:
    """Column names after the feature set's steps (one-hot columns as ``service=http``)."""
    if feature_set == "report18":
        return list(REPORT18)
    _unfitted_steps(feature_set)  # validates the name
    names: list[str] = []
    for c in FEATURE_NAMES:
        if c in CATEGORICAL:
            names += [f"{c}={v}" for v in CATEGORICAL[c]]
        else:
            names.append(f"log1p({c})" if c in LOG1P else c)
    return names


def fit_feature_spec(feature_set: str, X_fit_raw: np.ndarray) -> dict[str, Any]:
    """A complete preprocessing spec for ``feature_set``, scaled on ``X_fit_raw``.

    Parameters
    ----------
    feature_set : ``"report18"`` or ``"rich"``.
    X_fit_raw : float32 ``(n, 41)`` raw rows the model is fitted on (normal connections).

    Returns
    -------
    ``{"input_dim": 41, "steps": [...], "feature_set": ..., "feature_names": [...]}``
    """
    X_fit_raw = np.asarray(X_fit_raw)
    if X_fit_raw.ndim != 2 or X_fit_raw.shape[1] != N_FEATURES:
        raise AnomascopeError(f"expected raw KDD rows with 41 columns, got {X_fit_raw.shape}")
    steps = _unfitted_steps(feature_set)
    partial = {"steps": steps}
    scaled = apply_preprocessing(partial, X_fit_raw)
    steps = [*steps, fit_minmax(scaled.astype(np.float64))]
    return {
        "input_dim": N_FEATURES,
        "steps": steps,
        "feature_set": feature_set,
        "feature_names": output_names(feature_set),
    }
