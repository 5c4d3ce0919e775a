"""Serving ``dist/``: the ``serve`` command, the end-to-end tests and the benchmark all use
:func:`start_server`. Also the browser settings they share (Chromium's path and flags) and
the kiosk's security headers."""

from __future__ import annotations

import os
import shutil
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sitebuild.common import DIST
from sitebuild.pages import CSP

# Debian's Chromium in tests and benchmarks: no background traffic to Google's hosts.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# `serve --kiosk`: the CSP as a real header (it then governs the Web Worker too) and friends.
KIOSK_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def chromium_path() -> str | None:
    """The system Chromium ($ANOMASCOPE_CHROMIUM, else chromium on PATH); None means
    Playwright's own browser."""
    return os.environ.get("ANOMASCOPE_CHROMIUM") or shutil.which("chromium")


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves ``root`` (dist/) with the right types for WebAssembly and ES modules, quietly;
    optionally under a URL ``prefix`` (like a GitHub Pages sub-path) and with extra headers."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
    }
    root: Path = DIST
    prefix = "/"
    extra_headers: dict[str, str] = {}

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, directory=str(self.root), **kw)

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(self.root / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        for key, value in self.extra_headers.items():
            self.send_header(key, value)
        if self.path.split("?")[0].endswith("sw.js"):
            self.send_header("Cache-Control", "no-cache")  # so a new build is noticed at once
        super().end_headers()

    def log_message(self, format: str, *a: Any) -> None:  # noqa: A002 - base class signature
        pass


def start_server(
    host: str = "127.0.0.1", port: int = 0, handler: type = SiteHandler, **attributes: Any
) -> ThreadingHTTPServer:
    """A server for dist/ (``attributes`` override SiteHandler's: root, prefix,
    extra_headers...); port 0 picks a free one. The caller runs ``serve_forever``."""
    return ThreadingHTTPServer((host, port), type("Handler", (handler,), attributes))
