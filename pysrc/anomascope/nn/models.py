"""Dense autoencoder and variational autoencoder in numpy.

Parameters live in **one flat vector** ``params`` (all weight matrices first, then all biases)
with a twin flat gradient vector ``grads``; each layer holds views. Optimizers therefore update
every parameter with a few vectorised calls, regularizers act on the contiguous weight region,
and snapshots are one copy.

Names and layouts follow the torch modules in ``train/torch_models.py``
(``encoder.{i}.weight`` of shape ``(out, in)``, ``fc_mu``, ``fc_logvar``, ``decoder.{i}``).

Architecture dicts
------------------
Autoencoder: ``input_dim``, ``encoder_units`` (list), ``latent_dim``, ``decoder_units`` (list;
default: reversed ``encoder_units``, i.e. mirrored), ``activation``, ``latent_activation``,
``output_activation``, ``leaky_slope``. The encoder maps ``input -> encoder_units... ->
latent_dim``; the decoder maps ``latent -> decoder_units... -> input_dim``.

VAE: ``input_dim``, ``encoder_units``, ``latent_dim``, ``decoder_units``, ``activation``,
``output_activation``, ``leaky_slope``, ``beta``. Hidden encoder layers feed ``fc_mu`` and
``fc_logvar`` (linear); ``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, 1)``.

VAE loss (documented convention, also in ``TorchVAE.loss``)::

    loss = (sum_rows sum_features err + beta * sum_rows KL_row) / (n * input_dim)
    KL_row = -0.5 * sum_latent (1 + logvar - mu**2 - exp(logvar))

where ``err`` is the squared (``mse``) or absolute (``mae``) error. The reconstruction part is
thus the same mean loss as the autoencoder's, and ``beta = 1`` is the usual ELBO (up to
constants) scaled by ``1 / (n * input_dim)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.nn.activations import check_activation
from anomascope.nn.layers import Dense, init_linear_, sumsq
from anomascope.nn.losses import check_loss, residual_
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


def _stack(prefix: str, dims: list[int], hidden: str, last: str) -> list[LayerSpec]:
    n = len(dims) - 1
    return [
        (f"{prefix}.{i}", dims[i], dims[i + 1], last if i == n - 1 else hidden) for i in range(n)
    ]


def _shapes(specs: list[LayerSpec]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for name, fin, fout, _ in specs:
        shapes[f"{name}.weight"] = (fout, fin)
        shapes[f"{name}.bias"] = (fout,)
    return shapes


class _FlatModel:
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


class Autoencoder(_FlatModel):
    """A dense autoencoder (any stack, mirrored or not).

    Parameters
    ----------
    architecture : dict
        See the module docstring; validated by :func:`normalize_architecture`.
    rng : numpy.random.Generator, optional
        Initialises the weights like torch's ``nn.Linear``; ``None`` leaves zeros (for
        loading a state).
    dtype : numpy dtype
        float32 (default) or float64 (gradient checks).
    """

    def __init__(
        self,
        architecture: dict[str, Any],
        rng: np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        self.architecture = a = normalize_architecture(architecture)
        self.input_dim = a["input_dim"]
        self.slope = a["leaky_slope"]
        self.specs = self._specs(a)
        self._allocate(dtype, rng)
        self.n_encoder = len(a["encoder_units"]) + 1

    @staticmethod
    def _specs(a: dict[str, Any]) -> list[LayerSpec]:
        enc = [a["input_dim"], *a["encoder_units"], a["latent_dim"]]
        dec = [a["latent_dim"], *a["decoder_units"], a["input_dim"]]
        return _stack("encoder", enc, a["activation"], a["latent_activation"]) + _stack(
            "decoder", dec, a["activation"], a["output_activation"]
        )

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """Name -> shape of every parameter array."""
        return _shapes(cls._specs(normalize_architecture(architecture)))

    def encode(self, X: np.ndarray) -> np.ndarray:
        """Latent codes, shape ``(n, latent_dim)``."""
        return self._forward(self.layers[: self.n_encoder], self._check_X(X))

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruction of ``X`` ``(n, input_dim)``, same shape, model dtype."""
        return self._forward(self.layers, self._check_X(X))

    def loss_and_grad(
        self,
        X: np.ndarray,
        loss: str = "mse",
        regularizer: Regularizer | None = None,
        rng: np.random.Generator | None = None,
    ) -> float:
        """Loss of batch ``X`` (plus penalty); writes the gradient into :attr:`grads`.

        ``rng`` is unused (the signature matches :meth:`VAE.loss_and_grad`).
        """
        X = self._check_X(X)
        check_loss(loss)
        ws = self._workspace(X.shape[0])
        outs, gs = ws["a"], ws["g"]
        y = self._forward_train(self.layers, X, outs)
        g = gs[-1]
        np.subtract(y, X, out=g)
        value, factor = residual_(loss, g)
        self._backward(self.layers, X, outs, gs, g, need_dx=False)
        return self._finish(value, factor, regularizer)


