"""Start-up as users meet it: visits 1, 2 and 3 of the ECG lab in one persistent on-disk
Chromium profile (HTTP cache, service worker and V8 code cache kept between visits, as for a
returning user), then a reload with the network off, against the same visits of the stock
runtime (bench/pages/bare.html: Pyodide + numpy from the official, uncompiled files).

Each figure is the time from navigation to the page's ready signal (``data-app-ready``), read
in the page (``performance.now()``, whose origin is the navigation), over ``PROFILES`` fresh
profiles: median, min and max; the ratios divide ours by the stock runtime's cold visit of the
same run. The lab's first paint (real beats drawn before Python is ready, ``data-first-paint``)
is measured on the same visits.

    python -m bench.startup [--dist DIR] [--profiles N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from bench import spread
from bench.site import BenchHandler, serve
from sitebuild import server as site_server
from sitebuild.common import CACHE, DIST
from sitebuild.runtime import PYODIDE_VERSION

PROFILES = 3
VISITS = ("cold", "second", "third")
STOCK_RUNTIME = CACHE / f"pyodide-{PYODIDE_VERSION}"  # the build's verified official files
TIMEOUT_MS = 180_000
# Records, in page time, the first moment each start-up attribute appears on <html>.
MARKS = """(() => {
  const marks = (window.__startup = {});
  new MutationObserver(() => {
    const root = document.documentElement;
    for (const key of ["appReady", "firstPaint"]) {
      if (root.dataset[key] && !(key in marks)) marks[key] = performance.now();
    }
  }).observe(document, { subtree: true, attributeFilter: ["data-app-ready", "data-first-paint"] });
})();"""


class StartupHandler(BenchHandler):
    """The benchmark's server, plus the stock runtime's files under /__bench/stock/."""

    def translate_path(self, path: str) -> str:
        if path.startswith("/__bench/stock/"):
            return str(STOCK_RUNTIME / path.split("?")[0].removeprefix("/__bench/stock/"))
        return super().translate_path(path)


def _visit(page: Any, url: str) -> dict[str, float]:
    """Navigate to ``url`` and wait for the ready signal; the page's start-up marks in ms."""
    page.goto("about:blank")  # the previous visit's page and worker end first
    page.goto(url)
    page.wait_for_selector("html[data-app-ready]", state="attached", timeout=TIMEOUT_MS)
    marks = page.evaluate("window.__startup")
    if page.evaluate("document.documentElement.dataset.appReady") != "true" or not marks:
        raise RuntimeError(f"{url} did not become ready")
    return {k: round(v, 1) for k, v in marks.items()}


def profile_visits(pw: Any, url: str, offline: bool) -> dict[str, dict[str, float]]:
    """Visits 1-3 of ``url`` in one fresh on-disk profile; with ``offline``, then a reload with
    the network off (after the service worker has finished installing, as it has for a user
    who comes back)."""
    chromium = site_server.chromium_path()
    with tempfile.TemporaryDirectory(prefix="anomascope-profile-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile, headless=True, args=site_server.CHROMIUM_FLAGS,
            **({"executable_path": chromium} if chromium else {}),
        )
        try:
            context.add_init_script(MARKS)
            page = context.pages[0] if context.pages else context.new_page()
            out = {}
            for visit in VISITS:
                out[visit] = _visit(page, url)
                if offline and visit == "cold":
                    page.wait_for_selector('html[data-offline-ready="true"]', state="attached",
                                           timeout=TIMEOUT_MS)
            if offline:
                context.set_offline(True)
                out["offline"] = _visit(page, url)
            return out
        finally:
            context.close()


def summarise(runs: list[dict[str, dict[str, float]]], mark: str) -> dict[str, dict[str, float]]:
    """Median, min and max of ``mark`` per visit over the profiles."""
    return {visit: spread([run[visit][mark] for run in runs if mark in run[visit]], 1)
            for visit in runs[0] if any(mark in run[visit] for run in runs)}


def measure_startup(dist: Path = DIST, profiles: int = PROFILES) -> dict[str, Any]:
    """Every start-up figure of one run (milliseconds), with the ratios ours / stock cold."""
    from playwright.sync_api import sync_playwright

    stock_runs, ours_runs = [], []
    with serve(dist, StartupHandler) as base, sync_playwright() as pw:
        for _ in range(profiles):  # interleaved, so drift in machine load hits both alike
            stock_runs.append(profile_visits(pw, base + "__bench/bare.html", offline=False))
            ours_runs.append(profile_visits(pw, base, offline=True))
    stock = summarise(stock_runs, "appReady")
    ours = summarise(ours_runs, "appReady")
    anchor = stock["cold"]["median"]
    return {
        "profiles": profiles,
        "stock_ready_ms": stock,
        "ours_ready_ms": ours,
        "ours_first_paint_ms": summarise(ours_runs, "firstPaint"),
        "ratio_to_stock_cold": {visit: round(s["median"] / anchor, 2) for visit, s in ours.items()},
        "targets": {"cold": 0.6, "second": 0.45, "third": 0.45, "offline": 0.45},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=DIST, help="the built site (default dist/)")
    parser.add_argument("--profiles", type=int, default=PROFILES)
    args = parser.parse_args()
    print(json.dumps(measure_startup(args.dist, args.profiles), indent=1))


if __name__ == "__main__":
    main()
