"""Optimizers with the update rules and defaults of ``torch.optim`` (torch 2.x, single-tensor
path, ``maximize=False``, ``weight_decay=0``: weight penalties live in
:mod:`anomascope.nn.regularizers`).

Each optimizer updates its parameter arrays **in place** and keeps per-parameter state
(same shape and dtype as the parameter). A model passes its one flat parameter vector, so a
step costs a handful of vectorised numpy calls whatever the number of layers.

=========  =====================================================  =======================
name       rule (``g`` gradient, ``t`` step count from 1)          defaults (as torch)
=========  =====================================================  =======================
sgd        ``p -= lr * g`` (+ momentum, see ``momentum``)          lr=1e-3, momentum=0
momentum   SGD with ``buf = mu*buf + (1-dampening)*g``             lr=1e-3, momentum=0.9
           (``buf = g`` at the first step); nesterov uses
           ``g + mu*buf``                                          dampening=0
rmsprop    ``v = a*v + (1-a)*g^2``; ``p -= lr*g/(sqrt(v)+eps)``    lr=1e-2, alpha=0.99,
                                                                   eps=1e-8
adam       bias-corrected moments                                  lr=1e-3,
                                                                   betas=(0.9, 0.999),
                                                                   eps=1e-8
adamax     ``u = max(b2*u, |g|+eps)``                              lr=2e-3, betas, eps=1e-8
adadelta   ``rho`` averages of ``g^2`` and of updates              lr=1.0, rho=0.9, eps=1e-6
=========  =====================================================  =======================

``momentum`` is ``torch.optim.SGD`` with a non-zero momentum (torch has no separate class);
torch's SGD learning-rate default is 1e-3 in the installed torch, and so is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.optim.adaptive import Adadelta, Adam, Adamax
from anomascope.nn.optim.base import Optimizer
from anomascope.nn.optim.sgd import SGD, Momentum, RMSprop

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamax": Adamax,
    "adadelta": Adadelta,
}


def make_optimizer(
    name: str, params: np.ndarray | Sequence[np.ndarray], **hyperparameters: Any
) -> Optimizer:
    """Build optimizer ``name`` (a key of :data:`OPTIMIZERS`) over ``params``.

    Unknown names and unknown hyperparameters raise :class:`AnomascopeError`.
    """
    if name not in OPTIMIZERS:
        raise AnomascopeError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    try:
        return OPTIMIZERS[name](params, **hyperparameters)
    except TypeError as exc:
        raise AnomascopeError(f"bad settings for optimizer {name!r}: {exc}") from None


__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adam",
    "Adamax",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "make_optimizer",
]
