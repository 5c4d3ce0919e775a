"""Numpy neural-network engine: dense layers, losses, regularizers, optimizers, models, trainer.

Float32 by default, deterministic given a ``numpy.random.Generator``, no Python loops over rows.
"""

from anomascope.nn.activations import ACTIVATIONS
from anomascope.nn.layers import Dense, get_kernel, set_kernel
from anomascope.nn.losses import LOSSES, loss_grad, loss_value
from anomascope.nn.models import VAE, Autoencoder, normalize_architecture
from anomascope.nn.optim import (
    OPTIMIZERS,
    SGD,
    Adadelta,
    Adam,
    Adamax,
    Momentum,
    Optimizer,
    RMSprop,
    make_optimizer,
)
from anomascope.nn.regularizers import REGULARIZERS, Regularizer, make_regularizer
from anomascope.nn.trainer import Trainer, TrainingDiverged

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "OPTIMIZERS",
    "REGULARIZERS",
    "SGD",
    "VAE",
    "Adadelta",
    "Adam",
    "Adamax",
    "Autoencoder",
    "Dense",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "Regularizer",
    "Trainer",
    "TrainingDiverged",
    "get_kernel",
    "loss_grad",
    "loss_value",
    "make_optimizer",
    "make_regularizer",
    "normalize_architecture",
    "set_kernel",
]
