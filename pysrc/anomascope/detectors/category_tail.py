"""A per-category upper-tail rule on top of a detector: the KDD "byte rule" (issue 13, section 4).

The rule flags a raw row when one of its checked fields (KDD: ``src_bytes`` and
``dst_bytes``) lies, after ``log1p``, above the largest value (the ``percentile``-th
percentile; 100 = the maximum) of the fit normals *of the same category* (KDD: the same
``service``). Categories with fewer than ``min_rows`` fit normals, and category codes the rule
does not know, use the bound over all fit normals.

The rule is combined with a model's own scores at the model's threshold ``t`` by
:meth:`CategoryTailRule.lift`: a flagged row's score becomes ``max(score, t) + 1 + excess``
(``excess`` = how far, in ``log1p`` units, the row is above its bound; the larger over the
fields), every other row keeps its score. So at ``t`` a row is called an anomaly when the
model calls it one or the rule does, and flagged rows rank by how far they are above their
bound. It was chosen on the validation split by ``train/kdd_experiments.py`` ("M + tail rule
(p100)") and is stored in the model's manifest as the ``rule`` block
(:meth:`CategoryTailRule.to_manifest` / :func:`from_manifest`).

numpy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from anomascope import AnomascopeError

KIND = "category_tail"
LIFT = "max(score, threshold) + 1 + excess"
MIN_ROWS = 20
PERCENTILE = 100.0


def _logs(X_raw: Any, columns: tuple[int, ...]) -> np.ndarray:
    X = np.asarray(X_raw, dtype=np.float64)
    if X.ndim != 2:
        raise AnomascopeError(f"the rule takes a 2-D table of raw rows, got shape {X.shape}")
    return np.log1p(np.maximum(X[:, list(columns)], 0.0))


def _codes(X_raw: Any, column: int, n_categories: int) -> tuple[np.ndarray, np.ndarray]:
    """Category codes int64 ``(n,)`` (clipped into the table) and a mask of known codes."""
    c = np.asarray(X_raw, dtype=np.float64)[:, column]
    known = np.isfinite(c) & (c >= 0) & (c < n_categories) & (c == np.floor(c))
    return np.where(known, c, 0).astype(np.int64), known


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6g}"


@dataclass(frozen=True)
class CategoryTailRule:
    """A fitted rule (see the module docstring).

    Attributes
    ----------
    fields : tuple of str, length f
        Names of the checked raw columns.
    columns : tuple of int, length f
        Their indices in a raw row.
    category_field : str
        Name of the categorical raw column.
    category_column : int
        Its index; its values are integer codes into ``categories``.
    categories : tuple of str, length k
        Category names by code.
    upper : ndarray, float64 (k, f)
        Bound per category and field in ``log1p`` units (the global bound for categories with
        fewer than ``min_rows`` fit rows).
    global_upper : ndarray, float64 (f,)
        Bound over all fit rows; used for codes outside ``0 .. k-1`` too.
    fit_rows : ndarray, int64 (k,)
        Fit rows per category.
    percentile : float
        Percentile of the fit rows' ``log1p`` values used as the bound (100 = the maximum).
    min_rows : int
        Fewest fit rows for a category to have its own bound.
    fitted_on : dict
        Where the fit rows came from (free-form, for the manifest).
    """

    fields: tuple[str, ...]
    columns: tuple[int, ...]
    category_field: str
    category_column: int
    categories: tuple[str, ...]
    upper: np.ndarray
    global_upper: np.ndarray
    fit_rows: np.ndarray
    percentile: float = PERCENTILE
    min_rows: int = MIN_ROWS
    fitted_on: dict[str, Any] = field(default_factory=dict)

    # -- fitting -------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        X_raw: Any,
        *,
        fields: tuple[str, ...],
        columns: tuple[int, ...],
        category_field: str,
        category_column: int,
        categories: tuple[str, ...],
        percentile: float = PERCENTILE,
        min_rows: int = MIN_ROWS,
        fitted_on: dict[str, Any] | None = None,
    ) -> CategoryTailRule:
        """Fit the bounds on normal raw rows ``X_raw`` (shape ``(n, width)``, ``n >= 1``).

        Rows whose category code is outside ``0 .. len(categories)-1`` count towards the
        global bound only.
        """
        L = _logs(X_raw, tuple(columns))
        if len(L) == 0:
            raise AnomascopeError("the rule needs at least one fit row")
        k = len(categories)
        code, known = _codes(X_raw, category_column, k)
        glob = np.percentile(L, percentile, axis=0)
        upper = np.tile(glob, (k, 1))
        counts = np.bincount(code[known], minlength=k).astype(np.int64)
        for c in np.flatnonzero(counts >= min_rows):
            upper[c] = np.percentile(L[known & (code == c)], percentile, axis=0)
        return cls(
            tuple(fields), tuple(int(c) for c in columns), category_field, int(category_column),
            tuple(categories), upper, glob, counts, float(percentile), int(min_rows),
            dict(fitted_on or {}),
        )  # fmt: skip

    # -- applying ------------------------------------------------------------------------------
    def bounds(self, X_raw: Any) -> np.ndarray:
        """Each row's bound per field, float64 ``(n, f)`` in ``log1p`` units."""
        code, known = _codes(X_raw, self.category_column, len(self.categories))
        return np.where(known[:, None], self.upper[code], self.global_upper)

    def field_excess(self, X_raw: Any) -> np.ndarray:
        """How far each field's ``log1p`` value lies above the row's bound (0 at or below it;
        NaN values count as 0): float64 ``(n, f)``."""
        L = _logs(X_raw, self.columns)
        over = L - self.bounds(X_raw)
        return np.where(over > 0, over, 0.0)

    def excess(self, X_raw: Any) -> np.ndarray:
        """The larger field excess per row, float64 ``(n,)``; a row is flagged where > 0."""
        ex = self.field_excess(X_raw)
        return ex.max(axis=1) if ex.shape[1] else np.zeros(len(ex))

    def lift(self, scores: Any, threshold: float, X_raw: Any) -> np.ndarray:
        """The model's scores with the rule on top, float64 ``(n,)``.

        Parameters
        ----------
        scores : array-like, float (n,)
            The model's own scores of the rows (higher = more anomalous).
        threshold : float
            The model's threshold (a score above it is called an anomaly).
        X_raw : array-like, (n, width)
            The raw rows the scores came from.

        Returns
        -------
        ndarray, float64 (n,)
            ``max(score, threshold) + 1 + excess`` where the rule flags the row, else
            ``score``: unflagged rows keep their score, flagged rows end above ``threshold``
            and rise with their excess.
        """
        return self.lift_excess(scores, threshold, self.excess(X_raw))

    def lift_excess(self, scores: Any, threshold: float, ex: np.ndarray) -> np.ndarray:
        """:meth:`lift` from the rows' :meth:`excess` ``ex`` float64 ``(n,)`` (computed once
        for several models that share the rule)."""
        s = np.asarray(scores, dtype=np.float64)
        if s.shape != ex.shape:
            raise AnomascopeError(f"{len(s)} scores for {len(ex)} rows")
        return np.where(ex > 0, np.maximum(s, float(threshold)) + 1.0 + ex, s)

    def describe(self, x_raw: Any) -> list[dict[str, Any]]:
        """Why the rule flags one raw row, in words: one entry per field above its bound.

        Parameters
        ----------
        x_raw : array-like, (width,)
            One raw row.

        Returns
        -------
        list of dict
            ``{"field", "value", "bound", "category", "scope", "excess", "text"}``; ``scope``
            is ``"category"`` (the row's category's own bound) or ``"all"`` (the bound over all
            fit rows); ``value`` and ``bound`` in the field's own units. Empty when the row is
            not flagged.
        """
        X = np.asarray(x_raw, dtype=np.float64).reshape(1, -1)
        ex = self.field_excess(X)[0]
        bound = self.bounds(X)[0]
        code, known = _codes(X, self.category_column, len(self.categories))
        raw_code = X[0, self.category_column]
        own = bool(known[0]) and int(self.fit_rows[code[0]]) >= self.min_rows
        name = self.categories[code[0]] if known[0] else None
        out = []
        for j in np.flatnonzero(ex > 0):
            value, limit = float(X[0, self.columns[j]]), float(round(math.expm1(bound[j])))
            out.append(
                {
                    "field": self.fields[j],
                    "value": value,
                    "bound": limit,
                    "category": name,
                    "scope": "category" if own else "all",
                    "excess": float(ex[j]),
                    "text": self._sentence(self.fields[j], value, limit, name, own, raw_code, code),
                }
            )
        return out

    def _sentence(
        self, fld: str, value: float, limit: float, name: str | None, own: bool, raw: float,
        code: np.ndarray,
    ) -> str:  # fmt: skip
        """One field's reason in words (see :meth:`describe`)."""
        top = self.percentile >= 100
        pct = f"the {self.percentile:g}th percentile of"
        head = f"{fld} {_number(value)} is above"
        if own:
            if top:
                return f"{head} every normal {name} connection in training (max {_number(limit)})"
            return f"{head} {pct} normal {name} connections in training ({_number(limit)})"
        if name is None:
            why = f"{self.category_field} code {_number(raw)} is not one the rule knows"
        else:
            n = int(self.fit_rows[code[0]])
            why = f"only {n:,} normal {name} connections there, fewer than {self.min_rows}"
        if top:
            return f"{head} every normal connection in training (max {_number(limit)}; {why})"
        return f"{head} {pct} all normal connections in training ({_number(limit)}; {why})"

    # -- manifest ------------------------------------------------------------------------------
    def to_manifest(self) -> dict[str, Any]:
        """The manifest's ``rule`` block (JSON-able; :func:`from_manifest` reads it back)."""
        return {
            "kind": KIND,
            "transform": "log1p",
            "fields": list(self.fields),
            "columns": list(self.columns),
            "category_field": self.category_field,
            "category_column": self.category_column,
            "categories": list(self.categories),
            "percentile": self.percentile,
            "min_rows": self.min_rows,
            "upper": self.upper.tolist(),
            "global_upper": self.global_upper.tolist(),
            "fit_rows": self.fit_rows.tolist(),
            "fitted_on": dict(self.fitted_on),
            "lift": LIFT,
        }


