"""Resumable minibatch training for the numpy models.

The browser's Web Worker trains in chunks (a few steps per message, so the page stays
responsive and a run can be cancelled by not sending the next message). A :class:`Trainer`
therefore keeps everything needed to resume: the epoch and step counters, the current
epoch's shuffled row order and position, and the optimizer state.

Divergence
----------
Before every update the trainer copies the parameters and optimizer state. When a batch loss
is not finite, it restores that copy -- the last parameters whose loss was finite -- and
raises :class:`TrainingDiverged`, so the caller can keep (and export) the last good model.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.losses import check_loss
from anomascope.nn.optim import Optimizer
from anomascope.nn.regularizers import Regularizer


class TrainingDiverged(AnomascopeError):
    """The loss became NaN or infinite; the model holds its last good parameters."""


class TrainableModel(Protocol):
    """What :class:`Trainer` needs from a model (``Autoencoder`` and ``VAE`` fit)."""

    params: np.ndarray
    grads: np.ndarray
    input_dim: int
    dtype: np.dtype

    def loss_and_grad(
        self,
        X: np.ndarray,
        loss: str = ...,
        regularizer: Regularizer | None = ...,
        rng: np.random.Generator | None = ...,
    ) -> float: ...


class Trainer:
    """Shuffled minibatch training of ``model`` with ``optimizer``.

    Parameters
    ----------
    model : Autoencoder or VAE
        Trained in place.
    optimizer : Optimizer
        Built over ``model.params`` (e.g. ``Adam(model.params, lr=1e-3)``).
    loss : {"mse", "mae"}
    regularizer : Regularizer, optional
        Weight penalty added to every batch loss.
    batch_size : int
        Rows per step; the last batch of an epoch holds the remainder (may be smaller).
    rng : numpy.random.Generator
        Shuffles rows (a new permutation every epoch) and draws the VAE noise.
    shuffle : bool
        ``False`` keeps the row order (for tests).

    Attributes
    ----------
    epoch : int
        Completed epochs.
    step : int
        Updates applied so far.
    position : int
        Rows of the current epoch already used.
    """

    def __init__(
        self,
        model: TrainableModel,
        optimizer: Optimizer,
        *,
        loss: str = "mse",
        regularizer: Regularizer | None = None,
        batch_size: int = 32,
        rng: np.random.Generator,
        shuffle: bool = True,
    ) -> None:
        if not any(p is model.params for p in optimizer.params) or len(optimizer.params) != 1:
            raise AnomascopeError("the optimizer must be built over model.params")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise AnomascopeError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.model = model
        self.optimizer = optimizer
        self.loss = check_loss(loss)
        self.regularizer = regularizer
        self.batch_size = batch_size
        self.rng = rng
        self.shuffle = shuffle
        self.epoch = 0
        self.step = 0
        self.position = 0
        self._order: np.ndarray | None = None
        self._n_rows = -1
        self._batch: dict[int, np.ndarray] = {}
        self._saved_params = np.empty_like(model.params)
        self._saved_state = [np.empty_like(a) for a in optimizer.state_arrays()]
        self._saved_t = 0

    # -- bookkeeping ---------------------------------------------------------------------
    def batches_per_epoch(self, n_rows: int) -> int:
        """Number of steps in one epoch over ``n_rows`` rows."""
        return -(-n_rows // self.batch_size)

    def state(self) -> dict[str, Any]:
        """JSON-able progress: epoch, step, position and settings."""
        return {
            "epoch": self.epoch,
            "step": self.step,
            "position": self.position,
            "batch_size": self.batch_size,
            "loss": self.loss,
            "optimizer": self.optimizer.config(),
            "regularizer": None if self.regularizer is None else self.regularizer.config(),
        }

    def _check_data(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.model.input_dim or X.shape[0] == 0:
            raise AnomascopeError(
                f"training data must have shape (n > 0, {self.model.input_dim}), got {X.shape}"
            )
        if X.dtype != self.model.dtype or not X.flags.c_contiguous:
            X = np.ascontiguousarray(X, dtype=self.model.dtype)
        if X.shape[0] != self._n_rows:  # new data: start a fresh epoch
            self._n_rows = X.shape[0]
            self._order = None
            self.position = 0
        return X

    def _next_batch(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        if self._order is None:
            self._order = self.rng.permutation(n) if self.shuffle else np.arange(n)
            self.position = 0
        idx = self._order[self.position : self.position + self.batch_size]
        self.position += idx.size
        buf = self._batch.get(idx.size)
        if buf is None:
            buf = self._batch[idx.size] = np.empty((idx.size, X.shape[1]), X.dtype)
        np.take(X, idx, axis=0, out=buf, mode="wrap")  # "raise" would buffer: 5x slower
        if self.position >= n:
            self.epoch += 1
            self._order = None
        return buf

    # -- training ------------------------------------------------------------------------
    def train_step(self, batch: np.ndarray) -> float:
        """One update on ``batch`` (n, d); returns its loss (before the update).

        Raises
        ------
        TrainingDiverged
            If the loss is not finite; parameters and optimizer state are restored to the
            last state whose loss was finite (the update that led here is undone).
        """
        model, opt = self.model, self.optimizer
        value = model.loss_and_grad(batch, self.loss, self.regularizer, self.rng)
        if not np.isfinite(value):
            self._restore()
            raise TrainingDiverged(
                f"training diverged: the loss became {value} at step {self.step + 1} "
                f"(epoch {self.epoch + 1}); the model keeps its last good parameters. "
                "Try a lower learning rate."
            )
        np.copyto(self._saved_params, model.params)
        for dst, src in zip(self._saved_state, opt.state_arrays(), strict=True):
            np.copyto(dst, src)
        self._saved_t = opt.t
        opt.step(model.grads)
        self.step += 1
        return value

    def _restore(self) -> None:
        if self.step == 0 or self._saved_t != self.optimizer.t - 1:
            return  # no update applied since the last finite loss
        np.copyto(self.model.params, self._saved_params)
        for dst, src in zip(self.optimizer.state_arrays(), self._saved_state, strict=True):
            np.copyto(dst, src)
        self.optimizer.t = self._saved_t
        self.step -= 1

    def train_steps(self, X: np.ndarray, n_steps: int) -> np.ndarray:
        """Run ``n_steps`` updates over ``X``, crossing epoch boundaries as needed.

        Returns the batch losses, float64 array of shape ``(n_steps,)``.
        """
        X = self._check_data(X)
        losses = np.empty(int(n_steps))
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
            for i in range(int(n_steps)):
                losses[i] = self.train_step(self._next_batch(X))
        return losses

    def train_epoch(self, X: np.ndarray) -> np.ndarray:
        """Run the rest of the current epoch (a whole epoch when at its start).

        Returns the batch losses, float64 array of shape ``(steps,)``.
        """
        X = self._check_data(X)
        remaining = X.shape[0] - (self.position if self._order is not None else 0)
        return self.train_steps(X, -(-remaining // self.batch_size))
