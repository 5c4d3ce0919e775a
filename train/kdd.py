"""KDD Cup 1999: train, select, export and evaluate the six stream detectors.

    python -m train.kdd --data /work/shared/datasets --out models --results results [--quick]

Protocol (honest evaluation):

1. Fit rows: ``N_FIT`` normal connections of ``kddcup.data_10_percent``, drawn with ``--seed``
   (the One-Class SVM gets a ``OCSVM_ROWS`` subset so that it stays small and fast).
2. Validation: 8000 normal + 2000 attack rows of ``corrected`` (seed ``STREAM_SEED``).
   Hyperparameters, the feature set (report18 vs rich) and the threshold (best F1) are chosen
   here, by validation ROC AUC for the first two.
3. Report on the evaluation stream: 10,000 other rows of ``corrected`` (8000 + 2000,
   disjoint by row from validation). Every non-normal label is an attack, including the attack
   types that never occur in the fitting file.

Exports ``kdd_{pca,ocsvm,iforest,autoencoder,vae,bigan}`` (npz + json with the raw-feature
preprocessing spec and the byte rule of ``train/kdd_rule.py``) into ``--out`` and
``kdd.json`` / ``kdd.md`` into ``--results`` (the sections of ``kdd.md`` written by
``train/kdd_experiments.py`` and ``train/breakdown.py`` are kept). The threshold is chosen on
the model's own validation scores; the reported figures are those of the shipped model (the
model with its byte rule, at that threshold), with the model alone beside them. Every
export is loaded back with :func:`anomascope.weights.load_model_files` and its scores checked
against the in-memory torch / scikit-learn original (with the rule applied). "Training s" is
the fit time of the selected configuration (the selection grid itself is not counted). The
candidate grids and their fitting are in ``train/kdd_fit.py``; this module selects, exports
and reports.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import metrics
from anomascope.data import kdd
from anomascope.data.kdd_features import FEATURE_SETS, fit_feature_spec
from anomascope.detectors import KIND_LABELS
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import load_model_files, save_model
from train import common
from train.breakdown import MARK
from train.kdd_fit import FITTERS, OCSVM_ROWS, Candidate
from train.kdd_rule import explain_baseline, fit_rule, rule_evaluation, rule_note

MODELS = ("pca", "ocsvm", "iforest", "autoencoder", "vae", "bigan")
REPORT_AUC = {
    "pca": 0.771,
    "ocsvm": 0.957,
    "iforest": None,
    "autoencoder": 0.963,
    "vae": 0.946,
    "bigan": 0.972,
}
N_FIT = 40_000
#: Sections of results/kdd.md written by other scripts, kept when the main table is rewritten.
KEPT_SECTIONS = ("## What we tried for the missed types", MARK)


@dataclass
class Choice:
    """The selected candidate of one model, with its feature set and preprocessing spec."""

    feature_set: str
    spec: dict[str, Any]
    candidate: Candidate
    val_auc: float
    stream_auc: float


def select(
    model: str,
    fit_X: np.ndarray,
    val: kdd.KDDSample,
    stream: kdd.KDDSample,
    quick: bool,
    seed: int,
    feature_sets: tuple[str, ...] = FEATURE_SETS,
) -> tuple[Choice, dict[str, Any]]:
    """Best (feature set, configuration) of ``model`` by validation AUC; also a per-set log."""
    best: Choice | None = None
    log: dict[str, Any] = {}
    for fs in feature_sets:
        spec = fit_feature_spec(fs, fit_X)
        Xf, Xv, Xs = (apply_preprocessing(spec, a) for a in (fit_X, val.X, stream.X))
        tried = []
        fs_best: Choice | None = None
        for cand in FITTERS[model](Xf, quick, seed):
            v = metrics.roc_auc(cand.detector.score_samples(Xv), val.anomaly)
            s = metrics.roc_auc(cand.detector.score_samples(Xs), stream.anomaly)
            tried.append(
                {
                    "hyper": cand.hyper,
                    "val_auc": v,
                    "stream_auc": s,
                    "train_seconds": round(cand.seconds, 2),
                }
            )
            if fs_best is None or v > fs_best.val_auc:
                fs_best = Choice(fs, spec, cand, v, s)
        assert fs_best is not None
        log[fs] = {
            "val_auc": fs_best.val_auc,
            "stream_auc": fs_best.stream_auc,
            "hyper": fs_best.candidate.hyper,
            "tried": tried,
        }
        if best is None or fs_best.val_auc > best.val_auc:
            best = fs_best
    assert best is not None
    return best, log


def _manifest_fields(
    choice: Choice, evaluation: dict[str, Any], fit_X: np.ndarray, seed: int, log: dict[str, Any]
) -> dict[str, Any]:
    """The exported model's manifest fields: protocol, training record, metrics, history."""
    cand = choice.candidate
    fields = {
        "title": KIND_LABELS[cand.detector.kind]["title"],
        "dataset": "kddcup99",
        "preprocessing": choice.spec,
        "threshold": evaluation["threshold"],
        "training": {
            "seed": seed,
            "feature_set": choice.feature_set,
            "fit_rows": int(len(fit_X)),
            "fit_source": "normal rows of kddcup.data_10_percent",
            "seconds": cand.seconds,
            **cand.hyper,
            "selection": "validation ROC AUC",
            "stream": {
                "seed": kdd.STREAM_SEED,
                "normal": kdd.STREAM_NORMAL,
                "attack": kdd.STREAM_ATTACK,
            },
        },
        "metrics": {
            "test": evaluation["test"],
            "validation": evaluation["validation"],
            "feature_sets": log,
        },
        "data_sha256": common.sha256_arrays(fit_X),
    }
    if cand.history:
        fields["history"] = {"loss": cand.history}
    return fields


