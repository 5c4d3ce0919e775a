"""Validation of the data page's ``table_fit_start`` request into a :class:`FitPlan`.

Every bad value raises :class:`AnomascopeError` whose ``field`` names the request field (or,
for a detector setting, the parameter's name), so the page can point at the control.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from anomascope import AnomascopeError
from anomascope.detectors.fitting import TABLE_KINDS, check_params
from anomascope.evaluation import SPLIT, SUPERVISION
from anomascope.tables import LIMITS, Table

MODES = ("table", "series")
MAX_SEED = 2**32 - 1
#: The smallest window length and stride (the largest is the table's row count).
WINDOW_BOUNDS = {"length": {"min": 2}, "stride": {"min": 1}}

#: The threshold rules of the data page: label, whether they need a label column, and their
#: parameters (bounds as the schema's ``fields``). Published as ``tables.threshold_rules``.
THRESHOLD_RULES: dict[str, dict[str, Any]] = {
    "best_f1": {
        "label": "Best F1 on the validation rows",
        "needs_labels": True,
        "params": {},
    },
    "recall": {
        "label": "Highest threshold reaching a recall on the validation rows",
        "needs_labels": True,
        "params": {
            "value": {
                "label": "Target recall",
                "kind": "number",
                "min": 0.01,
                "max": 1.0,
                "default": 0.9,
            },
        },
    },
    "contamination": {
        "label": "Expected contamination: flag this percentage of the rows",
        "needs_labels": False,
        "params": {
            "value": {
                "label": "Contamination (%)",
                "kind": "number",
                "min": 0.01,
                "max": 50.0,
                "default": 5.0,
            },
        },
    },
    "mean_std": {
        "label": "Mean + k standard deviations of the scores",
        "needs_labels": False,
        "params": {
            "k": {"label": "k", "kind": "number", "min": 0.0, "max": 20.0, "default": 3.0},
        },
    },
}


@dataclass
class FitPlan:
    """A validated ``table_fit_start`` request (see contract C)."""

    features: list[str]
    label_column: str | None
    anomaly_values: list[str]
    order_column: str | None
    mode: str
    series_columns: list[str]
    window: dict[str, int] | None
    detectors: list[tuple[str, dict[str, Any]]]
    supervision: str
    threshold_rule: dict[str, Any]
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)

    def table_field(self) -> dict[str, Any]:
        """The exported manifest's ``"table"`` field: what the CLI and an upload repeat."""
        return {
            "features": list(self.features),
            "mode": self.mode,
            "series_columns": list(self.series_columns) if self.mode == "series" else None,
            "order_column": self.order_column,
            "window": dict(self.window) if self.window else None,
            "label_column": self.label_column,
            "anomaly_values": list(self.anomaly_values),
        }


def _str_list(payload: dict[str, Any], key: str, allow_empty: bool = False) -> list[str]:
    value = payload.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnomascopeError(f"{key} must be a list of column names", key)
    if not value and not allow_empty:
        raise AnomascopeError(f"choose at least one column for {key}", key)
    return list(value)


def _columns(table: Table, payload: dict[str, Any], key: str) -> list[str]:
    names = _str_list(payload, key)
    unknown = [n for n in names if n not in table.names]
    if unknown:
        raise AnomascopeError(f"{key}: column {unknown[0]!r} is not in the table", key)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise AnomascopeError(f"{key}: column {dup[0]!r} is chosen twice", key)
    if len(names) > LIMITS["max_columns"]:
        raise AnomascopeError(f"{key}: at most {LIMITS['max_columns']} columns", key)
    return names


