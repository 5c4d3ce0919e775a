"""Is the input on the scale the model was trained on? Warnings with the numbers, on stderr.

- Models whose preprocessing ends in a ``minmax`` step (the KDD feature sets): that step holds
  the min and max of each feature over the training rows, so a value outside them is outside
  the training data. Counted per feature; the warning names the features most often out.
- Models whose preprocessing ends in ``standardize``: a value more than
  :data:`STD_LIMIT` standard deviations from the training mean.
- ECG models: beats must be z-normalised per row
  (:func:`anomascope.data.beats.z_normalisation_report`); min-max [0, 1] beats all score as
  anomalies otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope.data.beats import Z_REPORT_ROWS, z_normalisation_report
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import LoadedModel

STD_LIMIT = 10.0  # standard deviations from the training mean
REPORT_FEATURES = 5  # features named in the warning


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


class RangeCheck:
    """Counts, per model feature, rows outside the training data's range."""

    def __init__(self, spec: dict[str, Any]) -> None:
        steps = list(spec.get("steps", []))
        self.step = steps[-1]
        self.prefix = {"steps": steps[:-1]}
        self.names: list[str] | None = spec.get("feature_names")
        self.rows = 0
        self.rows_out = 0
        self.counts: np.ndarray | None = None
        self.extreme: np.ndarray | None = None

    def _bounds(self, width: int) -> tuple[list[int], np.ndarray, np.ndarray]:
        cols = self.step.get("columns", list(range(width)))
        if self.step["op"] == "minmax":
            lo = np.asarray(self.step["min"], float)
            hi = np.asarray(self.step["max"], float)
        else:
            mean = np.asarray(self.step["mean"], float)
            scale = np.abs(np.asarray(self.step["scale"], float))
            lo, hi = mean - STD_LIMIT * scale, mean + STD_LIMIT * scale
        return cols, lo, hi

    def update(self, X_raw: np.ndarray) -> None:
        V = apply_preprocessing(self.prefix, X_raw).astype(np.float64)
        cols, lo, hi = self._bounds(V.shape[1])
        sub = V[:, cols]
        eps = 1e-6 * np.maximum(1.0, np.abs(hi - lo))
        out = (sub < lo - eps) | (sub > hi + eps)
        # the value furthest outside, per feature (0 when none)
        excess = np.where(out, np.maximum(lo - sub, sub - hi), 0.0)
        far = excess.argmax(axis=0)
        value = sub[far, np.arange(sub.shape[1])] if len(sub) else np.zeros(sub.shape[1])
        if self.counts is None:
            self.counts = np.zeros(len(cols), np.int64)
            self.extreme = np.full(len(cols), np.nan)
            self.excess = np.zeros(len(cols))
            self.cols, self.lo, self.hi = cols, lo, hi
        assert self.extreme is not None
        worse = excess.max(axis=0, initial=0.0) > self.excess
        self.extreme[worse] = value[worse]
        self.excess = np.maximum(self.excess, excess.max(axis=0, initial=0.0))
        self.counts += out.sum(axis=0)
        self.rows += len(sub)
        self.rows_out += int(out.any(axis=1).sum())

    def _name(self, j: int) -> str:
        col = self.cols[j]
        return self.names[col] if self.names and col < len(self.names) else f"column {col}"

    def warnings(self) -> list[str]:
        if not self.rows_out or self.counts is None or self.extreme is None:
            return []
        what = "range" if self.step["op"] == "minmax" else f"mean ± {STD_LIMIT:g} std"
        parts = []
        for j in np.argsort(-self.counts, kind="stable")[:REPORT_FEATURES]:
            if not self.counts[j]:
                break
            parts.append(
                f"{self._name(j)}: {plural(int(self.counts[j]), 'row')}, "
                f"furthest {self.extreme[j]:.6g} "
                f"(training {what} {self.lo[j]:.6g}..{self.hi[j]:.6g})"
            )
        share = 100 * self.rows_out / self.rows
        return [
            f"{self.rows_out:,} of {self.rows:,} rows ({share:.1f} %) have features outside the "
            f"model's training data; " + "; ".join(parts)
        ]


class BeatScaleCheck:
    """Accumulates :func:`z_normalisation_report` over chunks."""

    def __init__(self) -> None:
        self.rows = 0
        self.count = 0
        self.first_rows: list[int] = []
        self.mean_range = [np.inf, -np.inf]
        self.std_range = [np.inf, -np.inf]
        self.tolerance = 0.0

    def update(self, X: np.ndarray) -> None:
        report = z_normalisation_report(X)
        self.first_rows += [self.rows + r for r in report["first_rows"]]
        self.first_rows = self.first_rows[:Z_REPORT_ROWS]
        self.rows += report["rows"]
        self.count += report["count"]
        self.tolerance = report["tolerance"]
        if report["mean_range"] is not None:
            self.mean_range = [
                min(self.mean_range[0], report["mean_range"][0]),
                max(self.mean_range[1], report["mean_range"][1]),
            ]
            self.std_range = [
                min(self.std_range[0], report["std_range"][0]),
                max(self.std_range[1], report["std_range"][1]),
            ]

    def warnings(self) -> list[str]:
        if not self.count:
            return []
        rows = ", ".join(str(r) for r in self.first_rows)
        more = ", ..." if self.count > len(self.first_rows) else ""
        m, s = self.mean_range, self.std_range
        return [
            f"{self.count:,} of {self.rows:,} beats are not z-normalised (beats {rows}{more}): "
            f"row means {m[0]:.4g}..{m[1]:.4g}, row standard deviations {s[0]:.4g}..{s[1]:.4g}; "
            f"the model was trained on beats with mean 0 and standard deviation 1 "
            f"(tolerance {self.tolerance:g}); scores of other beats are not meaningful"
        ]


class NoCheck:
    def update(self, X: np.ndarray) -> None:
        pass

    def warnings(self) -> list[str]:
        return []


def check_for(model: LoadedModel) -> RangeCheck | BeatScaleCheck | NoCheck:
    """The scale check that fits the model."""
    if model.manifest.get("dataset") == "ecg5000":
        return BeatScaleCheck()
    spec = model.manifest.get("preprocessing") or {}
    steps = spec.get("steps") or []
    if steps and steps[-1].get("op") in ("minmax", "standardize"):
        return RangeCheck(spec)
    return NoCheck()
