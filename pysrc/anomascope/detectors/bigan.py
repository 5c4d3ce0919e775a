"""BiGAN anomaly detector (inference from exported weights; trained offline in PyTorch).

A BiGAN (Donahue et al. 2017; Dumoulin et al. 2017) learns an encoder ``E: x -> z`` and a
generator ``G: z -> x`` together with a discriminator ``D(x, z)`` that tells real pairs
``(x, E(x))`` from generated pairs ``(G(z), z)``. As in the Cloudera Fast Forward report and
Zenati et al. 2018 ("Efficient GAN-based anomaly detection"), the anomaly score is

    A(x) = alpha * ||x - G(E(x))||_p + (1 - alpha) * L_D(x)

with ``p = architecture["norm"]`` (1 by default, as in the report) and ``L_D`` one of

- ``"cross_entropy"`` (default): ``-log sigmoid(D(x, E(x)))``, the discriminator's
  cross-entropy against the "real" label (Zenati et al.'s sigma term, per row);
- ``"feature_matching"``: ``||f_D(x, E(x)) - f_D(G(E(x)), E(x))||_1`` where ``f_D`` is the
  discriminator's last hidden layer.

``alpha`` defaults to 0.9 (report and Zenati et al.: 0.9 on reconstruction, 0.1 on the
discriminator). Higher scores are more anomalous.

Parameters (torch ``state_dict`` naming; ``nn.ModuleList`` of ``nn.Linear``, activations
applied functionally):

- ``encoder.{i}.weight`` ``(out, in)`` / ``encoder.{i}.bias``: ``input_dim -> encoder_units...
  -> latent_dim``; hidden layers use ``activation``, the last ``latent_activation``.
- ``generator.{i}.*``: ``latent_dim -> generator_units... -> input_dim``; hidden layers use
  ``activation``, the last ``output_activation``.
- ``discriminator.{i}.*``: input is the concatenation ``[x, z]`` (x first), width
  ``input_dim + latent_dim -> discriminator_units... -> 1`` (a logit); hidden layers use
  ``activation``. ``discriminator_units`` must be non-empty (its last hidden layer is ``f_D``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import Detector
from anomascope.detectors.products import input_product
from anomascope.nn.activations import ACTIVATIONS, activate_
from anomascope.nn.layers import matmul_nt

DISCRIMINATOR_TERMS = ("cross_entropy", "feature_matching")
DEFAULT_ARCHITECTURE: dict[str, Any] = {
    "input_dim": 18,
    "latent_dim": 8,
    "encoder_units": [64],
    "generator_units": [64],
    "discriminator_units": [64],
    "activation": "leaky_relu",
    "leaky_slope": 0.2,
    "latent_activation": "linear",
    "output_activation": "linear",
    "alpha": 0.9,
    "discriminator_term": "cross_entropy",
    "norm": 1,
}


def _softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))``, stable for large ``|x|``."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _widths(arch: dict[str, Any]) -> dict[str, list[int]]:
    d, k = int(arch["input_dim"]), int(arch["latent_dim"])
    return {
        "encoder": [d, *map(int, arch["encoder_units"]), k],
        "generator": [k, *map(int, arch["generator_units"]), d],
        "discriminator": [d + k, *map(int, arch["discriminator_units"]), 1],
    }


def _check_architecture(arch: dict[str, Any]) -> dict[str, Any]:
    missing = [key for key in DEFAULT_ARCHITECTURE if key not in arch]
    if missing:
        raise AnomascopeError(f"BiGAN architecture is missing {', '.join(missing)}")
    a = dict(arch)
    for key in ("activation", "latent_activation", "output_activation"):
        if a[key] not in ACTIVATIONS:
            raise AnomascopeError(f"BiGAN {key} {a[key]!r} is not one of {', '.join(ACTIVATIONS)}")
    if a["discriminator_term"] not in DISCRIMINATOR_TERMS:
        raise AnomascopeError(
            f"BiGAN discriminator_term must be one of {', '.join(DISCRIMINATOR_TERMS)}"
        )
    if not 0.0 <= float(a["alpha"]) <= 1.0:
        raise AnomascopeError("BiGAN alpha must be in [0, 1]")
    if int(a["norm"]) not in (1, 2):
        raise AnomascopeError("BiGAN norm must be 1 or 2")
    if not list(a["discriminator_units"]):
        raise AnomascopeError("BiGAN discriminator_units must have at least one hidden layer")
    if min(min(w) for w in _widths(a).values()) < 1:
        raise AnomascopeError("BiGAN layer widths must be positive")
    return a


class BiGANDetector(Detector):
    """BiGAN detector from exported encoder, generator and discriminator weights.

    explain_method: the shared median replacement (:mod:`anomascope.detectors.explain`): the
    change of ``A(x)`` when a feature is set to its training median (needs
    ``set_baseline(training rows)`` after loading).

    Parameters
    ----------
    architecture : dict
        Keys of :data:`DEFAULT_ARCHITECTURE` (see the module docstring).
    params : dict[str, ndarray]
        ``state_dict`` arrays named as :meth:`expected_shapes` says.
    """

    kind = "bigan"

    def __init__(self, architecture: dict[str, Any], params: dict[str, np.ndarray]) -> None:
        self.arch = _check_architecture(architecture)
        shapes = self.expected_shapes(self.arch)
        bad = [k for k, s in shapes.items() if k not in params or tuple(params[k].shape) != s]
        extra = sorted(set(params) - set(shapes))
        if bad or extra:
            raise AnomascopeError(
                f"BiGAN parameters: missing or misshapen {bad}, unexpected {extra}"
            )
        self.params = {k: np.ascontiguousarray(params[k], dtype=np.float32) for k in shapes}
        self.threshold_: float | None = None

    # -- forward passes ------------------------------------------------------------------
    def _stack(
        self, part: str, h: np.ndarray, last: str, keep_hidden: bool = False, given: bool = False
    ) -> Any:
        """The layers of ``part`` on ``h`` (with ``given``, ``h`` is already the first layer's
        product, before its bias). The first product skips all-zero input columns
        (:func:`~anomascope.detectors.products.input_product`)."""
        n_layers = len(_widths(self.arch)[part]) - 1
        slope = float(self.arch["leaky_slope"])
        hidden = h
        for i in range(n_layers):
            w, b = self.params[f"{part}.{i}.weight"], self.params[f"{part}.{i}.bias"]
            if i:
                h = matmul_nt(h, w)
            elif not given:
                h = input_product(h, w)
            h += b
            if i < n_layers - 1:
                h = activate_(h, self.arch["activation"], slope)
                hidden = h
            else:
                h = activate_(h, last, slope)
        return (h, hidden) if keep_hidden else h

    def _features(self, h: np.ndarray) -> np.ndarray:
        """``f_D``, the discriminator's last hidden layer, from its first layer's product
        before the bias ``h`` ``(n, units[0])``: the logit layer is not computed."""
        n_hidden = len(self.arch["discriminator_units"])
        slope = float(self.arch["leaky_slope"])
        for i in range(n_hidden):
            if i:
                h = matmul_nt(h, self.params[f"discriminator.{i}.weight"])
            h += self.params[f"discriminator.{i}.bias"]
            h = activate_(h, self.arch["activation"], slope)
        return h

    def _split_weight(self) -> tuple[np.ndarray, np.ndarray]:
        """The discriminator's first weight split into its ``x`` and ``z`` columns."""
        w = self.params["discriminator.0.weight"]
        d = int(self.arch["input_dim"])
        return np.ascontiguousarray(w[:, :d]), np.ascontiguousarray(w[:, d:])

    def _input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        d = int(self.arch["input_dim"])
        if X.ndim != 2 or X.shape[1] != d:
            raise AnomascopeError(f"BiGAN expects rows with {d} features, got shape {X.shape}")
        return X

    def encode(self, X: np.ndarray) -> np.ndarray:
        """``E(x)``: float32 ``(n, latent_dim)``."""
        return self._stack("encoder", self._input(X), self.arch["latent_activation"])

    def generate(self, Z: np.ndarray) -> np.ndarray:
        """``G(z)``: float32 ``(n, input_dim)``."""
        Z = np.asarray(Z, dtype=np.float32)
        return self._stack("generator", Z, self.arch["output_activation"])

    def discriminate(self, X: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``D(x, z)``: logits float32 ``(n,)`` and last hidden features ``(n, units[-1])``."""
        XZ = np.concatenate([np.asarray(X, np.float32), np.asarray(Z, np.float32)], axis=1)
        logit, feat = self._stack("discriminator", XZ, "linear", keep_hidden=True)
        return logit[:, 0], feat

    def score_parts(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reconstruction term ``||x - G(E(x))||_p`` and discriminator term ``L_D(x)``,
        each float32 ``(n,)``."""
        X = self._input(X)
        Z = self.encode(X)
        R = self.generate(Z)
        diff = X - R
        if int(self.arch["norm"]) == 1:
            rec = np.abs(diff).sum(axis=1)
        else:
            rec = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        # D's first layer on [x, z] is x @ Wx.T + z @ Wz.T: the z part is shared by the real
        # and the generated pair, and the real x skips its zero columns
        wx, wz = self._split_weight()
        z_part = matmul_nt(Z, wz)
        real = input_product(X, wx)
        real += z_part
        if self.arch["discriminator_term"] == "cross_entropy":
            logit = self._stack("discriminator", real, "linear", given=True)[:, 0]
            disc = _softplus(-logit)
        else:
            fake = matmul_nt(R, wx)
            fake += z_part
            disc = np.abs(self._features(real) - self._features(fake)).sum(axis=1)
        return rec.astype(np.float32), disc.astype(np.float32)

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """``A(x) = alpha * rec + (1 - alpha) * L_D``: float32 ``(n,)``, higher = more anomalous."""
        rec, disc = self.score_parts(X)
        alpha = np.float32(self.arch["alpha"])
        return alpha * rec + (np.float32(1.0) - alpha) * disc

    # -- parameters ----------------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        return dict(self.arch)

    def state_dict(self) -> dict[str, np.ndarray]:
        return dict(self.params)

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        arch = _check_architecture(architecture)
        shapes: dict[str, tuple[int, ...]] = {}
        for part, widths in _widths(arch).items():
            for i, (w_in, w_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
                shapes[f"{part}.{i}.weight"] = (w_out, w_in)
                shapes[f"{part}.{i}.bias"] = (w_out,)
        return shapes

    @classmethod
    def from_state(cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]) -> Detector:
        return cls(architecture, arrays)
