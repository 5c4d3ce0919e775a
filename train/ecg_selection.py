"""Model selection for the ECG5000 models on the validation split only (step 2 of the
protocol in :mod:`train.ecg`), and its Markdown record for the results."""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anomascope import metrics
from anomascope.detectors import Detector, detector_class
from anomascope.detectors.pca import PCADetector
from train import common
from train.ecg_data import DevSplit
from train.ecg_torch import ValidationCheckpoints
from train.loop import train_torch

_MIRRORED = ("encoder_units", "decoder_units")
SELECTION_METRIC = "ROC AUC on the validation split (numpy model built from the exported weights)"


def to_detector(kind: str, architecture: dict[str, Any], state: dict[str, np.ndarray]) -> Detector:
    """Build the numpy detector of ``kind`` from exported torch state (float32 arrays)."""
    return detector_class(kind).from_state(architecture, state)


def pick_winner(candidates: list[dict[str, Any]], tolerance: float) -> int:
    """Index of the winning candidate.

    Each candidate has ``validation_auc`` (float, or ``None`` if its scores were not finite:
    never chosen), ``params`` (int) and optionally ``epochs``. Rule: the highest validation AUC
    wins; every candidate within ``tolerance`` of it ties, and among those the fewest
    parameters win, then the fewest epochs, then the earliest in the list (grid order).
    """
    scored = [i for i, c in enumerate(candidates) if c["validation_auc"] is not None]
    if not scored:
        raise ValueError("no candidate has a finite validation AUC")
    best = max(candidates[i]["validation_auc"] for i in scored)
    close = [i for i in scored if candidates[i]["validation_auc"] >= best - tolerance]
    return min(close, key=lambda i: (candidates[i]["params"], candidates[i].get("epochs", 0), i))


def rule_text(tolerance: float) -> str:
    """The selection rule, in words (recorded next to every selection)."""
    return (
        f"highest validation ROC AUC; candidates within {tolerance} of the best tie, and the tie "
        "goes to the fewest parameters, then the fewest epochs, then the earliest in grid order"
    )


def apply_point(template: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``template`` with the grid point's values (architecture keys go inside
    ``architecture``; ``encoder_units`` also sets a mirrored ``decoder_units``)."""
    cfg = copy.deepcopy(template)
    arch = cfg["architecture"]
    for key, value in point.items():
        if key in arch:
            arch[key] = copy.deepcopy(value)
            if key == _MIRRORED[0] and _MIRRORED[1] in arch:
                arch[_MIRRORED[1]] = list(reversed(value))
        elif key in cfg:
            cfg[key] = copy.deepcopy(value)
        else:
            raise ValueError(f"grid key {key!r} is not a setting of this model")
    return cfg


def expand_grid(
    template: dict[str, Any], grid: dict[str, list[Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """One ``(point, config)`` per training run: the product of every grid key but ``epochs``,
    in grid order; each run lasts ``max(grid["epochs"])`` epochs."""
    keys = [k for k in grid if k != "epochs"]
    runs = []
    for values in itertools.product(*(grid[k] for k in keys)):
        point = dict(zip(keys, values, strict=True))
        cfg = apply_point(template, point)
        cfg["epochs"] = max(grid["epochs"])
        runs.append((point, cfg))
    return runs


@dataclass
class Selection:
    """A selection's outcome: the winning config and weights, and the JSON-able record."""

    config: dict[str, Any]
    state: dict[str, np.ndarray]
    record: dict[str, Any]


def _record(
    grid: dict[str, Any], candidates: list[dict[str, Any]], winner: int, tol: float, sec: float
) -> dict[str, Any]:
    return {
        "metric": SELECTION_METRIC,
        "rule": rule_text(tol),
        "tolerance": tol,
        "grid": grid,
        "candidates": candidates,
        "winner": candidates[winner],
        "seconds": round(sec, 2),
    }


def select_torch_model(
    kind: str,
    dev: DevSplit,
    template: dict[str, Any],
    grid: dict[str, list[Any]],
    batch_size: int,
    seed: int,
    tolerance: float,
) -> Selection:
    """Fit every grid candidate of torch model ``kind`` on ``dev.fit_X``, score it on the
    validation rows only, and pick the winner with :func:`pick_winner`."""
    candidates: list[dict[str, Any]] = []
    found: list[tuple[dict[str, Any], dict[str, np.ndarray]]] = []
    with common.Timer() as timer:
        for point, cfg in expand_grid(template, grid):
            hook = ValidationCheckpoints(
                kind, cfg["architecture"], dev.val_X, dev.val_anomaly, grid["epochs"]
            )
            train_torch(kind, dev.fit_X, cfg, batch_size, seed, on_epoch=hook)
            for epoch, auc, state in hook.records:
                candidates.append(
                    {
                        **point,
                        "epochs": epoch,
                        "params": common.param_count(state),
                        "validation_auc": None if auc is None else round(auc, 6),
                    }
                )
                found.append(({**cfg, "epochs": epoch}, state))
    winner = pick_winner(candidates, tolerance)
    record = _record(grid, candidates, winner, tolerance, timer.seconds)
    return Selection(config=found[winner][0], state=found[winner][1], record=record)


