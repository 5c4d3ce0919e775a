"""Column profiles for the data page: inferred type, missing cells, range or top values and a
small histogram per column (:func:`profile_table`); :func:`column_kind` is the type rule that
:mod:`anomascope.tables.prepare` shares.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope.tables.parse import Table

HIST_BINS = 20
TOP_VALUES = 5
ID_FRACTION = 0.95  # a text column with at least this share of distinct values is an id
ID_MIN_ROWS = 10  # an integer column needs this many values before it can be an id
SKEW_LOG1P = 1.0  # skewness above which a non-negative column is a log1p candidate


def is_none(col: np.ndarray) -> np.ndarray:
    """bool mask of the None (missing) cells of an object column."""
    return np.asarray(col == None, dtype=bool)  # noqa: E711 (elementwise, not identity)


def value_counts(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-missing values of a text column and their counts, most frequent first
    (ties in value order)."""
    values = col[~is_none(col)].astype(str)
    uniq, counts = np.unique(values, return_counts=True)
    order = np.lexsort((uniq, -counts))
    return uniq[order], counts[order]


def skewness(x: np.ndarray) -> float:
    """Population skewness of finite float64 values ``x`` (0 for a constant or tiny sample)."""
    if x.size < 3:
        return 0.0
    d = x - x.mean()
    m2 = float(np.mean(d * d))
    if m2 <= 1e-24 * max(float(np.mean(x * x)), 1e-300):
        return 0.0
    return float(np.mean(d**3) / m2**1.5)


def column_kind(col: np.ndarray) -> str:
    """``"numeric"``, ``"categorical"``, ``"constant"`` or ``"identifier"`` for one column.

    Constant: at most one distinct non-missing value. Identifier: a text column whose values
    are (nearly) all distinct, or an integer column of distinct values in strictly increasing
    or decreasing order (row numbers, ids, integer time stamps).
    """
    if col.dtype == object:
        values = col[~is_none(col)]
        distinct = np.unique(values.astype(str)).size if values.size else 0
        if distinct <= 1:
            return "constant"
        if distinct >= max(ID_FRACTION * values.size, 2) and values.size >= 3:
            return "identifier"
        return "categorical"
    x = col[~np.isnan(col)]
    if x.size == 0 or np.all(x == x[0]):
        return "constant"
    if x.size >= ID_MIN_ROWS and np.all(x == np.round(x)):
        step = np.diff(x)
        if np.all(step > 0) or np.all(step < 0):
            return "identifier"
    return "numeric"


def skewed_positive(col: np.ndarray) -> bool:
    """True for a numeric column with every value >= 0 and skewness > 1 (log1p candidate)."""
    if col.dtype == object:
        return False
    x = col[np.isfinite(col)]
    return bool(x.size >= 3 and x.min() >= 0 and skewness(x) > SKEW_LOG1P)


def _numeric_profile(col: np.ndarray) -> dict[str, Any]:
    x = col[np.isfinite(col)]
    out: dict[str, Any] = {"min": None, "max": None, "top": []}
    if x.size == 0:
        out["histogram"] = {"counts": [], "edges": []}
        out["distinct"] = 0
        return out
    lo, hi = float(x.min()), float(x.max())
    bins = 1 if lo == hi else HIST_BINS
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi) if hi > lo else (lo - 0.5, lo + 0.5))
    out.update(min=lo, max=hi, distinct=int(np.unique(x).size))
    out["histogram"] = {"counts": counts.astype(int).tolist(), "edges": edges.tolist()}
    return out


def _text_profile(col: np.ndarray) -> dict[str, Any]:
    uniq, counts = value_counts(col)
    top = [[str(v), int(c)] for v, c in zip(uniq[:TOP_VALUES], counts[:TOP_VALUES], strict=True)]
    return {
        "min": None,
        "max": None,
        "top": top,
        "distinct": int(uniq.size),
        "histogram": {"counts": [c for _, c in top], "labels": [v for v, _ in top]},
    }


def profile_column(name: str, col: np.ndarray) -> dict[str, Any]:
    """The profile dict of one column (see :func:`profile_table`)."""
    kind = column_kind(col)
    numeric = col.dtype != object
    missing = int(np.isnan(col).sum()) if numeric else int(is_none(col).sum())
    prof = _numeric_profile(col) if numeric else _text_profile(col)
    if numeric and kind == "identifier":
        prof["top"] = []
    return {
        "name": name,
        "type": kind,
        "numeric": numeric,
        "missing": missing,
        "skewed_positive": skewed_positive(col),
        **prof,
    }


def profile_table(table: Table) -> list[dict[str, Any]]:
    """One profile per column, in file order.

    Returns
    -------
    list of dict
        ``{"name", "type": "numeric"|"categorical"|"constant"|"identifier", "numeric": bool
        (stored as numbers), "missing": int, "min", "max" (numbers; None for text),
        "top": [[value, count], ...] (<= 5, text columns), "distinct": int,
        "skewed_positive": bool, "histogram": {"counts", "edges"} (numbers: up to 20 bins over
        the finite values) or {"counts", "labels"} (text: the top values)}``.
    """
    return [profile_column(n, c) for n, c in zip(table.names, table.columns, strict=True)]
