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
of its metrics on the UCR TEST file (:func:`rows_seen_in_training`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import BEAT_LENGTH
from anomascope.nn import ACTIVATIONS, OPTIMIZERS, REGULARIZERS

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


@dataclass(frozen=True)
class Field:
    """One setting of the page: its label, kind and bounds.

    The same table checks a configuration (:meth:`check`) and is published to the page by the
    ``schema`` request (:meth:`describe`), so a bound is written once.

    ``kind`` is ``"int"`` / ``"number"`` (``low`` to ``high``; ``low`` itself refused when
    ``min_exclusive``), ``"choice"`` (one of ``choices``), ``"bool"`` or ``"units"`` (a list of
    at most :data:`MAX_LAYERS` layer sizes from 1 to :data:`MAX_UNITS`).
    """

    key: str
    label: str
    kind: str
    low: float = 0
    high: float = 0
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        """The field as the ``schema`` request publishes it."""
        out: dict[str, Any] = {"label": self.label, "kind": self.kind}
        if self.kind in ("int", "number"):
            out.update(min=self.low, max=self.high, min_exclusive=self.min_exclusive)
        elif self.kind == "choice":
            out["choices"] = list(self.choices)
            out["choice_labels"] = {c: CHOICE_LABELS.get(c, c) for c in self.choices}
        elif self.kind == "units":
            out.update(
                max_layers=MAX_LAYERS,
                max_units=MAX_UNITS,
                limit_reason=f"A network may have at most {MAX_LAYERS} {self.label} layers.",
            )
        return out

    def fail(self, message: str) -> AnomascopeError:
        return AnomascopeError(message, field=self.key)

    def check(self, v: Any) -> Any:
        """The value typed (``int`` / ``float`` / ``bool`` / ``list[int]`` / ``str``), or
        :class:`AnomascopeError` naming this field."""
        if self.kind == "int":
            return self._int(v)
        if self.kind == "number":
            return self._number(v)
        if self.kind == "units":
            return self._units(v)
        if self.kind == "bool":
            if not isinstance(v, bool):
                raise self.fail(f"{self.label} must be true or false")
            return v
        if v not in self.choices:
            raise self.fail(f"{self.label} must be one of {', '.join(self.choices)}, got {v!r}")
        return v

    def _int(self, v: Any) -> int:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool) or not self.low <= v <= self.high:
            raise self.fail(
                f"{self.label} must be a whole number from {self.low:,} to {self.high:,}, got {v!r}"
            )
        return v

    def _number(self, v: Any) -> float:
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        if ok:
            ok = (v > self.low if self.min_exclusive else v >= self.low) and v <= self.high
        if not ok:
            above = "above" if self.min_exclusive else "at least"
            raise self.fail(
                f"{self.label} must be a number {above} {self.low:g} and at most {self.high:g}, "
                f"got {v!r}"
            )
        return float(v)

    def _units(self, value: Any) -> list[int]:
        if not isinstance(value, list):
            raise self.fail(f"{self.label} must be a list of layer sizes")
        if len(value) > MAX_LAYERS:
            raise self.fail(f"{self.label}: at most {MAX_LAYERS} hidden layers, got {len(value)}")
        out = []
        for i, u in enumerate(value):
            if isinstance(u, float) and u.is_integer():
                u = int(u)
            if not isinstance(u, int) or isinstance(u, bool) or not 1 <= u <= MAX_UNITS:
                raise self.fail(
                    f"{self.label}: layer {i + 1} must have from 1 to {MAX_UNITS} units, got {u!r}"
                )
            out.append(u)
        return out


#: The words the page shows for a choice value (a value missing here is shown as it is).
CHOICE_LABELS = {
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "sgd": "SGD",
    "momentum": "Momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamax": "Adamax",
    "adadelta": "Adadelta",
    "l1l2": "l1 + l2",
}

#: The activations a hidden layer may use (``linear`` is for the code and output layers).
HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "linear")

#: Every setting, in the order :func:`validate_config` checks them (the first bad one is
#: reported). ``decoder_units`` is checked as the mirrored encoder when ``mirrored``.
FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        Field("encoder_units", "encoder", "units"),
        Field("latent_dim", "latent size", "int", 1, 256),
        Field("activation", "activation", "choice", choices=HIDDEN_ACTIVATIONS),
        Field("mirrored", "mirrored", "bool"),
        Field("decoder_units", "decoder", "units"),
        Field("epochs", "epochs", "int", 1, MAX_EPOCHS),
        Field("learning_rate", "learning rate", "number", 0, MAX_LEARNING_RATE, True),
        Field("optimizer", "optimizer", "choice", choices=tuple(OPTIMIZERS)),
        Field("regularizer", "regularizer", "choice", choices=REGULARIZERS),
        Field("regularization_rate", "regularization rate", "number", 0, 10),
        Field("seed", "seed", "int", 0, MAX_SEED),
        Field("abnormal_percent", "abnormal percentage", "number", 0, 70),
        Field("train_size", "training size", "int", 10, 5000),
        Field("validation_size", "validation size", "int", 20, 5000),
        Field("test_size", "test size", "int", 20, 5000),
        Field("batch_size", "batch size", "int", 1, 5000),
    )
}
assert set(FIELDS) == set(DEFAULTS)


