"""Handlers of the "Your data" page: load a table, fit detectors step by step, results.

The flow: ``table_load`` (parse, profile) -> ``table_fit_start`` (validate the plan, split,
prepare) -> ``table_fit_step`` until ``done`` (or ``table_fit_cancel``) -> ``table_results``,
``table_explorer``, ``table_top``, ``table_series``. Export and upload are in
:mod:`.tables_output`. Every number reported with labels comes from the test units, which
neither fitting nor the threshold choice saw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import as_bytes, handler, require
from anomascope.api.state import State
from anomascope.api.tables_requests import THRESHOLD_RULES, validate_fit_request
from anomascope.api.tables_session import FittedDetector, TableFit
from anomascope.detectors import KIND_LABELS
from anomascope.evaluation import label_counts
from anomascope.metrics import (
    average_precision,
    classification_metrics,
    confusion_counts,
    precision_recall_curve,
    roc_auc,
    roc_curve,
    score_histograms,
)
from anomascope.tables import LIMITS, parse_table, profile_table, suggest_window

PREVIEW_ROWS = 20


@handler("table_load")
def table_load(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Parse and profile a CSV/TSV file; it becomes the page's table (a bad file keeps the
    old one)."""
    raw = require(payload, "bytes", object)
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise AnomascopeError("the file must arrive as binary data (bytes)", "bytes")
    data = as_bytes(raw, "the file")
    name = payload.get("name") or "file"
    if not isinstance(name, str):
        raise AnomascopeError("name must be text", "name")
    table = parse_table(data, name)
    columns = profile_table(table)
    preview = table.rows_as_text(np.arange(min(PREVIEW_ROWS, table.n_rows)))
    label_values = {
        c["name"]: label_counts(table.column(c["name"]))
        for c in columns
        if 0 < c["distinct"] <= LIMITS["max_label_values"]
    }
    numeric = [c["name"] for c in columns if c["type"] == "numeric"]
    suggested = suggest_window(np.asarray(table.column(numeric[0]))) if numeric else None
    state.load_table(table, name)
    return {
        "name": name,
        "n_rows": table.n_rows,
        "n_columns": len(table.names),
        "delimiter": table.delimiter,
        "decimal": table.decimal,
        "has_header": table.has_header,
        "columns": columns,
        "preview": preview,
        "label_values": label_values,
        "suggested_window": suggested,
    }


