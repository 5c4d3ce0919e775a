"""Element-wise activations, applied in place.

Every function works on float32 or float64 arrays of any shape. The backward pass is written in
terms of the activation's *output* ``a = f(z)`` (not its input), so a layer only has to keep its
output: ``relu`` and ``leaky_relu`` use the sign of ``a`` (for ``0 <= slope``), ``tanh`` uses
``1 - a**2`` and ``sigmoid`` uses ``a * (1 - a)``.

Derivatives at exactly ``z = 0`` follow torch: ``relu'(0) = 0`` and ``leaky_relu'(0) = slope``.
"""

from __future__ import annotations

import sys

import numpy as np

from anomascope import AnomascopeError

ACTIVATIONS: tuple[str, ...] = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
#: relu's backward mask: ``sign(a)`` (fastest without SIMD) or ``a > 0`` (fastest natively);
#: follows :func:`anomascope.nn.layers.set_kernel`
_sign_mask: bool = sys.platform == "emscripten"


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation, else raise :class:`AnomascopeError`."""
    if name not in ACTIVATIONS:
        raise AnomascopeError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return name


def activate_(z: np.ndarray, name: str, slope: float = 0.01) -> np.ndarray:
    """Apply activation ``name`` to ``z`` in place and return ``z``.

    Parameters
    ----------
    z : ndarray, float32 or float64, any shape
        Pre-activations; overwritten with ``f(z)``.
    name : str
        One of :data:`ACTIVATIONS`.
    slope : float
        Negative slope of ``leaky_relu`` (``0 <= slope <= 1``).
    """
    if name == "relu":
        np.maximum(z, 0, out=z)
    elif name == "leaky_relu":
        np.maximum(z, z * z.dtype.type(slope), out=z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "sigmoid":
        np.negative(z, out=z)
        sigmoid_of_negated_(z)
    elif name != "linear":
        check_activation(name)
    return z


def sigmoid_of_negated_(t: np.ndarray) -> np.ndarray:
    """``sigmoid(z)`` in place, given ``t = -z`` (float32 or float64, any shape).

    ``1 / (1 + exp(-z))``: exp is about 2.5x faster than tanh in Pyodide's numpy (measured:
    630,000 float32 values, 10 ms against 25 ms). For z below about -88 (float32) or -709
    (float64) ``exp(-z)`` overflows to inf and the result is the correct limit 0. A layer
    passes ``-z`` directly (negating its small weight matrix instead of the large output).
    """
    with np.errstate(over="ignore", under="ignore"):
        np.exp(t, out=t)
    t += 1.0
    np.reciprocal(t, out=t)
    return t


def activate(z: np.ndarray, name: str, slope: float = 0.01) -> np.ndarray:
    """Out-of-place :func:`activate_`: returns ``f(z)`` as a new array."""
    return activate_(np.array(z, copy=True), name, slope)


def backward_(g: np.ndarray, a: np.ndarray, name: str, slope: float = 0.01) -> np.ndarray:
    """Multiply ``g`` in place by ``f'(z)``, computed from the output ``a = f(z)``.

    ``a`` is **overwritten** (used as scratch) for every activation except ``linear``.

    Parameters
    ----------
    g : ndarray, shape like ``a``
        Gradient of the loss with respect to ``a``; becomes the gradient with respect to ``z``.
    a : ndarray
        Activation output, destroyed.
    name, slope
        As in :func:`activate_`.
    """
    if name == "relu":
        if _sign_mask:  # a >= 0, so sign(a) is the 0/1 mask
            np.sign(a, out=a)
        else:  # native numpy vectorises comparisons, not sign
            np.greater(a, 0, out=a)
        g *= a
    elif name == "leaky_relu":
        np.greater(a, 0, out=a)
        a *= a.dtype.type(1.0 - slope)
        a += a.dtype.type(slope)
        g *= a
    elif name == "tanh":
        np.multiply(a, a, out=a)
        np.subtract(1, a, out=a)
        g *= a
    elif name == "sigmoid":
        g *= a
        np.subtract(1, a, out=a)
        g *= a
    elif name != "linear":
        check_activation(name)
    return g
