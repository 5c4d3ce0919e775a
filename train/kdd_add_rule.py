"""Add the byte rule to the bundled KDD model files without retraining them.

    python -m train.kdd_add_rule --data ../shared/datasets --models models --results results

For each ``kdd_*`` model (``train.kdd.MODELS``):

1. the fit normals are drawn again exactly as ``train.kdd`` drew them
   (``kdd.training_normals`` with ``np.random.default_rng(seed)``, ``N_FIT`` rows, as
   ``train.kdd_experiments.load_split`` does); the manifest's ``data_sha256`` must match them;
2. the byte rule is fitted on them (:func:`train.kdd_rule.fit_rule`) and written as the
   manifest's ``rule`` block;
3. for the median-replacement models, the fit normals' preprocessed medians are written as
   ``explain_baseline`` (:func:`train.kdd_rule.explain_baseline`);
4. ``metrics.validation`` and ``metrics.test`` are recomputed with the rule at the stored
   threshold (kept: it was chosen on validation), ``metrics.without_rule`` holds the model alone.

The npz is not touched, so ``npz_sha256`` and ``npz_bytes`` stay valid. Every rewritten file is
loaded back and its scores checked against the rule applied to the model's own scores. Then the
rows of ``results/kdd.json`` and the main table of ``results/kdd.md`` are refreshed from the
manifests (file sizes measured again); the other sections of ``kdd.md`` are kept byte for byte
(rerun ``python -m train.breakdown`` for the per-type tables).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from anomascope.data import kdd
from anomascope.detectors.category_tail import CategoryTailRule
from anomascope.weights import dumps_manifest, load_model_files
from train import common
from train import kdd as train_kdd
from train.kdd_rule import explain_baseline, fit_rule, rule_evaluation

METRIC_KEYS = ("roc_auc", "accuracy", "precision", "recall", "f1", "f2")


def with_rule(
    manifest: dict[str, Any], rule: CategoryTailRule, ruled: dict[str, Any], baseline: dict | None
) -> dict:
    """A copy of ``manifest`` with the ``rule`` and ``explain_baseline`` blocks (placed after
    ``threshold``) and the metrics of :func:`train.kdd_rule.rule_evaluation`."""
    out: dict[str, Any] = {}
    for key, value in manifest.items():
        if key in ("rule", "explain_baseline"):
            continue
        out[key] = value
        if key == "threshold":
            out["rule"] = rule.to_manifest()
            if baseline is not None:
                out["explain_baseline"] = baseline
    out["metrics"] = {
        **manifest.get("metrics", {}),
        "validation": ruled["validation"],
        "test": ruled["test"],
        "without_rule": ruled["without_rule"],
    }
    return out


def add_rule(
    models_dir: Path,
    name: str,
    rule: CategoryTailRule,
    samples: tuple[kdd.KDDSample, ...],
    seed: int,
) -> dict[str, Any]:
    """Write the rule and the explanation baseline into ``models_dir/name.json``; its
    :func:`rule_evaluation`. ``samples``: the fit normals (drawn with ``seed``), validation
    and test."""
    fit, val, test = samples
    model = load_model_files(models_dir, name)
    threshold = float(model.manifest["threshold"]["value"])
    own = {
        part: (model.detector.score_samples(model.preprocess(s.X)), s)
        for part, s in (("validation", val), ("test", test))
    }
    ruled = rule_evaluation(rule, threshold, own)
    baseline = explain_baseline(model.detector, model.manifest["preprocessing"], fit.X, seed)
    (models_dir / f"{name}.json").write_text(
        dumps_manifest(with_rule(model.manifest, rule, ruled, baseline)), encoding="utf-8"
    )
    loaded = load_model_files(models_dir, name)
    want = rule.lift(own["test"][0], threshold, test.X)
    if not np.array_equal(loaded.score(test.X), want):
        raise RuntimeError(f"{name}: the rewritten model's scores differ from the rule's")
    return ruled


def refresh_results(results_dir: Path, models_dir: Path, ruled: dict[str, dict]) -> list[dict]:
    """Update ``kdd.json``'s rows and the main part of ``kdd.md`` from the new figures."""
    table = json.loads((results_dir / "kdd.json").read_text())
    rows = table["rows"]
    for row in rows:
        r = ruled[row["model"]]
        row.update({k: float(r["test"][k]) for k in METRIC_KEYS})
        row["file_bytes"] = common.model_file_bytes(models_dir, f"kdd_{row['model']}")
        row["rule"] = r
    meta = table["meta"]
    meta["notes"] = train_kdd.notes(rows)
    train_kdd.write_kdd_results(results_dir, rows, meta)
    return rows


def run(data_dir: Path, models_dir: Path, results_dir: Path | None, seed: int = 0) -> dict:
    """Add the rule to every KDD model file (and refresh the results when ``results_dir``)."""
    data = kdd.load_kdd(data_dir)
    fit = kdd.training_normals(data.train, np.random.default_rng(seed), train_kdd.N_FIT)
    val, stream = kdd.build_validation(data.corrected), kdd.build_stream(data.corrected)
    rule = fit_rule(fit.X, seed)
    digest = common.sha256_arrays(fit.X)
    ruled = {}
    for m in train_kdd.MODELS:
        name = f"kdd_{m}"
        manifest = json.loads((models_dir / f"{name}.json").read_text())
        if manifest.get("data_sha256") != digest:
            raise SystemExit(f"{name}: its fit rows are not the draw of seed {seed}")
        ruled[m] = add_rule(models_dir, name, rule, (fit, val, stream), seed)
        w, wo = ruled[m], ruled[m]["without_rule"]
        print(
            f"{m:12s} val AUC {wo['validation']['roc_auc']:.4f} -> "
            f"{w['validation']['roc_auc']:.4f} F1 {wo['validation']['f1']:.4f} -> "
            f"{w['validation']['f1']:.4f} | stream AUC {wo['test']['roc_auc']:.4f} -> "
            f"{w['test']['roc_auc']:.4f} F1 {wo['test']['f1']:.4f} -> {w['test']['f1']:.4f}",
            flush=True,
        )
    if results_dir is not None:
        refresh_results(results_dir, models_dir, ruled)
    return ruled


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    p.add_argument("--models", type=Path, default=Path("models"))
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-results", action="store_true", help="leave results/ alone")
    a = p.parse_args(argv)
    run(a.data, a.models, None if a.no_results else a.results, a.seed)


if __name__ == "__main__":
    main()
