"""SGD, SGD with momentum and RMSprop, as ``torch.optim`` (see :mod:`anomascope.nn.optim`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.optim.base import Optimizer, check_hyper


class SGD(Optimizer):
    """``torch.optim.SGD`` (momentum, dampening and nesterov included)."""

    name = "sgd"
    state_names: tuple[str, ...] = ("momentum_buffer",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        self.momentum = check_hyper("momentum", momentum)
        self.dampening = float(dampening)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise AnomascopeError("Nesterov momentum requires a momentum and zero dampening")
        if self.momentum == 0:
            self.state_names = ()
        super().__init__(params, lr)

    def config(self) -> dict[str, Any]:
        return {
            **super().config(),
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
        }

    def _update(
        self, i: int, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray], tmp: np.ndarray
    ) -> None:
        d = g
        if self.momentum != 0:
            buf = st["momentum_buffer"]
            if self.t == 1:
                np.copyto(buf, g)
            else:
                buf *= self.momentum
                if self.dampening == 0:
                    buf += g
                else:
                    np.multiply(g, 1.0 - self.dampening, out=tmp)
                    buf += tmp
            if self.nesterov:
                np.multiply(buf, self.momentum, out=tmp)
                tmp += g
                d = tmp
            else:
                d = buf
        np.multiply(d, -self.lr, out=tmp)
        p += tmp


class Momentum(SGD):
    """SGD with momentum (``torch.optim.SGD(momentum=0.9)`` by default)."""

    name = "momentum"

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if not (isinstance(momentum, int | float) and momentum > 0):
            raise AnomascopeError(f"momentum must be > 0, got {momentum!r}")
        super().__init__(params, lr, momentum, dampening, nesterov)


class RMSprop(Optimizer):
    """``torch.optim.RMSprop`` (``centered`` and ``momentum`` included)."""

    name = "rmsprop"

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        self.alpha = check_hyper("alpha", alpha)
        self.eps = check_hyper("eps", eps)
        self.momentum = check_hyper("momentum", momentum)
        self.centered = bool(centered)
        names = ["square_avg"]
        if self.momentum > 0:
            names.append("momentum_buffer")
        if self.centered:
            names.append("grad_avg")
        self.state_names = tuple(names)
        super().__init__(params, lr)

    def config(self) -> dict[str, Any]:
        return {
            **super().config(),
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def _update(
        self, i: int, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray], tmp: np.ndarray
    ) -> None:
        sq = st["square_avg"]
        sq *= self.alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.alpha
        sq += tmp
        if self.centered:
            ga = st["grad_avg"]
            ga *= self.alpha
            np.multiply(g, 1.0 - self.alpha, out=tmp)
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(sq, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(sq, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.momentum > 0:
            buf = st["momentum_buffer"]
            buf *= self.momentum
            buf += tmp
            np.multiply(buf, -self.lr, out=tmp)
        else:
            tmp *= -self.lr
        p += tmp
