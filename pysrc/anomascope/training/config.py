"""The "Train a model" page's configuration: validation, limits and data sampling.

Data sampling (seeded by ``config["seed"]``)
--------------------------------------------
The two UCR files are pooled (TRAIN 500 + TEST 4500 = 5000 beats; class 1 normal, 2-5
abnormal). Per class, the pool is shuffled once with the seed.

- **Training**: ``train_size`` beats, of which ``round(train_size * abnormal_percent / 100)``
  are abnormal (a contaminated training set, as Anomagram allowed), the rest normal.
- **Validation**: ``validation_size`` beats drawn at random from the beats left over (their
  natural mix of classes). The threshold is chosen here: best F1.
- **Test**: ``test_size`` beats drawn at random from what is left after validation. Metrics,
  the ROC curve, the histogram and the latent scatter are on the test set only.

The three sets never share a beat. Beats are used as stored (already z-normalised per beat),
so the exported model's preprocessing is the identity. Because training beats may come from
the UCR TEST file, the exported manifest lists every set's pool indices under
``training.rows``, and the ECG lab leaves the beats a model was trained or thresholded on out
of its metrics on the UCR TEST file (:func:`anomascope.data.ecg.rows_seen_in_training`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import BEAT_LENGTH
from anomascope.nn import ACTIVATIONS, OPTIMIZERS

MAX_PARAMETERS = 500_000
MAX_UNITS = 2048
MAX_LAYERS = 6
MAX_EPOCHS = 2000
MAX_SEED = 2**31 - 1
MAX_LEARNING_RATE = 100.0

DEFAULTS: dict[str, Any] = {
    "encoder_units": [32, 16],
    "latent_dim": 4,
    "activation": "relu",
    "mirrored": True,
    "decoder_units": [16, 32],
    "epochs": 30,
    "batch_size": 64,
    "learning_rate": 0.01,
    "optimizer": "adam",
    "regularizer": "none",
    "regularization_rate": 0.0001,
    "seed": 0,
    "train_size": 1000,
    "abnormal_percent": 0.0,
    "validation_size": 500,
    "test_size": 1500,
}


def _int(cfg: dict[str, Any], key: str, low: int, high: int, label: str) -> int:
    v = cfg[key]
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise AnomascopeError(f"{label} must be a whole number from {low:,} to {high:,}, got {v!r}")
    return v


def _num(
    cfg: dict[str, Any], key: str, low: float, high: float, label: str, *, open_low: bool
) -> float:
    v = cfg[key]
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if ok:
        ok = (v > low if open_low else v >= low) and v <= high
    if not ok:
        bound = f"{'above' if open_low else 'at least'} {low:g} and at most {high:g}"
        raise AnomascopeError(f"{label} must be a number {bound}, got {v!r}")
    return float(v)


def _units(value: Any, label: str, *, allow_empty: bool = True) -> list[int]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise AnomascopeError(f"{label} must be a list of layer sizes")
    if len(value) > MAX_LAYERS:
        raise AnomascopeError(f"{label}: at most {MAX_LAYERS} hidden layers, got {len(value)}")
    out = []
    for i, u in enumerate(value):
        if isinstance(u, float) and u.is_integer():
            u = int(u)
        if not isinstance(u, int) or isinstance(u, bool) or not 1 <= u <= MAX_UNITS:
            raise AnomascopeError(
                f"{label}: layer {i + 1} must have from 1 to {MAX_UNITS} units, got {u!r}"
            )
        out.append(u)
    return out


def architecture_of(cfg: dict[str, Any]) -> dict[str, Any]:
    """The autoencoder architecture dict of a validated config."""
    return {
        "input_dim": BEAT_LENGTH,
        "encoder_units": list(cfg["encoder_units"]),
        "latent_dim": cfg["latent_dim"],
        "decoder_units": list(cfg["decoder_units"]),
        "activation": cfg["activation"],
        "latent_activation": "linear",
        "output_activation": "linear",
        "leaky_slope": 0.01,
    }


def count_parameters(cfg: dict[str, Any]) -> int:
    """Weights + biases of the autoencoder a validated config describes."""
    dims = [BEAT_LENGTH, *cfg["encoder_units"], cfg["latent_dim"], *cfg["decoder_units"]]
    dims.append(BEAT_LENGTH)
    return sum(a * b + b for a, b in zip(dims[:-1], dims[1:], strict=True))


def validate_config(config: Any, pool: dict[str, int] | None = None) -> dict[str, Any]:
    """Check a page configuration; return it complete (defaults filled in, numbers typed).

    Parameters
    ----------
    config : dict
        Keys of :data:`DEFAULTS`; missing keys take the default, unknown keys are an error.
    pool : dict, optional
        ``{"normal": int, "abnormal": int}`` beats available, to check the data sizes.

    Raises
    ------
    AnomascopeError
        One clear message for the first impossible value.
    """
    if not isinstance(config, dict):
        raise AnomascopeError("the training configuration must be an object")
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise AnomascopeError(f"unknown training settings: {', '.join(map(str, unknown))}")
    cfg = {**DEFAULTS, **config}
    out: dict[str, Any] = {}
    out["encoder_units"] = _units(cfg["encoder_units"], "encoder")
    out["latent_dim"] = _int(cfg, "latent_dim", 1, 256, "latent size")
    if cfg["activation"] not in ACTIVATIONS or cfg["activation"] == "linear":
        names = ", ".join(a for a in ACTIVATIONS if a != "linear")
        raise AnomascopeError(f"activation must be one of {names}, got {cfg['activation']!r}")
    out["activation"] = cfg["activation"]
    if not isinstance(cfg["mirrored"], bool):
        raise AnomascopeError("mirrored must be true or false")
    out["mirrored"] = cfg["mirrored"]
    dec = out["encoder_units"][::-1] if cfg["mirrored"] else cfg["decoder_units"]
    out["decoder_units"] = _units(dec, "decoder")
    params = count_parameters(out)
    if params > MAX_PARAMETERS:
        raise AnomascopeError(
            f"this network has {params:,} parameters; the limit is {MAX_PARAMETERS:,}. "
            "Use fewer or smaller layers."
        )
    out["epochs"] = _int(cfg, "epochs", 1, MAX_EPOCHS, "epochs")
    out["learning_rate"] = _num(
        cfg, "learning_rate", 0, MAX_LEARNING_RATE, "learning rate", open_low=True
    )
    if cfg["optimizer"] not in OPTIMIZERS:
        raise AnomascopeError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
    out["optimizer"] = cfg["optimizer"]
    if cfg["regularizer"] not in ("none", "l1", "l2", "l1l2"):
        raise AnomascopeError("regularizer must be one of none, l1, l2, l1l2")
    out["regularizer"] = cfg["regularizer"]
    out["regularization_rate"] = _num(
        cfg, "regularization_rate", 0, 10, "regularization rate", open_low=False
    )
    out["seed"] = _int(cfg, "seed", 0, MAX_SEED, "seed")
    out["abnormal_percent"] = _num(
        cfg, "abnormal_percent", 0, 70, "abnormal percentage", open_low=False
    )
    out["train_size"] = _int(cfg, "train_size", 10, 5000, "training size")
    out["validation_size"] = _int(cfg, "validation_size", 20, 5000, "validation size")
    out["test_size"] = _int(cfg, "test_size", 20, 5000, "test size")
    out["batch_size"] = _int(cfg, "batch_size", 1, 5000, "batch size")
    if out["batch_size"] > out["train_size"]:
        raise AnomascopeError(
            f"batch size ({out['batch_size']:,}) is larger than the training set "
            f"({out['train_size']:,} beats); use a batch of at most {out['train_size']:,}"
        )
    if pool is not None:
        n_abn = round(out["train_size"] * out["abnormal_percent"] / 100)
        n_norm = out["train_size"] - n_abn
        total = pool["normal"] + pool["abnormal"]
        used = out["train_size"] + out["validation_size"] + out["test_size"]
        if n_norm > pool["normal"] or n_abn > pool["abnormal"]:
            raise AnomascopeError(
                f"the training set asks for {n_norm:,} normal and {n_abn:,} abnormal beats; "
                f"there are {pool['normal']:,} and {pool['abnormal']:,}"
            )
        if used > total:
            raise AnomascopeError(
                f"training, validation and test sizes add up to {used:,} beats; "
                f"ECG5000 has {total:,}"
            )
    return out


def split_data(
    X: np.ndarray, y: np.ndarray, cfg: dict[str, Any]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Seeded disjoint ``{"train", "validation", "test"}`` -> (row indices, anomaly bool).

    ``X`` float32 ``(n, 140)`` and ``y`` class labels ``(n,)`` are the pooled beats; see the
    module docstring for the sampling.
    """
    rng = np.random.default_rng([cfg["seed"], 7])
    normal = rng.permutation(np.flatnonzero(y == 1))
    abnormal = rng.permutation(np.flatnonzero(y != 1))
    n_abn = round(cfg["train_size"] * cfg["abnormal_percent"] / 100)
    n_norm = cfg["train_size"] - n_abn
    train = np.concatenate([normal[:n_norm], abnormal[:n_abn]])
    rest = rng.permutation(np.concatenate([normal[n_norm:], abnormal[n_abn:]]))
    nv, nt = cfg["validation_size"], cfg["test_size"]
    val, test = rest[:nv], rest[nv : nv + nt]
    out = {}
    for name, idx in (("train", train), ("validation", val), ("test", test)):
        idx = np.sort(idx)
        labels = y[idx] != 1
        if name != "train" and (labels.all() or not labels.any()):
            raise AnomascopeError(f"the {name} set needs normal and abnormal beats; make it larger")
        out[name] = (idx, labels)
    return out
