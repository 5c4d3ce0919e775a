"""The threshold explorer's histogram: the threshold label sits above the bars, never on them,
and a threshold beyond the axis gets an off-scale mark (the canvas reports where it drew both
in ``data-threshold-mark``)."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect


def mark(app: Page, value: str) -> dict:
    box = app.locator("#threshold-number")
    box.fill(value)
    box.press("Enter")
    hist = app.locator("#score-histogram")
    app.wait_for_function(
        "(v) => { const m = document.getElementById('score-histogram').dataset.thresholdMark;"
        " return m && JSON.parse(m).value === v; }",
        arg=float(value),
    )
    return json.loads(hist.get_attribute("data-threshold-mark") or "{}")


def test_threshold_label_never_covers_bars_and_off_scale_is_marked(app: Page) -> None:
    app.locator("#tab-explorer").click()
    expect(app.locator("#score-histogram")).to_be_visible()
    inside = mark(app, "0.2")
    assert inside["offScale"] == ""
    assert inside["label"]["bottom"] <= inside["barsTop"], inside
    above = mark(app, "1000000")
    assert above["offScale"] == "above", above
    assert above["label"]["bottom"] <= above["barsTop"], above
    assert above["label"]["right"] <= above["width"], above
    below = mark(app, "0")
    assert below["offScale"] == "below", below
    assert below["label"]["left"] >= 0, below
