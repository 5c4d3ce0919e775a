"""Honest evaluation of a user's table: labels from a column, and a seeded stratified split.

Detectors fit on the *fit* rows, thresholds are chosen on the *validation* rows, and every
reported metric comes from the *test* rows that neither saw. The split is stratified: each
class is shuffled with ``np.random.default_rng(seed)`` and cut in the fractions of
:data:`SPLIT`, so every split keeps the file's share of anomalies.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError

#: The fractions of the rows that go to validation and test (fit gets the rest), and the
#: default seed. Published by the api's ``schema`` request (``tables.split``).
SPLIT: dict[str, Any] = {"validation": 0.2, "test": 0.3, "seed": 0}
SPLIT_NAMES = ("fit", "validation", "test")
#: How the detectors may use the labels of the fit rows (``tables.supervision`` in the schema).
SUPERVISION: dict[str, dict[str, str]] = {
    "unsupervised": {
        "label": "Unsupervised",
        "description": "fit on every fit row, anomalies included, as if there were no labels",
    },
    "semi_supervised": {
        "label": "Semi-supervised",
        "description": "fit only on the fit rows labelled normal",
    },
}


def value_text(value: Any) -> str:
    """How a label cell is named to the user: a whole float without ``.0`` (``1.0`` -> ``"1"``),
    other numbers by ``repr``, text as it is."""
    if isinstance(value, float | np.floating):
        f = float(value)
        return str(int(f)) if f.is_integer() and abs(f) < 2**53 else repr(f)
    return str(value)


def label_counts(column: np.ndarray) -> list[list[Any]]:
    """``[[value text, count], ...]`` of a column's non-missing values, most frequent first
    (ties by value text)."""
    if column.dtype.kind == "f":
        present = column[~np.isnan(column)]
        values, counts = np.unique(present, return_counts=True)
        texts = [value_text(v) for v in values]
    else:
        present = np.asarray([v for v in column.tolist() if v is not None], dtype=object)
        texts_all = [str(v) for v in present.tolist()]
        uniq, counts = np.unique(np.asarray(texts_all, dtype=str), return_counts=True)
        texts = [str(v) for v in uniq.tolist()]
    pairs = sorted(zip(texts, (int(c) for c in counts), strict=True), key=lambda p: (-p[1], p[0]))
    return [[t, c] for t, c in pairs]


def anomaly_labels(
    column: np.ndarray, name: str, anomaly_values: list[str], row_number: Any = None
) -> np.ndarray:
    """Boolean anomaly labels, shape ``(n,)``, from a label column.

    Parameters
    ----------
    column : ndarray, shape (n,)
        float64 with NaN for missing, or object (str / None for missing).
    name : str
        The column's name, for messages.
    anomaly_values : list of str
        The values that mean "anomaly" (as the user typed or picked them; for a numeric column
        ``"1"`` and ``"1.0"`` both match 1).
    row_number : callable, optional
        Row index -> the row number the user sees (for the missing-label message).

    Raises
    ------
    AnomascopeError
        ``field="label_column"`` when labels are missing or there is one class only;
        ``field="anomaly_values"`` when no value is given or one is not in the column (the
        message names it and lists the values present).
    """
    if not anomaly_values:
        raise AnomascopeError("choose at least one value that means anomaly", "anomaly_values")
    counts = label_counts(column)
    present = [t for t, _ in counts]
    if column.dtype.kind == "f":
        missing = np.isnan(column)
    else:
        missing = np.fromiter((v is None for v in column.tolist()), bool, column.size)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        where = row_number(first) if row_number is not None else first + 1
        raise AnomascopeError(
            f"label column {name!r} has {int(missing.sum())} missing cell(s), the first in row "
            f"{where}; every row needs a label (or choose no label column)",
            "label_column",
        )
    if len(present) < 2:
        only = present[0] if present else "nothing"
        raise AnomascopeError(
            f"label column {name!r} has one class only ({only!r} in every row); it needs "
            "normal and anomalous rows",
            "label_column",
        )
    wanted = [str(v).strip() for v in anomaly_values]
    if column.dtype.kind == "f":
        wanted = [_numeric_text(v) for v in wanted]
    absent = [v for v in wanted if v not in present]
    if absent:
        listed = ", ".join(repr(t) for t in present[:20])
        more = f" and {len(present) - 20} more" if len(present) > 20 else ""
        raise AnomascopeError(
            f"anomaly value {absent[0]!r} is not in label column {name!r}; its values are "
            f"{listed}{more}",
            "anomaly_values",
        )
    if set(wanted) == set(present):
        raise AnomascopeError(
            f"every value of label column {name!r} is marked as anomaly; leave at least one "
            "value for normal rows",
            "anomaly_values",
        )
    if column.dtype.kind == "f":
        return np.isin(column, np.asarray([float(v) for v in wanted]))
    return np.isin(np.asarray([str(v) for v in column.tolist()], dtype=str), wanted)


def _numeric_text(text: str) -> str:
    try:
        return value_text(float(text))
    except ValueError:
        return text


def _class_sizes(n: int) -> tuple[int, int]:
    """(validation, test) rows of a class of ``n`` rows: the split's fractions, rounded, and at
    least one each."""
    n_val = max(1, int(round(n * SPLIT["validation"])))
    n_test = max(1, int(round(n * SPLIT["test"])))
    return n_val, n_test


def stratified_split(
    labels: np.ndarray, seed: int, label_column: str = "label"
) -> dict[str, np.ndarray]:
    """Seeded stratified split of row indices into fit, validation and test.

    Parameters
    ----------
    labels : ndarray, bool, shape (n,)
        True = anomaly.
    seed : int
        Seed of ``np.random.default_rng``; the same labels and seed give the same split.
    label_column : str
        Named in messages.

    Returns
    -------
    dict
        ``{"fit", "validation", "test"}`` -> sorted int64 row indices; disjoint, covering
        every row. Validation and test each hold at least one anomalous and one normal row,
        and fit at least one normal row.

    Raises
    ------
    AnomascopeError
        ``field="label_column"`` when a class is too small, naming the counts.
    """
    y = np.asarray(labels, dtype=bool)
    n_anom, n_norm = int(y.sum()), int((~y).sum())
    if n_anom < 2 or n_norm < 3:
        raise AnomascopeError(
            f"label column {label_column!r} gives {n_anom} anomalous and {n_norm} normal "
            "row(s); a fit / validation / test split needs at least 2 anomalous rows (one for "
            "validation, one for test) and 3 normal rows",
            "label_column",
        )
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in SPLIT_NAMES}
    for cls in (False, True):
        idx = np.flatnonzero(y == cls)
        idx = idx[rng.permutation(idx.size)]
        n_val, n_test = _class_sizes(idx.size)
        if n_val + n_test > idx.size:  # two anomalies: one each, none to fit on
            n_val, n_test = 1, idx.size - 1
        parts["validation"].append(idx[:n_val])
        parts["test"].append(idx[n_val : n_val + n_test])
        parts["fit"].append(idx[n_val + n_test :])
    return {k: np.sort(np.concatenate(v)).astype(np.int64) for k, v in parts.items()}


def fit_rows(
    split: dict[str, np.ndarray], labels: np.ndarray | None, supervision: str
) -> np.ndarray:
    """The rows detectors fit on: every fit row, or (``semi_supervised``) the normal ones."""
    rows = split["fit"]
    if supervision == "semi_supervised":
        if labels is None:
            raise AnomascopeError("semi-supervised fitting needs a label column", "supervision")
        rows = rows[~np.asarray(labels, dtype=bool)[rows]]
    return rows


# -- series: rows in order, windows and their labels -----------------------------------------
def window_labels(labels: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """A window is anomalous when any of its rows is.

    Parameters
    ----------
    labels : ndarray, bool, shape (n,)
        Row labels in series order.
    starts : ndarray, int64, shape (w,)
        First row of each window; each window covers ``starts[i] .. starts[i] + length - 1``.

    Returns
    -------
    ndarray, bool, shape (w,)
    """
    csum = np.concatenate([[0], np.cumsum(np.asarray(labels, dtype=np.int64))])
    return (csum[starts + length] - csum[starts]) > 0


def window_rows(starts: np.ndarray, length: int) -> np.ndarray:
    """Sorted unique series positions covered by the windows starting at ``starts``."""
    if starts.size == 0:
        return np.empty(0, dtype=np.int64)
    return np.unique((starts[:, None] + np.arange(length)[None, :]).ravel()).astype(np.int64)


def row_scores(scores: np.ndarray, starts: np.ndarray, length: int, n: int) -> np.ndarray:
    """Per-row score of a windowed series: the highest score of the windows covering the row.

    Parameters
    ----------
    scores : ndarray, shape (w,)
        Window scores.
    starts : ndarray, int64, shape (w,)
    length : int
        Window length.
    n : int
        Series length.

    Returns
    -------
    ndarray, float64, shape (n,)
        In series order; NaN for a row that no window covers (a tail shorter than the stride).
    """
    out = np.full(n, -np.inf)
    s = np.asarray(scores, dtype=np.float64)
    for j in range(length):  # within one offset the rows are distinct
        idx = starts + j
        out[idx] = np.maximum(out[idx], s)
    out[np.isneginf(out)] = np.nan
    return out
