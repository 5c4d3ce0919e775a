"""The network stream's desktop layout (issue 14): at 1400x900, Connections, Strategies and
Visualized, with the per-type table (issue 13), are on screen together while the stream plays,
under a slim sticky bar."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from test_stream import stream, tick

__all__ = ["stream"]  # the fixture, used by name

SECTIONS = ("#connections", "#strategies", "#visualized", "#types")


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


def test_the_three_sections_are_on_screen_together_while_playing(stream: Page) -> None:
    stream.click("#info-close")
    stream.evaluate("document.activeElement.blur()")
    stream.keyboard.press("Space")
    expect(stream.locator("html")).not_to_have_attribute("data-tick", "0", timeout=60_000)
    expect(stream.locator("#play")).to_have_text("Pause")
    bar = stream.locator("#controls").bounding_box()
    assert bar is not None and bar["height"] <= 90, bar
    for selector in SECTIONS:
        box = stream.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] >= bar["y"] + bar["height"] - 1, (selector, box, bar)
        assert box["y"] + box["height"] <= 900 and box["x"] + box["width"] <= 1400, (selector, box)
        assert box["height"] >= 150, (selector, box)
    assert tick(stream) > 0
    assert stream.evaluate("document.documentElement.scrollWidth <= innerWidth")
