"""The first matrix product of a network over one-hot encoded rows, without the zero columns.

A table's one-hot encoding leaves most of its columns zero in every row of a block (the KDD
stream's 123 columns hold 14 non-zero values a row, and about 60 of the columns are zero in
every row of a 2,000-row block). A column that is zero in every row adds only exact zeros to
``X @ W.T``, so :func:`input_product` leaves it out of the product: the result is the same up
to the order in which float32 sums are rounded.
"""

from __future__ import annotations

import numpy as np

from anomascope.nn.layers import matmul_nt

#: the product skips zero columns only when at most this share of them is left
KEEP_AT_MOST = 0.75
#: rows looked at first: when every column is non-zero in one of them (dense rows, such as
#: beats), the whole block need not be searched for zero columns
PROBE_ROWS = 8


def input_product(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``X @ W.T`` over the columns of ``X`` that are non-zero in some row.

    Parameters
    ----------
    X : ndarray, shape (n, d), float32
        Rows (finite).
    W : ndarray, shape (m, d), float32
        Weights in torch's ``Linear`` layout ``(out, in)`` (finite).

    Returns
    -------
    ndarray, shape (n, m), float32
        A new array (the caller may change it in place).
    """
    if X[:PROBE_ROWS].any(axis=0).all():  # dense rows: every column is in use
        return matmul_nt(X, W)
    cols = np.flatnonzero(X.any(axis=0))
    if cols.size <= KEEP_AT_MOST * X.shape[1]:
        return matmul_nt(np.ascontiguousarray(X[:, cols]), np.ascontiguousarray(W[:, cols]))
    return matmul_nt(X, W)
