"""The data page's outputs: top anomalies with explanations, the series view, the scored CSV,
the model export and a model upload scored on the current table."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import as_bytes, handler, require
from anomascope.api.state import State
from anomascope.api.tables_model import score_table, table_field
from anomascope.api.tables_session import FittedDetector, TableFit, row_number
from anomascope.explain import explain_rows, top_contributions
from anomascope.tables import Table, feature_matrix, flagged_spans
from anomascope.weights import (
    NAME_RULE,
    LoadedModel,
    load_model,
    parse_manifest,
    save_model,
    valid_model_name,
)

TOP_MAX = 100
TOP_FEATURES = 3
UPLOAD_RTOL = 1e-6


# -- models ----------------------------------------------------------------------------------
def manifest_fields(run: TableFit, fitted: FittedDetector, title: str) -> dict[str, Any]:
    """What a table model's manifest carries besides the fixed fields: the preparation, the
    ``"table"`` field, the threshold and, with labels, the test metrics."""
    from anomascope.api.tables import test_metrics

    field = run.plan.table_field()
    series = run.plan.mode == "series"
    if series:
        field["row_preprocessing"] = run.spec  # windows are built from the prepared rows
    fields: dict[str, Any] = {
        "title": title,
        "dataset": "table",
        "preprocessing": None if series else run.spec,
        "table": field,
        "threshold": fitted.threshold.to_dict(),
        "training": {
            "where": "browser",
            "params": dict(fitted.params),
            "seed": run.plan.seed,
            "supervision": run.plan.supervision,
            "fit_units": int(run.fit_index.size),
            "unit": run.unit,
            "fit_seconds": fitted.fit_seconds,
        },
    }
    if run.labels is not None:
        fields["metrics"] = {"test": test_metrics(run, fitted, fitted.threshold.value)}
    return fields


def export_files(run: TableFit, fitted: FittedDetector, name: str) -> tuple[str, bytes]:
    """``(manifest JSON text, npz bytes)``: the two files :func:`save_model` writes."""
    with tempfile.TemporaryDirectory() as tmp:
        npz, js = save_model(tmp, name, fitted.detector, manifest_fields(run, fitted, name))
        return Path(js).read_text(encoding="utf-8"), Path(npz).read_bytes()


def loaded(run: TableFit, fitted: FittedDetector) -> LoadedModel:
    """The fitted detector as a model (for :func:`explain_rows`), without a round trip."""
    fields = manifest_fields(run, fitted, fitted.kind)
    return LoadedModel(
        manifest={"kind": fitted.kind, "name": fitted.kind, **fields}, detector=fitted.detector
    )


@handler("table_export_model")
def table_export_model(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """One fitted detector in the model format: ``{manifest, npz, filename}``."""
    run = state.current_fit()
    fitted = run.detector(payload.get("kind"))
    name = require(payload, "name", str).strip()
    if not valid_model_name(name):
        raise AnomascopeError(NAME_RULE, "name")
    manifest, npz = export_files(run, fitted, name)
    fitted.npz_size = len(npz)
    return {"manifest": manifest, "npz": npz, "filename": name}


@handler("table_upload_model")
def table_upload_model(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Score the current table with an uploaded table model; compare with the fitted
    detector of the same kind and settings when there is one."""
    table = state.current_table()
    text = require(payload, "manifest", str)
    model = load_model(
        as_bytes(require(payload, "npz", object), "npz"), parse_manifest(text, "the manifest")
    )
    table_field(model)
    scores = score_table(model, table)
    return {
        "kind": model.manifest["kind"],
        "name": model.manifest.get("name"),
        "threshold": model.threshold,
        "scores": scores,
        "flagged": int(np.sum(scores > model.threshold)) if model.threshold is not None else None,
        "compared": _compare(state.table_fit, model, scores),
    }


def _compare(run: TableFit | None, model: LoadedModel, scores: np.ndarray) -> dict | None:
    kind = model.manifest["kind"]
    if run is None or kind not in run.fitted:
        return None
    mine, theirs = run.plan.table_field(), table_field(model)
    same = ("features", "mode", "window", "order_column")
    if any(mine.get(k) != theirs.get(k) for k in same):
        return None
    ref = run.file_scores(kind)
    both = np.isfinite(ref) & np.isfinite(scores)
    diff = np.abs(ref[both] - scores[both])
    tol = UPLOAD_RTOL * np.maximum(np.abs(ref[both]), np.abs(scores[both])) + 1e-12
    return {
        "kind": kind,
        "max_difference": float(diff.max()) if diff.size else 0.0,
        "identical": bool(np.all(diff <= tol)),
        "rtol": UPLOAD_RTOL,
    }


# -- scored CSV ------------------------------------------------------------------------------
def _score_text(x: float) -> str:
    return "" if math.isnan(x) else repr(x)