def select_pca(dev: DevSplit, components: tuple[int, ...], tolerance: float) -> Selection:
    """PCA's component count, chosen by the same rule (state: the winner's arrays)."""
    candidates: list[dict[str, Any]] = []
    states = []
    max_k = min(len(dev.fit_X) - 1, dev.fit_X.shape[1])
    with common.Timer() as timer:
        for k in [c for c in components if c <= max_k]:
            det = PCADetector(n_components=k).fit(dev.fit_X)
            auc = metrics.roc_auc(det.score_samples(dev.val_X), dev.val_anomaly)
            state = det.state_dict()
            params = common.param_count(state)
            candidates.append(
                {"n_components": k, "params": params, "validation_auc": round(auc, 6)}
            )
            states.append(state)
    winner = pick_winner(candidates, tolerance)
    grid = {"n_components": [c["n_components"] for c in candidates]}
    record = _record(grid, candidates, winner, tolerance, timer.seconds)
    return Selection({"n_components": candidates[winner]["n_components"]}, states[winner], record)


def pca_from_selection(dev: DevSplit, sel: Selection) -> tuple[PCADetector, dict[str, Any]]:
    """Refit the winning PCA on ``dev.fit_X``; return it and its manifest ``training`` record
    (``validation_auc_by_components``, ``chosen_components``, ``selection``)."""
    k = sel.config["n_components"]
    tried = {str(c["n_components"]): c["validation_auc"] for c in sel.record["candidates"]}
    return PCADetector(n_components=k).fit(dev.fit_X), {
        "validation_auc_by_components": tried,
        "chosen_components": k,
        "selection": sel.record,
    }


def fit_pca(
    dev: DevSplit, candidates: tuple[int, ...], tolerance: float = 0.001
) -> tuple[PCADetector, dict[str, Any]]:
    """:func:`select_pca` then :func:`pca_from_selection`."""
    return pca_from_selection(dev, select_pca(dev, candidates, tolerance))


def _fmt(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": ")) if isinstance(value, list) else str(value)


def selection_markdown(label: str, record: dict[str, Any]) -> list[str]:
    """Markdown lines for one model's selection: the grid, a table of validation AUCs (one
    column per epoch count when ``epochs`` is a grid key; the winner in bold), the winner."""
    grid, cands, win = record["grid"], record["candidates"], record["winner"]
    keys = [k for k in grid if k != "epochs"]
    epochs = grid.get("epochs")
    runs = len(cands) // len(epochs) if epochs else len(cands)
    lines = [
        f"### {label}",
        "",
        "Grid: "
        + ", ".join(f"{k} ∈ {{{', '.join(_fmt(v) for v in vals)}}}" for k, vals in grid.items())
        + f" ({len(cands)} candidates from {runs} fits, {record['seconds']:.0f} s). "
        + "Winner: "
        + ", ".join(f"{k} {_fmt(win[k])}" for k in [*keys, *(["epochs"] if epochs else [])])
        + f" (validation AUC {win['validation_auc']:.4f}, {win['params']:,} parameters).",
        "",
    ]
    heads = [*keys, "params", *(f"{e} epochs" for e in epochs or [])]
    if not epochs:
        heads.append("validation AUC")
    lines += ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    per_row = len(epochs) if epochs else 1
    for r in range(0, len(cands), per_row):
        group = cands[r : r + per_row]
        cells = [_fmt(group[0][k]) for k in keys] + [f"{group[0]['params']:,}"]
        for c in group:
            auc = "n/a" if c["validation_auc"] is None else f"{c['validation_auc']:.4f}"
            cells.append(f"**{auc}**" if c is win else auc)
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def append_selection_section(
    md_path: Path, records: dict[str, tuple[str, dict[str, Any]]], tolerance: float
) -> None:
    """Append the "Model selection" section to the results Markdown."""
    lines = [
        "",
        "## Model selection",
        "",
        "Chosen on the validation split only, before the UCR TEST file was read: every candidate "
        "was fitted on the fit set and scored by ROC AUC on validation (the numpy model built "
        f"from its exported weights). Rule: {rule_text(tolerance)}. An `epochs` column is a "
        "checkpoint of one seeded run (the same weights as a run of that length). The winner "
        "was then retrained from scratch (identical weights, checked) and exported.",
        "",
    ]
    for label, record in records.values():
        lines += selection_markdown(label, record)
    with md_path.open("a") as fh:
        fh.write("\n".join(lines))
