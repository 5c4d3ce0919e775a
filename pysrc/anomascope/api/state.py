"""What the browser worker keeps between requests: one :class:`State` object.

It holds the loaded data sets and models, the caches computed from them, and the training
session of the "Train a model" page. Every cache is named, and :meth:`State.invalidate` drops
whatever was computed from a model or a data set that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from anomascope import AnomascopeError, lab
from anomascope.weights import LoadedModel

if TYPE_CHECKING:  # the training package is imported only when the train page asks for it
    from anomascope.api.tables_session import TableFit
    from anomascope.beat_errors import NearestBeat
    from anomascope.tables import Table
    from anomascope.training import TrainingSession

#: The ECG lab's data set, and the splits each per-model cache is computed from.
ECG = "ecg5000"
EXPLORER_SPLITS = ("test", "user")
EXPLAINER_SPLITS = ("train", "test")

ScoreKey = tuple[str, str, str]  # (model, dataset, split)


@dataclass
class State:
    """Data sets, models, caches and the training session of one worker.

    Attributes
    ----------
    datasets : name -> arrays (``ecg5000``: ``{train,test,user}_{X,y}``; ``kdd_stream``)
    models : name -> :class:`LoadedModel`
    file_bytes : model name -> size of its weights file
    scores : cache, (model, dataset, split) -> scores of every row of that split
    explorers : cache, model -> threshold explorer over ECG5000 test (+ the visitor's beats)
    explainers : cache, model -> the explainer's numbers (ECG5000 train and test)
    peak_thresholds : cache, model -> the peak score's validation threshold (ECG5000 train)
    nearest : cache, nearest-beat index over the normal beats of ECG5000 train
    training : the train page's session, ``None`` before Train or after Reset
    table, table_name : the data page's table (``None`` before ``table_load``) and file name
    table_fit : the data page's plan, fitted detectors and their scores per unit (rows or
        windows) with the units' split; ``None`` before ``table_fit_start``
    """

    datasets: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    models: dict[str, LoadedModel] = field(default_factory=dict)
    file_bytes: dict[str, int] = field(default_factory=dict)
    scores: dict[ScoreKey, np.ndarray] = field(default_factory=dict)
    explorers: dict[str, lab.Explorer] = field(default_factory=dict)
    explainers: dict[str, dict[str, Any]] = field(default_factory=dict)
    peak_thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    nearest: NearestBeat | None = None
    training: TrainingSession | None = None
    table: Table | None = None
    table_name: str = ""
    table_fit: TableFit | None = None

    # -- lookups ---------------------------------------------------------------------------
    def model(self, name: str) -> LoadedModel:
        if name not in self.models:
            raise AnomascopeError(f"model {name!r} is not loaded", "model")
        return self.models[name]

    def dataset(self, name: str) -> dict[str, np.ndarray]:
        if name not in self.datasets:
            raise AnomascopeError(f"dataset {name!r} is not loaded", "dataset")
        return self.datasets[name]

    def split(self, dataset: str, split: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows ``X`` and labels ``y`` of one split of a loaded data set."""
        data = self.dataset(dataset)
        if f"{split}_X" not in data:
            raise AnomascopeError(f"dataset {dataset!r} has no split {split!r}", "split")
        return data[f"{split}_X"], data[f"{split}_y"]

    def current_table(self) -> Table:
        if self.table is None:
            raise AnomascopeError("no table is loaded: load a file or an example first")
        return self.table

    def current_fit(self) -> TableFit:
        if self.table_fit is None:
            raise AnomascopeError("no detector is fitted: press Fit first")
        return self.table_fit

    def load_table(self, table: Table, name: str) -> None:
        """Make ``table`` the data page's table; the plan and fitted detectors of the previous
        table are forgotten."""
        self.table = table
        self.table_name = name
        self.invalidate_table()

    def invalidate_table(self) -> None:
        """Forget the data page's plan, fitted detectors and scores."""
        self.table_fit = None

    def training_session(self) -> TrainingSession:
        if self.training is None:
            raise AnomascopeError("no model is being trained: press Train first")
        return self.training

    # -- caches ----------------------------------------------------------------------------
    def split_scores(self, model: str, dataset: str, split: str) -> np.ndarray:
        """Scores of every row of a split under a loaded model (cached)."""
        key = (model, dataset, split)
        if key not in self.scores:
            X, _ = self.split(dataset, split)
            self.scores[key] = self.model(model).score(X)
        return self.scores[key]

    def invalidate(
        self, *, model: str | None = None, dataset: str | None = None, split: str | None = None
    ) -> None:
        """Drop every cached value computed from ``model``, or from ``dataset`` (only from its
        ``split`` when given). Call it whenever a model or data set is loaded or replaced."""

        def stale(m: str, d: str, s: str) -> bool:
            return m == model or (d == dataset and split in (None, s))

        self.scores = {k: v for k, v in self.scores.items() if not stale(*k)}
        if model is not None:
            self.explorers.pop(model, None)
            self.explainers.pop(model, None)
            self.peak_thresholds.pop(model, None)
        if dataset == ECG and (split is None or split in EXPLORER_SPLITS):
            self.explorers.clear()
        if dataset == ECG and (split is None or split in EXPLAINER_SPLITS):
            self.explainers.clear()
            self.peak_thresholds.clear()
            self.nearest = None
