"""The worker installs the package wheels itself: each is checked against the sha256 in the
site's lock file, and a wheel that does not match stops the start-up with a message naming it."""

from __future__ import annotations

from playwright.sync_api import expect
from served_site import BOOT_TIMEOUT_MS, DIST


def test_a_wheel_that_does_not_match_the_lock_is_refused(  # type: ignore[no-untyped-def]
    page, guard, site_url
) -> None:
    wheel = next((DIST / "pyodide").glob("anomascope-*.whl"))
    damaged = bytearray(wheel.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte in the middle of the archive
    served: list[str] = []

    def swap(route, request) -> None:  # type: ignore[no-untyped-def]
        served.append(request.url)
        route.fulfill(status=200, body=bytes(damaged), content_type="application/octet-stream")

    page.context.route(f"**/pyodide/{wheel.name}", swap)
    page.goto(site_url)
    page.wait_for_selector('html[data-app-ready="failed"]', state="attached",
                           timeout=BOOT_TIMEOUT_MS)
    assert served  # the damaged bytes were what the worker got
    expect(page.locator("#notice")).to_contain_text(wheel.name)
    expect(page.locator("#notice")).to_contain_text("sha256")
    expect(page.locator("#app")).to_be_hidden()
