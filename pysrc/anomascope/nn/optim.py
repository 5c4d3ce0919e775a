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


def _check(name: str, value: float, low: float = 0.0, high: float | None = None) -> float:
    ok = isinstance(value, int | float) and np.isfinite(value) and value >= low
    if ok and high is not None:
        ok = value < high
    if not ok:
        bound = f">= {low}" + (f" and < {high}" if high is not None else "")
        raise AnomascopeError(f"optimizer setting {name} must be a number {bound}, got {value!r}")
    return float(value)


class Optimizer:
    """Base class: holds parameters, per-parameter state and a step counter.

    Parameters
    ----------
    params : ndarray or sequence of ndarray
        Arrays updated in place (float32 or float64, any shape).
    lr : float
        Learning rate (>= 0).
    """

    name: str = ""
    #: names of the per-parameter state arrays, in the order :meth:`state_arrays` lists them
    state_names: tuple[str, ...] = ()

    def __init__(self, params: np.ndarray | Sequence[np.ndarray], lr: float) -> None:
        self.params: list[np.ndarray] = [params] if isinstance(params, np.ndarray) else list(params)
        if not self.params:
            raise AnomascopeError("optimizer got no parameters")
        self.lr = _check("lr", lr)
        self.t = 0  # steps taken
        self.state: list[dict[str, np.ndarray]] = [
            {k: np.zeros_like(p) for k in self.state_names} for p in self.params
        ]
        self._tmp = [np.empty_like(p) for p in self.params]

    def config(self) -> dict[str, Any]:
        """JSON-able hyperparameters (including ``name``)."""
        return {"name": self.name, "lr": self.lr}

    def step(self, grads: np.ndarray | Sequence[np.ndarray]) -> None:
        """Apply one update given gradients shaped like the parameters."""
        gs = [grads] if isinstance(grads, np.ndarray) else list(grads)
        if len(gs) != len(self.params):
            raise AnomascopeError(f"expected {len(self.params)} gradient arrays, got {len(gs)}")
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, gs, strict=True)):
            if g.shape != p.shape:
                raise AnomascopeError(f"gradient {i} has shape {g.shape}, expected {p.shape}")
            self._update(i, p, g, self.state[i], self._tmp[i])

    def _update(
        self, i: int, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray], tmp: np.ndarray
    ) -> None:
        raise NotImplementedError

    # -- snapshots (used by the trainer to undo a diverged step) -------------------------
    def state_arrays(self) -> list[np.ndarray]:
        """Every state array, in a fixed order (for snapshots)."""
        return [st[k] for st in self.state for k in self.state_names]

    def get_state(self) -> tuple[int, list[np.ndarray]]:
        """A copy of the optimizer state: ``(t, arrays)``."""
        return self.t, [a.copy() for a in self.state_arrays()]

    def set_state(self, state: tuple[int, list[np.ndarray]]) -> None:
        """Restore a state from :meth:`get_state` (copied in place)."""
        t, arrays = state
        for dst, src in zip(self.state_arrays(), arrays, strict=True):
            np.copyto(dst, src)
        self.t = t


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
        self.momentum = _check("momentum", momentum)
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
        self.alpha = _check("alpha", alpha)
        self.eps = _check("eps", eps)
        self.momentum = _check("momentum", momentum)
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
        self.beta1 = _check("beta1", betas[0], 0.0, 1.0)
        self.beta2 = _check("beta2", betas[1], 0.0, 1.0)
        self.eps = _check("eps", eps)
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
        self.beta1 = _check("beta1", betas[0], 0.0, 1.0)
        self.beta2 = _check("beta2", betas[1], 0.0, 1.0)
        self.eps = _check("eps", eps)
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
        self.rho = _check("rho", rho)
        if self.rho > 1.0:
            raise AnomascopeError(f"optimizer setting rho must be <= 1, got {rho!r}")
        self.eps = _check("eps", eps)
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
