"""A table model (one whose manifest has a ``"table"`` field) applied to a parsed table.

The data page's upload and the command line both score through :func:`score_table`, so a
model scores a file the same way wherever it runs. Table mode: the model's features, by name,
prepared with the manifest's spec. Series mode: the series columns in the order of the order
column, prepared row by row with the ``"table"`` field's ``row_preprocessing``, cut into
windows; a row's score is the highest score of the windows that cover it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.evaluation import row_scores
from anomascope.preprocessing import apply_preprocessing
from anomascope.tables import Table, feature_matrix, make_windows, window_starts
from anomascope.weights import LoadedModel


def table_field(model: LoadedModel) -> dict[str, Any]:
    """The manifest's ``"table"`` field, checked to be an object with a features list."""
    field = model.manifest.get("table")
    if not isinstance(field, dict) or not isinstance(field.get("features"), list):
        raise AnomascopeError(
            "this model was not fitted on a table (its manifest has no 'table' field)", "manifest"
        )
    return field


def check_columns(model: LoadedModel, table: Table) -> None:
    """Every column the model reads must be in ``table``; the error names the first missing."""
    field = table_field(model)
    wanted = list(field["features"])
    if field.get("mode") == "series" and field.get("order_column"):
        wanted.append(field["order_column"])
    for name in wanted:
        if name not in table.names:
            raise AnomascopeError(
                f"the file has no column {name!r}, which the model reads (its columns: "
                f"{', '.join(map(str, field['features']))})",
                "manifest",
            )


def series_order(table: Table, order_column: str | None) -> np.ndarray:
    """Row indices in series order: sorted by ``order_column`` (stable), or the file's order.

    Returns
    -------
    ndarray, int64, shape (n_rows,)
    """
    if order_column is None:
        return np.arange(table.n_rows, dtype=np.int64)
    if not table.is_numeric(order_column):
        raise AnomascopeError(f"the order column {order_column!r} is not numeric", "order_column")
    values = np.asarray(table.column(order_column), dtype=np.float64)
    missing = np.flatnonzero(np.isnan(values))
    if missing.size:
        raise AnomascopeError(
            f"the order column {order_column!r} has {missing.size} missing cell(s); every row "
            "needs a position in the series",
            "order_column",
        )
    return np.argsort(values, kind="stable").astype(np.int64)


def series_windows(
    table: Table, field: dict[str, Any], spec: dict[str, Any] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prepared windows of a series model's input.

    Returns
    -------
    windows : ndarray, float32, shape (w, length * c)
    starts : ndarray, int64, shape (w,)
        Series positions of each window's first row.
    order : ndarray, int64, shape (n_rows,)
        File row index of each series position.
    """
    order = series_order(table, field.get("order_column"))
    raw = feature_matrix(table, list(field["features"]), order)
    prepared = apply_preprocessing(spec, raw)
    window = field["window"]
    length, stride = int(window["length"]), int(window["stride"])
    starts = window_starts(table.n_rows, length, stride)
    return make_windows(prepared, length, stride).astype(np.float32), starts, order


def score_table(model: LoadedModel, table: Table) -> np.ndarray:
    """One score per row of ``table``, in file order.

    Returns
    -------
    ndarray, float64, shape (n_rows,)
        Series models: NaN for a row no window covers.
    """
    check_columns(model, table)
    field = table_field(model)
    if field.get("mode") != "series":
        X = feature_matrix(table, list(field["features"]))
        return np.asarray(model.score(X), dtype=np.float64)
    windows, starts, order = series_windows(table, field, field.get("row_preprocessing"))
    per_row = row_scores(model.score(windows), starts, int(field["window"]["length"]), table.n_rows)
    out = np.empty(table.n_rows, dtype=np.float64)
    out[order] = per_row
    return out
