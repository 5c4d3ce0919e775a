"""The stream page's drill-down: one connection with its fields, truth, every strategy's score
and, per strategy, the features that contributed most to that score.

A KDD model may carry a byte rule (:mod:`anomascope.detectors.category_tail`, the manifest's
``rule`` block): the reply then gives the model's own score beside the final one and, for a
connection the rule flags, says in words which field passed which bound of which service; its
explanation names that field first."""

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
from anomascope.weights import LoadedModel

TOP_FEATURES = 5  # contributions shown per strategy
RULE_TITLE = "the byte rule"


def rule_verdict(model: LoadedModel, x: np.ndarray) -> dict[str, Any] | None:
    """What a model's rule says of raw row ``x`` (shape ``(41,)``): ``None`` for a model
    without a rule, else ``{"title", "flagged", "fields", "reasons"}`` with one sentence per
    field above its bound (``fields`` in the same order)."""
    if model.rule is None:
        return None
    found = model.rule.describe(x)
    return {
        "title": RULE_TITLE,
        "flagged": bool(found),
        "fields": [f["field"] for f in found],
        "reasons": [f"{f['text']}: flagged by {RULE_TITLE}" for f in found],
    }


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


def _explanations(
    state: State, x: np.ndarray, names: list[str], rules: dict[str, Any]
) -> dict[str, Any]:
    """The :data:`TOP_FEATURES` largest contributions per strategy
    (:func:`anomascope.explain.explain_rows`, summed back to the 41 raw fields). When the
    strategy's rule flags the row (``rules[name]["fields"]``), those fields come first, with
    their own contributions, and are listed as ``rule_fields``.

    Median-replacement strategies use the training medians their manifest carries
    (``explain_baseline``); a model without them (one uploaded from elsewhere) falls back on
    the medians of the stream's normal connections, and its method text says which.
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
        features = [[f, v] for f, v, _ in result["top"][0]]
        first = (rules.get(name) or {}).get("fields", [])
        if first:
            values = dict(zip(result["features"], result["contributions"][0].tolist(), strict=True))
            rest = [p for p in features if p[0] not in first]
            features = ([[f, values[f]] for f in first] + rest)[: max(TOP_FEATURES, len(first))]
        method = result["method"]
        if method == MEDIAN_REPLACEMENT:
            method += " " + _baseline_text(model, len(normal))
        out[name] = {"features": features, "method": method, "rule_fields": first}
    return out


def _baseline_text(model: LoadedModel, stream_normals: int) -> str:
    """Where a median-replacement model's medians come from, in words: the manifest's
    ``explain_baseline``, else the stream's normal connections."""
    block = model.manifest.get("explain_baseline")
    if block is None:
        return (
            f"Here the medians are those of the stream's {stream_normals:,} normal connections"
            " (this model carries no training medians)."
        )
    return (
        f"The medians are those of the {block['rows']:,} rows it was fitted on"
        f" ({block['source']})."
    )


@handler("stream_connection")
def stream_connection(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """One connection of the page's table (``row``: the index the play order gives).

    Replies ``{row, label, category, category_title, novel, fields, scores, model_scores,
    rules, explanations}``: ``fields`` ``[[name, text, value]]`` for the 41 features;
    ``scores`` ``{model: float}`` the final scores (what the stream plays) of every loaded KDD
    model; ``model_scores`` the models' own scores (before a rule); ``rules`` ``{model:
    rule_verdict}`` for the models with a rule (:func:`rule_verdict`); ``explanations``
    ``{model: {"features": [[name, value]], "method", "rule_fields"}}`` (the
    :data:`TOP_FEATURES` largest contributions, largest first, after the fields the rule
    flagged).
    """
    data = state.dataset(STREAM)
    total = len(data["features"])
    row = require(payload, "row", int)
    if not 0 <= row < total:
        raise AnomascopeError(f"row must be a connection from 0 to {total - 1}", "row")
    label = str(data["label_names"][int(data["label"][row])])
    x = data["features"][row]
    names = [n for n, m in state.models.items() if m.manifest.get("dataset") == "kddcup99"]
    at = np.array([row])
    scores = {n: float(stream_scores(state, n, state.model(n), at)[0]) for n in names}
    own = {}
    for n in names:
        model = state.model(n)
        own[n] = float(model.detector.score_samples(prepared_rows(data, model, at))[0])
    rules = {n: v for n in names if (v := rule_verdict(state.model(n), x)) is not None}
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
        "model_scores": own,
        "rules": rules,
        "explanations": _explanations(state, x, names, rules),
    }
