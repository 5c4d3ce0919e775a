"""Handlers of the network stream page (KDD Cup 1999)."""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import as_bytes, get_model, handler, require
from anomascope.api.state import State
from anomascope.data import kdd
from anomascope.weights import read_npz

# --- Network stream (KDD) ---
# The stream page's data: the 10,000-connection evaluation stream (raw features; each model
# applies its own preprocessing) and a play order. Scores are computed on request, a chunk of
# play positions at a time, never precomputed.
STREAM = "kdd_stream"
STREAM_MAX_CHUNK = 2_000
STREAM_MAX_SEED = 2**31 - 1


def load_kdd_stream(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Load ``kdd_stream.npz`` bytes (see :meth:`anomascope.data.kdd.KDDSample.to_arrays`).

    Replies with everything the page draws: features float32 ``(n, 41)``, anomaly uint8
    ``(n,)``, label uint8 ``(n,)``, label/feature names and the symbol vocabularies.
    """
    arrays = read_npz(
        as_bytes(require(payload, "data", object), STREAM),
        STREAM,
        {
            "features": (None, kdd.N_FEATURES),
            "anomaly": (None,),
            "label": (None,),
            "label_names": (None,),
            "feature_names": (kdd.N_FEATURES,),
        },
    )
    X, anomaly, label = arrays["features"], arrays["anomaly"], arrays["label"]
    names = [str(v) for v in arrays["label_names"].tolist()]
    n = len(X)
    problems = []
    if n == 0 or len(anomaly) != n or len(label) != n:
        problems.append(f"{n} feature rows, {len(anomaly)} anomaly flags, {len(label)} labels")
    elif not np.isin(anomaly, (0, 1)).all():
        problems.append("anomaly flags must be 0 or 1")
    elif label.min() < 0 or label.max() >= len(names) or not names or names[0] != "normal":
        problems.append("labels do not match label_names (label 0 must be 'normal')")
    elif ((label != 0) != (anomaly != 0)).any():
        problems.append("anomaly flags disagree with the labels")
    elif not np.isfinite(X).all():
        problems.append("features must be finite")
    elif tuple(str(v) for v in arrays["feature_names"].tolist()) != kdd.FEATURE_NAMES:
        problems.append("feature_names are not the 41 KDD Cup 1999 features")
    if problems:
        raise AnomascopeError(f"{STREAM}: the stream is damaged ({problems[0]})", "data")
    state.datasets[STREAM] = {
        "features": X.astype(np.float32),
        "anomaly": anomaly.astype(np.uint8),
        "label": label.astype(np.uint8),
        "order": np.arange(n, dtype=np.int64),
        "seed": np.array(-1, dtype=np.int64),
    }
    return {
        "n": n,
        "features": state.datasets[STREAM]["features"],
        "anomaly": state.datasets[STREAM]["anomaly"],
        "label": state.datasets[STREAM]["label"],
        "label_names": names,
        "feature_names": list(kdd.FEATURE_NAMES),
        "vocabularies": {
            "protocol_type": list(kdd.PROTOCOLS),
            "service": list(kdd.SERVICES),
            "flag": list(kdd.FLAGS),
        },
    }


def float64_array(values: np.ndarray) -> dict[str, Any]:
    """An encoded float64 array (``encode`` narrows float64 to float32; scores must not be,
    so the page compares them with a threshold exactly as numpy does)."""
    arr = np.ascontiguousarray(values, dtype="<f8")
    return {"__ndarray__": "float64", "shape": list(arr.shape), "data": arr.tobytes()}


@handler("stream_order")
def stream_order(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Set the play order: ``seed`` null = the stream's own order, else a seeded permutation
    (:func:`anomascope.data.kdd.reshuffle`). Replies ``{seed, order}`` (int32 ``(n,)``:
    play position -> stream row)."""
    data = state.dataset(STREAM)
    n = len(data["features"])
    seed = payload.get("seed")
    if seed is None:
        order = np.arange(n, dtype=np.int64)
        seed_value = -1
    else:
        seed_value = require(payload, "seed", int)
        if not 0 <= seed_value <= STREAM_MAX_SEED:
            raise AnomascopeError(
                f"seed must be a whole number from 0 to {STREAM_MAX_SEED}", "seed"
            )
        order = kdd.reshuffle(n, seed_value).astype(np.int64)
    data["order"] = order
    data["seed"] = np.array(seed_value, dtype=np.int64)
    return {"seed": None if seed_value < 0 else seed_value, "order": order.astype(np.int32)}


@handler("score_stream")
def score_stream(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Scores of play positions ``start <= p < stop`` (current order) with one model.

    Replies ``{model, start, stop, seed, scores}``; scores float64 ``(stop - start,)``, higher
    = more anomalous; the model's own preprocessing is applied to the raw rows.
    """
    name, model = get_model(state, payload)
    if model.manifest.get("dataset") != "kddcup99":
        raise AnomascopeError(f"model {name!r} is not a KDD Cup 1999 model", "model")
    data = state.dataset(STREAM)
    n = len(data["features"])
    start = require(payload, "start", int)
    stop = require(payload, "stop", int)
    if not 0 <= start < stop <= n:
        raise AnomascopeError(f"positions must satisfy 0 <= start < stop <= {n}")
    if stop - start > STREAM_MAX_CHUNK:
        raise AnomascopeError(f"at most {STREAM_MAX_CHUNK} connections per request", "stop")
    seed = int(data["seed"])
    if "seed" in payload and payload["seed"] != (None if seed < 0 else seed):
        raise AnomascopeError("the play order changed; request the scores again")
    rows = data["features"][data["order"][start:stop]]
    scores = model.score(rows)
    return {
        "model": name,
        "start": start,
        "stop": stop,
        "seed": None if seed < 0 else seed,
        "scores": float64_array(scores),
    }
