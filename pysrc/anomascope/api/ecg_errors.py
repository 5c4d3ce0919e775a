"""Where and why an ECG model fails: the lab's confusion-matrix drill-down, recall per abnormal
class, per-step contributions, the peak score and the nearest training beat.

The math is in :mod:`anomascope.beat_errors` and :class:`anomascope.lab.Explorer`; the
handlers of :mod:`.ecg_lab` call :func:`beat_details` for every beat they score.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError, beat_errors, lab
from anomascope.api.core import finite_number, get_model, handler, require
from anomascope.api.state import ECG, EXPLORER_SPLITS, State
from anomascope.data import ecg
from anomascope.training.manifest import rows_seen_in_training
from anomascope.weights import LoadedModel

CELLS = {
    "tp": "true positives: abnormal beats flagged",
    "fn": "false negatives: abnormal beats called normal",
    "fp": "false positives: normal beats flagged",
    "tn": "true negatives: normal beats called normal",
}
#: At most this many beats of one cell are listed (the count is always exact).
MAX_LISTED = 500


def held_out_test_rows(state: State, model: LoadedModel) -> np.ndarray:
    """Bool mask over UCR TEST: False for the beats the model was trained or thresholded on
    (a model trained on the train page may have drawn them from the pooled files)."""
    data = state.dataset(ECG)
    n_train, n_test = len(data["train_X"]), len(data["test_X"])
    seen = rows_seen_in_training(model.manifest) - n_train
    keep = np.ones(n_test, bool)
    keep[seen[(seen >= 0) & (seen < n_test)]] = False
    return keep


def explorer_for(state: State, name: str, model: LoadedModel) -> lab.Explorer:
    """The test split (less any beats the model saw) plus the visitor's labelled beats,
    indexed once per model; each row remembers its split and index."""
    if name not in state.explorers:
        data = state.dataset(ECG)
        parts = [("test", np.flatnonzero(held_out_test_rows(state, model)))]
        if "user_X" in data and (data["user_y"] > 0).any():
            parts.append(("user", np.flatnonzero(data["user_y"] > 0)))
        scores = [state.split_scores(name, ECG, split)[idx] for split, idx in parts]
        classes = np.concatenate([state.split(ECG, split)[1][idx] for split, idx in parts])
        rows = np.concatenate(
            [np.stack([np.full(len(idx), EXPLORER_SPLITS.index(s)), idx], 1) for s, idx in parts]
        )
        state.explorers[name] = lab.Explorer(np.concatenate(scores), classes != 1, classes, rows)
    return state.explorers[name]


@handler("explorer_cell")
def explorer_cell(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """The beats of one confusion-matrix cell at a threshold, highest score first for flagged
    cells and lowest first for the others (the clearest cases first)."""
    name, model = get_model(state, payload)
    threshold = finite_number(payload, "threshold", -1e30, 1e30)
    cell = require(payload, "cell", str)
    if cell not in CELLS:
        raise AnomascopeError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}", "cell")
    explorer = explorer_for(state, name, model)
    members = explorer.cell(threshold, cell)
    order = np.argsort(explorer.scores[members], kind="stable")
    if cell in ("tp", "fp"):
        order = order[::-1]
    members = members[order][:MAX_LISTED]
    assert explorer.rows is not None and explorer.classes is not None
    return {
        "cell": cell,
        "title": CELLS[cell],
        "count": int(explorer.cell(threshold, cell).size),
        "split": [EXPLORER_SPLITS[s] for s in explorer.rows[members, 0].tolist()],
        "index": explorer.rows[members, 1].astype(np.int32),
        "score": explorer.scores[members],
        "true_class": explorer.classes[members].astype(np.int32),
    }


def per_class(state: State, name: str, model: LoadedModel, threshold: float) -> list[dict]:
    """Recall per abnormal class (2-5) of the explorer's rows at ``threshold``."""
    return explorer_for(state, name, model).per_class(threshold, ecg.CLASS_NAMES)


def peak_threshold(state: State, name: str, model: LoadedModel) -> dict[str, Any]:
    """The peak score's threshold, chosen by best F1 on the validation beats (the UCR TRAIN
    file, as the lab's presets), cached per model."""
    if name not in state.peak_thresholds:
        X, y = state.split(ECG, "train")
        state.peak_thresholds[name] = beat_errors.peak_threshold(model, X, y != 1)
    return state.peak_thresholds[name]


def nearest_training(state: State) -> beat_errors.NearestBeat:
    """Nearest-beat index over the normal beats of the UCR TRAIN file (cached)."""
    if state.nearest is None:
        X, y = state.split(ECG, "train")
        state.nearest = beat_errors.NearestBeat(X[y == 1])
    return state.nearest


def beat_details(state: State, name: str, model: LoadedModel, X: np.ndarray) -> dict[str, Any]:
    """For beats ``X`` (n, 140): per-step contributions (float32 (n, 140), summing to each
    mean score), the peak score and its validation threshold, and (for one beat) its nearest
    normal training beat."""
    contributions = beat_errors.step_contributions(model, X)
    out: dict[str, Any] = {
        "contributions": contributions.astype(np.float32),
        "peak_score": beat_errors.peak_scores(contributions),
        "peak_threshold": peak_threshold(state, name, model),
    }
    if len(X) == 1:
        out["nearest"] = nearest_training(state).describe(X[0])
    return out


def edge_cases(state: State, name: str, model: LoadedModel) -> list[dict[str, Any]]:
    """The explainer's flat line and one-step spike, with both scores and their verdicts."""
    out = []
    for title, beat in beat_errors.edge_cases(ecg.BEAT_LENGTH).items():
        details = beat_details(state, name, model, beat[None, :])
        score = float(model.score(beat[None, :])[0])
        out.append(
            {
                "title": title,
                "beat": beat,
                "score": score,
                "threshold": float(model.detector.threshold_ or 0.0),
                "peak_score": float(details["peak_score"][0]),
                "peak_threshold": details["peak_threshold"]["value"],
                "nearest": details["nearest"],
            }
        )
    return out
