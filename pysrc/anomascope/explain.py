"""Explanations in the raw feature space of a loaded model (issue 13, section 1).

A detector's ``explain(X)`` gives one contribution per *model input* column (see
:mod:`anomascope.detectors.explain`). :func:`explain_rows` prepares raw rows with the model's
preprocessing spec, calls ``explain``, and adds the contributions of the model columns that
came from the same raw feature (the one-hot columns of a categorical feature, for example), so
that every number is reported against an original feature name.

Which raw feature each model column came from is the spec's ``output_features`` when present
(table models); otherwise it is derived from the spec's steps (``select`` and ``onehot``
move columns; the other steps keep them). Raw feature names, in this order of preference:
the spec's ``feature_names`` when there is one name per raw column; the 41 KDD Cup 1999 field
names for a ``kddcup99`` model; ``t1`` .. ``tN`` for ECG beat models; ``column 1`` ..
``column N`` otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.explain import MEDIAN_REPLACEMENT
from anomascope.weights import LoadedModel


def raw_width(spec: dict[str, Any] | None, X_raw: Any) -> int:
    """The number of raw columns a model takes: the spec's ``input_dim``, else the width of
    ``X_raw`` (a 2-D table)."""
    if spec and spec.get("input_dim") is not None:
        return int(spec["input_dim"])
    shape = np.shape(X_raw)
    if len(shape) != 2:
        raise AnomascopeError(f"rows to explain must be a 2-D table, got shape {shape}")
    return int(shape[1])


def output_sources(spec: dict[str, Any] | None, input_dim: int) -> np.ndarray:
    """For each model input column, the index of the raw column it came from, int64 ``(d,)``.

    Uses ``spec["output_features"]`` when present, else follows the steps.
    """
    if spec and spec.get("output_features") is not None:
        src = np.asarray(spec["output_features"], dtype=np.int64)
        if src.ndim != 1 or (src.size and (src.min() < 0 or src.max() >= input_dim)):
            raise AnomascopeError("preprocessing output_features index out of range")
        return src
    src_list = list(range(input_dim))
    for step in (spec or {}).get("steps", []):
        if step["op"] == "select":
            src_list = [src_list[int(c)] for c in step["columns"]]
        elif step["op"] == "onehot":
            c = int(step["column"])
            width = len(step["categories"]) + (1 if step.get("other") else 0)
            src_list = src_list[:c] + [src_list[c]] * width + src_list[c + 1 :]
    return np.asarray(src_list, dtype=np.int64)


def raw_feature_names(model: LoadedModel, input_dim: int) -> list[str]:
    """Names of the raw input columns of ``model`` (see the module docstring)."""
    spec = model.manifest.get("preprocessing") or {}
    names = spec.get("feature_names")
    if isinstance(names, list) and len(names) == input_dim:
        return [str(n) for n in names]
    dataset = str(model.manifest.get("dataset", ""))
    if dataset == "kddcup99":
        from anomascope.data.kdd import FEATURE_NAMES

        if len(FEATURE_NAMES) == input_dim:
            return list(FEATURE_NAMES)
    if dataset.startswith("ecg"):
        return [f"t{i + 1}" for i in range(input_dim)]
    return [f"column {i + 1}" for i in range(input_dim)]


def top_contributions(
    names: list[str], contributions: np.ndarray, top: int
) -> list[list[list[Any]]]:
    """Per row, the ``top`` features with the largest contributions, largest first:
    ``[[name, value, share], ...]`` where ``share`` = value / (sum of the absolute values of
    the row's contributions over all features), or ``None`` when that sum is 0. For the
    non-negative methods (reconstruction, ECOD) this is the value's fraction of the score."""
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top]
    totals = np.abs(contributions).sum(axis=1)
    out = []
    for i in range(contributions.shape[0]):  # rows to show: a handful
        total = float(totals[i])
        row = []
        for j in order[i]:
            v = float(contributions[i, j])
            row.append([names[j], v, v / total if total != 0 else None])
        out.append(row)
    return out


