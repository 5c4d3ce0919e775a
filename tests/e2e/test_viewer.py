"""The beat viewer: the page boots Python, scores a beat, and follows the threshold."""

from __future__ import annotations

import re

from lab_page import click_beat_cell
from playwright.sync_api import expect


def test_page_reaches_ready_and_scores_a_beat(app) -> None:  # type: ignore[no-untyped-def]
    expect(app.locator("#loading")).to_be_hidden()
    expect(app.locator("#readout-index")).to_have_text("#0")
    score = float(app.locator("#readout-score").inner_text())
    assert score > 0
    assert app.locator("#model-picker option").count() >= 1


def test_selecting_a_beat_scores_it_in_python(app) -> None:  # type: ignore[no-untyped-def]
    before = app.locator("#readout-score").inner_text()
    click_beat_cell(app, 2)
    expect(app.locator("#readout-index")).to_have_text("#2")
    after = app.locator("#readout-score").inner_text()
    assert after != before
    assert re.search(r"beat=2", app.url)


def test_verdict_follows_the_threshold(app) -> None:  # type: ignore[no-untyped-def]
    score = float(app.locator("#readout-score").inner_text())
    number = app.locator("#threshold-number")
    number.fill(str(score * 2))
    number.press("Enter")
    expect(app.locator("#readout-verdict")).to_contain_text("Normal")
    number.fill(str(score / 2))
    number.press("Enter")
    expect(app.locator("#readout-verdict")).to_contain_text("Anomaly")


def test_bad_threshold_gets_a_message(app) -> None:  # type: ignore[no-untyped-def]
    number = app.locator("#threshold-number")
    number.fill("-3")
    number.press("Enter")
    expect(app.locator("#notice")).to_contain_text("threshold must be a number")


def test_url_state_reproduces_the_view(page, guard, site_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "#beat=7&threshold=0.5")
    page.wait_for_selector('html[data-app-ready="true"]', state="attached", timeout=180_000)
    expect(page.locator("#readout-index")).to_have_text("#7")
    assert float(page.locator("#threshold-number").input_value()) == 0.5