def export(
    model: str,
    choice: Choice,
    fit_X: np.ndarray,
    val: kdd.KDDSample,
    stream: kdd.KDDSample,
    out_dir: Path,
    seed: int,
    log: dict[str, Any],
) -> dict[str, Any]:
    """Threshold on validation, fit the byte rule, save, reload, check against the original;
    a results row (figures of the model with its rule; ``rule`` holds both)."""
    det, spec = choice.candidate.detector, choice.spec
    Xv, Xs = apply_preprocessing(spec, val.X), apply_preprocessing(spec, stream.X)
    own_v, own_s = det.score_samples(Xv), det.score_samples(Xs)
    evaluation = common.evaluate_scores(own_v, val.anomaly, own_s, stream.anomaly)
    threshold = evaluation["threshold"]["value"]
    det.threshold_ = threshold
    rule = fit_rule(fit_X, seed)
    ruled = rule_evaluation(rule, threshold, {"validation": (own_v, val), "test": (own_s, stream)})
    evaluation.update(validation=ruled["validation"], test=ruled["test"])
    fields = _manifest_fields(choice, evaluation, fit_X, seed, log)
    fields["rule"] = rule.to_manifest()
    baseline = explain_baseline(det, spec, fit_X, seed)
    if baseline is not None:
        fields["explain_baseline"] = baseline
    fields["metrics"]["without_rule"] = ruled["without_rule"]
    name = f"kdd_{model}"
    save_model(out_dir, name, det, fields)
    loaded = load_model_files(out_dir, name)
    got = loaded.score(stream.X)
    want = rule.lift(choice.candidate.original(Xs), threshold, stream.X)
    if not np.allclose(got, want, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(want).max()))):
        raise RuntimeError(f"{name}: exported scores differ from the original model")
    infer = common.inference_ms_per_1000(loaded.detector.score_samples, Xs)
    return common.results_row(
        model,
        evaluation,
        common.param_count(det.state_dict()),
        common.model_file_bytes(out_dir, name),
        choice.candidate.seconds,
        infer,
        feature_set=choice.feature_set,
        report_auc=REPORT_AUC[model],
        validation_auc=choice.val_auc,
        hyper=choice.candidate.hyper,
        feature_set_auc={
            fs: {"validation": v["val_auc"], "stream": v["stream_auc"]} for fs, v in log.items()
        },
        rule=ruled,
    )


