"""Helpers to serve the built site for end-to-end tests and benchmarks."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parents[2] / "dist"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY = 'html[data-app-ready="true"]'
BOOT_TIMEOUT_MS = 180_000


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves dist/, optionally under a URL prefix (a GitHub Pages sub-path) and with extra
    response headers (e.g. a Content-Security-Policy header, as `serve --kiosk` sends)."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
    }
    prefix = "/"
    headers_out: dict[str, str] = {}

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(DIST / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        for key, value in self.headers_out.items():
            self.send_header(key, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve_dist(prefix: str = "/", headers: dict[str, str] | None = None) -> Iterator[str]:
    if not (DIST / "index.html").exists():
        pytest.fail("dist/ is not built: run `python build.py test`", pytrace=False)
    handler_class = type(
        "Handler", (QuietHandler,), {"prefix": prefix, "headers_out": headers or {}}
    )
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler_class, directory=str(DIST))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()


def chromium_path() -> str | None:
    explicit = os.environ.get("ANOMASCOPE_CHROMIUM")
    if explicit:
        return explicit
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
