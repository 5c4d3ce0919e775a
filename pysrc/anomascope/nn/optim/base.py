"""The optimizer base class and its hyperparameter check (see :mod:`anomascope.nn.optim`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from anomascope import AnomascopeError


def check_hyper(name: str, value: float, low: float = 0.0, high: float | None = None) -> float:
    """``value`` as a float if it is a finite number ``>= low`` (and ``< high``), else an error."""
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
        self.lr = check_hyper("lr", lr)
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
