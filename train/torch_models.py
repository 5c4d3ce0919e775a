"""PyTorch twins of the numpy dense models in ``anomascope.nn.models``.

Both modules take the same architecture dicts as the numpy side and name their parameters so
that ``module.state_dict()`` (converted by ``train.common.torch_state_to_numpy``) loads directly
into ``AutoencoderDetector.from_state`` / ``VAEDetector.from_state``:

- ``TorchAutoencoder``: ``encoder.{i}.weight|bias`` then ``decoder.{i}.weight|bias``;
- ``TorchVAE``: ``encoder.{i}`` (hidden), ``fc_mu``, ``fc_logvar``, ``decoder.{i}``.

Activations are applied functionally (no parameters) from :data:`ACTIVATIONS`, the torch
side's one activation table (the BiGAN uses it too). Losses follow the numpy conventions:
reconstruction loss (``mse`` or ``mae``) averaged over every element; weight penalty
``l1 * sum|W| + l2 * sum W**2`` over weights only; VAE loss
``(sum err + beta * sum KL) / (n * input_dim)`` (see ``anomascope.nn.models``). Training
(``train.loop``) uses the MSE and Adam's weight decay; the ``mae`` loss and the weight penalty
are the torch references that ``tests/parity`` checks the numpy losses and regularizers against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from anomascope.nn.models import normalize_architecture

#: The torch side's one activation table (AE, VAE and BiGAN use it; the seq2seq LSTM has fixed
#: gates). Same names as the numpy engine's ``anomascope.nn.activations.ACTIVATIONS`` (a test
#: checks the two name sets agree, the parity tests compare the values); each entry maps
#: ``(x, leaky_slope)`` to ``f(x)``.
ACTIVATIONS: dict[str, Callable[[torch.Tensor, float], torch.Tensor]] = {
    "relu": lambda x, slope: F.relu(x),
    "leaky_relu": F.leaky_relu,
    "tanh": lambda x, slope: torch.tanh(x),
    "sigmoid": lambda x, slope: torch.sigmoid(x),
    "linear": lambda x, slope: x,
}


def activation(x: torch.Tensor, name: str, slope: float = 0.01) -> torch.Tensor:
    """Apply the activation ``name`` (a key of :data:`ACTIVATIONS`) with leaky slope ``slope``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name](x, slope)


def linears(dims: list[int]) -> nn.ModuleList:
    """``nn.Linear`` layers ``dims[0] -> dims[1] -> ... -> dims[-1]`` (keys ``{i}.weight|bias``)."""
    return nn.ModuleList(nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1))


def reconstruction_loss(
    pred: torch.Tensor, target: torch.Tensor, kind: str = "mse"
) -> torch.Tensor:
    """Mean over every element of the squared (``mse``) or absolute (``mae``) error."""
    if kind == "mse":
        return F.mse_loss(pred, target)
    if kind == "mae":
        return F.l1_loss(pred, target)
    raise ValueError(f"unknown loss {kind!r}; choose mse or mae")


class _Penalty(nn.Module):
    def weight_penalty(self, l1: float = 0.0, l2: float = 0.0) -> torch.Tensor:
        """``l1 * sum|W| + l2 * sum W**2`` over every Linear weight (biases excluded)."""
        total = torch.zeros(())
        for name, p in self.named_parameters():
            if name.endswith(".weight"):
                if l1:
                    total = total + l1 * p.abs().sum()
                if l2:
                    total = total + l2 * (p * p).sum()
        return total


class TorchAutoencoder(_Penalty):
    """Dense autoencoder with the numpy ``Autoencoder`` architecture dict.

    Keys: ``input_dim``, ``encoder_units``, ``latent_dim``, ``decoder_units`` (default
    mirrored), ``activation``, ``latent_activation``, ``output_activation``, ``leaky_slope``.
    """

    def __init__(self, architecture: dict[str, Any]) -> None:
        super().__init__()
        self.architecture = normalize_architecture(architecture)
        enc_units = self.architecture["encoder_units"]
        dec_units = self.architecture["decoder_units"]
        d, latent = self.architecture["input_dim"], self.architecture["latent_dim"]
        self.encoder = linears([d, *enc_units, latent])
        self.decoder = linears([latent, *dec_units, d])

    def _run(self, layers: nn.ModuleList, h: torch.Tensor, last: str) -> torch.Tensor:
        a = self.architecture
        for i, layer in enumerate(layers):
            act = last if i == len(layers) - 1 else a["activation"]
            h = activation(layer(h), act, a["leaky_slope"])
        return h

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(self.encoder, x, self.architecture["latent_activation"])

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self._run(self.decoder, z, self.architecture["output_activation"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def loss(self, x: torch.Tensor, kind: str = "mse") -> torch.Tensor:
        """Mean reconstruction loss of batch ``x`` (no penalty)."""
        return reconstruction_loss(self(x), x, kind)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """Per-row reconstruction MSE (the anomaly score)."""
        return ((self(x) - x) ** 2).mean(dim=1)


class TorchVAE(_Penalty):
    """Dense VAE with the numpy ``VAE`` architecture dict.

    Keys: ``input_dim``, ``encoder_units``, ``latent_dim``, ``decoder_units``, ``activation``,
    ``output_activation``, ``leaky_slope``, ``beta``.
    """

    def __init__(self, architecture: dict[str, Any]) -> None:
        super().__init__()
        self.architecture = normalize_architecture(architecture, vae=True)
        enc_units = self.architecture["encoder_units"]
        dec_units = self.architecture["decoder_units"]
        d, latent = self.architecture["input_dim"], self.architecture["latent_dim"]
        hidden = enc_units[-1] if enc_units else d
        self.encoder = linears([d, *enc_units])
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.decoder = linears([latent, *dec_units, d])

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a = self.architecture
        h = x
        for layer in self.encoder:
            h = activation(layer(h), a["activation"], a["leaky_slope"])
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        a = self.architecture
        h = z
        for i, layer in enumerate(self.decoder):
            last = i == len(self.decoder) - 1
            h = activation(
                layer(h), a["output_activation"] if last else a["activation"], a["leaky_slope"]
            )
        return h

    def forward(
        self, x: torch.Tensor, eps: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(reconstruction, mu, logvar)`` with ``z = mu + exp(logvar / 2) * eps``."""
        mu, logvar = self.encode(x)
        if eps is None:
            eps = torch.randn_like(mu)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decode(z), mu, logvar

    def loss(
        self, x: torch.Tensor, eps: torch.Tensor | None = None, kind: str = "mse"
    ) -> torch.Tensor:
        """``(sum err + beta * sum KL) / (n * input_dim)``, as the numpy ``VAE``."""
        recon, mu, logvar = self(x, eps)
        rec = reconstruction_loss(recon, x, kind)
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar))
        return rec + self.architecture["beta"] * kl / x.numel()

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """Per-row reconstruction MSE of ``decode(mu)`` (deterministic anomaly score)."""
        mu, _ = self.encode(x)
        return ((self.decode(mu) - x) ** 2).mean(dim=1)
