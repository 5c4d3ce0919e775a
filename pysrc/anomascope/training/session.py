"""Train a dense autoencoder on ECG5000 in bounded chunks (the "Train a model" page).

A :class:`TrainingSession` validates a JSON configuration, draws seeded, disjoint training,
validation and test sets, then trains in chunks (:meth:`TrainingSession.step`) so that the
browser worker answers within a time budget and the page can pause between chunks.

Configuration and data sampling: :mod:`anomascope.training.config`.

Per-epoch record
----------------
``{"epoch", "train_loss"`` (mean batch loss of the epoch, penalty included), ``"val_loss"``
(mean reconstruction error of the *normal* validation beats), ``"auc"``, ``"threshold"``,
``"test"`` (:func:`anomascope.metrics.metrics_summary` at the validation threshold),
``"seconds"`` (training time so far, see below)``}``. The latest epoch also carries the test-score
histogram, the ROC curve and the latent scatter (:meth:`TrainingSession.views`).

Training time
-------------
``seconds`` (in every reply, and the exported manifest's ``training.seconds``) is the time the
worker spent on this run: its training steps plus each epoch's evaluation (scoring the
validation and test beats, choosing the threshold). It leaves out the time between chunks,
pauses, drawing and the message round trips, so the page and the ECG lab show one number.

Replay
------
Each epoch also counts the test scores on the fixed log-scale :data:`REPLAY_EDGES`; the exported
manifest's ``history`` is an ``anomascope-replay`` document (:func:`anomascope.lab.parse_replay`)
of at most :data:`~anomascope.training.manifest.REPLAY_MAX_EPOCHS` epochs, so the ECG lab can
replay a browser-trained model.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import BEAT_LENGTH
from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.base import Detector
from anomascope.metrics import metrics_summary, roc_curve, threshold_best_f1
from anomascope.nn import Autoencoder, Trainer, TrainingDiverged
from anomascope.nn.optim import make_optimizer
from anomascope.nn.regularizers import make_regularizer
from anomascope.training.config import DEFAULTS, architecture_of, split_data, validate_config
from anomascope.training.manifest import replay_counts, replay_history, training_rows
from anomascope.weights import save_model

SCATTER_POINTS = 400
HIST_BINS = 40
#: an epoch loss above this counts as divergence (beats are z-normalised: a fresh model's
#: loss is about 1), even while it is still finite
DIVERGED_LOSS = 1e4
#: shared histogram edges of the replay (scores are clipped into them)
REPLAY_EDGES = np.logspace(-3, 2, 51)
SCORE_NAME = "per-beat mean squared reconstruction error"


def _latent_2d(Z: np.ndarray) -> tuple[np.ndarray, str]:
    """Two columns to plot from latent codes ``Z`` (n, k): the codes themselves when
    ``k <= 2`` (a zero second column when ``k == 1``), else the top two principal components
    (signs fixed so the plot does not flip between epochs)."""
    Z = np.asarray(Z, dtype=np.float64)
    if Z.shape[1] == 1:
        return np.column_stack([Z[:, 0], np.zeros(len(Z))]), "latent dimension 1 (of 1)"
    if Z.shape[1] == 2:
        return Z, "latent dimensions 1 and 2"
    C = Z - Z.mean(axis=0)
    _, _, vt = np.linalg.svd(C, full_matrices=False)
    comps = vt[:2]
    signs = np.sign(comps[np.arange(2), np.argmax(np.abs(comps), axis=1)])
    return C @ (
        comps * signs[:, None]
    ).T, f"first two principal components of {Z.shape[1]} latent dimensions"


class TrainingSession:
    """One training run: data sets, model, optimizer and history.

    Parameters
    ----------
    config : dict
        Validated by :func:`validate_config`.
    X : ndarray, float32 (n, 140)
        Pooled ECG5000 beats (see :mod:`anomascope.training.config`).
    y : ndarray, int (n,)
        Class labels 1..5 (1 = normal).
    clock : callable, optional
        Seconds as a float, for the time budget of :meth:`step` and the training time
        (default :func:`time.perf_counter`; tests pass a fake clock).
    """

    def __init__(
        self,
        config: Any,
        X: np.ndarray,
        y: np.ndarray,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._clock = clock
        y = np.asarray(y)
        pool = {"normal": int(np.sum(y == 1)), "abnormal": int(np.sum(y != 1))}
        self.config = validate_config(config, pool)
        self.X = np.ascontiguousarray(X, dtype=np.float32)
        self.splits = split_data(y, self.config)
        cfg = self.config
        self.X_train = np.ascontiguousarray(self.X[self.splits["train"][0]])
        self.X_val = self.X[self.splits["validation"][0]]
        self.X_test = self.X[self.splits["test"][0]]
        # both evaluation sets in one array: each epoch scores them in one pass
        self._X_eval = np.concatenate([self.X_val, self.X_test])
        rng = np.random.default_rng(cfg["seed"])
        self.model = Autoencoder(architecture_of(cfg), rng)
        opt = make_optimizer(cfg["optimizer"], self.model.params, lr=cfg["learning_rate"])
        reg = make_regularizer(cfg["regularizer"], cfg["regularization_rate"])
        self.trainer = Trainer(
            self.model, opt, regularizer=reg, batch_size=cfg["batch_size"], rng=rng
        )
        n_test = len(self.X_test)
        pick = np.random.default_rng([cfg["seed"], 11]).permutation(n_test)[:SCATTER_POINTS]
        self.scatter_rows = np.sort(pick)
        self.steps_per_epoch = self.trainer.batches_per_epoch(len(self.X_train))
        self.history: list[dict[str, Any]] = []
        self.seconds = 0.0
        self.status = "ready"  # ready | training | done | diverged
        self.message = ""
        self.advice: dict[str, float] | None = None  # after divergence: settings that help
        self.good_params = self.model.params.copy()  # the model after the last good epoch
        self.latest: dict[str, Any] | None = None
        self._latest_scores: tuple[np.ndarray, float] = (np.zeros(0), 0.0)
        self._latest_codes = np.zeros((0, self.model.architecture["latent_dim"]), np.float32)
        self._epoch_losses: list[float] = []
        self._step_seconds = 0.0
        self._replay_counts: list[tuple[list[int], list[int]]] = []

    # -- summary ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Configuration, parameter count, set sizes and the current progress."""
        sizes = {k: {"n": len(v[1]), "abnormal": int(v[1].sum())} for k, v in self.splits.items()}
        return {
            "config": self.config,
            "architecture": architecture_of(self.config),
            "parameters": self.model.n_params,
            "sizes": sizes,
            "steps_per_epoch": self.steps_per_epoch,
            "train_loss_label": self.train_loss_label(),
            **self.progress(),
        }

    def train_loss_label(self) -> str:
        """What the training loss is (the regularisation penalty is part of it when on)."""
        reg = self.config["regularizer"]
        if reg == "none":
            return "training loss: mean squared error"
        rate = self.config["regularization_rate"]
        return f"training loss: mean squared error + {reg} penalty (rate {rate:g})"

    def progress(self) -> dict[str, Any]:
        done = len(self.history)
        left = self.config["epochs"] - done
        per_epoch = self.seconds / done if done else None
        return {
            "epoch": done,
            "epochs": self.config["epochs"],
            "step": self.trainer.step,
            "status": self.status,
            "message": self.message,
            "seconds": round(self.seconds, 3),
            "seconds_left": None if per_epoch is None else per_epoch * left,
            "advice": self.advice,
        }

    # -- training --------------------------------------------------------------------------
    def step(
        self, max_seconds: float = 0.2, max_batches: int | None = None, stop_at_epoch: bool = False
    ) -> dict[str, Any]:
        """Train for about ``max_seconds`` (and at most ``max_batches`` steps).

        The budget is checked between batches, so one call overruns it by at most one
        batch plus one epoch's evaluation. Returns :meth:`progress` plus ``"records"``: the
        epoch records completed in this call (the views of the last one under ``"views"``).
        """
        if not (isinstance(max_seconds, int | float) and 0 < max_seconds <= 30):
            raise AnomascopeError("max_seconds must be between 0 and 30")
        if max_batches is not None and (not isinstance(max_batches, int) or max_batches < 1):
            raise AnomascopeError("max_batches must be a positive whole number")
        if self.status == "diverged":
            raise AnomascopeError(f"{self.message} Reset to train again.")
        records: list[dict[str, Any]] = []
        start = self._clock()
        budget = max_batches if max_batches is not None else 1_000_000_000
        while self.status != "done" and budget > 0:
            elapsed = self._clock() - start
            if elapsed >= max_seconds:
                break
            self.status = "training"
            left_in_epoch = self.steps_per_epoch - self.trainer.step % self.steps_per_epoch
            guess = 1 if self._step_seconds <= 0 else (max_seconds - elapsed) / self._step_seconds
            n = int(max(1, min(left_in_epoch, budget, guess)))
            t0 = self._clock()
            try:
                losses = self.trainer.train_steps(self.X_train, n)
            except TrainingDiverged:
                self._diverge("the loss became infinite or not a number")
                break
            dt = self._clock() - t0
            self.seconds += dt
            self._step_seconds = dt / n
            self._epoch_losses.extend(losses.tolist())
            budget -= n
            if self.trainer.step % self.steps_per_epoch == 0:
                record = self._end_epoch()
                if record is None:
                    break
                records.append(record)
                if len(self.history) >= self.config["epochs"]:
                    self.status = "done"
                if stop_at_epoch:
                    break
        if self.status == "training" and records and stop_at_epoch:
            self.status = "ready"
        out = {**self.progress(), "records": records}
        if records:
            out["views"] = self.views()
        return out

    def _diverge(self, what: str) -> None:
        np.copyto(self.model.params, self.good_params)
        self.status = "diverged"
        lr = self.config["learning_rate"]
        lower = suggested_learning_rate(lr)
        self.advice = {"learning_rate": lower}
        epoch = len(self.history) + 1
        kept = f"the model after epoch {epoch - 1}" if epoch > 1 else "the untrained model"
        self.message = (
            f"Training diverged in epoch {epoch}: {what}. Training stopped and {kept} is kept. "
            f"Lower the learning rate to {lower:g} (it is {lr:g}) and press Train to start again."
        )

    def _end_epoch(self) -> dict[str, Any] | None:
        start = self._clock()
        model = self.model
        with np.errstate(over="ignore", invalid="ignore"):
            scores, codes = model.errors_and_codes(self._X_eval)
        val_scores, test_scores = scores[: len(self.X_val)], scores[len(self.X_val) :]
        val_loss = float(val_scores[~self.splits["validation"][1]].mean())
        train_loss = float(np.mean(self._epoch_losses)) if self._epoch_losses else float("nan")
        self._epoch_losses = []
        if not (np.isfinite(val_scores).all() and np.isfinite(test_scores).all()):
            self._diverge("the reconstruction errors overflowed")
            return None
        if not max(train_loss, val_loss) < DIVERGED_LOSS:  # also catches NaN
            self._diverge(f"the loss exploded to {max(train_loss, val_loss):.3g}")
            return None
        np.copyto(self.good_params, model.params)
        labels_val, labels_test = self.splits["validation"][1], self.splits["test"][1]
        choice = threshold_best_f1(val_scores, labels_val)
        test = metrics_summary(test_scores, labels_test, choice.value)
        record = {
            "epoch": len(self.history) + 1,
            "train_loss": train_loss,
            "val_loss": val_loss,
            "auc": test["auc"],
            "threshold": choice.value,
            "validation": choice.details,
            "test": test,
            "seconds": self.seconds,
        }
        self._replay_counts.append(replay_counts(test_scores, labels_test, REPLAY_EDGES))
        self.seconds += self._clock() - start
        record["seconds"] = round(self.seconds, 3)
        self.history.append(record)
        self._latest_scores = (test_scores, choice.value)
        self._latest_codes = codes[len(self.X_val) + self.scatter_rows]  # the scatter's beats
        self.latest = None  # built on demand by views(): only the last epoch of a chunk is drawn
        return record

    def views(self) -> dict[str, Any] | None:
        """Histogram, ROC and latent scatter of the latest epoch (``None`` before one)."""
        if self.latest is None and self.history:
            scores, threshold = self._latest_scores
            self.latest = self._views(scores, self.splits["test"][1], threshold)
        return self.latest

    def _views(self, scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, Any]:
        fpr, tpr, _ = roc_curve(scores, labels)
        logs = np.log10(np.maximum(scores, 1e-12))
        edges = np.linspace(float(logs.min()), float(logs.max()) + 1e-9, HIST_BINS + 1)
        normal, _ = np.histogram(logs[~labels], bins=edges)
        abnormal, _ = np.histogram(logs[labels], bins=edges)
        rows = self.scatter_rows
        xy, basis = _latent_2d(self._latest_codes)  # codes of X_test[rows], from the epoch's pass
        return {
            "histogram": {
                "edges": (10.0**edges).astype(np.float32),
                "normal": normal.astype(np.int32),
                "abnormal": abnormal.astype(np.int32),
                "log": True,
                "threshold": threshold,
            },
            "roc": {"fpr": fpr.astype(np.float32), "tpr": tpr.astype(np.float32)},
            "latent": {
                "xy": xy.astype(np.float32),
                "abnormal": labels[rows].astype(np.uint8),
                "basis": basis,
            },
        }

    # -- results ---------------------------------------------------------------------------
    def detector(self) -> Detector:
        """The last good model as a detector with the validation threshold set."""
        if not self.history:
            raise AnomascopeError("train at least one epoch first")
        det = AutoencoderDetector.from_state(
            architecture_of(self.config), _named(self.model, self.good_params)
        )
        det.threshold_ = float(self.history[-1]["threshold"])
        return det

    def manifest_fields(self, title: str) -> dict[str, Any]:
        last = self.history[-1]
        return {
            "title": title,
            "dataset": "ecg5000",
            "preprocessing": {"steps": [], "input_dim": BEAT_LENGTH},
            "threshold": {
                "value": last["threshold"],
                "rule": "best_f1_validation",
                "details": last["validation"],
            },
            "training": {
                "where": "browser",
                **self.config,
                "epochs_completed": len(self.history),
                "seconds": round(self.seconds, 3),
                "sizes": {k: len(v[0]) for k, v in self.splits.items()},
                # which beats each set used, so a page evaluating this model on UCR TEST can
                # leave out the beats it was trained or thresholded on
                "rows": training_rows(self.splits),
            },
            "metrics": {"test": last["test"], "validation": last["validation"]},
            "history": self.replay_document(),
        }

    def replay_document(self) -> dict[str, Any]:
        """The run's history as an ``anomascope-replay`` document (:func:`replay_history`)."""
        return replay_history(
            self.history, self._replay_counts, self.splits["test"][1], REPLAY_EDGES, SCORE_NAME
        )

    def export(self, name: str, title: str | None = None) -> tuple[str, bytes]:
        """The last good model in the weight format: ``(manifest JSON text, npz bytes)``,
        exactly the two files :func:`anomascope.weights.save_model` writes."""
        det = self.detector()
        with tempfile.TemporaryDirectory() as tmp:
            npz, js = save_model(tmp, name, det, self.manifest_fields(title or name))
            return Path(js).read_text(encoding="utf-8"), Path(npz).read_bytes()


def suggested_learning_rate(lr: float) -> float:
    """The learning rate the divergence message proposes: a tenth of ``lr``, and at most the
    page's default (which trains every optimizer of the page without diverging)."""
    return min(lr / 10, float(DEFAULTS["learning_rate"]))


def _named(model: Autoencoder, params: np.ndarray) -> dict[str, np.ndarray]:
    saved = model.params.copy()
    np.copyto(model.params, params)
    try:
        return model.state_dict()
    finally:
        np.copyto(model.params, saved)