# model -> (the model, raw width, model column -> raw feature matrix, raw feature names); the
# model is kept so that its id is not reused
_LAYOUTS: dict[int, tuple[LoadedModel, int, np.ndarray, list[str]]] = {}


def _layout(model: LoadedModel, width: int) -> tuple[np.ndarray, list[str]]:
    """How a model's input columns add up to its ``width`` raw features, computed once per
    model: the 0/1 matrix float64 ``(d, width)`` (:func:`output_sources`) and the raw
    feature names (:func:`raw_feature_names`)."""
    hit = _LAYOUTS.get(id(model))
    if hit is None or hit[0] is not model or hit[1] != width:
        if len(_LAYOUTS) > 64:  # models come and go: keep the table small
            _LAYOUTS.clear()
        src = output_sources(model.manifest.get("preprocessing"), width)
        onto = np.zeros((src.size, width), dtype=np.float64)  # model column -> raw feature
        onto[np.arange(src.size), src] = 1.0
        hit = _LAYOUTS[id(model)] = (model, width, onto, raw_feature_names(model, width))
    return hit[2], hit[3]


def explain_rows(
    model: LoadedModel, X_raw: Any, baseline_raw: Any = None, top: int | None = None
) -> dict[str, Any]:
    """Contributions of each raw feature to each row's score.

    Parameters
    ----------
    model : LoadedModel
        A model read by :func:`anomascope.weights.load_model` (or built in memory).
    X_raw : array-like, (n, k)
        Raw rows, as ``model.score`` takes them.
    baseline_raw : array-like, (m, k), optional
        Raw training rows for a median-replacement detector that has no ``baseline_`` yet (a
        loaded One-Class SVM or BiGAN, or the bundled Isolation Forest): its baseline (column
        medians in model space) is set from them once, and later calls reuse it. Ignored by
        detectors that already have a baseline or need none (call
        ``model.detector.set_baseline`` to replace a baseline).
    top : int, optional
        Also return, per row, the ``top`` largest contributions (:func:`top_contributions`).

    Returns
    -------
    dict
        ``{"features": [k names], "contributions": float64 (n, k), "method": str}`` plus
        ``"top"`` when ``top`` is given. Contributions of model columns that come from the same
        raw feature are summed.

    Raises
    ------
    AnomascopeError
        On rows the model cannot prepare, or a median-replacement detector with no baseline.
    """
    spec = model.manifest.get("preprocessing")
    detector = model.detector
    needs_baseline = type(detector).explain_method == MEDIAN_REPLACEMENT
    if baseline_raw is not None and needs_baseline and detector.baseline_ is None:
        detector.set_baseline(model.preprocess(baseline_raw))
    return explain_prepared(model, model.preprocess(X_raw), raw_width(spec, X_raw), top)


def explain_prepared(
    model: LoadedModel, X: np.ndarray, width: int, top: int | None = None
) -> dict[str, Any]:
    """:func:`explain_rows` of rows already prepared for the model.

    Parameters
    ----------
    model : LoadedModel
    X : ndarray, (n, d)
        Model input: raw rows passed through ``model.preprocess`` (the stream page keeps them
        prepared, once per preprocessing spec, and its strategies share them).
    width : int
        The number ``k`` of raw columns the rows came from (:func:`raw_width`).
    top : int, optional
        As in :func:`explain_rows`.

    Returns
    -------
    dict
        As :func:`explain_rows`.
    """
    onto, names = _layout(model, width)
    if onto.shape[0] != X.shape[1]:
        raise AnomascopeError(
            f"the preprocessing gives {X.shape[1]} columns but maps {onto.shape[0]} to features"
        )
    detector = model.detector
    raw = np.asarray(detector.explain(X), dtype=np.float64) @ onto
    out: dict[str, Any] = {
        "features": list(names),
        "contributions": raw,
        "method": type(detector).explain_method,
    }
    if top is not None:
        out["top"] = top_contributions(names, raw, int(top))
    return out