def _optional_column(table: Table, payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AnomascopeError(f"{key} must be a column name or null", key)
    if value not in table.names:
        raise AnomascopeError(f"{key}: column {value!r} is not in the table", key)
    return value


def _choice(payload: dict[str, Any], key: str, options: tuple[str, ...], default: str) -> str:
    value = payload.get(key, default)
    if value not in options:
        raise AnomascopeError(f"{key} must be one of {', '.join(options)}, got {value!r}", key)
    return str(value)


def _integer(value: Any, key: str, lo: int, hi: int, what: str | None = None) -> int:
    name = what or key
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnomascopeError(f"{name} must be a whole number", key)
    if int(value) != value:
        raise AnomascopeError(f"{name} must be a whole number, got {value}", key)
    if not lo <= int(value) <= hi:
        raise AnomascopeError(f"{name} must be between {lo} and {hi}, got {int(value)}", key)
    return int(value)


def check_param(name: str, spec: dict[str, Any], value: Any) -> int | float:
    """One detector or rule parameter checked against its ``{"kind", "min", "max"}``."""
    label = spec.get("label", name)
    lo, hi = spec["min"], spec["max"]
    if spec["kind"] == "int":
        return _integer(value, name, int(lo), int(hi), label)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnomascopeError(f"{label} must be a finite number", name)
    if not lo <= value <= hi:
        raise AnomascopeError(f"{label} must be between {lo:g} and {hi:g}, got {value:g}", name)
    return float(value)


def _params(given: dict[str, Any], specs: dict[str, dict[str, Any]], where: str) -> dict[str, Any]:
    unknown = sorted(set(given) - set(specs))
    if unknown:
        known = ", ".join(specs) or "none"
        raise AnomascopeError(
            f"{where}: unknown setting {unknown[0]!r} (known: {known})", unknown[0]
        )
    return {k: check_param(k, s, given.get(k, s["default"])) for k, s in specs.items()}


def _detectors(payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    value = payload.get("detectors")
    if not isinstance(value, list) or not value:
        raise AnomascopeError("choose at least one detector", "detectors")
    out: list[tuple[str, dict[str, Any]]] = []
    for item in value:
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in TABLE_KINDS:
            raise AnomascopeError(
                f"unknown detector kind {kind!r}; known kinds: {', '.join(TABLE_KINDS)}",
                "detectors",
            )
        if any(k == kind for k, _ in out):
            raise AnomascopeError(f"detector {kind!r} is chosen twice", "detectors")
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise AnomascopeError(f"{kind}: params must be an object", "detectors")
        out.append((kind, check_params(kind, params)))  # field: the parameter's name
    return out


def _threshold_rule(payload: dict[str, Any], labelled: bool) -> dict[str, Any]:
    value = payload.get("threshold_rule") or {"rule": "best_f1" if labelled else "contamination"}
    rule = value.get("rule") if isinstance(value, dict) else None
    if rule not in THRESHOLD_RULES:
        raise AnomascopeError(
            f"unknown threshold rule {rule!r}; known: {', '.join(THRESHOLD_RULES)}",
            "threshold_rule",
        )
    spec = THRESHOLD_RULES[rule]
    if spec["needs_labels"] and not labelled:
        raise AnomascopeError(
            f"the threshold rule {spec['label']!r} needs a label column; without labels use "
            "the expected contamination or mean + k standard deviations",
            "threshold_rule",
        )
    given = {k: v for k, v in value.items() if k != "rule"}
    try:
        params = _params(given, spec["params"], f"threshold rule {rule}")
    except AnomascopeError as exc:
        raise AnomascopeError(str(exc), "threshold_rule") from None
    return {"rule": rule, **params}


def _window(payload: dict[str, Any], n_rows: int) -> dict[str, int]:
    value = payload.get("window")
    if not isinstance(value, dict):
        raise AnomascopeError("series mode needs a window {length, stride}", "window")
    lo_length, lo_stride = WINDOW_BOUNDS["length"]["min"], WINDOW_BOUNDS["stride"]["min"]
    length = _integer(value.get("length"), "window", lo_length, MAX_SEED, "window length")
    stride = _integer(
        value.get("stride"), "window", lo_stride, max(lo_stride, n_rows), "window stride"
    )
    if length > n_rows:
        raise AnomascopeError(
            f"the window of {length} rows is longer than the series of {n_rows} rows", "window"
        )
    return {"length": length, "stride": stride}


def validate_fit_request(table: Table, payload: dict[str, Any]) -> FitPlan:
    """Check every field of ``table_fit_start`` against the loaded ``table``."""
    mode = _choice(payload, "mode", MODES, "table")
    features = _columns(table, payload, "features")
    label = _optional_column(table, payload, "label_column")
    if label is not None and label in features:
        raise AnomascopeError(
            f"the label column {label!r} is also chosen as a feature; a detector must not see "
            "the answer",
            "features",
        )
    anomaly_values: list[str] = []
    if label is not None:
        anomaly_values = [v.strip() for v in _str_list(payload, "anomaly_values")]
    order = _optional_column(table, payload, "order_column")
    if order is not None and not table.is_numeric(order):
        raise AnomascopeError(f"the order column {order!r} is not numeric", "order_column")
    series: list[str] = []
    window = None
    if mode == "series":
        series = (
            _columns(table, payload, "series_columns")
            if payload.get("series_columns")
            else list(features)
        )
        text = [c for c in series if not table.is_numeric(c)]
        if text:
            raise AnomascopeError(f"series column {text[0]!r} is not numeric", "series_columns")
        if label is not None and label in series:
            raise AnomascopeError(
                f"the label column {label!r} is also a series column", "series_columns"
            )
        window = _window(payload, table.n_rows)
        features = series
    supervision = _choice(payload, "supervision", tuple(SUPERVISION), "unsupervised")
    if supervision == "semi_supervised" and label is None:
        raise AnomascopeError("semi-supervised fitting needs a label column", "supervision")
    seed = payload.get("seed", SPLIT["seed"])
    return FitPlan(
        features=features,
        label_column=label,
        anomaly_values=anomaly_values,
        order_column=order,
        mode=mode,
        series_columns=series,
        window=window,
        detectors=_detectors(payload),
        supervision=supervision,
        threshold_rule=_threshold_rule(payload, label is not None),
        seed=_integer(seed, "seed", 0, MAX_SEED),
    )
