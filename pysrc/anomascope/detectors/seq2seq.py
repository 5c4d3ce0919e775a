"""Sequence-to-sequence LSTM autoencoder for ECG beats: numpy inference of exported weights.

The model is trained offline in PyTorch (``train/torch_seq2seq.py``); this module runs the same
forward pass in numpy, vectorised over the batch, looping only over time steps.

A beat of ``seq_len`` values is read as ``T = seq_len // patch`` consecutive patches of
``patch`` values, one LSTM step per patch. The encoder LSTM (hidden size ``H``) reads the
patches from zero state; its final ``(h, c)`` is the decoder's initial state, and the final
``h`` is also the decoder's input at every step. A linear layer maps each decoder hidden state
to one patch of the reconstruction. Score = per-row mean squared reconstruction error.

Arrays (torch ``nn.LSTM``/``nn.Linear`` state_dict names and layouts, gate order i, f, g, o)::

    encoder.weight_ih_l0 (4H, patch)   encoder.weight_hh_l0 (4H, H)
    encoder.bias_ih_l0   (4H,)         encoder.bias_hh_l0   (4H,)
    decoder.weight_ih_l0 (4H, H)       decoder.weight_hh_l0 (4H, H)
    decoder.bias_ih_l0   (4H,)         decoder.bias_hh_l0   (4H,)
    output.weight        (patch, H)    output.bias          (patch,)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import ReconstructionDetector
from anomascope.nn.activations import activate_

_LSTM_PARTS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def _lstm_cell(
    gates_x: np.ndarray, h: np.ndarray, c: np.ndarray, w_hh_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step for the whole batch.

    Parameters
    ----------
    gates_x : float32 ``(n, 4H)``
        Input projection ``x @ W_ih.T + b_ih + b_hh`` for this step.
    h, c : float32 ``(n, H)``
        Previous hidden and cell states.
    w_hh_t : float32 ``(H, 4H)``
        Transposed recurrent weights.

    Returns
    -------
    h, c : float32 ``(n, H)``
        New hidden and cell states.
    """
    H = h.shape[1]
    gates = gates_x + h @ w_hh_t  # a new array: the activations are applied in place
    i = activate_(gates[:, :H], "sigmoid")
    f = activate_(gates[:, H : 2 * H], "sigmoid")
    g = activate_(gates[:, 2 * H : 3 * H], "tanh")
    o = activate_(gates[:, 3 * H :], "sigmoid")
    c = f * c + i * g
    h = o * np.tanh(c)
    return h, c


class Seq2SeqDetector(ReconstructionDetector):
    """LSTM encoder-decoder reconstruction detector (inference only; trained in PyTorch).

    explain_method: squared reconstruction error per time step divided by ``seq_len``; a
    beat's contributions add up to its score.

    Parameters
    ----------
    seq_len : int
        Values per beat (140 for ECG5000).
    patch : int
        Values per LSTM step; must divide ``seq_len``.
    hidden_size : int
        LSTM hidden size ``H`` of both encoder and decoder.

    Attributes
    ----------
    params_ : dict[str, ndarray]
        The float32 arrays listed in the module docstring.
    """

    kind = "seq2seq"

    def __init__(self, seq_len: int = 140, patch: int = 4, hidden_size: int = 32) -> None:
        if seq_len < 1 or patch < 1 or hidden_size < 1 or seq_len % patch:
            raise AnomascopeError(
                f"seq2seq needs positive sizes with patch dividing seq_len; got seq_len={seq_len},"
                f" patch={patch}, hidden_size={hidden_size}"
            )
        self.seq_len = int(seq_len)
        self.patch = int(patch)
        self.hidden_size = int(hidden_size)
        self.params_: dict[str, np.ndarray] | None = None
        self.threshold_: float | None = None

    # -- inference -------------------------------------------------------------------------
    def _fitted(self) -> dict[str, np.ndarray]:
        if self.params_ is None:
            raise AnomascopeError("Seq2SeqDetector has no weights; load an exported model")
        return self.params_

    def encode(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Final encoder states ``(h, c)``, float32 ``(n, H)`` each, for beats ``(n, seq_len)``."""
        p = self._fitted()
        X = self._check_input(X)
        n, T = X.shape[0], self.seq_len // self.patch
        # All input projections at once: (n, T, 4H).
        gx = X.reshape(n, T, self.patch) @ p["encoder.weight_ih_l0"].T
        gx += p["encoder.bias_ih_l0"] + p["encoder.bias_hh_l0"]
        w_hh_t = np.ascontiguousarray(p["encoder.weight_hh_l0"].T)
        h = np.zeros((n, self.hidden_size), dtype=np.float32)
        c = np.zeros_like(h)
        for t in range(T):
            h, c = _lstm_cell(gx[:, t], h, c, w_hh_t)
        return h, c

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruction of beats ``X`` float32 ``(n, seq_len)``, same shape and dtype."""
        p = self._fitted()
        h, c = self.encode(X)
        n, T = h.shape[0], self.seq_len // self.patch
        # The decoder's input is the same vector at every step: project it once.
        gx = h @ p["decoder.weight_ih_l0"].T + (p["decoder.bias_ih_l0"] + p["decoder.bias_hh_l0"])
        w_hh_t = np.ascontiguousarray(p["decoder.weight_hh_l0"].T)
        hs = np.empty((n, T, self.hidden_size), dtype=np.float32)
        for t in range(T):
            h, c = _lstm_cell(gx, h, c, w_hh_t)
            hs[:, t] = h
        out = hs @ p["output.weight"].T + p["output.bias"]
        return out.reshape(n, self.seq_len).astype(np.float32, copy=False)

    def _check_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.seq_len:
            raise AnomascopeError(
                f"seq2seq model expects rows of {self.seq_len} values, got shape {X.shape}"
            )
        return X

    # -- parameters ------------------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        return {"seq_len": self.seq_len, "patch": self.patch, "hidden_size": self.hidden_size}

    def state_dict(self) -> dict[str, np.ndarray]:
        return dict(self._fitted())

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        P, H = int(architecture["patch"]), int(architecture["hidden_size"])
        shapes: dict[str, tuple[int, ...]] = {}
        for part, in_dim in (("encoder", P), ("decoder", H)):
            shapes[f"{part}.weight_ih_l0"] = (4 * H, in_dim)
            shapes[f"{part}.weight_hh_l0"] = (4 * H, H)
            shapes[f"{part}.bias_ih_l0"] = (4 * H,)
            shapes[f"{part}.bias_hh_l0"] = (4 * H,)
        shapes["output.weight"] = (P, H)
        shapes["output.bias"] = (P,)
        return shapes

    @classmethod
    def from_state(
        cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> Seq2SeqDetector:
        det = cls(
            int(architecture["seq_len"]),
            int(architecture["patch"]),
            int(architecture["hidden_size"]),
        )
        expected = cls.expected_shapes(architecture)
        det.params_ = {k: np.ascontiguousarray(arrays[k], dtype=np.float32) for k in expected}
        return det
