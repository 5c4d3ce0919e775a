"""Variational autoencoder detector.

Trained with the reparameterisation trick and a ``beta``-weighted KL term (see
:mod:`anomascope.nn.models` for the exact loss). The anomaly score is deterministic: the
per-row mean squared error of ``decode(mu)``.
"""

from __future__ import annotations

from typing import ClassVar

from anomascope.detectors.autoencoder import _DenseDetector
from anomascope.nn.models import VAE


class VAEDetector(_DenseDetector):
    """Dense VAE detector (kind ``"vae"``); parameters as :class:`AutoencoderDetector`.

    explain_method: squared error of ``decode(mu)`` per feature divided by ``d``; a row's
    contributions add up to its score.

    Attributes
    ----------
    model_ : VAE
    history_ : list of float
        Mean batch loss (reconstruction + beta * KL) per epoch of the last :meth:`fit`.
    """

    kind: ClassVar[str] = "vae"
    model_class = VAE
    _is_vae = True