def _bad(key: str, what: str) -> AnomascopeError:
    return AnomascopeError(f"rule.{key} must be {what}", f"rule.{key}")


def _index(block: dict[str, Any], key: str, width: int | None) -> int:
    v = block.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0 or (width and v >= width):
        raise _bad(key, "a column index" + (f" from 0 to {width - 1}" if width else ""))
    return v


def _strings(block: dict[str, Any], key: str) -> tuple[str, ...]:
    v = block.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(s, str) and s for s in v):
        raise _bad(key, "a non-empty list of names")
    return tuple(v)


def _table(block: dict[str, Any], key: str, shape: tuple[int, ...], what: str) -> np.ndarray:
    v = block.get(key)
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        a = None
    if a is None or a.shape != shape or not np.all(np.isfinite(a)):
        raise _bad(key, what)
    return a


def from_manifest(block: Any, input_dim: int | None = None) -> CategoryTailRule:
    """Read and check a manifest's ``rule`` block.

    Parameters
    ----------
    block : dict
        The block written by :meth:`CategoryTailRule.to_manifest`.
    input_dim : int, optional
        Width of a raw row (the preprocessing's ``input_dim``); column indices are checked
        against it.

    Raises
    ------
    AnomascopeError
        Naming the first malformed field (``rule.upper``, ``rule.columns`` ...).
    """
    if not isinstance(block, dict):
        raise AnomascopeError("rule must be an object", "rule")
    if block.get("kind") != KIND:
        raise _bad("kind", f"{KIND!r}")
    if block.get("transform", "log1p") != "log1p":
        raise _bad("transform", "'log1p'")
    fields = _strings(block, "fields")
    cols = block.get("columns")
    if not isinstance(cols, list) or len(cols) != len(fields):
        raise _bad("columns", f"a list of {len(fields)} column indices, one per field")
    columns = tuple(_index({"columns": c}, "columns", input_dim) for c in cols)
    category_field = block.get("category_field")
    if not isinstance(category_field, str) or not category_field:
        raise _bad("category_field", "a column name")
    category_column = _index(block, "category_column", input_dim)
    categories = _strings(block, "categories")
    k, f = len(categories), len(fields)
    pct = block.get("percentile")
    if not isinstance(pct, int | float) or isinstance(pct, bool) or not 0 <= pct <= 100:
        raise _bad("percentile", "a number from 0 to 100")
    mr = block.get("min_rows")
    if not isinstance(mr, int) or isinstance(mr, bool) or mr < 1:
        raise _bad("min_rows", "a whole number of at least 1")
    upper = _table(block, "upper", (k, f), f"{k} rows (one per category) of {f} finite numbers")
    glob = _table(block, "global_upper", (f,), f"a list of {f} finite numbers")
    rows = _table(block, "fit_rows", (k,), f"a list of {k} row counts (one per category)")
    if np.any(rows < 0) or np.any(rows != np.floor(rows)):
        raise _bad("fit_rows", f"a list of {k} row counts (one per category)")
    fitted_on = block.get("fitted_on", {})
    if not isinstance(fitted_on, dict):
        raise _bad("fitted_on", "an object")
    return CategoryTailRule(
        fields, columns, category_field, category_column, categories, upper, glob,
        rows.astype(np.int64), float(pct), int(mr), dict(fitted_on),
    )  # fmt: skip
