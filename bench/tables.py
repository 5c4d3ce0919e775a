"""Data page ("Your data") figures for ``build.py bench``: in the browser and natively, in
the same run, on the same generated files.

- load + profile a generated CSV of 200,000 rows x 12 columns (20.4 MB): ``table_load``;
- fit each table detector (default settings) on 10,000 rows x 20 columns, unlabelled:
  ``fit_10k_x20`` is the detector's own fitting time (its ``fit_steps`` slices, as
  ``table_results`` reports it); ``fit_and_score_10k_x20`` the wall time of
  ``table_fit_start`` and every ``table_fit_step`` until done, which also prepares the rows,
  scores all 10,000 and chooses the threshold;
- score 200,000 rows x 20 columns with each fitted detector: ``table_upload_model`` of the
  exported model (prepare + score every row of the loaded table).

Each figure is in seconds, median / min / max over :data:`RUNS` runs.
In the browser the requests go through the site's own worker and client
(``/static/js/common/client.js``) from a bench page, ``bench/pages/tables.html``; the
generated files reach it through Playwright's request routing. Natively they go through
``anomascope.api.dispatch`` in this process.

``python -m bench.tables`` prints the figures of the built dist/ as JSON.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench import spread, wait_until

RUNS = 3
BIG = (200_000, 12)
FIT = (10_000, 20)
SCORE = (200_000, 20)
#: The issue's targets for the browser fit times, seconds.
FIT_TARGETS_S = {"pca": 0.2, "ecod": 0.5, "iforest": 1.0, "knn": 2.0, "autoencoder": 5.0}
LOAD_TARGET_S = 5.0


def csv_bytes(rows: int, cols: int, seed: int, decimals: int = 4) -> bytes:
    """A header ``c1..cN`` and ``rows`` lines of normal numbers (about ``decimals + 4`` bytes a
    cell); a few rows are shifted so that there is something to find."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols))
    X[rng.choice(rows, rows // 100, replace=False)] += 5.0
    header = ",".join(f"c{j + 1}" for j in range(cols))
    cell = f"{{:.{decimals}f}}".format
    body = "\n".join(",".join(map(cell, row)) for row in X.tolist())
    return (header + "\n" + body + "\n").encode()


def fit_payload(kind: str, cols: int) -> dict[str, Any]:
    return {
        "features": [f"c{j + 1}" for j in range(cols)],
        "label_column": None,
        "anomaly_values": [],
        "mode": "table",
        "detectors": [{"kind": kind, "params": {}}],
        "supervision": "unsupervised",
        "threshold_rule": {"rule": "contamination", "value": 1.0},
        "seed": 0,
    }


def _ok(reply: dict[str, Any]) -> Any:
    if not reply["ok"]:
        raise RuntimeError(f"bench: request failed: {reply['error']['message']}")
    return reply["result"]


def native_run(files: dict[str, bytes], kinds: tuple[str, ...]) -> dict[str, float]:
    """One run of every figure in this process (seconds)."""
    from anomascope.api import core, dispatch
    from anomascope.api.state import State

    core.STATE = State()
    out: dict[str, float] = {}
    start = time.perf_counter()
    _ok(dispatch("table_load", {"bytes": files["big"], "name": "big.csv"}))
    out["load_profile_200k_x12"] = time.perf_counter() - start
    _ok(dispatch("table_load", {"bytes": files["fit"], "name": "fit.csv"}))
    models = {}
    for kind in kinds:
        start = time.perf_counter()
        _ok(dispatch("table_fit_start", fit_payload(kind, FIT[1])))
        while not _ok(dispatch("table_fit_step", {}))["done"]:
            pass
        out[f"fit_and_score_10k_x20.{kind}"] = time.perf_counter() - start
        out[f"fit_10k_x20.{kind}"] = _ok(dispatch("table_results", {}))["detectors"][0][
            "fit_seconds"
        ]
        models[kind] = _ok(dispatch("table_export_model", {"kind": kind, "name": kind}))
    _ok(dispatch("table_load", {"bytes": files["score"], "name": "score.csv"}))
    for kind in kinds:
        start = time.perf_counter()
        _ok(dispatch("table_upload_model", {"manifest": models[kind]["manifest"],
                                            "npz": models[kind]["npz"]}))
        out[f"score_200k_x20.{kind}"] = time.perf_counter() - start
    core.STATE = State()
    return out


def browser_run(page: Any, kinds: tuple[str, ...]) -> dict[str, float]:
    """One run of every figure in the bench page's worker (seconds)."""
    ms = page.evaluate("(kinds) => window.benchTables.run(kinds)", list(kinds))
    return {k: v / 1000 for k, v in ms.items()}


def summarize(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {key: spread([r[key] for r in runs], 3) for key in runs[0]}


def _serve(body: bytes) -> Any:
    """A Playwright route handler answering with ``body``."""

    def handle(route: Any, request: Any = None) -> None:
        route.fulfill(body=body, content_type="text/csv")

    return handle


def open_bench_page(browser: Any, base_url: str, files: dict[str, bytes]) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    for name, data in files.items():
        page.route(f"**/__bench/gen/{name}.csv", _serve(data))
    page.goto(base_url + "__bench/tables.html")
    wait_until(page, "document.documentElement.dataset.appReady === 'true'", 180)
    return context, page


def measure_tables(browser: Any, base_url: str) -> dict[str, Any]:
    """Browser and native figures of the data page, from the same generated files.

    Returns
    -------
    dict
        ``{"runs", "sizes", "targets_s", "browser": {figure: {median, min, max}},
        "native": {...}}``; figures in seconds.
    """
    from anomascope.detectors.fitting import TABLE_KINDS

    kinds = tuple(TABLE_KINDS)
    files = {"big": csv_bytes(*BIG, seed=1, decimals=5), "fit": csv_bytes(*FIT, seed=2),
             "score": csv_bytes(*SCORE, seed=3)}
    browser_runs, native_runs = [], []
    context, page = open_bench_page(browser, base_url, files)
    try:
        for _ in range(RUNS):  # interleaved, so drift in machine load hits both alike
            browser_runs.append(browser_run(page, kinds))
            native_runs.append(native_run(files, kinds))
    finally:
        context.close()
    return {
        "runs": RUNS,
        "sizes": {
            "load_csv_bytes": len(files["big"]), "load_shape": list(BIG),
            "fit_shape": list(FIT), "score_shape": list(SCORE),
        },
        "targets_s": {"load_profile_200k_x12": LOAD_TARGET_S,
                      **{f"fit_10k_x20.{k}": v for k, v in FIT_TARGETS_S.items()}},
        "browser": summarize(browser_runs),
        "native": summarize(native_runs),
    }


if __name__ == "__main__":
    from bench.site import print_figures

    print_figures(measure_tables)
