"""The machinery under :mod:`anomascope.nn.models`: architecture checks and the flat
parameter vector every model keeps (see that module's docstring).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.activations import check_activation
from anomascope.nn.layers import Dense, einsum, init_linear_
from anomascope.nn.regularizers import Regularizer

LayerSpec = tuple[str, int, int, str]  # (name, in, out, activation)


def _units(value: Any, what: str) -> list[int]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(u, int) and not isinstance(u, bool) and u > 0 for u in value
    ):
        raise AnomascopeError(f"architecture {what} must be a list of positive integers")
    return [int(u) for u in value]


def _positive_int(arch: dict[str, Any], key: str) -> int:
    value = arch.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise AnomascopeError(f"architecture {key} must be a positive integer, got {value!r}")
    return int(value)


def normalize_architecture(arch: dict[str, Any], *, vae: bool = False) -> dict[str, Any]:
    """Validate an architecture dict and fill in defaults; returns a new JSON-able dict."""
    if not isinstance(arch, dict):
        raise AnomascopeError("architecture must be a dict")
    known = {"input_dim", "encoder_units", "latent_dim", "decoder_units", "activation"}
    known |= {"output_activation", "leaky_slope"}
    known |= {"beta"} if vae else {"latent_activation"}
    unknown = sorted(set(arch) - known)
    if unknown:
        raise AnomascopeError(f"unknown architecture keys: {', '.join(unknown)}")
    enc = _units(arch.get("encoder_units", []), "encoder_units")
    dec = _units(arch.get("decoder_units", enc[::-1]), "decoder_units")
    slope = arch.get("leaky_slope", 0.01)
    if not isinstance(slope, int | float) or not 0.0 <= slope <= 1.0:
        raise AnomascopeError(f"architecture leaky_slope must be in [0, 1], got {slope!r}")
    out: dict[str, Any] = {
        "input_dim": _positive_int(arch, "input_dim"),
        "encoder_units": enc,
        "latent_dim": _positive_int(arch, "latent_dim"),
        "decoder_units": dec,
        "activation": check_activation(arch.get("activation", "relu")),
    }
    if vae:
        beta = arch.get("beta", 1.0)
        if not isinstance(beta, int | float) or not np.isfinite(beta) or beta < 0:
            raise AnomascopeError(f"architecture beta must be a number >= 0, got {beta!r}")
        out["output_activation"] = check_activation(arch.get("output_activation", "linear"))
        out["leaky_slope"] = float(slope)
        out["beta"] = float(beta)
    else:
        out["latent_activation"] = check_activation(arch.get("latent_activation", "linear"))
        out["output_activation"] = check_activation(arch.get("output_activation", "linear"))
        out["leaky_slope"] = float(slope)
    return out


def stack(prefix: str, dims: list[int], hidden: str, last: str) -> list[LayerSpec]:
    n = len(dims) - 1
    return [
        (f"{prefix}.{i}", dims[i], dims[i + 1], last if i == n - 1 else hidden) for i in range(n)
    ]


def shapes_of(specs: list[LayerSpec]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for name, fin, fout, _ in specs:
        shapes[f"{name}.weight"] = (fout, fin)
        shapes[f"{name}.bias"] = (fout,)
    return shapes


class FlatModel:
    """Flat parameter storage shared by :class:`Autoencoder` and :class:`VAE`."""

    specs: list[LayerSpec]
    input_dim: int
    slope: float

    def _allocate(self, dtype: np.dtype, rng: np.random.Generator | None) -> None:
        self.dtype = np.dtype(dtype)
        n_w = sum(i * o for _, i, o, _ in self.specs)
        n_b = sum(o for _, _, o, _ in self.specs)
        self.params = np.zeros(n_w + n_b, dtype=self.dtype)
        self.grads = np.zeros_like(self.params)
        self.n_weights = n_w
        #: the contiguous weight region (regularizers act here), and its gradient
        self.weights = self.params[:n_w]
        self.weight_grads = self.grads[:n_w]
        self.layers: list[Dense] = []
        self._named: dict[str, np.ndarray] = {}
        self._named_grads: dict[str, np.ndarray] = {}
        self._offsets: dict[str, tuple[int, int]] = {}
        wo, bo = 0, n_w
        for name, fin, fout, act in self.specs:
            W = self.params[wo : wo + fin * fout].reshape(fout, fin)
            dW = self.grads[wo : wo + fin * fout].reshape(fout, fin)
            b, db = self.params[bo : bo + fout], self.grads[bo : bo + fout]
            self._offsets[name] = (wo, bo)
            wo += fin * fout
            bo += fout
            if rng is not None:
                init_linear_(W, b, rng)
            self._named[f"{name}.weight"] = W
            self._named[f"{name}.bias"] = b
            self._named_grads[f"{name}.weight"] = dW
            self._named_grads[f"{name}.bias"] = db
            self.layers.append(Dense(W, b, dW, db, act, self.slope))
        self._ws: dict[int, dict[str, Any]] = {}

    # -- parameters ----------------------------------------------------------------------
    @property
    def n_params(self) -> int:
        """Number of scalar parameters."""
        return int(self.params.size)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter, torch ``state_dict`` names and layouts."""
        return {k: v.copy() for k, v in self._named.items()}

    def named_grads(self) -> dict[str, np.ndarray]:
        """Views of :attr:`grads` under the parameter names (valid after ``loss_and_grad``)."""
        return dict(self._named_grads)

    def load_state_dict(self, arrays: dict[str, np.ndarray]) -> None:
        """Copy named arrays into the model; names and shapes must match exactly."""
        missing = sorted(set(self._named) - set(arrays))
        unexpected = sorted(set(arrays) - set(self._named))
        bad = [
            f"{k} {np.shape(arrays[k])} != {v.shape}"
            for k, v in self._named.items()
            if k in arrays and np.shape(arrays[k]) != v.shape
        ]
        if missing or unexpected or bad:
            parts = []
            if missing:
                parts.append("missing: " + ", ".join(missing))
            if unexpected:
                parts.append("unexpected: " + ", ".join(unexpected))
            if bad:
                parts.append("wrong shapes: " + "; ".join(bad))
            raise AnomascopeError(
                "parameters do not fit the architecture (" + "; ".join(parts) + ")"
            )
        for k, v in self._named.items():
            v[...] = arrays[k]

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise AnomascopeError(
                f"expected an array of shape (n, {self.input_dim}), got {X.shape}"
            )
        if X.dtype != self.dtype:
            X = X.astype(self.dtype)
        return np.ascontiguousarray(X)

    def _workspace(self, n: int) -> dict[str, Any]:
        ws = self._ws.get(n)
        if ws is None:
            if len(self._ws) > 4:
                self._ws.clear()
            outs = [np.empty((n, s[2]), self.dtype) for s in self.specs]
            gs = [np.empty((n, s[2]), self.dtype) for s in self.specs]
            ws = {"a": outs, "g": gs}
            self._ws[n] = ws
        return ws

    def reconstruction_errors(self, X: np.ndarray) -> np.ndarray:
        """Per-row mean squared reconstruction error of ``X`` ``(n, input_dim)``: the anomaly
        score, ``((reconstruct(X) - X) ** 2).mean(1)`` (VAE: through ``mu``), with the
        difference taken in place. Returns shape ``(n,)`` in the model's dtype."""
        X = self._check_X(X)
        return self._errors_(self.reconstruct(X), X)  # type: ignore[attr-defined]

    def _errors_(self, y: np.ndarray, X: np.ndarray) -> np.ndarray:
        """``((y - X) ** 2).mean(1)`` for a reconstruction ``y`` of ``X`` (both ``(n, d)``,
        model dtype), taking the difference in ``y`` (destroyed); shape ``(n,)``."""
        np.subtract(y, X, out=y)
        errors = einsum("ij,ij->i", y, y)
        errors /= self.dtype.type(X.shape[1])
        return errors

    @staticmethod
    def _forward(layers: list[Dense], h: np.ndarray) -> np.ndarray:
        for layer in layers:
            h = layer.forward(h)
        return h

    @staticmethod
    def _forward_train(layers: list[Dense], h: np.ndarray, outs: list[np.ndarray]) -> np.ndarray:
        for layer, out in zip(layers, outs, strict=True):
            h = layer.forward(h, out=out)
        return h

    @staticmethod
    def _backward(
        layers: list[Dense],
        x: np.ndarray,
        outs: list[np.ndarray],
        gs: list[np.ndarray],
        g: np.ndarray,
        need_dx: bool,
        dx: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Back-propagate ``g`` (gradient at the last output) through ``layers``."""
        for k in range(len(layers) - 1, -1, -1):
            first = k == 0
            x_in = x if first else outs[k - 1]
            buf = dx if first else gs[k - 1]
            res = layers[k].backward(g, x_in, outs[k], buf, need_dx=need_dx or not first)
            if res is not None:
                g = res
        return g if need_dx else None

    def _finish(self, value: float, factor: float, regularizer: Regularizer | None) -> float:
        self.grads *= self.dtype.type(factor)
        if regularizer is not None:
            value += regularizer.penalty(self.weights)
            regularizer.add_grad_(self.weights, self.weight_grads)
        return value

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError
