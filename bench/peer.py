"""The peer: TensorFlow.js 4.22 (Anomagram's engine, wasm SIMD backend) against ours, measured
in the same headless Chromium, in the same page, on the same workloads (issue 16).

TF.js is a benchmark-only npm dependency (``bench/package.json`` + ``bench/package-lock.json``
with integrity hashes), installed once with ``npm ci`` into ``.cache/bench-node/`` and reused
while the lockfile is unchanged; npm checks every tarball against the lockfile's hash. The
bench server serves it under ``/__bench/node_modules/``; it never enters ``dist/``.

Workloads (``measure_peer(browser, base_url)``; every figure over :data:`RUNS` runs or more,
interleaved so that drift in machine load hits both engines alike; median, min and max):

- ``anomagram``: Anomagram's default model 140-7-3-2-3-7-140 (relu hidden layers, a linear code
  layer, as ``app/src/components/train/models/ae.jsx``), Adam, lr 0.01, batch 512, 2500 rows,
  30 epochs. TF.js: a manual ``optimizer.minimize`` loop (its fastest form) and ``model.fit``
  one epoch per call (as Anomagram trains), Adam with Anomagram's beta1 0.5. Ours: the train
  page's requests (``train_start``, then ``train_step`` chunks of :data:`PAGE_CHUNK_MS` as
  ``web/static/js/train/session.js`` sends them), wall clock as the page sees it: every round
  trip and each epoch's evaluation (scoring 2000 validation and test beats, threshold, ROC) are
  counted, which TF.js does not do. Both output layers are linear (the train page's models are;
  Anomagram's sigmoid suits its [0, 1]-scaled beats, ours are z-normalised).
- ``dense_32_16``: 140-32-16-32-140, Adam lr 0.001, batch 256, 2560 rows, 40 epochs: steps/s.
- ``score_4500``: the 4500 UCR TEST beats through Anomagram's default architecture *with* its
  sigmoid output, the same weights in both. Ours, as the page sees it: the wall clock of the
  ECG lab's ``time_inference`` request with ``scores: true`` (payload conversion, postMessage,
  preprocessing, scoring, the reply's conversion and the 4500 float32 scores back in the page);
  the time inside the worker is reported beside. TF.js: ``model.apply`` on all rows at once
  (its fastest), the per-row mean squared error and ``dataSync`` (the scores in JS), timed in
  its worker (``predict`` with its default batch of 32, as Anomagram calls it, is reported
  beside). The first 50 scores that each engine returned are checked to agree.

Ratios are ours / TF.js as speeds (higher is better for us), ours as the page sees it against
TF.js's best form. Targets: training >= 1.5 on both workloads, scoring >= 0.5.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench import spread
from bench.training import ANOMAGRAM, DENSE

RUNS = 5
SCORE_REPEATS = 15
#: the train page's chunk per ``train_step`` request (CHUNK_MS in web/static/js/train/session.js)
PAGE_CHUNK_MS = 120
TARGETS = {"anomagram": 1.5, "dense_32_16": 1.5, "score_4500": 0.5}
TFJS_VERSION = "4.22.0"
ANOMAGRAM_DIMS = [140, 7, 3, 2, 3, 7, 140]
DENSE_DIMS = [140, 32, 16, 32, 140]


def node_modules() -> Path:
    """``.cache/bench-node/node_modules`` with the lockfile's packages, installed by ``npm ci``
    when missing or when ``bench/package-lock.json`` changed (a sha256 stamp records it)."""
    from bench.site import NODE_MODULES

    here = Path(__file__).resolve().parent
    lock = (here / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (here / "package.json").read_bytes()).hexdigest()
    cache = NODE_MODULES.parent
    stamp = cache / ".lock-sha256"
    wanted = NODE_MODULES / "@tensorflow" / "tfjs-backend-wasm" / "dist" / "tf-backend-wasm.min.js"
    if stamp.is_file() and stamp.read_text() == digest and wanted.is_file():
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("bench: the TF.js peer needs npm (Node.js) for bench/package.json")
    cache.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(here / name, cache / name)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=cache,
        check=True,
        stdout=sys.stderr,
    )
    stamp.write_text(digest)
    return NODE_MODULES


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def _spread(values: list[float], digits: int = 1) -> dict[str, Any]:
    return {**spread(values, digits), "runs": len(values)}


def _scoring_model(test_X: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    """Anomagram's default architecture with its sigmoid output, seeded torch-style weights, as
    the files the ECG lab loads, the per-layer weights for TF.js and our scores of 50 beats."""
    from sitebuild.common import ROOT

    if str(ROOT / "pysrc") not in sys.path:
        sys.path.insert(0, str(ROOT / "pysrc"))
    from anomascope.detectors.autoencoder import AutoencoderDetector
    from anomascope.nn import Autoencoder
    from anomascope.weights import save_model

    arch = {
        "input_dim": 140,
        "encoder_units": [7, 3],
        "latent_dim": 2,
        "activation": "relu",
        "latent_activation": "linear",
        "output_activation": "sigmoid",
    }
    model = Autoencoder(arch, np.random.default_rng(0))
    det = AutoencoderDetector.from_state(model.architecture, model.state_dict())
    det.threshold_ = 1.0
    fields = {
        "title": "Anomagram's default architecture (benchmark)",
        "dataset": "ecg5000",
        "preprocessing": {"steps": [], "input_dim": 140},
    }
    with tempfile.TemporaryDirectory() as tmp:
        npz, js = save_model(tmp, "peer_anomagram", det, fields)
        files = {"manifest": Path(js).read_text(encoding="utf-8"), "weights": npz.read_bytes()}
    names = [s[0] for s in model.specs]
    sd = model.state_dict()
    weights = [[_b64(sd[f"{n}.weight"]), _b64(sd[f"{n}.bias"])] for n in names]
    job = {
        "name": "peer_anomagram",
        "manifest": files["manifest"],
        "weights": base64.b64encode(files["weights"]).decode("ascii"),
        "tf_weights": weights,
    }
    return job, det.score_samples(test_X[:50])


def _training_jobs(X: np.ndarray) -> dict[str, dict[str, Any]]:
    a_rows, d_rows = ANOMAGRAM["train_size"], DENSE["train_size"]
    common = {"output": "linear"}
    return {
        "anomagram": {
            **common,
            "dims": ANOMAGRAM_DIMS,
            "lr": ANOMAGRAM["learning_rate"],
            "beta1": 0.5,
            "batch": ANOMAGRAM["batch_size"],
            "epochs": ANOMAGRAM["epochs"],
            "rows": a_rows,
            "X": _b64(X[:a_rows]),
        },
        "dense_32_16": {
            **common,
            "dims": DENSE_DIMS,
            "lr": DENSE["learning_rate"],
            "beta1": 0.9,
            "batch": DENSE["batch_size"],
            "epochs": DENSE["epochs"],
            "rows": d_rows,
            "X": _b64(X[:d_rows]),
        },
    }


def _train_runs(page: Any, jobs: dict[str, dict[str, Any]]) -> dict[str, dict[str, list]]:
    configs = {"anomagram": ANOMAGRAM, "dense_32_16": DENSE}
    runs: dict[str, dict[str, list]] = {k: {} for k in jobs}
    for _ in range(RUNS):
        for key, job in jobs.items():
            modes = ["minimize", "fit"] if key == "anomagram" else ["minimize"]
            ours = page.evaluate(
                "a => peer.oursTrain(a)", {"config": configs[key], "maxMs": PAGE_CHUNK_MS}
            )
            if ours["status"] != "done":
                raise RuntimeError(f"bench: our {key} run ended {ours['status']}")
            runs[key].setdefault("ours", []).append(ours)
            for mode in modes:
                peer = page.evaluate("j => peer.peerTrain(j)", {**job, "mode": mode})
                runs[key].setdefault(f"tfjs_{mode}", []).append(peer)
    return runs


def _training_figures(key: str, runs: dict[str, list]) -> dict[str, Any]:
    per = "epochs" if key == "anomagram" else "steps"
    ours = runs["ours"]
    wall = [r[per] / r["wall_s"] for r in ours]
    inside = [r[per] / r["train_s"] for r in ours]
    out: dict[str, Any] = {
        "unit": f"{per}/s",
        "ours_as_page_sees_it": _spread(wall),
        "ours_in_worker": _spread(inside),
        "ours_requests_per_run": ours[0]["requests"],
        "ours_parameters": ours[0]["parameters"],
    }
    best = 0.0
    for mode in ("minimize", "fit"):
        peer = runs.get(f"tfjs_{mode}")
        if peer:
            speeds = [r[per] / r["seconds"] for r in peer]
            out[f"tfjs_{mode}"] = _spread(speeds)
            ratio_mode = statistics.median(wall) / statistics.median(speeds)
            out[f"ratio_vs_tfjs_{mode}"] = round(ratio_mode, 2)
            best = max(best, statistics.median(speeds))
    ratio = statistics.median(wall) / best
    out["ratio"] = round(ratio, 2)
    out["target"] = TARGETS[key]
    out["met"] = ratio >= TARGETS[key]
    return out


def _scoring(page: Any, test_X: np.ndarray) -> dict[str, Any]:
    job, ours_scores = _scoring_model(test_X)
    ours = page.evaluate(
        "j => peer.oursScore(j)",
        {
            "name": job["name"],
            "manifest": job["manifest"],
            "weights": job["weights"],
            "repeats": SCORE_REPEATS,
        },
    )
    peer = page.evaluate(
        "j => peer.peerScore(j)",
        {
            "dims": ANOMAGRAM_DIMS,
            "output": "sigmoid",
            "weights": job["tf_weights"],
            "X": _b64(test_X),
            "rows": len(test_X),
            "repeats": SCORE_REPEATS,
        },
    )
    return _scoring_figures(ours, peer, ours_scores, len(test_X))


def _scoring_figures(
    ours: dict[str, Any], peer: dict[str, Any], expected: np.ndarray, rows: int
) -> dict[str, Any]:
    """The scoring figures from both engines' timings; ``expected`` holds CPython's scores of
    the first rows, which both engines' returned scores must match."""
    if ours["rows"] != rows:
        raise RuntimeError(f"bench: our worker scored {ours['rows']} beats, not {rows}")
    agree = 0.0
    for name, scores in (("the worker's", ours["scores"]), ("TF.js's", peer["scores"])):
        diff = float(np.max(np.abs(np.asarray(scores) - expected) / expected))
        if not diff < 1e-3:
            raise RuntimeError(f"bench: {name} scores disagree with CPython's ({diff:.2g})")
        agree = max(agree, diff)
    ratio = statistics.median(peer["apply"]) / statistics.median(ours["wall_ms"])
    return {
        "unit": "ms for 4500 beats",
        "model": "140-7-3-2-3-7-140, relu, linear code, sigmoid output (2,176 parameters)",
        "ours_as_page_sees_it": _spread(ours["wall_ms"], 2),
        "ours_in_worker": _spread(ours["ms"], 2),
        "tfjs": _spread(peer["apply"], 2),
        "tfjs_predict_batch_32": _spread(peer["predict"], 2),
        "scores_max_relative_difference": float(f"{agree:.2g}"),
        "ratio": round(ratio, 2),
        "target": TARGETS["score_4500"],
        "met": ratio >= TARGETS["score_4500"],
    }


def measure_peer(
    browser: Any, base_url: str, parts: tuple[str, ...] = ("training", "scoring")
) -> dict[str, Any]:
    """Ours against TF.js in one page of ``browser`` at ``base_url`` (the served ``dist/``);
    ``parts`` picks the training and/or scoring workloads."""
    from sitebuild.common import DIST

    node_modules()
    with np.load(DIST / "data" / "ecg5000.npz") as npz:
        X = np.concatenate([npz["train_X"], npz["test_X"]]).astype(np.float32)
        y = np.concatenate([npz["train_y"], npz["test_y"]])
        test_X = npz["test_X"].astype(np.float32)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base_url + "__bench/peer.html")
        page.wait_for_selector("html[data-peer-ready]", state="attached")
        backend = page.evaluate("() => peer.boot()")
        figures: dict[str, Any] = {
            "tfjs": {**backend, "pinned": TFJS_VERSION},
            "runs": RUNS,
            "ours_chunk_ms": PAGE_CHUNK_MS,
        }
        if "training" in parts:
            runs = _train_runs(page, _training_jobs(X[y == 1]))
            for key, value in runs.items():
                figures[key] = _training_figures(key, value)
        if "scoring" in parts:
            figures["score_4500"] = _scoring(page, test_X)
        return figures
    finally:
        context.close()


def table(figures: dict[str, Any]) -> str:
    """The peer section as a plain-text table (median [min-max])."""
    rows = []
    for key in ("anomagram", "dense_32_16", "score_4500"):
        if key not in figures:
            continue
        f = figures[key]
        ours = f.get("ours_as_page_sees_it") or f["ours_in_worker"]
        peer = f.get("tfjs_minimize") or f["tfjs"]
        cell = "{median} [{min}-{max}]"
        rows.append(
            f"{key:12} {f['unit']:18} ours {cell.format(**ours):24} "
            f"TF.js {cell.format(**peer):24} ratio {f['ratio']:5} "
            f"(target {f['target']}, {'met' if f['met'] else 'NOT met'})"
        )
    return "\n".join(rows)


if __name__ == "__main__":  # python -m bench.peer [training|scoring]: on the built dist/
    import json

    from bench.site import site_browser
    from sitebuild.common import DIST

    with site_browser(DIST) as (browser, base):
        result = measure_peer(browser, base, tuple(sys.argv[1:]) or ("training", "scoring"))
    print(json.dumps(result, indent=1))
    print(table(result), file=sys.stderr)
