"""The seq2seq LSTM autoencoder for ECG beats, in PyTorch (training side).

A beat of ``seq_len`` values is cut into ``seq_len // patch`` consecutive patches of ``patch``
values (one LSTM time step per patch: fewer steps train faster and score faster in the browser).
The encoder LSTM reads the patches; its last hidden state ``h`` summarises the beat. The decoder
LSTM starts from the encoder's final ``(h, c)``, receives ``h`` again as its input at every step
(the "repeat vector" of the classic LSTM autoencoder), and a linear layer maps each decoder
hidden state back to one patch.

State dict (torch naming; the numpy :class:`anomascope.detectors.seq2seq.Seq2SeqDetector`
reads exactly these arrays, gate order i, f, g, o)::

    encoder.weight_ih_l0 (4H, patch)   encoder.weight_hh_l0 (4H, H)
    encoder.bias_ih_l0   (4H,)         encoder.bias_hh_l0   (4H,)
    decoder.weight_ih_l0 (4H, H)       decoder.weight_hh_l0 (4H, H)
    decoder.bias_ih_l0   (4H,)         decoder.bias_hh_l0   (4H,)
    output.weight        (patch, H)    output.bias          (patch,)
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class TorchSeq2Seq(nn.Module):
    """LSTM encoder-decoder over patches of a beat; ``forward`` maps ``(n, seq_len)`` to the same
    shape (float32)."""

    def __init__(self, seq_len: int = 140, patch: int = 4, hidden_size: int = 32) -> None:
        super().__init__()
        if seq_len % patch:
            raise ValueError(f"seq_len {seq_len} is not a multiple of patch {patch}")
        self.seq_len, self.patch, self.hidden_size = seq_len, patch, hidden_size
        self.encoder = nn.LSTM(patch, hidden_size, batch_first=True)
        self.decoder = nn.LSTM(hidden_size, hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, patch)

    @classmethod
    def from_architecture(cls, architecture: dict[str, Any]) -> TorchSeq2Seq:
        """Build from the numpy detector's ``architecture()`` dict."""
        return cls(architecture["seq_len"], architecture["patch"], architecture["hidden_size"])

    def architecture(self) -> dict[str, Any]:
        """The JSON-able architecture, the same dict the numpy detector uses."""
        return {"seq_len": self.seq_len, "patch": self.patch, "hidden_size": self.hidden_size}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        steps = self.seq_len // self.patch
        _, (h, c) = self.encoder(x.reshape(n, steps, self.patch))
        repeated = h[-1].unsqueeze(1).expand(n, steps, self.hidden_size)
        out, _ = self.decoder(repeated, (h, c))
        return self.output(out).reshape(n, self.seq_len)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """Per-row reconstruction MSE (the anomaly score), shape ``(n,)``."""
        return ((self(x) - x) ** 2).mean(dim=1)
