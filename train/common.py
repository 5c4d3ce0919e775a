"""Shared helpers for the offline training scripts (``train/ecg.py``, ``train/kdd.py``).

Stable API (other scripts import these names; keep signatures unchanged):

Seeding and timing
    ``seed_everything(seed) -> np.random.Generator``
        ``torch.manual_seed(seed)``, ``torch.set_num_threads(threads)`` (CPU kernels of these small
        models are then run-to-run deterministic; tests check it) and a fresh
        ``np.random.default_rng(seed)`` to pass on (no global numpy seed).
    ``torch_generator(seed) -> torch.Generator``
        A seeded generator for ``DataLoader``/``randperm``/``randn`` calls.
    ``Timer``
        ``with Timer() as t: ...`` then ``t.seconds`` (wall clock, ``time.perf_counter``).

Hashes and sizes
    ``sha256_arrays(*arrays) -> str``      hash of array bytes (dtype, shape and data).
    ``sha256_files(*paths) -> str``        hash of file contents, in the order given.
    ``param_count(state) -> int``          total elements of a ``dict[str, np.ndarray]``.
    ``model_file_bytes(directory, name) -> int``  size of ``NAME.npz`` + ``NAME.json``.
    ``torch_state_to_numpy(module) -> dict[str, np.ndarray]``  float32 copies of a state_dict.

Evaluation (the protocol: threshold from validation, report on test)
    ``evaluate_scores(val_scores, val_anomaly, test_scores, test_anomaly) -> dict``
        Chooses the best-F1 threshold on validation and returns
        ``{"threshold": {"value", "rule", "details"}, "validation": {...}, "test": {...}}``;
        each metric dict has ``roc_auc, accuracy, precision, recall, f1, f2, fpr, fnr, tpr, tnr,
        tp, fp, tn, fn, n``.
    ``inference_ms_per_1000(score_fn, X, repeats=5) -> float``
        Best-of-``repeats`` wall time of ``score_fn(X)`` (numpy inference), in ms per 1000 rows.

Results tables
    ``RESULT_COLUMNS``                     ordered (key, header) pairs of every results table.
    ``results_row(model, evaluation, params, file_bytes, train_seconds, infer_ms, **extra)``
    ``write_results(results_dir, table, rows, meta) -> (json_path, md_path)``
        Writes ``table.json`` (``{"meta": ..., "rows": [...]}``) and ``table.md``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from anomascope import metrics

# -- seeding and timing --------------------------------------------------------------------


def seed_everything(seed: int, threads: int = 2) -> np.random.Generator:
    """Seed torch, pin its thread count and return ``np.random.default_rng(seed)``.

    Numpy randomness must flow through the returned generator (no global numpy seed).
    """
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    return np.random.default_rng(seed)


def torch_generator(seed: int) -> torch.Generator:
    """A ``torch.Generator`` seeded with ``seed`` (pass it to randperm/randn/DataLoader)."""
    g = torch.Generator()
    g.manual_seed(seed)
    return g


class Timer:
    """Wall-clock timer: ``with Timer() as t: ...; t.seconds``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


# -- hashes and sizes ----------------------------------------------------------------------


def sha256_arrays(*arrays: np.ndarray) -> str:
    """sha256 hex digest over each array's dtype, shape and C-ordered bytes."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def sha256_files(*paths: str | Path) -> str:
    """sha256 hex digest of the concatenated file contents, in the order given."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def param_count(state: dict[str, np.ndarray]) -> int:
    """Total number of elements over all arrays of a state dict."""
    return int(sum(int(np.asarray(v).size) for v in state.values()))


def model_file_bytes(directory: str | Path, name: str) -> int:
    """Bytes of ``NAME.npz`` plus ``NAME.json`` in ``directory``."""
    d = Path(directory)
    return sum((d / f"{name}{ext}").stat().st_size for ext in (".npz", ".json"))


def torch_state_to_numpy(module: torch.nn.Module) -> dict[str, np.ndarray]:
    """float32 numpy copies of ``module.state_dict()`` (same names and layouts)."""
    return {
        k: v.detach().cpu().numpy().astype(np.float32, copy=True)
        for k, v in module.state_dict().items()
    }


# -- evaluation ----------------------------------------------------------------------------


def _metric_dict(scores: np.ndarray, anomaly: np.ndarray, threshold: float) -> dict[str, Any]:
    out: dict[str, Any] = {"roc_auc": metrics.roc_auc(scores, anomaly)}
    out.update(metrics.classification_metrics(scores, anomaly, threshold))
    out["n"] = int(len(anomaly))
    return out


