"""The stream page's drill-down: one connection with its fields, truth, every strategy's score
and, per strategy, the features that contributed most to that score.

A KDD model may carry a byte rule (:mod:`anomascope.detectors.category_tail`, the manifest's
``rule`` block): the reply then gives the model's own score beside the final one and, for a
connection the rule flags, says in words which field passed which bound of which service; its
explanation names that field first.

Speed (the dialog opens within 50 ms, issue 13): the strategies explain the model input the
stream already prepared (once per preprocessing spec), models with the same rule share its
verdict, and what a model says of a row is kept, so that a reopened connection, or one equal
to a connection already opened, costs no computation."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import handler, require
from anomascope.api.state import State
from anomascope.api.stream import STREAM, prepared_rows, same_rows, stream_scores
from anomascope.data import kdd
from anomascope.data import kdd_mixes as mixes
from anomascope.detectors.explain import MEDIAN_REPLACEMENT
from anomascope.explain import explain_prepared, raw_width
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


#: model name -> (the model, the stream's table, {distinct row: what the model says of it},
#: the key of the model's rule)
_KEPT: dict[str, tuple[LoadedModel, dict[str, np.ndarray], dict[int, dict[str, Any]], str]] = {}
KEPT_ROWS = 512  # distinct rows kept per model (a reopened or repeated row is not redone)


def _kept(state: State, name: str) -> tuple[dict[int, dict[str, Any]], str]:
    """The rows already described under model ``name`` (dropped when the model or the stream's
    table is replaced, or when it holds :data:`KEPT_ROWS` rows) and the key of the model's
    rule: models whose rules were read from the same manifest block share it (a rule is built
    from that block alone), so their verdicts on a row are the same."""
    model, data = state.model(name), state.dataset(STREAM)
    hit = _KEPT.get(name)
    if hit is None or hit[0] is not model or hit[1] is not data or len(hit[2]) >= KEPT_ROWS:
        block = model.manifest.get("rule")
        key = f"rule of {name}" if block is None else json.dumps(block, sort_keys=True)
        hit = _KEPT[name] = (model, data, {}, key)
    return hit[2], hit[3]


def _described(state: State, name: str, row: int, verdicts: dict[str, Any]) -> dict[str, Any]:
    """What model ``name`` says of table ``row``, computed once per distinct row
    (:func:`anomascope.api.stream.same_rows`: equal raw rows get equal answers):
    ``{"own": float, "rule": rule_verdict or None, "explanation": {...}}``
    (see :func:`_explanation`). ``verdicts`` holds the rule verdicts on this row already
    found, by rule key (:func:`_kept`), and gets this model's."""
    data = state.dataset(STREAM)
    first = int(same_rows(data)[row])
    kept, rule_key = _kept(state, name)
    if first not in kept:
        model = state.model(name)
        X = prepared_rows(data, model, np.array([first]))  # (1, d), shared by the strategies
        if rule_key not in verdicts:
            verdicts[rule_key] = rule_verdict(model, data["features"][first])
        rule = verdicts[rule_key]
        kept[first] = {
            "own": float(model.detector.score_samples(X)[0]),
            "rule": rule,
            "explanation": _explanation(data, model, X, (rule or {}).get("fields", [])),
        }
    verdicts.setdefault(rule_key, kept[first]["rule"])
    return kept[first]


def _explanation(
    data: dict[str, np.ndarray], model: LoadedModel, X: np.ndarray, first: list[str]
) -> dict[str, Any]:
    """The :data:`TOP_FEATURES` largest contributions of one prepared row ``X`` ``(1, d)``
    (:func:`anomascope.explain.explain_prepared`, summed back to the 41 raw fields). When the
    model's rule flags the row (its ``fields``, given as ``first``), those fields come first,
    with their own contributions, and are listed as ``rule_fields``.

    Median-replacement strategies use the training medians their manifest carries
    (``explain_baseline``); a model without them (one uploaded from elsewhere) falls back on
    the medians of the stream's normal connections, and its method text says which.

    Returns ``{"features": [[name, value]], "method": str, "rule_fields": [name]}``.
    """
    n = int(data["n"])
    normal = np.flatnonzero(data["label"][:n] == 0)
    detector = model.detector
    if detector.explain_method == MEDIAN_REPLACEMENT and detector.baseline_ is None:
        # the rows are already prepared for scoring: no second preparation
        detector.set_baseline(prepared_rows(data, model, normal))
    width = raw_width(model.manifest.get("preprocessing"), data["features"])
    result = explain_prepared(model, X, width, top=TOP_FEATURES)
    features = [[f, v] for f, v, _ in result["top"][0]]
    if first:
        values = dict(zip(result["features"], result["contributions"][0].tolist(), strict=True))
        rest = [p for p in features if p[0] not in first]
        features = ([[f, values[f]] for f in first] + rest)[: max(TOP_FEATURES, len(first))]
    method = result["method"]
    if method == MEDIAN_REPLACEMENT:
        method += " " + _baseline_text(model, len(normal))
    return {"features": features, "method": method, "rule_fields": first}


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
    verdicts: dict[str, Any] = {}  # rule key -> verdict on this row
    said = {n: _described(state, n, row, verdicts) for n in names}
    rules = {n: said[n]["rule"] for n in names if said[n]["rule"] is not None}
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
        "model_scores": {n: said[n]["own"] for n in names},
        "rules": rules,
        "explanations": {n: said[n]["explanation"] for n in names},
    }