class VAE(_FlatModel):
    """A dense variational autoencoder; see the module docstring for the loss.

    ``fc_mu`` and ``fc_logvar`` are stored next to each other so that one ``(2 * latent,
    hidden)`` matrix product computes both.
    """

    def __init__(
        self,
        architecture: dict[str, Any],
        rng: np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        self.architecture = a = normalize_architecture(architecture, vae=True)
        self.input_dim = a["input_dim"]
        self.latent_dim = L = a["latent_dim"]
        self.slope = a["leaky_slope"]
        self.beta = a["beta"]
        self.specs = self._specs(a)
        self._allocate(dtype, rng)
        ne = len(a["encoder_units"])
        self.encoder = self.layers[:ne]
        self.decoder = self.layers[ne + 2 :]
        # fused head: fc_mu and fc_logvar weights (and biases) are adjacent in the flat vector
        wo, bo = self._offsets["fc_mu"]
        h = self.layers[ne].in_features
        n = 2 * L * h
        self.head = Dense(
            self.params[wo : wo + n].reshape(2 * L, h),
            self.params[bo : bo + 2 * L],
            self.grads[wo : wo + n].reshape(2 * L, h),
            self.grads[bo : bo + 2 * L],
        )

    @staticmethod
    def _specs(a: dict[str, Any]) -> list[LayerSpec]:
        enc = [a["input_dim"], *a["encoder_units"]]
        dec = [a["latent_dim"], *a["decoder_units"], a["input_dim"]]
        h, L = enc[-1], a["latent_dim"]
        heads: list[LayerSpec] = [("fc_mu", h, L, "linear"), ("fc_logvar", h, L, "linear")]
        return (
            _stack("encoder", enc, a["activation"], a["activation"])
            + heads
            + _stack("decoder", dec, a["activation"], a["output_activation"])
        )

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """Name -> shape of every parameter array."""
        return _shapes(cls._specs(normalize_architecture(architecture, vae=True)))

    def encode(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(mu, logvar)``, each ``(n, latent_dim)``."""
        h = self._forward(self.encoder, self._check_X(X))
        ml = self.head.forward(h)
        L = self.latent_dim
        return ml[:, :L], ml[:, L:]

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Decoder output for latent codes ``z`` ``(n, latent_dim)``: ``(n, input_dim)``."""
        return self._forward(self.decoder, np.asarray(z, dtype=self.dtype))

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Deterministic reconstruction ``decode(mu)`` (the anomaly score uses this)."""
        mu, _ = self.encode(X)
        return self.decode(np.ascontiguousarray(mu))

    def loss_and_grad(
        self,
        X: np.ndarray,
        loss: str = "mse",
        regularizer: Regularizer | None = None,
        rng: np.random.Generator | None = None,
        eps: np.ndarray | None = None,
    ) -> float:
        """Loss of batch ``X`` (see module docstring) plus penalty; fills :attr:`grads`.

        Parameters
        ----------
        X : ndarray (n, input_dim)
        loss : {"mse", "mae"}
        regularizer : Regularizer, optional
        rng : numpy.random.Generator
            Draws ``eps`` (n, latent_dim) when ``eps`` is not given.
        eps : ndarray (n, latent_dim), optional
            Fixed noise (tests).
        """
        X = self._check_X(X)
        check_loss(loss)
        n, L = X.shape[0], self.latent_dim
        if eps is None:
            if rng is None:
                raise AnomascopeError("VAE training needs an rng (or a fixed eps)")
            eps = rng.standard_normal((n, L), dtype=self.dtype)
        ws = self._workspace(n)
        if "ml" not in ws:
            ws["ml"] = np.empty((n, 2 * L), self.dtype)
            ws["gml"] = np.empty((n, 2 * L), self.dtype)
            ws["std"] = np.empty((n, L), self.dtype)
            ws["z"] = np.empty((n, L), self.dtype)
            ws["dz"] = np.empty((n, L), self.dtype)
            ws["eh"] = np.empty((n, self.head.in_features), self.dtype)
        ne = len(self.encoder)
        outs, gs = ws["a"], ws["g"]
        enc_outs, dec_outs = outs[:ne], outs[ne + 2 :]
        enc_gs, dec_gs = gs[:ne], gs[ne + 2 :]
        # forward
        h = self._forward_train(self.encoder, X, enc_outs)
        ml = self.head.forward(h, out=ws["ml"])
        mu, lv = ml[:, :L], ml[:, L:]
        std, z = ws["std"], ws["z"]
        np.multiply(lv, 0.5, out=std)
        np.exp(std, out=std)
        np.multiply(std, eps, out=z)
        z += mu
        y = self._forward_train(self.decoder, z, dec_outs)
        g = dec_gs[-1]
        np.subtract(y, X, out=g)
        value, factor = residual_(loss, g)
        # KL = -0.5 * sum(1 + lv - mu^2 - std^2)
        c = 1.0 / (n * self.input_dim)
        kl = -0.5 * (n * L + float(lv.sum()) - float(sumsq(mu)) - float(sumsq(std)))
        value += self.beta * c * kl
        # backward through the decoder, down to dz
        dz = self._backward(self.decoder, z, dec_outs, dec_gs, g, need_dx=True, dx=ws["dz"])
        assert dz is not None
        k = self.beta * c / factor  # KL gradient in the units of the unscaled delta
        gml = ws["gml"]
        gmu, glv = gml[:, :L], gml[:, L:]
        np.multiply(mu, k, out=gmu)
        gmu += dz
        # dlogvar = 0.5 * (dz * eps * std + k * (std^2 - 1))
        np.multiply(std, std, out=glv)
        glv -= 1.0
        glv *= k
        dz *= eps
        dz *= std
        glv += dz
        glv *= 0.5
        # head and encoder
        head = self.head
        if ne == 0:
            head.backward(gml, X, ml, need_dx=False)
        else:
            dh = head.backward(gml, h, ml, ws["eh"])
            assert dh is not None
            self._backward(self.encoder, X, enc_outs, enc_gs, dh, need_dx=False)
        return self._finish(value, factor, regularizer)


__all__ = ["VAE", "Autoencoder", "normalize_architecture"]
