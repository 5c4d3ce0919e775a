"""Helpers to serve the built site for end-to-end tests (the server is sitebuild.server's)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sitebuild.common import DIST
from sitebuild.server import start_server

__all__ = ["BOOT_TIMEOUT_MS", "DIST", "READY", "Guard", "serve_dist"]

READY = 'html[data-app-ready="true"]'
BOOT_TIMEOUT_MS = 180_000


@contextmanager
def serve_dist(prefix: str = "/", headers: dict[str, str] | None = None) -> Iterator[str]:
    """Serve dist/ on a free 127.0.0.1 port (under ``prefix``, with extra ``headers``) and
    yield its URL; fails the test when dist/ is not built."""
    if not (DIST / "index.html").exists():
        pytest.fail("dist/ is not built: run `python build.py test`", pytrace=False)
    server = start_server(prefix=prefix, extra_headers=headers or {})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()


class Guard:
    """Records console errors, uncaught page errors and requests that leave the origin."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.errors: list[str] = []
        self.offsite: list[str] = []

    def route(self, route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(self.origin) or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.offsite.append(request.url)
            route.abort()
