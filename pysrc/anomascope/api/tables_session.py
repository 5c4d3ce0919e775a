"""One fit of the data page: the units (rows or windows), their split, and the detectors.

:class:`TableFit` is built by ``table_fit_start`` from a validated :class:`FitPlan`: it reads
the labels, splits the units (seeded, stratified), fits the preparation on the rows the
detectors fit on, and prepares every unit once. ``table_fit_step`` then advances the current
detector's ``fit_steps`` generator by one slice; when a detector is fitted, every unit is
scored and its threshold chosen (on the validation units when there are labels).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.tables_model import series_order
from anomascope.api.tables_requests import FitPlan
from anomascope.detectors import Detector
from anomascope.detectors.fitting import make_detector
from anomascope.evaluation import (
    anomaly_labels,
    fit_rows,
    row_scores,
    stratified_split,
    window_labels,
    window_rows,
)
from anomascope.metrics import (
    ThresholdChoice,
    threshold_best_f1,
    threshold_contamination,
    threshold_mean_std,
    threshold_recall,
)
from anomascope.preprocessing import apply_preprocessing
from anomascope.tables import Table, feature_matrix, fit_preparation, make_windows, window_starts


@dataclass
class FittedDetector:
    """A fitted detector with its scores on every unit and its chosen threshold."""

    kind: str
    params: dict[str, Any]
    detector: Detector
    fit_seconds: float
    score_seconds: float
    scores: np.ndarray  # float64 (n_units,)
    threshold: ThresholdChoice
    npz_size: int | None = None  # size of the exported weights, once computed


@dataclass
class Running:
    """The detector being fitted: its generator and the seconds spent inside it so far."""

    kind: str
    params: dict[str, Any]
    detector: Detector
    steps: Iterator[float]
    seconds: float = 0.0


def row_number(table: Table, index: int) -> int:
    """The 1-based file line of data row ``index``, as a text editor numbers it."""
    lines = getattr(table, "line_numbers", None)
    if lines is not None and len(lines) == table.n_rows:
        return int(lines[index])
    return int(index) + 1 + int(table.has_header)


class TableFit:
    """Units, labels, split, preparation and detectors of one ``table_fit_start``.

    Attributes
    ----------
    X : ndarray, float32, shape (n_units, d)
        Prepared model input: one row per table row (table mode) or per window (series).
    labels : ndarray, bool, shape (n_units,), or None
    splits : {"fit", "validation", "test"} -> int64 unit indices (unlabelled: all in fit)
    fit_index : int64 unit indices the detectors fit on
    spec : the preparation spec (of the raw rows; series windows are built after it)
    order, starts : series mode: file row of each series position, window starts
    """

    def __init__(self, table: Table, plan: FitPlan) -> None:
        self.table = table
        self.plan = plan
        self.fitted: dict[str, FittedDetector] = {}
        self.pending = list(plan.detectors)
        self.running: Running | None = None
        self.order: np.ndarray | None = None
        self.starts: np.ndarray | None = None
        self.series_labels: np.ndarray | None = None
        self.unit = "windows" if plan.mode == "series" else "rows"
        row_labels = None
        if plan.label_column is not None:
            row_labels = anomaly_labels(
                table.column(plan.label_column),
                plan.label_column,
                plan.anomaly_values,
                lambda i: row_number(table, i),
            )
        if plan.mode == "series":
            self._prepare_series(row_labels)
        else:
            self._prepare_table(row_labels)
        if not np.all(np.isfinite(self.X)):
            col = int(np.flatnonzero(~np.isfinite(self.X).all(axis=0))[0])
            name = self.feature_of_output(col)
            raise AnomascopeError(
                f"column {name!r} still has infinite or too large values after preparation",
                "features",
            )
        if self.fit_index.size < 2:
            raise AnomascopeError(
                f"only {self.fit_index.size} {self.unit} to fit on; detectors need at least 2",
                "label_column" if self.labels is not None else "features",
            )

    # -- preparation ---------------------------------------------------------------------
    def _split(self, labels: np.ndarray | None, n: int) -> None:
        self.labels = labels
        if labels is None:
            everything = np.arange(n, dtype=np.int64)
            empty = np.empty(0, dtype=np.int64)
            self.splits = {"fit": everything, "validation": empty, "test": empty}
        else:
            self.splits = stratified_split(labels, self.plan.seed, str(self.plan.label_column))
        self.fit_index = fit_rows(self.splits, labels, self.plan.supervision)

    def _prepare_table(self, labels: np.ndarray | None) -> None:
        self._split(labels, self.table.n_rows)
        self.spec = fit_preparation(self.table, self.plan.features, self.fit_index)
        raw = feature_matrix(self.table, self.plan.features)
        self.X = apply_preprocessing(self.spec, raw).astype(np.float32, copy=False)

    def _prepare_series(self, labels: np.ndarray | None) -> None:
        plan, table = self.plan, self.table
        assert plan.window is not None
        length, stride = plan.window["length"], plan.window["stride"]
        self.order = series_order(table, plan.order_column)
        self.starts = window_starts(table.n_rows, length, stride)
        unit_labels = None
        if labels is not None:
            self.series_labels = labels[self.order]
            unit_labels = window_labels(self.series_labels, self.starts, length)
        self._split(unit_labels, self.starts.size)
        positions = window_rows(self.starts[self.fit_index], length)
        self.spec = fit_preparation(table, plan.series_columns, self.order[positions])
        raw = feature_matrix(table, plan.series_columns, self.order)
        prepared = apply_preprocessing(self.spec, raw)
        self.X = make_windows(prepared, length, stride).astype(np.float32, copy=False)

    def feature_of_output(self, col: int) -> str:
        """The raw feature a prepared (model-space) column comes from."""
        outputs = self.spec.get("output_features") or []
        width = len(outputs) or 1
        base = col % width  # series windows repeat the prepared columns once per offset
        index = outputs[base] if base < len(outputs) else base
        return self.plan.features[min(int(index), len(self.plan.features) - 1)]

    # -- fitting ---------------------------------------------------------------------------
    def step(self) -> dict[str, Any]:
        """Advance the fit by one slice of the current detector (starting the next one when
        needed). Reply ``{"done", "progress", "kind", "message"}``."""
        if self.running is None:
            if not self.pending:
                return self._reply(True, "", "every detector is fitted")
            kind, params = self.pending.pop(0)
            detector = make_detector(kind, params, self.plan.seed)
            fitter: Any = detector  # every table detector has fit_steps (contract B)
            steps = iter(fitter.fit_steps(self.X[self.fit_index]))
            self.running = Running(kind, params, detector, steps)
        run = self.running
        start = time.perf_counter()
        try:
            fraction = float(next(run.steps))
            if fraction >= 1.0:
                for _ in run.steps:  # the generator ends right after reporting 1
                    pass
        except StopIteration:
            fraction = 1.0
        except AnomascopeError as exc:
            self.running = None
            raise AnomascopeError(f"{run.kind}: {exc}", exc.field or "detectors") from None
        finally:
            run.seconds += time.perf_counter() - start
        if fraction < 1.0:
            return self._reply(False, run.kind, f"fitting {run.kind}", fraction)
        self.running = None
        self._finish(run)
        done = not self.pending
        return self._reply(done, run.kind, f"{run.kind} fitted in {run.seconds:.2f} s")

    def _reply(self, done: bool, kind: str, message: str, fraction: float = 0.0) -> dict[str, Any]:
        total = len(self.plan.detectors)
        progress = 1.0 if done else min(1.0, (len(self.fitted) + fraction) / total)
        return {"done": done, "progress": progress, "kind": kind, "message": message}

    def cancel(self) -> list[str]:
        """Drop the detector being fitted and the ones not started; keep the fitted ones."""
        self.running = None
        self.pending = []
        return list(self.fitted)

    def _finish(self, run: Running) -> None:
        start = time.perf_counter()
        scores = np.asarray(run.detector.score_samples(self.X), dtype=np.float64)
        seconds = time.perf_counter() - start
        if not np.all(np.isfinite(scores)):
            raise AnomascopeError(
                f"{run.kind} gave {int(np.sum(~np.isfinite(scores)))} non-finite scores",
                "detectors",
            )
        threshold = self.choose_threshold(scores)
        run.detector.threshold_ = threshold.value
        self.fitted[run.kind] = FittedDetector(
            run.kind, run.params, run.detector, run.seconds, seconds, scores, threshold
        )

    def choose_threshold(self, scores: np.ndarray) -> ThresholdChoice:
        """The plan's threshold rule on the validation units (all units without labels)."""
        rule = self.plan.threshold_rule
        if self.labels is None:
            s, y = scores, None
        else:
            val = self.splits["validation"]
            s, y = scores[val], self.labels[val]
        if rule["rule"] == "best_f1":
            assert y is not None
            return threshold_best_f1(s, y)
        if rule["rule"] == "recall":
            assert y is not None
            return threshold_recall(s, y, rule["value"])
        if rule["rule"] == "contamination":
            return threshold_contamination(s, rule["value"] / 100.0)
        return threshold_mean_std(s, y, rule["k"])

    # -- per row ---------------------------------------------------------------------------
    def detector(self, kind: Any) -> FittedDetector:
        if kind not in self.fitted:
            fitted = ", ".join(self.fitted) or "none yet"
            raise AnomascopeError(f"detector {kind!r} is not fitted (fitted: {fitted})", "kind")
        return self.fitted[kind]

    def file_scores(self, kind: str) -> np.ndarray:
        """Scores of every table row in file order, float64 ``(n_rows,)`` (series: the highest
        score of the windows covering the row, NaN where none does)."""
        fitted = self.detector(kind)
        if self.plan.mode != "series":
            return fitted.scores
        assert self.starts is not None and self.order is not None and self.plan.window
        per_row = row_scores(
            fitted.scores, self.starts, self.plan.window["length"], self.table.n_rows
        )
        out = np.empty(self.table.n_rows, dtype=np.float64)
        out[self.order] = per_row
        return out

    def split_of(self) -> np.ndarray:
        """The split name of every unit, object array ``(n_units,)``."""
        names = np.empty(self.X.shape[0], dtype=object)
        for name, idx in self.splits.items():
            names[idx] = name
        return names
