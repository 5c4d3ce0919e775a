"""Measure the built site in headless Chromium; every figure of one run goes in one dict.

Ratios are taken within the same run (for example the app's start-up against the bare Pyodide
runtime's) because this machine is noisy.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import build

PAGES = Path(__file__).resolve().parent / "pages"
COLD_LOADS = 5
READY = "html[data-app-ready]"


class BenchHandler(build.SiteHandler):
    """dist/, plus the benchmark's own pages under /__bench/ (never part of the site)."""

    def translate_path(self, path: str) -> str:
        if path.startswith("/__bench/"):
            return str(PAGES / path.split("?")[0].removeprefix("/__bench/"))
        return super().translate_path(path)


@contextmanager
def serve(dist: Path) -> Iterator[str]:
    server = build.start_server(handler=BenchHandler, root=dist)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextmanager
def site_browser(dist: Path) -> Iterator[tuple[Any, str]]:
    """Chromium (Playwright, sync API) and the base URL of ``dist/`` served on 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    with serve(dist) as base, sync_playwright() as pw:
        chromium = build.chromium_path()
        browser = pw.chromium.launch(
            args=build.CHROMIUM_FLAGS, **({"executable_path": chromium} if chromium else {})
        )
        try:
            yield browser, base
        finally:
            browser.close()


def print_figures(measure: Callable[[Any, str], dict[str, Any]]) -> None:
    """``python -m bench.NAME``: one part of the benchmark on the built dist/, as JSON."""
    import json

    with site_browser(build.DIST) as (browser, base):
        print(json.dumps(measure(browser, base), indent=1))


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


def median_of(fn: Callable[[], float], n: int) -> float:
    return statistics.median(fn() for _ in range(n))


def run_benchmarks(dist: Path, data_dir: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"dist_bytes": dist_bytes(dist)}
    with site_browser(dist) as (browser, base):
        bare, app = [], []
        for _ in range(COLD_LOADS):  # interleaved, so drift in machine load hits both alike
            bare.append(cold_load_ms(browser, base + "__bench/bare.html"))
            app.append(cold_load_ms(browser, base))
        from bench.ecg import measure_ecg
        from bench.soak import measure_soak
        from bench.stream import measure_stream
        from bench.training import measure_training

        figures["ecg_lab"] = measure_ecg(browser, base)
        figures["stream"] = measure_stream(browser, base)
        figures["training"] = measure_training(browser, base)
        figures["soak"] = measure_soak(browser, base)
        figures["startup"] = {
            "cold_loads": COLD_LOADS,
            "bare_runtime_ready_ms_median": round(statistics.median(bare), 1),
            "app_ready_ms_median": round(statistics.median(app), 1),
            "app_over_bare_ratio": round(statistics.median(app) / statistics.median(bare), 2),
        }
    return figures
