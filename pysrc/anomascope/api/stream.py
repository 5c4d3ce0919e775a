"""Handlers of the network stream page (KDD Cup 1999)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from anomascope import AnomascopeError
from anomascope.api.core import as_bytes, get_model, handler, require
from anomascope.api.state import State
from anomascope.data import kdd
from anomascope.data import kdd_mixes as mixes
from anomascope.weights import LoadedModel, read_npz

# --- Network stream (KDD) ---
# The stream page's data: the 10,000-connection evaluation stream (raw features; each model
# applies its own preprocessing) and a play order. Scores are computed on request, a chunk of
# play positions at a time, never precomputed.
STREAM = "kdd_stream"
STREAM_MAX_CHUNK = 2_000
STREAM_MAX_SEED = 2**31 - 1


def _read_stream(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """The stream asset's arrays, checked; the pool arrays are optional (empty without)."""
    shapes: dict[str, tuple[int | None, ...]] = {
        "features": (None, kdd.N_FEATURES),
        "anomaly": (None,),
        "label": (None,),
        "label_names": (None,),
        "feature_names": (kdd.N_FEATURES,),
    }
    arrays = read_npz(as_bytes(require(payload, "data", object), STREAM), STREAM, shapes)
    empty = (np.zeros((0, kdd.N_FEATURES), np.float32), np.zeros(0, np.uint8))
    pf = arrays.get("pool_features", empty[0])
    pl = arrays.get("pool_label", empty[1] if "pool_features" not in arrays else None)
    problems = _problems(arrays)
    if not problems and (
        pl is None or pf.ndim != 2 or pf.shape[1:] != (kdd.N_FEATURES,) or pl.shape != (len(pf),)
    ):
        problems.append("the attack pool's features and labels do not match")
    elif (
        not problems
        and pl is not None
        and len(pl)
        and (pl.min() < 1 or pl.max() >= len(arrays["label_names"]) or not np.isfinite(pf).all())
    ):
        problems.append("the attack pool holds a label or value that is not an attack's")
    if problems or pl is None:
        raise AnomascopeError(f"{STREAM}: the stream is damaged ({problems[0]})", "data")
    arrays["pool_features"], arrays["pool_label"] = pf, pl
    return arrays


def _problems(arrays: dict[str, np.ndarray]) -> list[str]:
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
    return problems


