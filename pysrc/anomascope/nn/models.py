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
from anomascope.nn.flat import FlatModel, LayerSpec, normalize_architecture, shapes_of, stack
from anomascope.nn.layers import Dense, sumsq
from anomascope.nn.losses import check_loss, residual_
from anomascope.nn.regularizers import Regularizer


class Autoencoder(FlatModel):
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
        return stack("encoder", enc, a["activation"], a["latent_activation"]) + stack(
            "decoder", dec, a["activation"], a["output_activation"]
        )

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """Name -> shape of every parameter array."""
        return shapes_of(cls._specs(normalize_architecture(architecture)))

    def encode(self, X: np.ndarray) -> np.ndarray:
        """Latent codes, shape ``(n, latent_dim)``."""
        return self._forward(self.layers[: self.n_encoder], self._check_X(X))

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruction of ``X`` ``(n, input_dim)``, same shape, model dtype."""
        return self._forward(self.layers, self._check_X(X))

    def errors_and_codes(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`reconstruction_errors` ``(n,)`` and :meth:`encode` ``(n, latent_dim)`` of
        ``X`` ``(n, input_dim)`` from one pass through the model (model dtype)."""
        X = self._check_X(X)
        codes = self._forward(self.layers[: self.n_encoder], X)
        return self._errors_(self._forward(self.layers[self.n_encoder :], codes), X), codes

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


class VAE(FlatModel):
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
            stack("encoder", enc, a["activation"], a["activation"])
            + heads
            + stack("decoder", dec, a["activation"], a["output_activation"])
        )

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """Name -> shape of every parameter array."""
        return shapes_of(cls._specs(normalize_architecture(architecture, vae=True)))

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
        ws = self._vae_workspace(n)
        ne = len(self.encoder)
        outs, gs = ws["a"], ws["g"]
        enc_outs, dec_outs = outs[:ne], outs[ne + 2 :]
        enc_gs, dec_gs = gs[:ne], gs[ne + 2 :]
        # forward: encoder, head (mu | logvar), reparameterised z, decoder
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
        # backward through the decoder, down to dz, then the head and the encoder
        dz = self._backward(self.decoder, z, dec_outs, dec_gs, g, need_dx=True, dx=ws["dz"])
        assert dz is not None
        gml = self._head_grads(ws, mu, eps, dz, self.beta * c / factor)
        if ne == 0:
            self.head.backward(gml, X, ml, need_dx=False)
        else:
            dh = self.head.backward(gml, h, ml, ws["eh"])
            assert dh is not None
            self._backward(self.encoder, X, enc_outs, enc_gs, dh, need_dx=False)
        return self._finish(value, factor, regularizer)

    def _vae_workspace(self, n: int) -> dict[str, Any]:
        """The flat model's workspace plus the VAE's buffers for a batch of ``n`` rows."""
        ws = self._workspace(n)
        if "ml" not in ws:
            L = self.latent_dim
            ws["ml"] = np.empty((n, 2 * L), self.dtype)
            ws["gml"] = np.empty((n, 2 * L), self.dtype)
            ws["std"] = np.empty((n, L), self.dtype)
            ws["z"] = np.empty((n, L), self.dtype)
            ws["dz"] = np.empty((n, L), self.dtype)
            ws["eh"] = np.empty((n, self.head.in_features), self.dtype)
        return ws

    def _head_grads(
        self, ws: dict[str, Any], mu: np.ndarray, eps: np.ndarray, dz: np.ndarray, k: float
    ) -> np.ndarray:
        """Gradient at the head's output ``(mu | logvar)`` from ``dz`` (the gradient at ``z``,
        destroyed) and the KL term; ``k`` is the KL weight in the units of the unscaled delta."""
        L = self.latent_dim
        std = ws["std"]
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
        return gml


__all__ = ["VAE", "Autoencoder", "normalize_architecture"]
