"""``fit``, and ``score`` / ``evaluate`` of table models, on the command line.

The same steps as the "Your data" page, through the same code: :func:`parse_table` reads the
file, :class:`anomascope.api.tables_session.TableFit` splits, prepares and fits, and
:func:`anomascope.api.tables_model.score_table` scores. A table model is one whose manifest
has a ``"table"`` field (features, mode, window, label column and anomaly values).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.weights import LoadedModel, to_jsonable

DEFAULT_FEATURE_TYPES = ("numeric", "categorical")


def is_table_model(model: LoadedModel) -> bool:
    return isinstance(model.manifest.get("table"), dict)


def read_table(path: str) -> Any:
    """Parse a CSV/TSV file (``-`` for standard input) with the page's parser."""
    from anomascope.tables import parse_table

    if path == "-":
        return parse_table(sys.stdin.buffer.read(), "<stdin>")
    p = Path(path)
    if not p.is_file():
        raise AnomascopeError(f"{p}: no such file")
    return parse_table(p.read_bytes(), p.name)


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [v.strip() for v in text.split(",") if v.strip()]


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise AnomascopeError(f"{what} must be a number, got {text!r}") from None


def detector_params(pairs: list[str]) -> dict[str, int | float]:
    """``--param NAME=VALUE`` options as a dict (ints stay ints)."""
    out: dict[str, int | float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise AnomascopeError(f"--param takes NAME=VALUE, got {pair!r}")
        number = _number(value, f"--param {name}")
        out[name.strip()] = int(number) if number.is_integer() and "." not in value else number
    return out


def threshold_rule(text: str | None, labelled: bool) -> dict[str, Any]:
    """``best_f1``, ``recall:0.9``, ``contamination:5`` (percent) or ``mean_std:3``."""
    if text is None:
        return {"rule": "best_f1"} if labelled else {"rule": "contamination", "value": 5.0}
    rule, _, value = text.partition(":")
    if rule == "mean_std":
        return {"rule": rule, "k": _number(value or "3", "--threshold-rule k")}
    if rule in ("recall", "contamination"):
        return {"rule": rule, "value": _number(value, f"--threshold-rule {rule}")}
    return {"rule": rule}


def fit_payload(table: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The ``table_fit_start`` request the command line's options describe."""
    from anomascope.tables import profile_table

    label, order = args.label_column, args.order_column
    features = _names(args.features)
    if features is None:
        skip = {label, order}
        features = [
            c["name"] for c in profile_table(table)
            if c["type"] in DEFAULT_FEATURE_TYPES and c["name"] not in skip
        ]
    payload: dict[str, Any] = {
        "features": features,
        "label_column": label,
        "anomaly_values": _names(args.anomaly_values) or [],
        "order_column": order,
        "mode": args.mode,
        "detectors": [{"kind": args.detector, "params": detector_params(args.param or [])}],
        "supervision": "semi_supervised" if args.semi_supervised else "unsupervised",
        "threshold_rule": threshold_rule(args.threshold_rule, label is not None),
        "seed": args.seed,
    }
    if args.mode == "series":
        if args.window is None:
            raise AnomascopeError("--mode series needs --window LENGTH (and --stride)")
        payload["window"] = {"length": args.window, "stride": args.stride or args.window}
    return payload


def cmd_fit(args: argparse.Namespace) -> None:
    """Fit one detector on a table and write ``OUT.json`` + ``OUT.npz``."""
    from anomascope.api.tables import test_metrics
    from anomascope.api.tables_output import export_files
    from anomascope.api.tables_requests import validate_fit_request
    from anomascope.api.tables_session import TableFit

    table = read_table(args.file)
    try:
        run = TableFit(table, validate_fit_request(table, fit_payload(table, args)))
        while not run.step()["done"]:
            pass
    except AnomascopeError as exc:
        where = f" ({exc.field})" if exc.field else ""
        raise AnomascopeError(f"{exc}{where}") from None
    fitted = run.fitted[args.detector]
    out = Path(args.out)
    if out.suffix in {".json", ".npz"}:
        out = out.with_suffix("")
    manifest, npz = export_files(run, fitted, out.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(manifest, encoding="utf-8")
    out.with_suffix(".npz").write_bytes(npz)
    summary = {
        "model": str(out),
        "fit_units": int(run.fit_index.size),
        "unit": run.unit,
        "fit_seconds": round(fitted.fit_seconds, 4),
        "threshold": fitted.threshold.to_dict(),
    }
    if run.labels is not None:
        summary["test"] = test_metrics(run, fitted, fitted.threshold.value)
        summary["test_rows"] = int(run.splits["test"].size)
    print(json.dumps(to_jsonable(summary), indent=1, allow_nan=False), file=sys.stderr)


def score_table_file(model: LoadedModel, args: argparse.Namespace) -> None:
    """Print one full-precision score per input row, in input order (or write the scored
    CSV with ``--out``)."""
    from anomascope.api.tables_model import score_table
    from anomascope.api.tables_output import scored_csv

    if args.file is None:
        raise AnomascopeError("give a FILE to score ('-' for standard input)")
    start = time.perf_counter()
    table = read_table(args.file)
    scores = score_table(model, table)
    threshold = args.threshold if args.threshold is not None else model.threshold
    if args.out:
        if threshold is None:
            raise AnomascopeError("the model has no threshold; pass --threshold")
        data = scored_csv(table, [(model.manifest["kind"], scores, float(threshold))])
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.write("".join(f"{s!r}\n" for s in scores.tolist()))
        sys.stdout.flush()
    seconds = time.perf_counter() - start
    rate = table.n_rows / seconds if seconds > 0 else float("inf")
    print(f"scored {table.n_rows:,} rows in {seconds:.2f} s ({rate:,.0f} rows/s)",
          file=sys.stderr)


def evaluate_table_file(model: LoadedModel, args: argparse.Namespace) -> dict[str, Any]:
    """AUC, AP and F1 / precision / recall at the model's threshold on a labelled file."""
    from anomascope.api.tables_model import score_table
    from anomascope.evaluation import anomaly_labels
    from anomascope.metrics import average_precision, metrics_summary

    path = args.table_file or args.file
    if path is None:
        raise AnomascopeError("give the labelled FILE to evaluate on")
    field = model.manifest["table"]
    label = args.label_column or field.get("label_column")
    values = _names(args.anomaly_values) or list(field.get("anomaly_values") or [])
    if not label:
        raise AnomascopeError("give --label-column (the model names none)")
    table = read_table(path)
    labels = anomaly_labels(table.column(label), label, values,
                            lambda i: int(table.line_numbers[i]))
    scores = score_table(model, table)
    used = np.isfinite(scores)
    threshold = args.threshold if args.threshold is not None else model.threshold
    if threshold is None:
        raise AnomascopeError("the model has no threshold; pass --threshold")
    skipped = int(np.sum(~used))
    rows = f"all {table.n_rows} rows of {path}" if not skipped else (
        f"{int(used.sum())} of the {table.n_rows} rows of {path} ({skipped} at the end are in "
        "no window)"
    )
    summary = metrics_summary(scores[used], labels[used], float(threshold))
    return {
        "model": model.manifest.get("name"),
        "rows": rows + "; rows the model was fitted on count too if the file contains them",
        "label_column": label,
        "anomaly_values": values,
        "ap": average_precision(scores[used], labels[used]),
        **summary,
    }
