"""Helpers to serve the built site for end-to-end tests and benchmarks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import build

DIST = build.DIST
CHROMIUM_FLAGS = build.CHROMIUM_FLAGS
chromium_path = build.chromium_path
READY = 'html[data-app-ready="true"]'
BOOT_TIMEOUT_MS = 180_000


@contextmanager
def serve_dist(prefix: str = "/", headers: dict[str, str] | None = None) -> Iterator[str]:
    if not (DIST / "index.html").exists():
        pytest.fail("dist/ is not built: run `python build.py test`", pytrace=False)
    server = build.start_server(prefix=prefix, extra_headers=headers or {})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
