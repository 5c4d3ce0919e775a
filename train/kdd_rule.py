"""The KDD models' byte rule (issue 13, section 4): fit it on the fit normals and measure a model
with it at the model's stored threshold.

The rule is "M + tail rule (p100)" of ``train/kdd_experiments.py``, the one change that met the
bar for all six models on validation: a connection is also flagged when its ``log1p`` of
``src_bytes`` or ``dst_bytes`` exceeds the largest value among the fit normals of the same
``service`` (services with fewer than :data:`MIN_ROWS` fit normals use the largest over all fit
normals). It is :class:`anomascope.detectors.category_tail.CategoryTailRule`, stored in each
model's manifest as the ``rule`` block and applied by ``LoadedModel.finish_scores``.

``train/kdd.py`` fits and stores it when it exports a model; ``python -m train.kdd_add_rule``
adds it to existing model files without retraining them. Both also store the fit normals'
medians (:func:`explain_baseline`) for the explanations of median-replacement models.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import metrics
from anomascope.data import kdd
from anomascope.detectors.category_tail import CategoryTailRule
from anomascope.detectors.explain import MEDIAN_REPLACEMENT, training_median
from anomascope.preprocessing import apply_preprocessing

FIELDS = ("src_bytes", "dst_bytes")
CATEGORY = "service"
PERCENTILE = 100.0
MIN_ROWS = 20
FIT_SOURCE = "normal rows of kddcup.data_10_percent"


def fit_rule(fit_X: np.ndarray, seed: int, percentile: float = PERCENTILE) -> CategoryTailRule:
    """The byte rule fitted on the fit normals ``fit_X`` (raw float32 ``(n, 41)``), drawn by
    ``kdd.training_normals`` with ``np.random.default_rng(seed)``."""
    return CategoryTailRule.fit(
        fit_X,
        fields=FIELDS,
        columns=tuple(kdd.FEATURE_NAMES.index(f) for f in FIELDS),
        category_field=CATEGORY,
        category_column=kdd.FEATURE_NAMES.index(CATEGORY),
        categories=kdd.CATEGORICAL[CATEGORY],
        percentile=percentile,
        min_rows=MIN_ROWS,
        fitted_on={"source": FIT_SOURCE, "rows": int(len(fit_X)), "seed": int(seed)},
    )


def explain_baseline(
    detector: Any, spec: dict[str, Any], fit_X: np.ndarray, seed: int
) -> dict[str, Any] | None:
    """The manifest's ``explain_baseline`` block of a median-replacement ``detector`` (OCSVM,
    Isolation Forest, BiGAN): the column medians of the fit normals ``fit_X`` (raw ``(n, 41)``)
    after the model's preprocessing ``spec``. ``None`` for a detector explained otherwise."""
    if detector.explain_method != MEDIAN_REPLACEMENT:
        return None
    X = apply_preprocessing(spec, fit_X)
    return {
        "median": [float(v) for v in training_median(X)],
        "rows": int(len(fit_X)),
        "source": f"{FIT_SOURCE}, seed {int(seed)}",
    }


def metric_dict(scores: np.ndarray, anomaly: np.ndarray, threshold: float) -> dict[str, Any]:
    """ROC AUC, the confusion counts and rates at ``threshold``, and ``n`` (the fields of a
    manifest's ``metrics.validation`` / ``metrics.test``)."""
    anomaly = np.asarray(anomaly, dtype=bool)
    out: dict[str, Any] = {"roc_auc": metrics.roc_auc(scores, anomaly)}
    out.update(metrics.classification_metrics(scores, anomaly, threshold))
    out["n"] = int(len(anomaly))
    return out


def rule_evaluation(
    rule: CategoryTailRule,
    threshold: float,
    parts: dict[str, tuple[np.ndarray, kdd.KDDSample]],
) -> dict[str, Any]:
    """A model's figures with and without the rule, at its stored ``threshold``.

    Parameters
    ----------
    rule : the fitted byte rule.
    threshold : the model's threshold (chosen on validation, on its own scores).
    parts : ``{"validation": (scores, sample), "test": (scores, sample)}``; ``scores`` float
        ``(n,)`` are the model's own scores of ``sample.X``.

    Returns
    -------
    ``{"validation": {...}, "test": {...}, "without_rule": {"validation": ..., "test": ...},
    "flagged_by_rule": {"validation": {"normal", "attack"}, ...}}``; the first two with the rule.
    """
    out: dict[str, Any] = {"without_rule": {}, "flagged_by_rule": {}}
    for part, (scores, sample) in parts.items():
        out[part] = metric_dict(rule.lift(scores, threshold, sample.X), sample.anomaly, threshold)
        out["without_rule"][part] = metric_dict(scores, sample.anomaly, threshold)
        hit = rule.excess(sample.X) > 0
        out["flagged_by_rule"][part] = {
            "normal": int(np.sum(hit & ~sample.anomaly)),
            "attack": int(np.sum(hit & sample.anomaly)),
        }
    return out


def rule_note(rows: list[dict[str, Any]]) -> str:
    """The main table's note: the shipped models include the rule; the figures without it."""
    lines = [
        "**The shipped models include the byte rule.** Each model file carries the per-service "
        'byte rule chosen in "What we tried for the missed types" below ("M + tail rule '
        "(p100)\"): at the model's stored threshold, a connection is also flagged when its "
        "log1p(src_bytes) or log1p(dst_bytes) exceeds the largest value among the fit normals "
        f"of the same service (services with fewer than {MIN_ROWS} fit normals: the largest "
        "over all fit normals); a flagged row's score becomes max(score, threshold) + 1 + "
        "excess. The figures above are the models with the rule (`LoadedModel.score`, what "
        "the site and the command line use); the threshold is the one chosen on validation "
        "for the model alone. With / without the rule:",
        "",
        "| Model | Val ROC AUC | Val F1 | Stream ROC AUC | Stream precision | Stream recall "
        "| Stream F1 | Flagged by the rule (val / stream) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        w = r.get("rule")
        if not w:
            continue
        wo = w["without_rule"]

        def pair(part: str, key: str, w: dict[str, Any] = w, wo: dict[str, Any] = wo) -> str:
            return f"{w[part][key]:.4f} / {wo[part][key]:.4f}"

        fl = w["flagged_by_rule"]
        flagged = " / ".join(
            f"{fl[p]['attack']} attack + {fl[p]['normal']} normal" for p in ("validation", "test")
        )
        lines.append(
            f"| {r['model']} | {pair('validation', 'roc_auc')} | {pair('validation', 'f1')} | "
            f"{pair('test', 'roc_auc')} | {pair('test', 'precision')} | {pair('test', 'recall')} "
            f"| {pair('test', 'f1')} | {flagged} |"
        )
    return "\n".join(lines)
