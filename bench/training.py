"""Training speed in the browser (issue 5): numpy in Pyodide in the site's Web Worker.

``measure_training(browser, base_url)`` returns one dict of figures from one run:

- ``anomagram_default``: Anomagram's default model (140-7-3-2-3-7-140, Adam, lr 0.01, batch 512,
  2500 training rows, 30 epochs) trained through the worker's ``train_step`` requests:
  epochs per second counting training time only (``epochs_per_s``) and counting everything the
  page waits for, per-epoch evaluation and messaging included (``epochs_per_s_wall``).
- ``dense_32_16``: a 140-32-16-32-140 autoencoder at batch 256: training steps per second in
  the browser and natively in this Python process (same package, same data, same config), and
  the ratio native / browser. Native is measured with one BLAS thread (the worker has one
  thread; on a loaded 2-core machine multi-threaded BLAS can be 10x slower, so that figure is
  reported separately as ``native_steps_per_s_default_blas_threads``).
- ``page_default``: the train page's default configuration: seconds from pressing Train until
  the page shows a test ROC AUC >= 0.98 (``None`` if it never does, with the best AUC reached).

The worker is driven from a blank page served at the site's origin, so only one Python
runtime runs at a time on this 2-core machine.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

ANOMAGRAM = {
    "encoder_units": [7, 3],
    "latent_dim": 2,
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 512,
    "train_size": 2500,
    "validation_size": 500,
    "test_size": 1500,
    "epochs": 30,
}
DENSE = {
    "encoder_units": [32],
    "latent_dim": 16,
    "optimizer": "adam",
    "learning_rate": 0.001,
    "batch_size": 256,
    "train_size": 2560,
    "validation_size": 500,
    "test_size": 1500,
    "epochs": 40,
}
TARGET_AUC = 0.98

# Runs in the blank page: boot the site's worker, train each config to the end in chunks.
DRIVER = """
async ({ configs, maxMs }) => {
  const url = new URL("static/js/common/worker.js", location.href);
  const worker = new Worker(url, { type: "module" });
  const pending = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    if (data.event) return;
    const entry = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) entry.resolve(data.result); else entry.reject(new Error(data.error.message));
  };
  const request = (type, payload) => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type, payload });
  });
  await request("hello", { datasets: ["ecg5000"], modelDataset: "none" });
  const out = [];
  for (const config of configs) {
    const summary = await request("train_start", { config });
    const t0 = performance.now();
    let reply;
    do {
      reply = await request("train_step", { max_ms: maxMs });
    } while (reply.status === "training" || reply.status === "ready");
    out.push({ wall_s: (performance.now() - t0) / 1000, train_s: reply.seconds, steps: reply.step,
               epochs: reply.epoch, status: reply.status, parameters: summary.parameters });
  }
  worker.terminate();
  return out;
}
"""


def _native(config: dict[str, Any], data: dict[str, np.ndarray]) -> dict[str, float]:
    from sitebuild.common import ROOT

    if str(ROOT / "pysrc") not in sys.path:
        sys.path.insert(0, str(ROOT / "pysrc"))
    from anomascope.training import TrainingSession

    X = np.concatenate([data["train_X"], data["test_X"]])
    y = np.concatenate([data["train_y"], data["test_y"]])
    session = TrainingSession(config, X, y)
    while session.status not in ("done", "diverged"):
        session.step(1.0)
    return {"train_s": session.seconds, "steps": session.trainer.step}


def _browser_runs(browser: Any, base_url: str, configs: list[dict[str, Any]]) -> list[dict]:
    context = browser.new_context()
    page = context.new_page()
    blank = base_url + "__training_bench__.html"
    page.route(
        blank,
        lambda route: route.fulfill(
            body="<!doctype html><title>bench</title>", content_type="text/html"
        ),
    )
    page.goto(blank)
    try:
        return page.evaluate(DRIVER, {"configs": configs, "maxMs": 1000})
    finally:
        context.close()


def _page_default(browser: Any, base_url: str) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base_url + "train.html")
        page.wait_for_selector('html[data-app-ready="true"]', state="attached", timeout=180_000)
        page.wait_for_selector("#config[data-check=settled]", state="attached")
        start = time.perf_counter()
        page.click("#train")
        reached, best, epoch = None, 0.0, 0
        while time.perf_counter() - start < 120:
            auc = page.locator("#roc-auc").get_attribute("data-auc")
            if auc:
                best = max(best, float(auc))
                if float(auc) >= TARGET_AUC and reached is None:
                    reached = time.perf_counter() - start
                    epoch = int(page.locator("#progress").get_attribute("data-epoch") or 0)
            if page.locator("body[data-train-status=done]").count() or reached is not None:
                break
            page.wait_for_timeout(10)
        return {
            "seconds_to_auc_0_98": None if reached is None else round(reached, 2),
            "epoch_reached": epoch if reached is not None else None,
            "best_auc": round(best, 4),
            "target_seconds": 10,
        }
    finally:
        context.close()


def measure_training(browser: Any, base_url: str) -> dict[str, Any]:
    """Figures of training in the browser against native numpy, in one run.

    Parameters
    ----------
    browser : playwright Browser
        Chromium, launched by the caller.
    base_url : str
        The served site (``dist/``), ending in ``/``.
    """
    from sitebuild.common import DIST

    anomagram, dense = _browser_runs(browser, base_url, [ANOMAGRAM, DENSE])
    with np.load(DIST / "data" / "ecg5000.npz") as npz:
        data = {k: npz[k] for k in npz.files}
    native_threads = _native(DENSE, data)
    try:  # the browser worker is single-threaded: compare with one BLAS thread
        from threadpoolctl import threadpool_limits
    except ImportError:
        native = native_threads
    else:
        with threadpool_limits(1):
            native = _native(DENSE, data)
    browser_sps = dense["steps"] / dense["train_s"]
    native_sps = native["steps"] / native["train_s"]
    return {
        "anomagram_default": {
            "config": "140-7-3-2-3-7-140, adam, lr 0.01, batch 512, 2500 rows, 30 epochs",
            "epochs": anomagram["epochs"],
            "epochs_per_s": round(anomagram["epochs"] / anomagram["train_s"], 1),
            "epochs_per_s_wall": round(anomagram["epochs"] / anomagram["wall_s"], 1),
        },
        "dense_32_16": {
            "config": "140-32-16-32-140, adam, batch 256",
            "steps": dense["steps"],
            "browser_steps_per_s": round(browser_sps, 1),
            "native_steps_per_s": round(native_sps, 1),
            "native_steps_per_s_default_blas_threads": round(
                native_threads["steps"] / native_threads["train_s"], 1
            ),
            "native_over_browser": round(native_sps / browser_sps, 1),
        },
        "page_default": _page_default(browser, base_url),
    }


if __name__ == "__main__":  # python -m bench.training: measure the built dist/ once
    from bench.site import print_figures

    print_figures(measure_training)
