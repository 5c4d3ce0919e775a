"""Reconstruction losses: mean squared error and mean absolute error.

Both are averaged over **every element** (rows and features), as torch's ``MSELoss`` and
``L1Loss`` with ``reduction="mean"``::

    mse(pred, target) = sum((pred - target) ** 2) / pred.size
    mae(pred, target) = sum(|pred - target|) / pred.size

The gradient of ``mae`` at ``pred == target`` is 0 (torch's convention).
"""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.layers import sumsq

LOSSES: tuple[str, ...] = ("mse", "mae")


def check_loss(name: str) -> str:
    """Return ``name`` if it is a known loss, else raise :class:`AnomascopeError`."""
    if name not in LOSSES:
        raise AnomascopeError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return name


def loss_value(name: str, pred: np.ndarray, target: np.ndarray) -> float:
    """Loss ``name`` between ``pred`` and ``target`` (same shape), as a Python float."""
    diff = np.asarray(pred) - np.asarray(target)
    if check_loss(name) == "mse":
        return float(sumsq(diff)) / diff.size
    return float(np.abs(diff).sum()) / diff.size


def loss_grad(name: str, pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Gradient of :func:`loss_value` with respect to ``pred``; same shape and dtype."""
    diff = np.asarray(pred) - np.asarray(target)
    if check_loss(name) == "mse":
        return diff * diff.dtype.type(2.0 / diff.size)
    return np.sign(diff) * diff.dtype.type(1.0 / diff.size)


def residual_(name: str, diff: np.ndarray) -> tuple[float, float]:
    """Fused loss value and *unscaled* gradient, in place.

    Parameters
    ----------
    name : {"mse", "mae"}
    diff : ndarray, C-contiguous
        ``pred - target``. Overwritten with ``delta`` such that
        ``dloss/dpred = factor * delta``.

    Returns
    -------
    value : float
        The loss.
    factor : float
        Scale to apply to every gradient computed from ``delta`` (done once, on the flat
        parameter gradient, instead of on the large ``delta`` array).
    """
    n = diff.size
    if name == "mse":
        return float(sumsq(diff)) / n, 2.0 / n
    if name == "mae":
        value = float(np.abs(diff).sum()) / n
        np.sign(diff, out=diff)
        return value, 1.0 / n
    check_loss(name)
    raise AssertionError  # unreachable
