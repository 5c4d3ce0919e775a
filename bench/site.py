"""The built site served on 127.0.0.1 with the benchmark's own pages, and Chromium to load it:
what every part of the benchmark shares, so that ``bench.run`` and the parts do not import each
other."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sitebuild import server as site_server
from sitebuild.common import DIST, ROOT

PAGES = Path(__file__).resolve().parent / "pages"
#: the benchmark-only npm packages (TensorFlow.js, the peer), installed by ``bench.peer``
NODE_MODULES = ROOT / ".cache" / "bench-node" / "node_modules"


class BenchHandler(site_server.SiteHandler):
    """dist/, plus the benchmark's own pages under /__bench/ and its npm packages under
    /__bench/node_modules/ (never part of the site)."""

    def translate_path(self, path: str) -> str:
        if path.startswith("/__bench/node_modules/"):
            return str(NODE_MODULES / path.split("?")[0].removeprefix("/__bench/node_modules/"))
        if path.startswith("/__bench/"):
            return str(PAGES / path.split("?")[0].removeprefix("/__bench/"))
        return super().translate_path(path)


@contextmanager
def serve(dist: Path, handler: type[BenchHandler] = BenchHandler) -> Iterator[str]:
    """Serve ``dist`` (and the bench's own files) on 127.0.0.1; yields the base URL."""
    server = site_server.start_server(handler=handler, root=dist)
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
        chromium = site_server.chromium_path()
        browser = pw.chromium.launch(
            args=site_server.CHROMIUM_FLAGS, **({"executable_path": chromium} if chromium else {})
        )
        try:
            yield browser, base
        finally:
            browser.close()


def print_figures(measure: Callable[[Any, str], dict[str, Any]]) -> None:
    """``python -m bench.NAME``: one part of the benchmark on the built dist/, as JSON."""
    import json

    with site_browser(DIST) as (browser, base):
        print(json.dumps(measure(browser, base), indent=1))
