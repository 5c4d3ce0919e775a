"""The bad-input battery: each case ends with a clear message, the rest of the app still
working, the active model and threshold kept, and no uncaught error on the console.

One page serves every case of a group (booting Python once), as a user would keep going.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from lab_page import click_beat_cell
from playwright.sync_api import Page, expect
from served_site import BOOT_TIMEOUT_MS, READY

ROW = ",".join(["0.1"] * 140)


def rows(n: int, first: str | None = None, width: int = 140, label: str | None = None) -> bytes:
    values = [f"{v:.4f}" for v in np.linspace(-1, 1, width)]
    if first is not None:
        values[0] = first
    line = ",".join(([label] if label else []) + values)
    return ("\n".join([line] * n) + "\n").encode()


UPLOADS = {
    "wrong width": (rows(2, width=139), "has 139 values"),
    "text": (b"hello, world\nthis is not, a beat\n", "values"),
    "NaN": (rows(1) + rows(1, first="nan"), "NaN or infinity"),
    "infinity": (rows(1, first="inf"), "NaN or infinity"),
    "a word among numbers": (rows(2, first="1.2.3"), "not a number"),
    "empty": (b"", "empty"),
    "blank lines only": (b"\n\n  \n", "empty"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "wrong encoding": ("é;".encode("utf-16"), "binary"),
    "latin-1 text": (("café," * 140 + "\n").encode("latin-1"), "not UTF-8"),
    "huge": (b"0," * (3 * 1024 * 1024), "limit is 5 MB"),
    "ragged rows": (rows(1) + rows(1, width=141), "line 2 has 141 values"),
    "bad label": (rows(2, label="9"), "label 9"),
    "header only": (("a," * 140 + "\n").encode(), "header line but no beats"),
}

URLS = {
    "threshold text": ("#threshold=abc", "threshold"),
    "negative threshold": ("#threshold=-4", "threshold"),
    "beat out of range": ("#beat=999999", "beat"),
    "negative beat": ("#beat=-3", "beat"),
    "unknown model": ("#model=no_such_model", "model"),
    "unknown section": ("#section=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "section"),
    "infinite threshold": ("#threshold=Infinity", "threshold"),
}


@pytest.fixture(scope="module")
def lab(browser, site_url: str) -> Iterator[tuple[Page, list[str]]]:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    origin = site_url.rstrip("/")
    offsite: list[str] = []
    context.route(
        "**/*",
        lambda route, request: (
            route.continue_()
            if request.url.startswith(origin)
            else (offsite.append(request.url), route.abort())
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site_url)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    yield page, errors
    context.close()
    assert not offsite


def set_threshold(page: Page, value: str) -> None:
    page.locator("#threshold-number").fill(value)
    page.locator("#threshold-number").press("Enter")


def assert_still_working(page: Page, errors: list[str], model: str, threshold: str) -> None:
    """Model and threshold kept; the viewer still scores a beat; nothing on the console."""
    assert page.locator("#model-picker").input_value() == model
    assert float(page.locator("#threshold-number").input_value()) == float(threshold)
    page.locator("#tab-viewer").click()
    page.locator("#class-filter").select_option("all")
    before = page.locator("#readout-index").inner_text()
    target = 1 if before != "#1" else 2
    # Centre the grid so the sticky model bar does not cover the first row.
    page.evaluate("document.getElementById('beat-grid').scrollIntoView({block: 'center'})")
    click_beat_cell(page, target)
    expect(page.locator("#readout-index")).to_have_text(f"#{target}")
    assert float(page.locator("#readout-score").inner_text()) > 0
    assert not errors, errors


@pytest.mark.parametrize("case", list(UPLOADS))
def test_bad_upload(lab: tuple[Page, list[str]], case: str) -> None:
    page, errors = lab
    model = page.locator("#model-picker").input_value()
    set_threshold(page, "0.3")
    threshold = page.locator("#threshold-number").input_value()
    data, message = UPLOADS[case]
    page.locator("#tab-viewer").click()
    page.locator("#upload-input").set_input_files(
        {"name": f"<b>{case}</b>.csv", "mimeType": "text/csv", "buffer": data}
    )
    error = page.locator("#upload-error")
    expect(error).to_contain_text(message)
    assert "<b>" in error.inner_text() or "<b>" not in page.content().split("upload-error")[1][:400]
    assert_still_working(page, errors, model, threshold)


@pytest.mark.parametrize("points", [0, 1])
def test_empty_and_one_point_drawings(lab: tuple[Page, list[str]], points: int) -> None:
    page, errors = lab
    model = page.locator("#model-picker").input_value()
    threshold = page.locator("#threshold-number").input_value()
    page.locator("#tab-draw").click()
    page.locator("#draw-clear").click()
    if points:
        box = page.locator("#draw-pad").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    expect(page.locator("#draw-message")).to_contain_text("Draw" if not points else "single point")
    assert_still_working(page, errors, model, threshold)


@pytest.mark.parametrize("value", ["-1", "", "1e999"])
def test_bad_threshold_values(lab: tuple[Page, list[str]], value: str) -> None:
    page, errors = lab
    model = page.locator("#model-picker").input_value()
    set_threshold(page, "0.3")
    set_threshold(page, value)
    expect(page.locator("#notice")).to_contain_text("threshold")
    set_threshold(page, "0.3")
    assert_still_working(page, errors, model, "0.3")


@pytest.mark.parametrize("case", list(URLS))
def test_tampered_url(page: Page, guard, site_url: str, case: str) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    fragment, word = URLS[case]
    page.goto(site_url + fragment)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#notice")).to_contain_text("could not be used")
    expect(page.locator("#notice")).to_contain_text(word)
    assert page.evaluate("window.alert.toString()").endswith("{ [native code] }")
    model = page.locator("#model-picker").input_value()
    assert_still_working(page, errors, model, page.locator("#threshold-number").input_value())


def corrupt(route) -> None:  # type: ignore[no-untyped-def]
    body = route.fetch().body()
    route.fulfill(status=200, body=body[: len(body) // 2], content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("pattern", "handler", "message"),
    [
        ("**/models/ecg_vae.npz", corrupt, "ecg_vae"),
        ("**/models/ecg_vae.npz", lambda route: route.fulfill(status=404, body="gone"), "HTTP 404"),
        (
            "**/models/ecg_pca.json",
            lambda route: route.fulfill(status=200, body="{not json"),
            "ecg_pca",
        ),
    ],
    ids=["weights with a wrong hash", "missing weights", "broken manifest"],
)
def test_damaged_model_files_are_left_out(
    page: Page, guard, site_url: str, pattern, handler, message
) -> None:  # type: ignore[no-untyped-def]
    page.context.route(pattern, handler)  # also reaches the worker's requests
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None,
    )
    page.goto(site_url)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#notice")).to_contain_text("Left out models")
    expect(page.locator("#notice")).to_contain_text(message)
    model = page.locator("#model-picker").input_value()
    assert_still_working(page, errors, model, page.locator("#threshold-number").input_value())


def test_truncated_data_file_stops_with_a_clear_message(page: Page, guard, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.context.route("**/data/ecg5000.npz", corrupt)
    page.goto(site_url)
    page.wait_for_selector(
        'html[data-app-ready="failed"]', state="attached", timeout=BOOT_TIMEOUT_MS
    )
    expect(page.locator("#notice")).to_contain_text("could not start")
    expect(page.locator("#notice")).to_contain_text("ecg5000")
