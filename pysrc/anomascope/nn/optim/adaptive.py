"""Adam, Adamax and Adadelta, as ``torch.optim`` (see :mod:`anomascope.nn.optim`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.optim.base import Optimizer, check_hyper


class Adam(Optimizer):
    """``torch.optim.Adam`` (``amsgrad`` included)."""

    name = "adam"

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        amsgrad: bool = False,
    ) -> None:
        self.beta1 = check_hyper("beta1", betas[0], 0.0, 1.0)
        self.beta2 = check_hyper("beta2", betas[1], 0.0, 1.0)
        self.eps = check_hyper("eps", eps)
        self.amsgrad = bool(amsgrad)
        self.state_names = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
        super().__init__(params, lr)

    def config(self) -> dict[str, Any]:
        return {
            **super().config(),
            "betas": [self.beta1, self.beta2],
            "eps": self.eps,
            "amsgrad": self.amsgrad,
        }

    def _update(
        self, i: int, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray], tmp: np.ndarray
    ) -> None:
        m, v = st["exp_avg"], st["exp_avg_sq"]
        b1, b2 = self.beta1, self.beta2
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        if self.amsgrad:
            np.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])
            v = st["max_exp_avg_sq"]
        step_size = self.lr / (1.0 - b1**self.t)
        bc2_sqrt = (1.0 - b2**self.t) ** 0.5
        np.sqrt(v, out=tmp)
        tmp /= bc2_sqrt
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= -step_size
        p += tmp


class Adamax(Optimizer):
    """``torch.optim.Adamax``."""

    name = "adamax"
    state_names = ("exp_avg", "exp_inf")

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.beta1 = check_hyper("beta1", betas[0], 0.0, 1.0)
        self.beta2 = check_hyper("beta2", betas[1], 0.0, 1.0)
        self.eps = check_hyper("eps", eps)
        super().__init__(params, lr)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "betas": [self.beta1, self.beta2], "eps": self.eps}

    def _update(
        self, i: int, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray], tmp: np.ndarray
    ) -> None:
        m, u = st["exp_avg"], st["exp_inf"]
        m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=tmp)
        m += tmp
        u *= self.beta2
        np.abs(g, out=tmp)
        tmp += self.eps
        np.maximum(u, tmp, out=u)
        clr = self.lr / (1.0 - self.beta1**self.t)
        np.divide(m, u, out=tmp)
        tmp *= -clr
        p += tmp


class Adadelta(Optimizer):
    """``torch.optim.Adadelta``."""

    name = "adadelta"
    state_names = ("square_avg", "acc_delta")

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
    ) -> None:
        self.rho = check_hyper("rho", rho)
        if self.rho > 1.0:
            raise AnomascopeError(f"optimizer setting rho must be <= 1, got {rho!r}")
        self.eps = check_hyper("eps", eps)
        super().__init__(params, lr)
        self._tmp2 = [np.empty_like(p) for p in self.params]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "rho": self.rho, "eps": self.eps}

    def _update(
        self, i: int, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray], tmp: np.ndarray
    ) -> None:
        sq, acc = st["square_avg"], st["acc_delta"]
        delta = self._tmp2[i]
        rho = self.rho
        sq *= rho
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - rho
        sq += tmp
        np.add(sq, self.eps, out=tmp)
        np.sqrt(tmp, out=tmp)  # std
        np.add(acc, self.eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= tmp
        delta *= g
        acc *= rho
        np.multiply(delta, delta, out=tmp)
        tmp *= 1.0 - rho
        acc += tmp
        delta *= -self.lr
        p += delta