def evaluate_scores(
    val_scores: np.ndarray,
    val_anomaly: np.ndarray,
    test_scores: np.ndarray,
    test_anomaly: np.ndarray,
) -> dict[str, Any]:
    """Choose the best-F1 threshold on validation; report validation and test metrics.

    Parameters
    ----------
    val_scores, test_scores : float array ``(n,)``, higher = more anomalous.
    val_anomaly, test_anomaly : bool array ``(n,)``, True for anomalies.

    Returns
    -------
    dict
        ``threshold`` (the manifest field, from :func:`anomascope.metrics.threshold_best_f1`),
        ``validation`` and ``test`` metric dicts at that threshold.
    """
    val_anomaly = np.asarray(val_anomaly, dtype=bool)
    test_anomaly = np.asarray(test_anomaly, dtype=bool)
    choice = metrics.threshold_best_f1(val_scores, val_anomaly)
    return {
        "threshold": choice.to_dict(),
        "validation": _metric_dict(val_scores, val_anomaly, choice.value),
        "test": _metric_dict(test_scores, test_anomaly, choice.value),
    }


def inference_ms_per_1000(
    score_fn: Callable[[np.ndarray], np.ndarray], X: np.ndarray, repeats: int = 5
) -> float:
    """Best-of-``repeats`` time of ``score_fn(X)`` in milliseconds per 1000 rows.

    ``X`` is tiled up to at least 1000 rows so that small sets are timed fairly.
    """
    X = np.asarray(X)
    if len(X) < 1000:
        X = np.concatenate([X] * int(np.ceil(1000 / len(X))))[:1000]
    score_fn(X[:10])  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        score_fn(X)
        best = min(best, time.perf_counter() - t0)
    return 1000.0 * best * 1000.0 / len(X)


# -- results tables ------------------------------------------------------------------------

RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("model", "Model"),
    ("roc_auc", "ROC AUC"),
    ("accuracy", "Accuracy"),
    ("precision", "Precision"),
    ("recall", "Recall"),
    ("f1", "F1"),
    ("f2", "F2"),
    ("params", "Parameters"),
    ("file_bytes", "File size"),
    ("train_seconds", "Training s"),
    ("infer_ms_per_1000", "Inference ms/1000 rows"),
)


def results_row(
    model: str,
    evaluation: dict[str, Any],
    params: int,
    file_bytes: int,
    train_seconds: float,
    infer_ms: float,
    **extra: Any,
) -> dict[str, Any]:
    """One results-table row from :func:`evaluate_scores` output plus cost figures."""
    test = evaluation["test"]
    row: dict[str, Any] = {"model": model}
    for key in ("roc_auc", "accuracy", "precision", "recall", "f1", "f2"):
        row[key] = float(test[key])
    row.update(
        params=int(params),
        file_bytes=int(file_bytes),
        train_seconds=round(float(train_seconds), 2),
        infer_ms_per_1000=round(float(infer_ms), 3),
        threshold=float(evaluation["threshold"]["value"]),
    )
    row.update(extra)
    return row


def _fmt(key: str, value: Any) -> str:
    if key == "file_bytes":
        return f"{value / 1024:.1f} KiB"
    if key in ("roc_auc", "accuracy", "precision", "recall", "f1", "f2"):
        return f"{value:.4f}"
    if key in ("train_seconds", "infer_ms_per_1000"):
        return f"{value:.2f}"
    if key == "params":
        return f"{value:,}"
    return str(value)


def write_results(
    results_dir: str | Path, table: str, rows: Sequence[dict[str, Any]], meta: dict[str, Any]
) -> tuple[Path, Path]:
    """Write ``TABLE.json`` and ``TABLE.md`` into ``results_dir``; return both paths.

    The Markdown has a title from ``meta["title"]`` (default ``table``), the protocol text from
    ``meta["protocol"]`` if given, and one row per model with :data:`RESULT_COLUMNS`.
    """
    out = Path(results_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{table}.json", out / f"{table}.md"
    json_path.write_text(json.dumps({"meta": meta, "rows": list(rows)}, indent=2) + "\n")
    lines = [f"# {meta.get('title', table)}", ""]
    if meta.get("protocol"):
        lines += [str(meta["protocol"]), ""]
    lines.append("| " + " | ".join(h for _, h in RESULT_COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in RESULT_COLUMNS) + "|")
    for r in rows:
        lines.append("| " + " | ".join(_fmt(k, r[k]) for k, _ in RESULT_COLUMNS) + " |")
    for note in meta.get("notes", []):
        lines += ["", str(note)]
    md_path.write_text("\n".join(lines) + "\n")
    return json_path, md_path
