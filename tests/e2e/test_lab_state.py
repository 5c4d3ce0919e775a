"""The ECG lab's state as a user meets it: nothing can be typed before the app is ready, the
page follows the URL (edited by hand, back and forward, class filter, a shared beat's page),
and messages clear, start with a capital, can be closed and float over the layout."""

from __future__ import annotations

from lab_page import grid_columns
from playwright.sync_api import Page, expect
from served_site import BOOT_TIMEOUT_MS, READY


def open_lab(page: Page, guard, url: str) -> Page:  # type: ignore[no-untyped-def]
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    return page


def test_controls_are_not_usable_before_the_app_is_ready(page: Page, guard, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url)
    page.wait_for_function(
        "() => !document.getElementById('app').hidden", timeout=BOOT_TIMEOUT_MS
    )
    ready = page.evaluate("() => document.documentElement.dataset.appReady")
    editable = page.locator("#threshold-number").is_editable()
    assert ready == "true" or not editable, "the threshold box took input before Python was ready"
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    assert not guard.errors, guard.errors


def test_page_follows_hash_edits_and_back_forward(page: Page, guard, site_url: str) -> None:  # type: ignore[no-untyped-def]
    open_lab(page, guard, site_url)
    page.evaluate("() => { location.hash = 'section=explorer&beat=12&threshold=0.2'; }")
    expect(page.locator("#explorer")).to_be_visible()
    expect(page.locator("#threshold-number")).to_have_value("0.2")
    page.locator("#tab-draw").click()
    expect(page.locator("#draw")).to_be_visible()
    page.go_back()
    expect(page.locator("#explorer")).to_be_visible()
    page.go_back()
    expect(page.locator("#viewer")).to_be_visible()
    page.go_forward()
    expect(page.locator("#explorer")).to_be_visible()
    page.locator("#tab-viewer").click()
    expect(page.locator("#readout-index")).to_have_text("#12")
    assert not guard.errors, guard.errors


def test_class_filter_and_shared_beat_page_are_in_the_link(  # type: ignore[no-untyped-def]
    page: Page, guard, site_url: str
) -> None:
    open_lab(page, guard, site_url)
    page.locator("#class-filter").select_option("2")
    page.wait_for_function("() => location.hash.includes('class=2')")
    page.goto(site_url + "#beat=4000")
    expect(page.locator("#class-filter")).to_have_value("all")
    expect(page.locator("#readout-index")).to_have_text("#4000")
    page.reload()
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#readout-index")).to_have_text("#4000")
    per_page = page.evaluate(
        "() => { const g = document.getElementById('beat-grid');"
        " const rows = Math.floor(g.getBoundingClientRect().height / +g.dataset.cellHeight);"
        " return +g.dataset.cols * rows; }"
    )
    assert grid_columns(page) >= 1 and per_page >= 1
    expect(page.locator("#page-label")).to_contain_text(f"page {4000 // per_page + 1} of")
    page.goto(site_url + "#class=3")
    page.reload()
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#class-filter")).to_have_value("3")
    assert not guard.errors, guard.errors


def test_preset_error_is_capitalised_closable_and_clears(page: Page, guard, site_url: str) -> None:  # type: ignore[no-untyped-def]
    open_lab(page, guard, site_url)
    page.locator("#tab-explorer").click()
    box = page.locator("#param-contamination")
    box.fill("0")
    top = page.locator("#tab-explorer").bounding_box()
    box.press("Enter")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("contamination rate must")
    assert notice.inner_text().strip()[0].isupper(), notice.inner_text()
    assert page.locator("#tab-explorer").bounding_box() == top, "the message pushed the page down"
    num = page.locator("#threshold-number")
    num.fill("0.05")
    num.press("Enter")
    expect(notice).to_be_hidden()
    box.fill("150")
    box.press("Enter")
    expect(notice).to_be_visible()
    notice.get_by_role("button", name="Close this message").click()
    expect(notice).to_be_hidden()
    assert not guard.errors, guard.errors
