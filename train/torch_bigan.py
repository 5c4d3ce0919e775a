"""PyTorch BiGAN whose ``state_dict`` loads into :class:`anomascope.detectors.bigan.BiGANDetector`.

Modules: ``encoder``, ``generator``, ``discriminator`` are ``nn.ModuleList`` of ``nn.Linear``
(activations applied functionally), so keys are ``encoder.0.weight`` etc. The discriminator
reads ``cat([x, z], dim=1)`` and outputs one logit.

Training (:func:`train_bigan`) is the standard BiGAN game with the non-saturating generator
loss: D learns to call ``(x, E(x))`` real and ``(G(z), z)`` fake (z ~ N(0, I)); E and G learn
the swapped labels. Plain BiGANs invert poorly (``G(E(x))`` is only loosely close to ``x``),
which weakens the reconstruction part of the score, so E and G also get a cycle-consistency
term ``recon_weight * mean ||x - G(E(x))||_1`` (as in ALICE, Li et al. 2017, and the
cycle-consistent ALAD of Zenati et al. 2018). ``recon_weight = 0`` gives the plain BiGAN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from train.torch_models import activation, linears


class TorchBiGAN(nn.Module):
    """Encoder, generator and discriminator with the numpy detector's architecture dict."""

    def __init__(self, architecture: dict[str, Any]) -> None:
        super().__init__()
        self.arch = dict(architecture)
        d, k = int(self.arch["input_dim"]), int(self.arch["latent_dim"])
        self.encoder = linears([d, *self.arch["encoder_units"], k])
        self.generator = linears([k, *self.arch["generator_units"], d])
        self.discriminator = linears([d + k, *self.arch["discriminator_units"], 1])

    def _run(self, layers: nn.ModuleList, h: torch.Tensor, last: str) -> tuple[Any, Any]:
        slope = float(self.arch["leaky_slope"])
        hidden = h
        for i, layer in enumerate(layers):
            h = layer(h)
            if i < len(layers) - 1:
                h = activation(h, self.arch["activation"], slope)
                hidden = h
            else:
                h = activation(h, last, slope)
        return h, hidden

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(self.encoder, x, self.arch["latent_activation"])[0]

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return self._run(self.generator, z, self.arch["output_activation"])[0]

    def discriminate(self, x: torch.Tensor, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits ``(n,)`` and last hidden features of ``D(x, z)``."""
        logit, feat = self._run(self.discriminator, torch.cat([x, z], dim=1), "linear")
        return logit[:, 0], feat

    def score_parts(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.encode(x)
        r = self.generate(z)
        diff = x - r
        rec = diff.abs().sum(1) if int(self.arch["norm"]) == 1 else diff.pow(2).sum(1).sqrt()
        if self.arch["discriminator_term"] == "cross_entropy":
            disc = F.softplus(-self.discriminate(x, z)[0])
        else:
            disc = (self.discriminate(x, z)[1] - self.discriminate(r, z)[1]).abs().sum(1)
        return rec, disc

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """``alpha * rec + (1 - alpha) * L_D`` per row (same as the numpy detector)."""
        rec, disc = self.score_parts(x)
        a = float(self.arch["alpha"])
        return a * rec + (1.0 - a) * disc


@dataclass
class BiGANConfig:
    """Training configuration (recorded in the manifest)."""

    epochs: int = 30
    batch_size: int = 256
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    recon_weight: float = 1.0
    d_steps: int = 1
    history: list[dict[str, float]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("history")
        return out


def train_bigan(
    model: TorchBiGAN,
    X: np.ndarray,
    config: BiGANConfig,
    generator: torch.Generator,
    on_epoch: Callable[[int, TorchBiGAN], None] | None = None,
) -> TorchBiGAN:
    """Train ``model`` on rows ``X`` (float32 ``(n, d)``, normal data only), in place.

    Per batch: ``config.d_steps`` discriminator updates, then one joint encoder/generator
    update. Appends per-epoch mean losses to ``config.history`` and calls
    ``on_epoch(epoch_number, model)`` after each epoch (for checkpoints). Returns ``model``.
    """
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    k = int(model.arch["latent_dim"])
    eg_params = list(model.encoder.parameters()) + list(model.generator.parameters())
    opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=config.lr, betas=config.betas)
    opt_eg = torch.optim.Adam(eg_params, lr=config.lr, betas=config.betas)
    n = len(data)
    for _epoch in range(config.epochs):
        perm = torch.randperm(n, generator=generator)
        sums = {"d_loss": 0.0, "eg_loss": 0.0, "recon": 0.0}
        batches = 0
        for start in range(0, n - config.batch_size + 1, config.batch_size):
            x = data[perm[start : start + config.batch_size]]
            for _ in range(config.d_steps):
                z = torch.randn(len(x), k, generator=generator)
                with torch.no_grad():
                    ez, gz = model.encode(x), model.generate(z)
                real, _ = model.discriminate(x, ez)
                fake, _ = model.discriminate(gz, z)
                d_loss = F.softplus(-real).mean() + F.softplus(fake).mean()
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
            z = torch.randn(len(x), k, generator=generator)
            ez = model.encode(x)
            gz = model.generate(z)
            real, _ = model.discriminate(x, ez)
            fake, _ = model.discriminate(gz, z)
            recon = (x - model.generate(ez)).abs().sum(1).mean()
            eg_loss = F.softplus(real).mean() + F.softplus(-fake).mean()
            loss = eg_loss + config.recon_weight * recon
            opt_eg.zero_grad()
            loss.backward()
            opt_eg.step()
            sums["d_loss"] += float(d_loss.detach())
            sums["eg_loss"] += float(eg_loss.detach())
            sums["recon"] += float(recon.detach())
            batches += 1
        config.history.append({key: v / max(batches, 1) for key, v in sums.items()})
        if on_epoch is not None:
            on_epoch(_epoch + 1, model)
    model.eval()
    return model
