"""Dense layers and the few matrix kernels they need.

Kernels
-------
Native numpy multiplies matrices with BLAS; the browser's numpy (Pyodide) has no BLAS and its
fallback ``matmul`` loop is up to 2.5x slower than ``einsum``'s unrolled inner loops. The
kernels below therefore use ``einsum`` under Pyodide (``sys.platform == "emscripten"``) and
``matmul`` elsewhere; :func:`set_kernel` overrides the choice (for benchmarks and tests).

Layout
------
A :class:`Dense` layer holds *views* into its model's flat parameter and gradient vectors:
``W`` has torch's ``Linear`` layout ``(out, in)`` and ``b`` shape ``(out,)``;
``y = f(x @ W.T + b)``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn import activations
from anomascope.nn.activations import (
    activate_,
    backward_,
    check_activation,
    sigmoid_of_negated_,
)

try:  # numpy's own einsum minus its dispatch wrapper (10 us a call in Pyodide, a tenth of a
    # small training step); the same function numpy.einsum calls when optimize is False
    from numpy._core.multiarray import c_einsum as _c_einsum  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another numpy layout
    _c_einsum = np.einsum


def einsum(subscripts: str, *operands: np.ndarray, out: np.ndarray | None = None) -> Any:
    """``numpy.einsum(subscripts, *operands, out=out)`` without the optimizer: an array, or a
    numpy scalar for a full reduction."""
    if out is None:
        return _c_einsum(subscripts, *operands)
    return _c_einsum(subscripts, *operands, out=out)


KERNELS: tuple[str, ...] = ("auto", "blas", "einsum")
_use_einsum: bool = sys.platform == "emscripten"
_ONES: dict[tuple[int, str], np.ndarray] = {}


def set_kernel(name: str) -> str:
    """Choose the matrix kernels: ``"blas"`` (``matmul``), ``"einsum"`` or ``"auto"``.

    Returns the kernel in effect afterwards (``"blas"`` or ``"einsum"``).
    """
    global _use_einsum
    if name not in KERNELS:
        raise AnomascopeError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}")
    _use_einsum = sys.platform == "emscripten" if name == "auto" else name == "einsum"
    activations._sign_mask = _use_einsum
    return get_kernel()


def get_kernel() -> str:
    """The kernel in effect: ``"blas"`` or ``"einsum"``."""
    return "einsum" if _use_einsum else "blas"


# Under einsum, every product is computed so that its innermost loop is long and contiguous:
# either a dot product over the reduction axis ("dot" form) or a scaled row added into the
# output ("axpy" form), whichever runs over more elements; small transposed copies are cheap
# next to the product (measured in Pyodide: 1.5-2.5x faster than ``matmul`` without BLAS).
# When both of a product's small dimensions are at most ``_TINY`` (layers like 7 -> 3 -> 2),
# einsum's set-up dominates and ``matmul`` is 1.5-3x faster (measured in Pyodide: a 512-row
# batch through 7 -> 3, 0.013 ms against 0.024-0.038 ms).
_TINY = 8


def matmul_nt(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b.T``: ``(n, k), (m, k) -> (n, m)``."""
    if not _use_einsum or (a.shape[1] <= _TINY and b.shape[0] <= _TINY):
        return np.matmul(a, b.T, out=out)
    if a.shape[1] >= b.shape[0]:
        return einsum("nk,mk->nm", a, b, out=out)
    return einsum("nk,km->nm", a, np.ascontiguousarray(b.T), out=out)