def load_kdd_stream(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Load ``kdd_stream.npz`` bytes (see :func:`anomascope.data.kdd.stream_arrays`).

    The page's table is the stream's ``n`` rows then the attack pool's (the rows the mixes of
    :mod:`anomascope.data.kdd_mixes` draw from). Replies with everything the page draws:
    ``n`` (the stream's length: every mix's), ``rows`` (the table's), features float32
    ``(rows, 41)``, anomaly uint8 ``(rows,)``, label uint8 ``(rows,)``, label/feature names,
    each label's ``category`` and ``novel`` flag, the symbol vocabularies and the mixes.
    """
    arrays = _read_stream(payload)
    n = len(arrays["features"])
    names = [str(v) for v in arrays["label_names"].tolist()]
    label = np.concatenate([arrays["label"], arrays["pool_label"]]).astype(np.uint8)
    state.invalidate(dataset=STREAM)
    state.datasets[STREAM] = {
        "features": np.concatenate([arrays["features"], arrays["pool_features"]]).astype(
            np.float32
        ),
        "anomaly": (label != 0).astype(np.uint8),
        "label": label,
        "order": np.arange(n, dtype=np.int64),
        "seed": np.array(-1, dtype=np.int64),
        "n": np.array(n, dtype=np.int64),
        "mix": np.array(mixes.MIX_ORDER.index("drawn"), dtype=np.int64),
        "label_names": np.array(names, dtype=str),
    }
    data = state.datasets[STREAM]
    same_rows(data)
    return {
        "n": n,
        "rows": len(label),
        "features": data["features"],
        "anomaly": data["anomaly"],
        "label": data["label"],
        "label_names": names,
        "labels": mixes.label_info(names),
        "categories": mixes.CATEGORY_NAMES,
        "feature_names": list(kdd.FEATURE_NAMES),
        "vocabularies": {
            "protocol_type": list(kdd.PROTOCOLS),
            "service": list(kdd.SERVICES),
            "flag": list(kdd.FLAGS),
        },
        "mixes": {"order": list(mixes.MIX_ORDER), "definitions": mixes.MIXES},
    }


def float64_array(values: np.ndarray) -> dict[str, Any]:
    """An encoded float64 array (``encode`` narrows float64 to float32; scores must not be,
    so the page compares them with a threshold exactly as numpy does)."""
    arr = np.ascontiguousarray(values, dtype="<f8")
    return {"__ndarray__": "float64", "shape": list(arr.shape), "data": arr.tobytes()}


def _composition(label: np.ndarray, names: list[str]) -> list[list[Any]]:
    """``[[label name, rows], ...]`` of a mix's labels, most rows first (then by name)."""
    codes, counts = np.unique(label, return_counts=True)
    pairs = sorted(
        zip(counts.tolist(), codes.tolist(), strict=True), key=lambda p: (-p[0], names[p[1]])
    )
    return [[names[code], count] for count, code in pairs]


@handler("stream_order")
def stream_order(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """Set the play order of a mix (:mod:`anomascope.data.kdd_mixes`, default ``"drawn"``).

    ``seed`` null = the stream's own order (the "drawn" mix) or, for another mix, its draw with
    the stream's seed; else a seeded draw and permutation (for "drawn":
    :func:`anomascope.data.kdd.reshuffle`). Replies ``{seed, mix, order, composition}``:
    ``order`` int32 ``(n,)`` (play position -> table row), ``composition`` ``[[label, rows]]``.
    """
    data = state.dataset(STREAM)
    n = int(data["n"])
    seed = payload.get("seed")
    mix = payload.get("mix", "drawn")
    if not isinstance(mix, str) or mix not in mixes.MIXES:
        raise AnomascopeError(
            f"unknown stream mix {mix!r}; the mixes are {', '.join(mixes.MIX_ORDER)}", "mix"
        )
    if seed is None:
        seed_value = -1
    else:
        seed_value = require(payload, "seed", int)
        if not 0 <= seed_value <= STREAM_MAX_SEED:
            raise AnomascopeError(
                f"seed must be a whole number from 0 to {STREAM_MAX_SEED}", "seed"
            )
    if mix == "drawn" and seed_value < 0:
        order = np.arange(n, dtype=np.int64)
    else:
        draw = kdd.STREAM_SEED if seed_value < 0 else seed_value
        order = mixes.mix_rows(data["label"], _label_names(state), n, mix, draw)
    data["order"] = order
    data["seed"] = np.array(seed_value, dtype=np.int64)
    data["mix"] = np.array(mixes.MIX_ORDER.index(mix), dtype=np.int64)
    return {
        "seed": None if seed_value < 0 else seed_value,
        "mix": mix,
        "order": order.astype(np.int32),
        "composition": _composition(data["label"][order], _label_names(state)),
    }


def _label_names(state: State) -> list[str]:
    return [str(v) for v in state.dataset(STREAM)["label_names"].tolist()]


def _check_order(data: dict[str, np.ndarray], payload: dict[str, Any]) -> None:
    """Refuse a request made under another play order (seed or mix)."""
    seed = int(data["seed"])
    mix = mixes.MIX_ORDER[int(data["mix"])]
    if ("seed" in payload and payload["seed"] != (None if seed < 0 else seed)) or (
        "mix" in payload and payload["mix"] != mix
    ):
        raise AnomascopeError("the play order changed; request the scores again")


def stream_scores(state: State, name: str, model: LoadedModel, rows: np.ndarray) -> np.ndarray:
    """Scores float64 of table ``rows`` under a model, computed once per row and kept: the
    detector's scores passed through :meth:`LoadedModel.finish_scores` (the model's rule).

    Rows are prepared once per preprocessing spec and the rule's excess is computed once per
    rule (the strategies share theirs), so six strategies pay for one of each; a new shuffle
    or mix scores only rows not yet scored, and a row equal to one already scored takes its
    score (:func:`same_rows`).
    """
    data = state.dataset(STREAM)
    total = len(data["features"])
    key = (name, STREAM, "rows")
    cached = state.scores.get(key)
    if cached is None or len(cached) != total:
        cached = state.scores[key] = np.full(total, np.nan)
    missing = rows[np.isnan(cached[rows])]
    if len(missing):
        same = same_rows(data)[missing]
        need = np.unique(same[np.isnan(cached[same])])
        if len(need):
            scores = model.detector.score_samples(prepared_rows(data, model, need))
            cached[need] = finished_scores(data, model, scores, need)
        cached[missing] = cached[same]
    return cached[rows]


def same_rows(data: dict[str, np.ndarray]) -> np.ndarray:
    """For every table row, the first row with exactly the same raw values (itself when it
    is the first), ``np.intp`` ``(rows,)``; computed once and kept.

    KDD connections repeat (the 10,000-connection stream holds 7,148 distinct rows), and
    equal rows get equal scores, so each distinct row is scored once. Rows are grouped by a
    hash of their float32 bits and then compared in full: a hash collision keeps its own row.
    """
    if "same_as" not in data:
        bits = np.ascontiguousarray(data["features"], dtype=np.float32).view(np.uint32)
        wide = bits.astype(np.uint64)
        # odd multipliers spread by the golden ratio (numpy.random stays unloaded)
        step = np.arange(1, wide.shape[1] + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        key = (wide * (step | np.uint64(1))).sum(axis=1)  # wraps modulo 2**64
        _, first, group = np.unique(key, return_index=True, return_inverse=True)
        same = first[group.reshape(-1)]
        exact = (bits == bits[same]).all(axis=1)
        data["same_as"] = np.where(exact, same, np.arange(len(bits))).astype(np.intp)
    return data["same_as"]


# Manifest block (preprocessing spec, rule) -> its tag (the block is kept so that its id is not
# reused).
_SPEC_TAGS: dict[int, tuple[Any, str]] = {}


def _spec_tag(spec: Any) -> str:
    """A short hash of a manifest block, computed once per block object."""
    hit = _SPEC_TAGS.get(id(spec))
    if hit is None or hit[0] is not spec:
        if len(_SPEC_TAGS) > 64:  # models come and go: keep the table small
            _SPEC_TAGS.clear()
        tag = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
        hit = _SPEC_TAGS[id(spec)] = (spec, tag)
    return hit[1]


def _kept_rows(
    data: dict[str, np.ndarray], key: str, rows: np.ndarray, compute: Callable[[Any], np.ndarray]
) -> np.ndarray:
    """``compute(raw rows)`` of table ``rows`` (sorted, unique), computed once per row under
    ``key`` and kept in ``data`` (float, ``(len(rows), ...)``)."""
    done_key, value_key = f"{key}_done", key
    if done_key not in data:
        data[done_key] = np.zeros(len(data["features"]), dtype=bool)
    done = data[done_key]
    todo = rows[~done[rows]]
    if len(todo):
        values = compute(data["features"][todo])
        if value_key not in data:
            data[value_key] = np.zeros((len(done), *values.shape[1:]), dtype=values.dtype)
        data[value_key][todo] = values
        done[todo] = True
    return data[value_key][rows]


def prepared_rows(data: dict[str, np.ndarray], model: LoadedModel, rows: np.ndarray) -> np.ndarray:
    """Model input of table ``rows`` (sorted, unique), prepared once per spec and kept."""
    tag = _spec_tag(model.manifest.get("preprocessing"))
    return _kept_rows(data, f"prepared:{tag}", rows, model.preprocess)


def finished_scores(
    data: dict[str, np.ndarray], model: LoadedModel, scores: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """:meth:`LoadedModel.finish_scores` of the detector's ``scores`` of table ``rows``
    (sorted, unique), float64 ``(len(rows),)``: the rule's excess of a row is computed once per
    rule and kept, so models that ship the same rule share it."""
    rule = model.rule
    excess = None
    if rule is not None:
        key = f"rule_excess:{_spec_tag(model.manifest['rule'])}"
        excess = _kept_rows(data, key, rows, rule.excess)
    return model.finish_scores(scores, data["features"][rows], excess)


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
    n = int(data["n"])
    start = require(payload, "start", int)
    stop = require(payload, "stop", int)
    if not 0 <= start < stop <= n:
        raise AnomascopeError(f"positions must satisfy 0 <= start < stop <= {n}")
    if stop - start > STREAM_MAX_CHUNK:
        raise AnomascopeError(f"at most {STREAM_MAX_CHUNK} connections per request", "stop")
    _check_order(data, payload)
    seed = int(data["seed"])
    scores = stream_scores(state, name, model, data["order"][start:stop])
    return {
        "model": name,
        "start": start,
        "stop": stop,
        "seed": None if seed < 0 else seed,
        "scores": float64_array(scores),
    }


# The drill-down's handler (stream_connection) lives beside these and registers on import.
from anomascope.api import stream_detail  # noqa: E402,F401
