"""End-to-end fixtures: the built site served on a free 127.0.0.1 port, Chromium with the
network cut to that origin, and a guard that fails a test on any console error.

The site must be built first (``python build.py test`` does it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from served_site import BOOT_TIMEOUT_MS, READY, Guard, serve_dist

from sitebuild.server import CHROMIUM_FLAGS, chromium_path


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    with serve_dist() as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    path = chromium_path()
    return {
        **browser_type_launch_args,
        "args": CHROMIUM_FLAGS,
        **({"executable_path": path} if path else {}),
    }


@pytest.fixture
def guard(context, site_url: str) -> Iterator[Guard]:  # type: ignore[no-untyped-def]
    g = Guard(site_url.rstrip("/"))
    context.route("**/*", g.route)
    context.on("weberror", lambda err: g.errors.append(f"uncaught: {err.error}"))
    yield g
    assert not g.offsite, f"requests left the origin: {g.offsite}"


@pytest.fixture
def app(page, guard: Guard, site_url: str):  # type: ignore[no-untyped-def]
    """The app page, loaded and ready; fails on console errors at teardown."""
    page.on("console", lambda msg: guard.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))
    page.goto(site_url)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    yield page
    assert not guard.errors, f"console errors: {guard.errors}"


@pytest.fixture
def open_page(page, guard: Guard, site_url: str):  # type: ignore[no-untyped-def]
    """A function that opens a page of the site by path (e.g. "train.html#ep=3") and waits
    until it is ready; fails on console errors at teardown."""
    page.on("console", lambda msg: guard.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))

    def go(path: str = ""):  # type: ignore[no-untyped-def]
        page.goto(site_url + path)
        page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
        return page

    yield go
    assert not guard.errors, f"console errors: {guard.errors}"
