"""The stream page's drill-down: one connection with its fields, truth, every strategy's score
and, per strategy, the features that contributed most to that score."""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import handler, require
from anomascope.api.state import State
from anomascope.api.stream import STREAM, prepared_rows, stream_scores
from anomascope.data import kdd
from anomascope.data import kdd_mixes as mixes
from anomascope.detectors.explain import MEDIAN_REPLACEMENT
from anomascope.explain import explain_rows

TOP_FEATURES = 5  # contributions shown per strategy


def field_text(column: int, value: float) -> str:
    """A raw KDD value as the file writes it: the symbol of a categorical code, else the number
    (whole numbers without a decimal point)."""
    name = kdd.FEATURE_NAMES[column]
    if name in kdd.CATEGORICAL:
        vocab = kdd.CATEGORICAL[name]
        code = int(value)
        return vocab[code] if 0 <= code < len(vocab) else str(code)
    v = float(value)
    return str(int(v)) if v.is_integer() else f"{v:.6g}"


def _explanations(state: State, x: np.ndarray, names: list[str]) -> dict[str, Any]:
    """The :data:`TOP_FEATURES` largest contributions per strategy
    (:func:`anomascope.explain.explain_rows`, summed back to the 41 raw fields).

    Median-replacement strategies need the medians of training rows, which the page does not
    have: their baseline is the median of the stream's normal connections, and their method
    text says so.
    """
    data = state.dataset(STREAM)
    n = int(data["n"])
    normal = np.flatnonzero(data["label"][:n] == 0)
    out = {}
    for name in names:
        model = state.model(name)
        detector = model.detector
        if detector.explain_method == MEDIAN_REPLACEMENT and detector.baseline_ is None:
            # the rows are already prepared for scoring: no second preparation
            detector.set_baseline(prepared_rows(data, model, normal))
        result = explain_rows(model, x[None, :], top=TOP_FEATURES)
        method = result["method"]
        if method == MEDIAN_REPLACEMENT:
            method += (
                f" Here the medians are those of the stream's {len(normal):,} normal connections"
                " (the training file is not part of the site)."
            )
        out[name] = {"features": [[f, v] for f, v, _ in result["top"][0]], "method": method}
    return out


@handler("stream_connection")
def stream_connection(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """One connection of the page's table (``row``: the index the play order gives).

    Replies ``{row, label, category, category_title, novel, fields, scores, explanations}``:
    ``fields`` ``[[name, text, value]]`` for the 41 features; ``scores`` ``{model: float}``
    for every loaded KDD model; ``explanations`` ``{model: {"features": [[name, value]],
    "method"}}`` (the :data:`TOP_FEATURES` largest contributions, largest first).
    """
    data = state.dataset(STREAM)
    total = len(data["features"])
    row = require(payload, "row", int)
    if not 0 <= row < total:
        raise AnomascopeError(f"row must be a connection from 0 to {total - 1}", "row")
    label = str(data["label_names"][int(data["label"][row])])
    x = data["features"][row]
    names = [n for n, m in state.models.items() if m.manifest.get("dataset") == "kddcup99"]
    scores = {n: float(stream_scores(state, n, state.model(n), np.array([row]))[0]) for n in names}
    category = mixes.category_of(label)
    return {
        "row": row,
        "label": label,
        "attack": label != "normal",
        "category": category,
        "category_title": mixes.CATEGORY_NAMES.get(category, category),
        "novel": label != "normal" and mixes.is_novel(label),
        "fields": [
            [kdd.FEATURE_NAMES[j], field_text(j, float(x[j])), float(x[j])]
            for j in range(kdd.N_FEATURES)
        ],
        "scores": scores,
        "explanations": _explanations(state, x, names),
    }