def notes(rows: list[dict[str, Any]]) -> list[str]:
    """The notes under the main table: the byte rule (with / without), then the comparison
    with the report per feature set (the feature-set columns are the models alone)."""
    lines = [
        "## Against the report, and per feature set (ROC AUC; validation / stream)",
        "",
        "Stream AUC: the shipped model (with the byte rule); the feature-set columns: the model "
        "alone, as it was selected.",
        "",
        "| Model | Report AUC | Stream AUC | Chosen set | report18 val / stream "
        "| rich val / stream |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        fa = r["feature_set_auc"]
        cells = [
            f"{fa[fs]['validation']:.4f} / {fa[fs]['stream']:.4f}" if fs in fa else "-"
            for fs in FEATURE_SETS
        ]
        rep = "-" if r["report_auc"] is None else f"{r['report_auc']:.3f}"
        lines.append(
            f"| {r['model']} | {rep} | {r['roc_auc']:.4f} | {r['feature_set']} | "
            + " | ".join(cells)
            + " |"
        )
    return [rule_note(rows), "\n".join(lines)]


def write_kdd_results(results_dir: Path, rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    """``kdd.json`` and the main part of ``kdd.md`` (:func:`train.common.write_results`),
    keeping the :data:`KEPT_SECTIONS` of an earlier ``kdd.md`` below it byte for byte."""
    md = Path(results_dir) / "kdd.md"
    old = md.read_text() if md.is_file() else ""
    cuts = [old.index(h) for h in KEPT_SECTIONS if h in old]
    tail = old[min(cuts) :] if cuts else ""
    common.write_results(results_dir, "kdd", rows, meta)
    if tail:
        md.write_text(f"{md.read_text().rstrip()}\n\n{tail}")


def run(data_dir: Path, out_dir: Path, results_dir: Path, quick: bool, seed: int) -> list[dict]:
    t0 = time.perf_counter()
    rng = common.seed_everything(seed)
    data = kdd.load_kdd(data_dir)
    fit = kdd.training_normals(data.train, rng, 5000 if quick else N_FIT)
    val, stream = kdd.build_validation(data.corrected), kdd.build_stream(data.corrected)
    rows = []
    for model in MODELS:
        choice, log = select(model, fit.X, val, stream, quick, seed)
        rows.append(export(model, choice, fit.X, val, stream, out_dir, seed, log))
        print(
            f"{model:12s} {choice.feature_set:9s} val AUC {choice.val_auc:.4f} "
            f"stream AUC {rows[-1]['roc_auc']:.4f} F1 {rows[-1]['f1']:.4f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    meta = {
        "title": "KDD Cup 1999: six detectors on the 10,000-connection stream",
        "protocol": (
            f"Fit on {len(fit)} normal connections of kddcup.data_10_percent (seed {seed}; "
            f"One-Class SVM on {OCSVM_ROWS} of them). Hyperparameters, feature set and the "
            "best-F1 threshold chosen on a validation split of corrected (8000 normal + 2000 "
            f"attack, seed {kdd.STREAM_SEED}); metrics below on the disjoint 10,000-connection "
            "stream (8000 normal + 2000 attack, every non-normal label an attack, including "
            "types absent from training). Inference: numpy score_samples on preprocessed rows."
        ),
        "notes": notes(rows),
        "quick": quick,
        "seed": seed,
        "fit_rows": len(fit),
        "stream_seed": kdd.STREAM_SEED,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    write_kdd_results(results_dir, rows, meta)
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    p.add_argument("--out", type=Path, default=Path("models"))
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--quick", action="store_true", help="tiny grid and few epochs (smoke test)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    run(a.data, a.out, a.results, a.quick, a.seed)


if __name__ == "__main__":
    main()