@handler("table_export_csv")
def table_export_csv(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """The original rows (their text, in file order) plus ``<kind>_score`` and
    ``<kind>_anomaly`` (1/0; empty where a series row has no window) per fitted detector."""
    run = state.current_fit()
    results = [(k, run.file_scores(k), f.threshold.value) for k, f in run.fitted.items()]
    stem = Path(state.table_name or "table").stem or "table"
    return {"bytes": scored_csv(run.table, results), "filename": f"{stem}_scored.csv"}


def scored_csv(table: Table, results: list[tuple[str, np.ndarray, float]]) -> bytes:
    """RFC 4180 CSV (comma, CRLF, quotes where needed), UTF-8: the table's rows as their
    original text plus, for each ``(kind, scores (n_rows,), threshold)``, ``<kind>_score``
    (full precision) and ``<kind>_anomaly`` (1 when the score is above the threshold)."""
    header = list(table.names)
    added: list[list[str]] = []
    for kind, scores, threshold in results:
        header += [f"{kind}_score", f"{kind}_anomaly"]
        values = np.asarray(scores, dtype=np.float64).tolist()
        added.append([_score_text(x) for x in values])
        added.append(["" if math.isnan(x) else str(int(x > threshold)) for x in values])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    text = table.rows_as_text(np.arange(table.n_rows))
    extra = list(zip(*added, strict=True)) if added else [()] * table.n_rows
    writer.writerows(list(row) + list(more) for row, more in zip(text, extra, strict=True))
    return buf.getvalue().encode("utf-8")


# -- top anomalies ---------------------------------------------------------------------------
def _contributions(
    run: TableFit, fitted: FittedDetector, units: np.ndarray
) -> tuple[list[str], np.ndarray, str]:
    """Raw feature names, contributions ``(len(units), k)`` and the method sentence."""
    if run.plan.mode != "series":
        raw = feature_matrix(run.table, run.plan.features, units)
        out = explain_rows(loaded(run, fitted), raw)
        return list(out["features"]), np.asarray(out["contributions"]), str(out["method"])
    det = fitted.detector
    per_input = np.asarray(det.explain(run.X[units]), dtype=np.float64)
    outputs = run.spec.get("output_features") or list(range(len(run.plan.features)))
    width = len(outputs)
    per_col = per_input.reshape(len(units), -1, width).sum(axis=1)  # over window offsets
    raw_contrib = np.zeros((len(units), len(run.plan.features)))
    for j, feature in enumerate(outputs):
        raw_contrib[:, int(feature)] += per_col[:, j]
    return list(run.plan.features), raw_contrib, str(type(det).explain_method)


@handler("table_top")
def table_top(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """The ``limit`` highest-scoring units of detector ``kind`` (all splits, each named), with
    every detector's score and verdict and the features that contributed most."""
    run = state.current_fit()
    fitted = run.detector(payload.get("kind"))
    limit = payload.get("limit", 20)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= TOP_MAX:
        raise AnomascopeError(f"limit must be a whole number from 1 to {TOP_MAX}", "limit")
    units = np.argsort(-fitted.scores, kind="stable")[:limit]
    names, contrib, method = _contributions(run, fitted, units)
    if run.order is None or run.starts is None:
        file_rows = units
    else:
        file_rows = run.order[run.starts[units]]
    texts = run.table.rows_as_text(file_rows)
    splits = run.split_of()
    top = top_contributions(names, contrib, TOP_FEATURES)
    rows = []
    for i, unit in enumerate(units.tolist()):
        rows.append(
            {
                "row": row_number(run.table, int(file_rows[i])),
                "split": splits[unit],
                "values": texts[i],
                "scores": {k: float(f.scores[unit]) for k, f in run.fitted.items()},
                "flags": {
                    k: bool(f.scores[unit] > f.threshold.value) for k, f in run.fitted.items()
                },
                "contributions": top[i],
            }
        )
    return {"rows": rows, "columns": list(run.table.names), "method": method, "unit": run.unit}


# -- series ----------------------------------------------------------------------------------
@handler("table_series")
def table_series(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """The whole series in order, and the spans that each detector's flagged windows cover."""
    run = state.current_fit()
    if run.plan.mode != "series" or run.order is None or run.starts is None:
        raise AnomascopeError("the series view needs a fit in time-series mode", "mode")
    assert run.plan.window is not None
    values = np.asarray(
        feature_matrix(run.table, run.plan.series_columns, run.order), dtype=np.float64
    )
    length = run.plan.window["length"]
    spans = {
        kind: flagged_spans(f.scores > f.threshold.value, run.starts, length)
        for kind, f in run.fitted.items()
    }
    labels = None if run.series_labels is None else run.series_labels.astype(np.uint8)
    return {
        "values": values,
        "names": list(run.plan.series_columns),
        "spans": spans,
        "labels": labels,
        "window": dict(run.plan.window),
    }
