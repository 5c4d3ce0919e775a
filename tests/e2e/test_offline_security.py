"""Offline after one visit, a sub-path, the Content Security Policy, and the kiosk headers."""

from __future__ import annotations

from playwright.sync_api import expect
from served_site import BOOT_TIMEOUT_MS, READY, serve_dist

import build


def wait_ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)


def test_works_offline_after_one_visit(app, context) -> None:  # type: ignore[no-untyped-def]
    app.wait_for_selector('html[data-offline-ready="true"]', state="attached", timeout=60_000)
    context.set_offline(True)
    app.reload()
    wait_ready(app)
    expect(app.locator("#readout-score")).not_to_have_text("–")


def test_works_under_a_sub_path(page, guard) -> None:  # type: ignore[no-untyped-def]
    with serve_dist(prefix="/anomascope/") as url:
        guard.origin = url.rstrip("/").rsplit("/", 1)[0]
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        wait_ready(page)
        expect(page.locator("#readout-score")).not_to_have_text("–")
        assert not errors, errors


def test_injected_inline_script_does_not_run(app, guard) -> None:  # type: ignore[no-untyped-def]
    violations = app.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener(
                "securitypolicyviolation", (e) => resolve(e.violatedDirective));
            const s = document.createElement("script");
            s.textContent = "window.__injected = true";
            document.body.append(s);
        })"""
    )
    assert violations.startswith("script-src")
    assert app.evaluate("window.__injected") is None
    # The browser reports the refusal on the console; that one message is the expected outcome.
    refused = [e for e in guard.errors if "Content Security Policy" in e]
    assert refused
    guard.errors[:] = [e for e in guard.errors if e not in refused]


def test_kiosk_csp_header_also_governs_the_worker(page, guard) -> None:  # type: ignore[no-untyped-def]
    with serve_dist(headers=build.KIOSK_HEADERS) as url:
        guard.origin = url.rstrip("/")
        page.goto(url)
        wait_ready(page)
        expect(page.locator("#readout-score")).not_to_have_text("–")
