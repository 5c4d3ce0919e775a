"""Offline after one visit, a sub-path, the Content Security Policy, and the kiosk headers."""

from __future__ import annotations

import json
import shutil
import threading

from playwright.sync_api import expect
from served_site import BOOT_TIMEOUT_MS, READY, serve_dist

from sitebuild import pages
from sitebuild.common import DIST
from sitebuild.server import KIOSK_HEADERS, start_server


def wait_ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)


def test_works_offline_after_one_visit(app, context) -> None:  # type: ignore[no-untyped-def]
    app.wait_for_selector('html[data-offline-ready="true"]', state="attached", timeout=60_000)
    context.set_offline(True)
    app.reload()
    wait_ready(app)
    expect(app.locator("#readout-score")).not_to_have_text("–")
    # The pages not visited yet come from the same precache.
    base = app.url.split("#")[0].rsplit("/", 1)[0]
    for page_name, ready_text in (("train.html", "#train"), ("stream.html", "#play")):
        app.goto(f"{base}/{page_name}")
        wait_ready(app)
        expect(app.locator(ready_text)).to_be_enabled()


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
    with serve_dist(headers=KIOSK_HEADERS) as url:
        guard.origin = url.rstrip("/")
        page.goto(url)
        wait_ready(page)
        expect(page.locator("#readout-score")).not_to_have_text("–")


def test_a_new_build_replaces_the_old_cache_after_the_user_reloads(page, guard, tmp_path) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    shutil.copytree(DIST, site)
    server = start_server(root=site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        guard.origin = url.rstrip("/")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        wait_ready(page)
        page.evaluate(  # the service worker registers once the page is ready; wait for control
            """() => navigator.serviceWorker.controller || new Promise((resolve) =>
                navigator.serviceWorker.addEventListener("controllerchange", resolve))"""
        )
        first = json.loads((site / "asset-manifest.json").read_text())["version"]
        assert cache_names(page) == [f"anomascope-{first}"]

        # The next build changes one page; its manifest and service worker get a new version.
        index = site / "index.html"
        index.write_text(index.read_text().replace("numpy in a Web Worker", "build two"))
        second = pages.write_manifest(site)
        pages.write_service_worker(site, second)
        assert second["version"] != first
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.locator("#update-banner")
        expect(banner).to_be_visible(timeout=60_000)
        assert sorted(cache_names(page)) == sorted(
            [f"anomascope-{first}", f"anomascope-{second['version']}"]
        )
        expect(page.locator("footer")).not_to_contain_text("build two")

        banner.get_by_role("button").click()
        expect(page.locator("footer")).to_contain_text("build two", timeout=60_000)
        wait_ready(page)
        assert cache_names(page) == [f"anomascope-{second['version']}"]
        expect(page.locator("#update-banner")).to_be_hidden()
        assert not errors, errors
    finally:
        server.shutdown()


def cache_names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate("caches.keys()")
