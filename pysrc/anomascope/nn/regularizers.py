"""Kernel (weight) regularizers: l1, l2 and l1l2, applied to weights only, never to biases.

Penalty convention (the same as Keras, and as ``weight_penalty`` in ``train/torch_models.py``)::

    penalty = l1 * sum(|W|) + l2 * sum(W ** 2)        summed over every weight matrix
    dpenalty/dW = l1 * sign(W) + 2 * l2 * W

The penalty is **added to the mean loss** of a batch. Its rates are independent of the
optimizer's learning rate (unlike Anomagram, which tied them together).
"""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.layers import sumsq

REGULARIZERS: tuple[str, ...] = ("none", "l1", "l2", "l1l2")


class Regularizer:
    """An l1 / l2 / l1l2 weight penalty.

    Parameters
    ----------
    l1, l2 : float
        Non-negative rates of the l1 and l2 terms.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        for label, rate in (("l1", l1), ("l2", l2)):
            if not (isinstance(rate, int | float) and np.isfinite(rate) and rate >= 0):
                raise AnomascopeError(
                    f"regularization rate {label} must be a finite number >= 0, got {rate!r}"
                )
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __repr__(self) -> str:
        return f"Regularizer(l1={self.l1}, l2={self.l2})"

    def config(self) -> dict[str, float]:
        """JSON-able rates ``{"l1": ..., "l2": ...}``."""
        return {"l1": self.l1, "l2": self.l2}

    def penalty(self, weights: np.ndarray) -> float:
        """Penalty of ``weights`` (any shape, e.g. the flat weight region of a model)."""
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(weights).sum())
        if self.l2:
            total += self.l2 * float(sumsq(weights))
        return total

    def add_grad_(self, weights: np.ndarray, grads: np.ndarray) -> None:
        """Add the penalty's gradient to ``grads`` (same shape as ``weights``) in place."""
        if self.l1:
            s = np.sign(weights)
            s *= s.dtype.type(self.l1)
            grads += s
        if self.l2:
            s = weights * weights.dtype.type(2.0 * self.l2)
            grads += s


def make_regularizer(
    kind: str | None, rate: float = 0.01, *, l1: float | None = None, l2: float | None = None
) -> Regularizer | None:
    """Build a regularizer by name.

    Parameters
    ----------
    kind : {"none", "l1", "l2", "l1l2"} or None
        ``None`` and ``"none"`` return ``None`` (no penalty).
    rate : float
        The rate of ``"l1"`` or ``"l2"``.
    l1, l2 : float, optional
        The two rates of ``"l1l2"`` (each defaults to ``rate``).
    """
    if kind is None or kind == "none":
        return None
    if kind == "l1":
        return Regularizer(l1=rate)
    if kind == "l2":
        return Regularizer(l2=rate)
    if kind == "l1l2":
        return Regularizer(l1=rate if l1 is None else l1, l2=rate if l2 is None else l2)
    raise AnomascopeError(f"unknown regularizer {kind!r}; choose one of {', '.join(REGULARIZERS)}")
