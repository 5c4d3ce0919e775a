"""Dense autoencoder detector: trainable in numpy, or built from exported torch weights.

The anomaly score is the per-row mean squared reconstruction error (higher = more anomalous).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import ReconstructionDetector
from anomascope.detectors.products import input_product
from anomascope.nn.activations import activate_
from anomascope.nn.models import VAE, Autoencoder, normalize_architecture
from anomascope.nn.optim import make_optimizer
from anomascope.nn.regularizers import Regularizer
from anomascope.nn.trainer import Trainer

#: rows of training between two yields of ``fit_steps`` (about 100 ms in the browser)
ROWS_PER_STEP = 2048
#: used when ``architecture`` is omitted (``input_dim`` comes from the data)
DEFAULT_ARCHITECTURE: dict[str, Any] = {"encoder_units": [32, 16], "latent_dim": 8}


class _DenseDetector(ReconstructionDetector):
    """Shared fit / parameter plumbing of the autoencoder and VAE detectors."""

    model_class: ClassVar[type[Autoencoder] | type[VAE]] = Autoencoder
    _is_vae: ClassVar[bool] = False

    def __init__(
        self,
        architecture: dict[str, Any] | None = None,
        *,
        epochs: int = 20,
        batch_size: int = 256,
        optimizer: str = "adam",
        optimizer_kwargs: dict[str, Any] | None = None,
        loss: str = "mse",
        regularizer: Regularizer | None = None,
        seed: int = 0,
    ) -> None:
        self.architecture_in = architecture
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.optimizer_kwargs = dict(optimizer_kwargs or {})
        self.loss = loss
        self.regularizer = regularizer
        self.seed = seed
        self.model_: Any = None
        self.trainer_: Trainer | None = None
        self.history_: list[float] = []

    # -- training ------------------------------------------------------------------------
    def _resolve_architecture(self, input_dim: int) -> dict[str, Any]:
        arch = dict(DEFAULT_ARCHITECTURE if self.architecture_in is None else self.architecture_in)
        arch.setdefault("input_dim", input_dim)
        if arch["input_dim"] != input_dim:
            raise AnomascopeError(
                f"architecture input_dim is {arch['input_dim']} "
                f"but the data has {input_dim} columns"
            )
        return normalize_architecture(arch, vae=self._is_vae)

    def make_trainer(self, input_dim: int, rng: np.random.Generator | None = None) -> Trainer:
        """Build (or reuse) the model and a resumable :class:`Trainer` for chunked training.

        The model is initialised from ``rng`` (default ``default_rng(seed)``), which then also
        drives shuffling and noise. Afterwards ``trainer.train_steps(X, k)`` /
        ``trainer.train_epoch(X)`` train ``self.model_`` in place.
        """
        rng = np.random.default_rng(self.seed) if rng is None else rng
        if self.model_ is None:
            self.model_ = self.model_class(self._resolve_architecture(input_dim), rng)
        opt = make_optimizer(self.optimizer, self.model_.params, **self.optimizer_kwargs)
        self.trainer_ = Trainer(
            self.model_,
            opt,
            loss=self.loss,
            regularizer=self.regularizer,
            batch_size=self.batch_size,
            rng=rng,
        )
        return self.trainer_

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> _DenseDetector:
        """Train a fresh model for ``epochs`` epochs on rows ``X`` ``(n, d)``; returns self.

        Raises
        ------
        TrainingDiverged
            If the loss becomes non-finite (``model_`` keeps its last good parameters).
        """
        X = np.asarray(X, dtype=np.float32)
        trainer = self._fresh_trainer(X)
        for _ in range(int(self.epochs)):
            self.history_.append(float(trainer.train_epoch(X).mean()))
        return self

    def _fresh_trainer(self, X: np.ndarray) -> Any:
        """Check the training rows ``X`` (float32 ``(n, d)``), forget any fitted model and its
        history, and return a trainer of a new model for ``d`` inputs."""
        if X.ndim != 2 or X.shape[0] == 0:
            raise AnomascopeError(f"training data must be a non-empty 2-d array, got {X.shape}")
        if not np.isfinite(X).all():
            raise AnomascopeError("training data contains NaN or infinite values")
        self.model_ = None
        self.history_ = []
        return self.make_trainer(X.shape[1])

    def fit_steps(self, X: np.ndarray, y: np.ndarray | None = None) -> Iterator[float]:
        """Train a fresh model like :meth:`fit`, yielding the fraction of batches done after
        every :data:`ROWS_PER_STEP` rows of training (a few epochs on small data)."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        trainer = self._fresh_trainer(X)
        per_epoch = trainer.batches_per_epoch(X.shape[0])
        total = per_epoch * int(self.epochs)
        chunk = max(1, ROWS_PER_STEP // int(self.batch_size))
        done = 0
        epoch_losses: list[float] = []
        while done < total:  # loop over chunks of batches
            n = min(chunk, total - done, per_epoch - done % per_epoch)
            epoch_losses.extend(trainer.train_steps(X, n).tolist())
            done += n
            if done % per_epoch == 0:
                self.history_.append(float(np.mean(epoch_losses)))
                epoch_losses = []
            if done < total:
                yield done / total
        yield 1.0

    # -- scoring -------------------------------------------------------------------------
    def _fitted(self) -> Any:
        if self.model_ is None:
            raise AnomascopeError(f"this {type(self).__name__} is not fitted yet")
        return self.model_

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruction of ``X`` ``(n, d)``, float32, same shape."""
        return self._fitted().reconstruct(X)

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Per-row mean squared reconstruction error, float32 ``(n,)``: the numbers of
        ``((reconstruct(X) - X) ** 2).mean(1)`` (VAE: through ``mu``).

        The first layer's product skips the columns of ``X`` that are zero in every row
        (:func:`~anomascope.detectors.products.input_product`: one-hot encoded tables), which
        changes only the rounding of its float32 sums.
        """
        model = self._fitted()
        X = model._check_X(np.asarray(X, dtype=np.float32))
        first = model.layers[0]
        if first.activation == "sigmoid" or (self._is_vae and not model.encoder):
            return model.reconstruction_errors(X)  # sigmoid: Dense negates the weights
        h = input_product(X, first.W)
        h += first.b
        if first.activation != "linear":
            activate_(h, first.activation, first.slope)
        if not self._is_vae:
            return model._errors_(model._forward(model.layers[1:], h), X)
        mu = model.head.forward(model._forward(model.encoder[1:], h))[:, : model.latent_dim]
        return model._errors_(model.decode(np.ascontiguousarray(mu)), X)

    # -- parameters ----------------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        return dict(self._fitted().architecture)

    def state_dict(self) -> dict[str, np.ndarray]:
        return self._fitted().state_dict()

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        return cls.model_class.expected_shapes(architecture)

    @classmethod
    def from_state(
        cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> _DenseDetector:
        det = cls(architecture)
        model = cls.model_class(architecture)
        model.load_state_dict(arrays)
        det.model_ = model
        return det


class AutoencoderDetector(_DenseDetector):
    """Dense autoencoder detector (kind ``"autoencoder"``).

    Parameters
    ----------
    architecture : dict, optional
        See :mod:`anomascope.nn.models`; default :data:`DEFAULT_ARCHITECTURE` with the
        data's ``input_dim``.
    epochs, batch_size : int
        Training length and rows per step.
    optimizer : str
        A key of :data:`anomascope.nn.optim.OPTIMIZERS`; ``optimizer_kwargs`` are its
        hyperparameters (torch names and defaults, e.g. ``{"lr": 1e-3}``).
    loss : {"mse", "mae"}
    regularizer : Regularizer, optional
        Weight penalty (see :mod:`anomascope.nn.regularizers`).
    seed : int
        Seeds weight initialisation, shuffling (and the VAE's noise).

    explain_method: squared reconstruction error per feature divided by ``d``; a row's
    contributions add up to its score.

    Attributes
    ----------
    model_ : Autoencoder
    history_ : list of float
        Mean batch loss per epoch of the last :meth:`fit`.
    """

    kind: ClassVar[str] = "autoencoder"
    model_class = Autoencoder


def table_architecture(input_dim: int, hidden_units: int = 0) -> dict[str, Any]:
    """The table autoencoder: ``d -> h -> code -> h -> d`` (ReLU, linear code and output).

    ``h`` is ``hidden_units``, or ``min(64, max(8, d))`` when 0; the code has
    ``max(1, min(h // 2, ceil(d / 4)))`` units, so it is narrower than the input.
    """
    d = int(input_dim)
    h = int(hidden_units) or min(64, max(8, d))
    code = max(1, min(h // 2, math.ceil(d / 4)))
    return {
        "input_dim": d,
        "encoder_units": [h],
        "latent_dim": code,
        "activation": "relu",
        "latent_activation": "linear",
        "output_activation": "linear",
    }


class TableAutoencoderDetector(AutoencoderDetector):
    """The "Your data" autoencoder (kind ``"autoencoder"``): sized from the data's width by
    :func:`table_architecture`, trained with Adam on the mean squared error.

    explain_method: squared reconstruction error per feature divided by ``d``; a row's
    contributions add up to its score. A saved model loads back as
    :class:`AutoencoderDetector` with identical scores.
    """

    def __init__(
        self,
        hidden_units: int = 0,
        *,
        epochs: int = 20,
        batch_size: int = 256,
        learning_rate: float = 3e-3,
        seed: int = 0,
    ) -> None:
        super().__init__(
            None,
            epochs=epochs,
            batch_size=batch_size,
            optimizer="adam",
            optimizer_kwargs={"lr": float(learning_rate)},
            seed=seed,
        )
        self.hidden_units = int(hidden_units)

    def _resolve_architecture(self, input_dim: int) -> dict[str, Any]:
        return normalize_architecture(table_architecture(input_dim, self.hidden_units))
