"""KDD connections as users have them: with or without the label, with or without a header.

:func:`kdd_columns` reads the first line of a file: a header naming the columns (the names in
``kddcup.names``, any order, plus an optional ``label``), or a data line of 41 fields (no
label) or 42 fields (label last, as in the archive). :func:`parse_kdd_rows` then parses lines
in that column order into the raw ``(n, 41)`` matrix of :mod:`anomascope.data.kdd`. Labels
may keep or drop the archive's trailing dot; every label other than ``normal`` is an attack.
"""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.csv_bytes import gather, parse_numbers, parse_symbols, split_fields
from anomascope.data.kdd import CATEGORICAL, FEATURE_NAMES, N_FEATURES

LABEL = "label"


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _header_columns(tokens: list[str], name: str) -> tuple[str, ...]:
    names = [t.strip().strip('"').strip("'").lower() for t in tokens]
    known = {n.lower(): n for n in (*FEATURE_NAMES, LABEL)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AnomascopeError(
            f"{name}: line 1 (header): unknown column(s) {', '.join(unknown[:8])}; the columns "
            f"are the 41 names in kddcup.names (duration, protocol_type, ...) and optionally "
            f"{LABEL}"
        )
    columns = tuple(known[n] for n in names)
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise AnomascopeError(f"{name}: line 1 (header): column(s) named twice: {repeated}")
    missing = [c for c in FEATURE_NAMES if c not in columns]
    if missing:
        raise AnomascopeError(
            f"{name}: line 1 (header): missing column(s) {', '.join(missing[:8])}"
            + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        )
    return columns


def kdd_columns(first_line: bytes, name: str) -> tuple[tuple[str, ...], bool]:
    """The file's column order and whether ``first_line`` is a header (then skip it).

    A header is a first line whose fields are mostly not numbers. Without one, 41 fields are
    the features in :data:`FEATURE_NAMES` order and 42 add the label last.
    """
    text = first_line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    tokens = text.split(",")
    if sum(not _is_number(t) for t in tokens) > len(tokens) / 2:
        return _header_columns(tokens, name), True
    if len(tokens) == N_FEATURES:
        return FEATURE_NAMES, False
    if len(tokens) == N_FEATURES + 1:
        return (*FEATURE_NAMES, LABEL), False
    raise AnomascopeError(
        f"{name}: line 1 has {len(tokens)} comma-separated fields; a KDD connection has "
        f"{N_FEATURES} (no label) or {N_FEATURES + 1} (label last), or give a header line "
        "naming the columns"
    )


def parse_kdd_rows(
    text: bytes, name: str, columns: tuple[str, ...], line0: int = 0
) -> tuple[np.ndarray, np.ndarray | None]:
    """Parse newline-terminated lines in ``columns`` order.

    Returns the raw float32 ``(n, 41)`` matrix in :data:`FEATURE_NAMES` order and, when
    ``columns`` has a label, bool ``(n,)`` (True = attack), else None. Errors name ``name``
    and the line (``line0`` lines come before ``text``) and the field.
    """
    windows, starts, lengths = split_fields(text, columns, name, line0)
    n = len(starts)
    X = np.empty((n, N_FEATURES), dtype=np.float32)
    anomaly = None
    for j, column in enumerate(columns):
        chars = gather(windows, starts[:, j], lengths[:, j])
        if column == LABEL:
            last = chars[np.arange(n), lengths[:, j] - 1]
            chars[np.arange(n), lengths[:, j] - 1] = np.where(last == 46, 0, last)
            codes, names = parse_symbols(chars, name, LABEL, None, first=("normal",), line0=line0)
            anomaly = codes != names.index("normal")
        elif column in CATEGORICAL:
            codes, _ = parse_symbols(chars, name, column, CATEGORICAL[column], line0=line0)
            X[:, FEATURE_NAMES.index(column)] = codes
        else:
            X[:, FEATURE_NAMES.index(column)] = parse_numbers(
                chars, lengths[:, j], name, column, line0
            )
    return X, anomaly