@handler("table_fit_start")
def table_fit_start(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate the plan, split and prepare the units; the detectors fit in later steps.
    A refused plan keeps the previous fit."""
    table = state.current_table()
    run = TableFit(table, validate_fit_request(table, payload))
    state.table_fit = run
    labelled = run.labels is not None
    return {
        "plan": {
            "rows": {k: int(v.size) for k, v in run.splits.items()},
            "fit_rows": int(run.fit_index.size),
            "unit": run.unit,
            "labelled": labelled,
            "windows": int(run.X.shape[0]) if run.plan.mode == "series" else None,
            "anomalies": (
                {k: int(run.labels[v].sum()) for k, v in run.splits.items()}
                if run.labels is not None
                else None
            ),
        },
        "steps": len(run.plan.detectors),
    }


@handler("table_fit_step")
def table_fit_step(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """One slice of fitting (at most about 100 ms in the browser)."""
    return state.current_fit().step()


@handler("table_fit_cancel")
def table_fit_cancel(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Stop fitting; the detectors already fitted are kept."""
    if state.table_fit is None:
        return {"kept": []}
    return {"kept": state.table_fit.cancel()}


def _split_note(run: TableFit) -> str:
    unit = run.unit
    if run.labels is None:
        return (
            f"No label column, so no metrics: the detectors fit on all {run.X.shape[0]} {unit} "
            f"and flag among them."
        )
    test, val = run.splits["test"], run.splits["validation"]
    semi = " labelled normal" if run.plan.supervision == "semi_supervised" else ""
    return (
        f"Metrics are on the {test.size} test {unit} ({int(run.labels[test].sum())} anomalous), "
        f"which neither fitting nor the threshold choice saw. Detectors fit on "
        f"{run.fit_index.size} fit {unit}{semi}; thresholds were chosen on the {val.size} "
        f"validation {unit}."
    )


def _rule_note(run: TableFit) -> str:
    rule = run.plan.threshold_rule
    where = f"the validation {run.unit}" if run.labels is not None else f"all {run.unit}"
    if rule["rule"] == "best_f1":
        return f"Threshold: the one with the best F1 on {where}."
    if rule["rule"] == "recall":
        return f"Threshold: the highest one whose recall on {where} is at least {rule['value']:g}."
    if rule["rule"] == "contamination":
        return f"Threshold: flags {rule['value']:g}% of {where} (expected contamination)."
    normal = "normal scores of " if run.labels is not None else "scores of "
    return f"Threshold: mean + {rule['k']:g} standard deviations of the {normal}{where}."


def test_metrics(run: TableFit, fitted: FittedDetector, threshold: float) -> dict[str, Any]:
    """ROC AUC, average precision and the threshold metrics on the test units."""
    assert run.labels is not None
    test = run.splits["test"]
    s, y = fitted.scores[test], run.labels[test]
    out: dict[str, Any] = classification_metrics(s, y, threshold)
    out["auc"] = roc_auc(s, y)
    out["ap"] = average_precision(s, y)
    return out


def detector_row(run: TableFit, fitted: FittedDetector) -> dict[str, Any]:
    """One line of the comparison table."""
    det = fitted.detector
    threshold = fitted.threshold.value
    row: dict[str, Any] = {
        "kind": fitted.kind,
        "title": KIND_LABELS.get(fitted.kind, {"title": fitted.kind})["title"],
        "threshold": threshold,
        "threshold_rule": fitted.threshold.to_dict(),
        "fit_seconds": fitted.fit_seconds,
        "score_seconds": fitted.score_seconds,
        "scored": int(fitted.scores.size),
        "parameters": int(sum(np.asarray(a).size for a in det.state_dict().values())),
        "bytes": model_bytes(run, fitted),
        "params": dict(fitted.params),
    }
    if run.labels is None:
        row.update(dict.fromkeys(("auc", "ap", "f1", "precision", "recall")))
        row["flagged"] = int(np.sum(fitted.scores > threshold))
    else:
        metrics = test_metrics(run, fitted, threshold)
        row.update({k: metrics[k] for k in ("auc", "ap", "f1", "precision", "recall")})
        row["flagged"] = metrics["tp"] + metrics["fp"]
    return row


def model_bytes(run: TableFit, fitted: FittedDetector) -> int:
    """Size of the exported weights file (cached on the fitted detector)."""
    if fitted.npz_size is None:
        from anomascope.api.tables_output import export_files

        _, npz = export_files(run, fitted, fitted.kind)
        fitted.npz_size = len(npz)
    return int(fitted.npz_size)


@handler("table_results")
def table_results(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """The comparison table of the fitted detectors, with the notes saying where each number
    comes from."""
    run = state.current_fit()
    return {
        "labelled": run.labels is not None,
        "unit": run.unit,
        "split_note": _split_note(run),
        "rule_note": _rule_note(run),
        "rule": THRESHOLD_RULES[run.plan.threshold_rule["rule"]]["label"],
        "detectors": [detector_row(run, f) for f in run.fitted.values()],
    }


def _threshold(payload: dict[str, Any], fitted: FittedDetector) -> float:
    value = payload.get("threshold")
    if value is None:
        return float(fitted.threshold.value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise AnomascopeError("threshold must be a finite number", "threshold")
    return float(value)


@handler("table_explorer")
def table_explorer(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Histogram, ROC and PR curves, confusion and metrics of one detector on the test units
    at ``threshold`` (default: the chosen one). Without labels: the histogram of all units."""
    run = state.current_fit()
    fitted = run.detector(payload.get("kind"))
    threshold = _threshold(payload, fitted)
    if run.labels is None:
        s = fitted.scores
        return {
            "split": "all",
            "histogram": score_histograms(s, np.zeros(s.size, dtype=bool)),
            "roc": None,
            "pr": None,
            "confusion": None,
            "metrics": None,
            "flagged": int(np.sum(s > threshold)),
            "threshold": threshold,
        }
    test = run.splits["test"]
    s, y = fitted.scores[test], run.labels[test]
    fpr, tpr, _ = roc_curve(s, y)
    precision, recall, _ = precision_recall_curve(s, y)
    metrics = test_metrics(run, fitted, threshold)
    return {
        "split": "test",
        "histogram": score_histograms(s, y),
        "roc": {"fpr": fpr, "tpr": tpr, "auc": metrics["auc"]},
        "pr": {"precision": precision, "recall": recall, "ap": metrics["ap"]},
        "confusion": confusion_counts(s, y, threshold),
        "metrics": metrics,
        "flagged": metrics["tp"] + metrics["fp"],
        "threshold": threshold,
    }
