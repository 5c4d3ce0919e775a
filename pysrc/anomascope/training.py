"""Train a dense autoencoder on ECG5000 in bounded chunks (the "Train a model" page).

A :class:`TrainingSession` validates a JSON configuration, draws seeded, disjoint training,
validation and test sets, then trains in chunks (:meth:`TrainingSession.step`) so that the
browser worker answers within a time budget and the page can pause between chunks.

Data sampling (seeded by ``config["seed"]``)
--------------------------------------------
The two UCR files are pooled (TRAIN 500 + TEST 4500 = 5000 beats; class 1 normal, 2-5
abnormal). Per class, the pool is shuffled once with the seed.

- **Training**: ``train_size`` beats, of which ``round(train_size * abnormal_percent / 100)``
  are abnormal (a contaminated training set, as Anomagram allowed), the rest normal.
- **Validation**: ``validation_size`` beats drawn at random from the beats left over (their
  natural mix of classes). The threshold is chosen here: best F1.
- **Test**: ``test_size`` beats drawn at random from what is left after validation. Metrics,
  the ROC curve, the histogram and the latent scatter are on the test set only.

The three sets never share a beat. Beats are used as stored (already z-normalised per beat),
so the exported model's preprocessing is the identity. Because training beats may come from
the UCR TEST file, the exported manifest lists every set's pool indices under
``training.rows``, and the ECG lab leaves the beats a model was trained or thresholded on out
of its metrics on the UCR TEST file (:func:`anomascope.data.ecg.rows_seen_in_training`).

Per-epoch record
----------------
``{"epoch", "train_loss"`` (mean batch loss of the epoch, penalty included), ``"val_loss"``
(mean reconstruction error of the *normal* validation beats), ``"auc"``, ``"threshold"``,
``"test"`` (:func:`anomascope.metrics.metrics_summary` at the validation threshold),
``"seconds"`` (training time so far)``}``. The latest epoch also carries the test-score
histogram, the ROC curve and the latent scatter (:meth:`TrainingSession.views`).
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import BEAT_LENGTH
from anomascope.detectors.autoencoder import AutoencoderDetector
from anomascope.detectors.base import Detector
from anomascope.metrics import metrics_summary, roc_curve, threshold_best_f1
from anomascope.nn import ACTIVATIONS, OPTIMIZERS, Autoencoder, Trainer, TrainingDiverged
from anomascope.nn.optim import make_optimizer
from anomascope.nn.regularizers import make_regularizer
from anomascope.weights import save_model

MAX_PARAMETERS = 500_000
MAX_UNITS = 2048
MAX_LAYERS = 6
MAX_EPOCHS = 2000
MAX_SEED = 2**31 - 1
MAX_LEARNING_RATE = 100.0
SCATTER_POINTS = 400
HIST_BINS = 40
#: an epoch loss above this counts as divergence (beats are z-normalised: a fresh model's
#: loss is about 1), even while it is still finite
DIVERGED_LOSS = 1e4

DEFAULTS: dict[str, Any] = {
    "encoder_units": [32, 16],
    "latent_dim": 4,
    "activation": "relu",
    "mirrored": True,
    "decoder_units": [16, 32],
    "epochs": 30,
    "batch_size": 64,
    "learning_rate": 0.01,
    "optimizer": "adam",
    "regularizer": "none",
    "regularization_rate": 0.0001,
    "seed": 0,
    "train_size": 1000,
    "abnormal_percent": 0.0,
    "validation_size": 500,
    "test_size": 1500,
}


def _int(cfg: dict[str, Any], key: str, low: int, high: int, label: str) -> int:
    v = cfg[key]
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise AnomascopeError(f"{label} must be a whole number from {low:,} to {high:,}, got {v!r}")
    return v


def _num(
    cfg: dict[str, Any], key: str, low: float, high: float, label: str, *, open_low: bool
) -> float:
    v = cfg[key]
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if ok:
        ok = (v > low if open_low else v >= low) and v <= high
    if not ok:
        bound = f"{'above' if open_low else 'at least'} {low:g} and at most {high:g}"
        raise AnomascopeError(f"{label} must be a number {bound}, got {v!r}")
    return float(v)


def _units(value: Any, label: str, *, allow_empty: bool = True) -> list[int]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise AnomascopeError(f"{label} must be a list of layer sizes")
    if len(value) > MAX_LAYERS:
        raise AnomascopeError(f"{label}: at most {MAX_LAYERS} hidden layers, got {len(value)}")
    out = []
    for i, u in enumerate(value):
        if isinstance(u, float) and u.is_integer():
            u = int(u)
        if not isinstance(u, int) or isinstance(u, bool) or not 1 <= u <= MAX_UNITS:
            raise AnomascopeError(
                f"{label}: layer {i + 1} must have from 1 to {MAX_UNITS} units, got {u!r}"
            )
        out.append(u)
    return out


def architecture_of(cfg: dict[str, Any]) -> dict[str, Any]:
    """The autoencoder architecture dict of a validated config."""
    return {
        "input_dim": BEAT_LENGTH,
        "encoder_units": list(cfg["encoder_units"]),
        "latent_dim": cfg["latent_dim"],
        "decoder_units": list(cfg["decoder_units"]),
        "activation": cfg["activation"],
        "latent_activation": "linear",
        "output_activation": "linear",
        "leaky_slope": 0.01,
    }


def count_parameters(cfg: dict[str, Any]) -> int:
    """Weights + biases of the autoencoder a validated config describes."""
    dims = [BEAT_LENGTH, *cfg["encoder_units"], cfg["latent_dim"], *cfg["decoder_units"]]
    dims.append(BEAT_LENGTH)
    return sum(a * b + b for a, b in zip(dims[:-1], dims[1:], strict=True))


def validate_config(config: Any, pool: dict[str, int] | None = None) -> dict[str, Any]:
    """Check a page configuration; return it complete (defaults filled in, numbers typed).

    Parameters
    ----------
    config : dict
        Keys of :data:`DEFAULTS`; missing keys take the default, unknown keys are an error.
    pool : dict, optional
        ``{"normal": int, "abnormal": int}`` beats available, to check the data sizes.

    Raises
    ------
    AnomascopeError
        One clear message for the first impossible value.
    """
    if not isinstance(config, dict):
        raise AnomascopeError("the training configuration must be an object")
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise AnomascopeError(f"unknown training settings: {', '.join(map(str, unknown))}")
    cfg = {**DEFAULTS, **config}
    out: dict[str, Any] = {}
    out["encoder_units"] = _units(cfg["encoder_units"], "encoder")
    out["latent_dim"] = _int(cfg, "latent_dim", 1, 256, "latent size")
    if cfg["activation"] not in ACTIVATIONS or cfg["activation"] == "linear":
        names = ", ".join(a for a in ACTIVATIONS if a != "linear")
        raise AnomascopeError(f"activation must be one of {names}, got {cfg['activation']!r}")
    out["activation"] = cfg["activation"]
    if not isinstance(cfg["mirrored"], bool):
        raise AnomascopeError("mirrored must be true or false")
    out["mirrored"] = cfg["mirrored"]
    dec = out["encoder_units"][::-1] if cfg["mirrored"] else cfg["decoder_units"]
    out["decoder_units"] = _units(dec, "decoder")
    params = count_parameters(out)
    if params > MAX_PARAMETERS:
        raise AnomascopeError(
            f"this network has {params:,} parameters; the limit is {MAX_PARAMETERS:,}. "
            "Use fewer or smaller layers."
        )
    out["epochs"] = _int(cfg, "epochs", 1, MAX_EPOCHS, "epochs")
    out["learning_rate"] = _num(
        cfg, "learning_rate", 0, MAX_LEARNING_RATE, "learning rate", open_low=True
    )
    if cfg["optimizer"] not in OPTIMIZERS:
        raise AnomascopeError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
    out["optimizer"] = cfg["optimizer"]
    if cfg["regularizer"] not in ("none", "l1", "l2", "l1l2"):
        raise AnomascopeError("regularizer must be one of none, l1, l2, l1l2")
    out["regularizer"] = cfg["regularizer"]
    out["regularization_rate"] = _num(
        cfg, "regularization_rate", 0, 10, "regularization rate", open_low=False
    )
    out["seed"] = _int(cfg, "seed", 0, MAX_SEED, "seed")
    out["abnormal_percent"] = _num(
        cfg, "abnormal_percent", 0, 70, "abnormal percentage", open_low=False
    )
    out["train_size"] = _int(cfg, "train_size", 10, 5000, "training size")
    out["validation_size"] = _int(cfg, "validation_size", 20, 5000, "validation size")
    out["test_size"] = _int(cfg, "test_size", 20, 5000, "test size")
    out["batch_size"] = _int(cfg, "batch_size", 1, 5000, "batch size")
    if out["batch_size"] > out["train_size"]:
        raise AnomascopeError(
            f"batch size ({out['batch_size']:,}) is larger than the training set "
            f"({out['train_size']:,} beats); use a batch of at most {out['train_size']:,}"
        )
    if pool is not None:
        n_abn = round(out["train_size"] * out["abnormal_percent"] / 100)
        n_norm = out["train_size"] - n_abn
        total = pool["normal"] + pool["abnormal"]
        used = out["train_size"] + out["validation_size"] + out["test_size"]
        if n_norm > pool["normal"] or n_abn > pool["abnormal"]:
            raise AnomascopeError(
                f"the training set asks for {n_norm:,} normal and {n_abn:,} abnormal beats; "
                f"there are {pool['normal']:,} and {pool['abnormal']:,}"
            )
        if used > total:
            raise AnomascopeError(
                f"training, validation and test sizes add up to {used:,} beats; "
                f"ECG5000 has {total:,}"
            )
    return out


def split_data(
    X: np.ndarray, y: np.ndarray, cfg: dict[str, Any]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Seeded disjoint ``{"train", "validation", "test"}`` -> (row indices, anomaly bool).

    ``X`` float32 ``(n, 140)`` and ``y`` class labels ``(n,)`` are the pooled beats; see the
    module docstring for the sampling.
    """
    rng = np.random.default_rng([cfg["seed"], 7])
    normal = rng.permutation(np.flatnonzero(y == 1))
    abnormal = rng.permutation(np.flatnonzero(y != 1))
    n_abn = round(cfg["train_size"] * cfg["abnormal_percent"] / 100)
    n_norm = cfg["train_size"] - n_abn
    train = np.concatenate([normal[:n_norm], abnormal[:n_abn]])
    rest = rng.permutation(np.concatenate([normal[n_norm:], abnormal[n_abn:]]))
    nv, nt = cfg["validation_size"], cfg["test_size"]
    val, test = rest[:nv], rest[nv : nv + nt]
    out = {}
    for name, idx in (("train", train), ("validation", val), ("test", test)):
        idx = np.sort(idx)
        labels = y[idx] != 1
        if name != "train" and (labels.all() or not labels.any()):
            raise AnomascopeError(f"the {name} set needs normal and abnormal beats; make it larger")
        out[name] = (idx, labels)
    return out


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
        Pooled ECG5000 beats (see the module docstring).
    y : ndarray, int (n,)
        Class labels 1..5 (1 = normal).
    """

    def __init__(self, config: Any, X: np.ndarray, y: np.ndarray) -> None:
        y = np.asarray(y)
        pool = {"normal": int(np.sum(y == 1)), "abnormal": int(np.sum(y != 1))}
        self.config = validate_config(config, pool)
        self.X = np.ascontiguousarray(X, dtype=np.float32)
        self.splits = split_data(self.X, y, self.config)
        cfg = self.config
        self.X_train = np.ascontiguousarray(self.X[self.splits["train"][0]])
        self.X_val = self.X[self.splits["validation"][0]]
        self.X_test = self.X[self.splits["test"][0]]
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
        self.good_params = self.model.params.copy()  # the model after the last good epoch
        self.latest: dict[str, Any] | None = None
        self._latest_scores: tuple[np.ndarray, float] = (np.zeros(0), 0.0)
        self._epoch_losses: list[float] = []
        self._step_seconds = 0.0

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
            **self.progress(),
        }

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
            "seconds": self.seconds,
            "seconds_left": None if per_epoch is None else per_epoch * left,
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
        start = time.perf_counter()
        budget = max_batches if max_batches is not None else 1_000_000_000
        while self.status != "done" and budget > 0:
            elapsed = time.perf_counter() - start
            if elapsed >= max_seconds:
                break
            self.status = "training"
            left_in_epoch = self.steps_per_epoch - self.trainer.step % self.steps_per_epoch
            guess = 1 if self._step_seconds <= 0 else (max_seconds - elapsed) / self._step_seconds
            n = int(max(1, min(left_in_epoch, budget, guess)))
            t0 = time.perf_counter()
            try:
                losses = self.trainer.train_steps(self.X_train, n)
            except TrainingDiverged:
                self._diverge("the loss became infinite or not a number")
                break
            dt = time.perf_counter() - t0
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
        epoch = len(self.history) + 1
        kept = f"the model after epoch {epoch - 1}" if epoch > 1 else "the untrained model"
        self.message = (
            f"Training diverged in epoch {epoch}: {what}. Training stopped and {kept} is kept. "
            f"Lower the learning rate to {lr / 10:g} or less (it is {lr:g})"
            + ("" if self.config["optimizer"] == "adam" else ", or switch to the Adam optimizer")
            + ", then reset and train again."
        )

    def _end_epoch(self) -> dict[str, Any] | None:
        model = self.model
        with np.errstate(over="ignore", invalid="ignore"):
            val_scores = _scores(model, self.X_val)
            test_scores = _scores(model, self.X_test)
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
        self.history.append(record)
        self._latest_scores = (test_scores, choice.value)
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
        Z = self.model.encode(self.X_test[rows])
        xy, basis = _latent_2d(Z)
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
                "rows": {
                    "pool": "index i < 500: UCR TRAIN row i; i >= 500: UCR TEST row i - 500",
                    **{k: v[0].tolist() for k, v in self.splits.items()},
                },
            },
            "metrics": {"test": last["test"], "validation": last["validation"]},
            "history": {
                "train_loss": [r["train_loss"] for r in self.history],
                "val_loss": [r["val_loss"] for r in self.history],
                "auc": [r["auc"] for r in self.history],
            },
        }

    def export(self, name: str, title: str | None = None) -> tuple[str, bytes]:
        """The last good model in the weight format: ``(manifest JSON text, npz bytes)``,
        exactly the two files :func:`anomascope.weights.save_model` writes."""
        det = self.detector()
        with tempfile.TemporaryDirectory() as tmp:
            npz, js = save_model(tmp, name, det, self.manifest_fields(title or name))
            return Path(js).read_text(encoding="utf-8"), Path(npz).read_bytes()


def _scores(model: Autoencoder, X: np.ndarray) -> np.ndarray:
    diff = model.reconstruct(X)
    diff -= X
    return np.einsum("ij,ij->i", diff, diff) / X.shape[1]


def _named(model: Autoencoder, params: np.ndarray) -> dict[str, np.ndarray]:
    saved = model.params.copy()
    np.copyto(model.params, params)
    try:
        return model.state_dict()
    finally:
        np.copyto(model.params, saved)
