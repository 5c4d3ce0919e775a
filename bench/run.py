"""Measure the built site in headless Chromium; every figure of one run goes in one dict.

Ratios are taken within the same run (for example the app's start-up against the bare Pyodide
runtime's) because this machine is noisy.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.site import site_browser

COLD_LOADS = 5
READY = "html[data-app-ready]"


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def dist_bytes(dist: Path) -> dict[str, int]:
    wheel = sum(p.stat().st_size for p in (dist / "pyodide").glob("anomascope-*.whl"))
    return {
        "runtime": dir_bytes(dist / "pyodide") - wheel,
        "package": wheel,
        "data": dir_bytes(dist / "data") + dir_bytes(dist / "models"),
        "web": dir_bytes(dist / "static") + sum(p.stat().st_size for p in dist.glob("*.*")),
        "total": dir_bytes(dist),
    }


def cold_load_ms(browser: Any, url: str) -> float:
    """Milliseconds from navigation to the ready signal, in a fresh context (empty cache)."""
    context = browser.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=180_000)
    elapsed = (time.perf_counter() - start) * 1000
    if page.evaluate("document.documentElement.dataset.appReady") != "true":
        raise RuntimeError(f"{url} did not become ready")
    context.close()
    return elapsed


def run_benchmarks(dist: Path, data_dir: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"dist_bytes": dist_bytes(dist)}
    with site_browser(dist) as (browser, base):
        from bench.ecg import measure_ecg
        from bench.peer import measure_peer
        from bench.soak import measure_soak
        from bench.stream import measure_stream
        from bench.training import measure_training

        figures["ecg_lab"] = measure_ecg(browser, base)
        figures["stream"] = measure_stream(browser, base)
        figures["training"] = measure_training(browser, base)
        figures["peer"] = measure_peer(browser, base)  # TF.js 4.22 on the same workloads
        figures["soak"] = measure_soak(browser, base)
        figures["tables"] = __import__("bench.tables").tables.measure_tables(browser, base)
    from bench.startup import measure_startup  # its own on-disk browser profiles (H7)

    figures["startup"] = measure_startup(dist)
    from bench.cli import measure_cli  # native: the command line, outside the browser

    figures["cli"] = measure_cli(data_dir)
    return figures