def matmul_tn(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a.T @ b``: ``(n, m), (n, k) -> (m, k)``."""
    if not _use_einsum or (a.shape[1] <= _TINY and b.shape[1] <= _TINY):
        return np.matmul(a.T, b, out=out)
    if b.shape[1] >= a.shape[0]:
        return einsum("nm,nk->mk", a, b, out=out)
    return einsum("mn,kn->mk", np.ascontiguousarray(a.T), np.ascontiguousarray(b.T), out=out)


def matmul_nn(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b``: ``(n, m), (m, k) -> (n, k)``."""
    if not _use_einsum or (b.shape[0] <= _TINY and b.shape[1] <= _TINY):
        return np.matmul(a, b, out=out)
    if b.shape[1] >= b.shape[0]:
        return einsum("nm,mk->nk", a, b, out=out)
    return einsum("nm,km->nk", a, np.ascontiguousarray(b.T), out=out)


def colsum(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Column sums ``a.sum(axis=0)``: ``(n, m) -> (m,)``."""
    if _use_einsum:
        return einsum("nm->m", a, out=out)
    # with BLAS, a matrix-vector product beats the axis-0 reduction by 4-6x
    key = (a.shape[0], a.dtype.char)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 8:
            _ONES.clear()
        ones = _ONES[key] = np.ones(a.shape[0], a.dtype)
    return np.matmul(ones, a, out=out)


def sumsq(a: np.ndarray) -> np.floating:
    """Sum of squares of every element of ``a`` (any shape), in ``a``'s dtype."""
    flat = a.reshape(-1)
    if _use_einsum:
        return einsum("i,i->", flat, flat)
    return np.dot(flat, flat)


class Dense:
    """A fully connected layer ``y = f(x @ W.T + b)`` over views of flat buffers.

    Parameters
    ----------
    W, b : ndarray
        Weight ``(out, in)`` and bias ``(out,)`` views (updated in place by optimizers).
    dW, db : ndarray
        Gradient views of the same shapes, written by :meth:`backward`.
    activation : str
        One of :data:`anomascope.nn.activations.ACTIVATIONS`.
    slope : float
        Negative slope of ``leaky_relu``.
    """

    def __init__(
        self,
        W: np.ndarray,
        b: np.ndarray,
        dW: np.ndarray,
        db: np.ndarray,
        activation: str = "linear",
        slope: float = 0.01,
    ) -> None:
        self.W, self.b, self.dW, self.db = W, b, dW, db
        self.activation = check_activation(activation)
        self.slope = float(slope)
        self.out_features, self.in_features = W.shape

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Output ``f(x @ W.T + b)``, shape ``(n, out)``; written into ``out`` if given.

        Parameters
        ----------
        x : ndarray, shape (n, in)
        out : ndarray, shape (n, out), optional
            Preallocated result buffer (must not alias ``x``).
        """
        if self.activation == "sigmoid":  # -z from the negated (small) weights: one pass less
            y = matmul_nt(x, np.negative(self.W), out=out)
            y -= self.b
            return sigmoid_of_negated_(y)
        y = matmul_nt(x, self.W, out=out)
        y += self.b
        if self.activation != "linear":
            activate_(y, self.activation, self.slope)
        return y

    def backward(
        self,
        g: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        dx: np.ndarray | None = None,
        *,
        need_dx: bool = True,
    ) -> np.ndarray | None:
        """Back-propagate through the layer.

        Writes ``dW = gz.T @ x`` and ``db = gz.sum(0)`` into the gradient views, where
        ``gz = g * f'(z)`` is the gradient at the pre-activation.

        Parameters
        ----------
        g : ndarray, shape (n, out)
            Gradient with respect to the output ``y``; overwritten with ``gz``.
        x : ndarray, shape (n, in)
            The input given to :meth:`forward`.
        y : ndarray, shape (n, out)
            The output of :meth:`forward`; **destroyed** (used as scratch).
        dx : ndarray, shape (n, in), optional
            Buffer for the input gradient.
        need_dx : bool
            ``False`` skips the input gradient (a whole matmul) for a first layer.

        Returns
        -------
        ndarray or None
            ``gz @ W``, shape ``(n, in)``, or ``None`` when ``need_dx`` is false.
        """
        if self.activation != "linear":
            backward_(g, y, self.activation, self.slope)
        matmul_tn(g, x, out=self.dW)
        colsum(g, out=self.db)
        if not need_dx:
            return None
        return matmul_nn(g, self.W, out=dx)


def init_linear_(W: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> None:
    """Torch's default ``nn.Linear`` initialisation, in place.

    ``kaiming_uniform_(a=sqrt(5))`` reduces to ``U(-1/sqrt(in), 1/sqrt(in))`` for the weight;
    the bias uses the same bound. Draws the weight first, then the bias, from ``rng``.
    """
    bound = 1.0 / np.sqrt(W.shape[1]) if W.shape[1] > 0 else 0.0
    W[...] = rng.uniform(-bound, bound, size=W.shape)
    b[...] = rng.uniform(-bound, bound, size=b.shape)