def schema() -> dict[str, Any]:
    """Defaults, fields and limits of the configuration, as the page's ``schema`` reads them."""
    return {
        "defaults": {k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS.items()},
        "fields": {k: f.describe() for k, f in FIELDS.items()},
        "max_parameters": MAX_PARAMETERS,
    }


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
        One clear message for the first impossible value, with ``field`` the config key.
    """
    if not isinstance(config, dict):
        raise AnomascopeError("the training configuration must be an object")
    unknown = sorted(map(str, set(config) - set(DEFAULTS)))
    if unknown:
        raise AnomascopeError(f"unknown training settings: {', '.join(unknown)}", unknown[0])
    cfg = {**DEFAULTS, **config}
    out: dict[str, Any] = {}
    for key, spec in FIELDS.items():
        if key == "decoder_units" and out["mirrored"]:
            out[key] = out["encoder_units"][::-1]
        else:
            out[key] = spec.check(cfg[key])
        if key == "decoder_units":
            _check_parameters(out)
    out = {k: out[k] for k in DEFAULTS}
    if out["batch_size"] > out["train_size"]:
        raise AnomascopeError(
            f"batch size ({out['batch_size']:,}) is larger than the training set "
            f"({out['train_size']:,} beats); use a batch of at most {out['train_size']:,}",
            "batch_size",
        )
    if pool is not None:
        _check_pool(out, pool)
    return out


def config_warnings(cfg: dict[str, Any]) -> list[dict[str, str]]:
    """What may be wrong with a valid configuration without making it unusable.

    A latent layer wider than a hidden layer is no bottleneck: the narrowest layer then sits
    elsewhere, and a wide code lets the network copy abnormal beats as well as normal ones.
    Returns ``[{"field", "message"}]`` (empty when nothing is suspicious).
    """
    hidden = [*cfg["encoder_units"], *cfg["decoder_units"]]
    if not hidden or cfg["latent_dim"] <= min(hidden):
        return []
    narrow = min(hidden)
    return [
        {
            "field": "latent_dim",
            "message": (
                f"The latent layer ({cfg['latent_dim']} units) is wider than the narrowest hidden "
                f"layer ({narrow} units), so it is no bottleneck: the network can learn to copy "
                f"abnormal beats too. Use a latent size of {narrow} or less."
            ),
        }
    ]


def _check_parameters(out: dict[str, Any]) -> None:
    params = count_parameters(out)
    if params > MAX_PARAMETERS:
        raise AnomascopeError(
            f"this network has {params:,} parameters; the limit is {MAX_PARAMETERS:,}. "
            "Use fewer or smaller layers.",
            "encoder_units",
        )


def _check_pool(out: dict[str, Any], pool: dict[str, int]) -> None:
    """The three sets must fit in the pool of beats (``{"normal", "abnormal"}`` counts)."""
    n_abn = round(out["train_size"] * out["abnormal_percent"] / 100)
    n_norm = out["train_size"] - n_abn
    total = pool["normal"] + pool["abnormal"]
    used = out["train_size"] + out["validation_size"] + out["test_size"]
    if n_norm > pool["normal"] or n_abn > pool["abnormal"]:
        raise AnomascopeError(
            f"the training set asks for {n_norm:,} normal and {n_abn:,} abnormal beats; "
            f"there are {pool['normal']:,} and {pool['abnormal']:,}",
            "train_size",
        )
    if used > total:
        raise AnomascopeError(
            f"training, validation and test sizes add up to {used:,} beats; ECG5000 has {total:,}",
            "test_size",
        )


def split_data(y: np.ndarray, cfg: dict[str, Any]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Seeded disjoint ``{"train", "validation", "test"}`` -> (row indices, anomaly bool).

    ``y`` are the class labels ``(n,)`` of the pooled beats; see the module docstring for the
    sampling.
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
            raise AnomascopeError(
                f"the {name} set needs normal and abnormal beats; make it larger", f"{name}_size"
            )
        out[name] = (idx, labels)
    return out
