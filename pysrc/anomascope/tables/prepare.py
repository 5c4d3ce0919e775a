"""Preparing table columns for detectors, written as an :mod:`anomascope.preprocessing` spec.

:func:`fit_preparation` fits the spec on the fit rows only: median imputation of numeric
columns, ``log1p`` on skewed non-negative ones, one-hot encoding of text columns (the most
frequent ``onehot_cap - 1`` values plus "other", which also takes missing and unseen values)
and standardisation of the numeric columns. An exported model carries the spec, so the CLI
and an uploaded model repeat the preparation exactly: ``apply_preprocessing(spec,
feature_matrix(table, features, rows))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.tables.parse import LIMITS, Table
from anomascope.tables.profile import SKEW_LOG1P, column_kind, skewness, value_counts

MIN_FIT_ROWS = 2


def _rows(table: Table, rows: np.ndarray | None) -> np.ndarray:
    """int64 row indices from indices or a boolean mask (None = every row)."""
    if rows is None:
        return np.arange(table.n_rows)
    r = np.asarray(rows)
    if r.dtype == bool:
        if r.shape != (table.n_rows,):
            raise AnomascopeError(
                f"row mask has {r.size} entries for {table.n_rows} rows", field="rows"
            )
        return np.flatnonzero(r)
    r = r.astype(np.int64).reshape(-1)
    if r.size and (r.min() < 0 or r.max() >= table.n_rows):
        raise AnomascopeError(f"row index out of range for {table.n_rows} rows", field="rows")
    return r


def _check_features(table: Table, features: list[str]) -> None:
    if not features:
        raise AnomascopeError("choose at least one feature column", field="features")
    unknown = [f for f in features if f not in table.names]
    if unknown:
        raise AnomascopeError(
            f"no column named {unknown[0]!r}; the columns are {', '.join(table.names)}",
            field="features",
        )
    dups = sorted({f for f in features if features.count(f) > 1})
    if dups:
        raise AnomascopeError(f"feature {dups[0]!r} is chosen twice", field="features")


def feature_matrix(table: Table, features: list[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Raw input rows for :func:`~anomascope.preprocessing.apply_preprocessing`.

    Returns
    -------
    ndarray, shape (n, k)
        float64 with NaN for missing cells when every feature is numeric; else object, with
        floats (NaN missing) in numeric columns and str (None missing) in text columns.
    """
    _check_features(table, features)
    idx = _rows(table, rows)
    cols = [table.column(f)[idx] for f in features]
    if all(c.dtype != object for c in cols):
        return np.stack(cols, axis=1) if cols else np.zeros((idx.size, 0))
    out = np.empty((idx.size, len(cols)), dtype=object)
    for j, c in enumerate(cols):
        out[:, j] = c
    return out


def _refuse_useless(table: Table, features: list[str], idx: np.ndarray) -> None:
    kinds = {f: column_kind(table.column(f)[idx]) for f in features}
    useful = [f for f, k in kinds.items() if k in ("numeric", "categorical")]
    if useful:
        return
    if all(k == "constant" for k in kinds.values()):
        raise AnomascopeError(
            "all chosen features are constant on the fit rows ("
            + ", ".join(repr(f) for f in features[:6])
            + "); choose columns whose values vary",
            field="features",
        )
    what = ", ".join(f"{f!r} ({k})" for f, k in list(kinds.items())[:6])
    raise AnomascopeError(
        f"all chosen features are constant or identifiers ({what}); choose columns that vary "
        "and are not ids",
        field="features",
    )


def _numeric_stats(x: np.ndarray, col: np.ndarray) -> tuple[float, bool, float, float]:
    """(median, log1p?, mean, scale) of one numeric column from its fit values ``x``."""
    finite = x[np.isfinite(x)]
    median = float(np.median(finite)) if finite.size else 0.0
    v = np.where(np.isnan(x), median, x)
    all_values = col[np.isfinite(col)]
    log = bool(
        finite.size >= 3
        and finite.min() >= 0
        and all_values.min(initial=0.0) > -1
        and skewness(finite) > SKEW_LOG1P
    )
    if log:
        v = np.log1p(v)
    mean = float(v.mean())
    scale = float(v.std())
    return median, log, mean, (scale if scale > 0 else 1.0)


def _categories(x: np.ndarray, cap: int) -> list[str]:
    uniq, _ = value_counts(x)
    return [str(u) for u in uniq[: max(cap - 1, 0)]]


def _spec_steps(
    n_features: int, stats: dict[int, tuple[float, bool, float, float]], cats: dict[int, list[str]]
) -> tuple[list[dict[str, Any]], list[int]]:
    """The steps and ``output_features`` from per-feature statistics (numeric features in
    ``stats``: median, log1p?, mean, scale; text features in ``cats``: categories)."""
    num = sorted(stats)
    steps: list[dict[str, Any]] = []
    if num:
        steps.append({"op": "impute", "columns": num, "values": [stats[j][0] for j in num]})
    logs = [j for j in num if stats[j][1]]
    if logs:
        steps.append({"op": "log1p", "columns": logs})
    for j in sorted(cats, reverse=True):  # right to left: earlier indices stay valid
        steps.append({"op": "onehot", "column": j, "categories": cats[j], "other": True})
    output_features: list[int] = []
    out_pos: dict[int, int] = {}
    for j in range(n_features):
        if j in stats:
            out_pos[j] = len(output_features)
            output_features.append(j)
        else:
            output_features += [j] * (len(cats[j]) + 1)
    if num:
        steps.append(
            {
                "op": "standardize",
                "columns": [out_pos[j] for j in num],
                "mean": [stats[j][2] for j in num],
                "scale": [stats[j][3] for j in num],
            }
        )
    return steps, output_features


def fit_preparation(
    table: Table,
    features: list[str],
    fit_rows: np.ndarray,
    onehot_cap: int = LIMITS["onehot_cap"],
) -> dict[str, Any]:
    """Fit the preparation of ``features`` on ``fit_rows`` (indices or a boolean mask).

    Returns
    -------
    dict
        A preprocessing spec: ``"steps"`` (impute, log1p, onehot with other, standardize),
        ``"input_dim"`` = len(features), ``"feature_names"`` = features, and
        ``"output_features"``: for each output column the index into ``feature_names`` it
        comes from (one-hot blocks repeat their feature's index).

    Raises
    ------
    AnomascopeError
        No features (``field="features"``), an unknown name, only constant or identifier
        features, fewer than 2 fit rows (``field="rows"``), a cap below 2.
    """
    _check_features(table, features)
    idx = _rows(table, fit_rows)
    if idx.size < MIN_FIT_ROWS:
        raise AnomascopeError(
            f"fitting needs at least {MIN_FIT_ROWS} rows, got {idx.size}", field="rows"
        )
    if int(onehot_cap) < 2:
        raise AnomascopeError(
            f"onehot_cap must be at least 2, got {onehot_cap}", field="onehot_cap"
        )
    _refuse_useless(table, features, idx)
    num = [j for j, f in enumerate(features) if table.is_numeric(f)]
    stats = {
        j: _numeric_stats(table.column(features[j])[idx], table.column(features[j])) for j in num
    }
    cats = {
        j: _categories(table.column(features[j])[idx], int(onehot_cap))
        for j in range(len(features))
        if j not in stats
    }
    steps, output_features = _spec_steps(len(features), stats, cats)
    return {
        "steps": steps,
        "input_dim": len(features),
        "feature_names": list(features),
        "output_features": output_features,
    }
