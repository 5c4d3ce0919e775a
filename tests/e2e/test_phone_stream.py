"""The network stream on a phone (issue 14): 390x844, touch. No sideways scroll in any tab or
state, a small sticky play bar, one section per tab, no keyboard hints, the newest-square
highlight inside its pile, and names and thresholds shown whole."""

from __future__ import annotations

import re

import pytest
from pile_pixels import assert_ring_whole
from playwright.sync_api import Page, expect
from test_stream import N, stream, wait_tick

__all__ = ["stream"]  # the fixture, used by name

WIDTH, HEIGHT = 390, 844
TABS = ("connections", "strategies", "visualized")


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": WIDTH, "height": HEIGHT},
        "has_touch": True,
        "is_mobile": True,
    }


def no_sideways_scroll(page: Page, where: str) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], (where, width)


def open_tab(page: Page, name: str) -> None:
    page.locator(f'.stream-tabs button[data-tab="{name}"]').tap()
    for other in TABS:
        section = page.locator(f"#{other}")
        if other == name:
            expect(section).to_be_visible()
        else:
            expect(section).to_be_hidden()


def test_phone_tabs_never_scroll_sideways(stream: Page) -> None:
    no_sideways_scroll(stream, "first visit")
    stream.locator("#info-close").tap()
    expect(stream.locator("#shortcuts")).to_be_hidden()  # no keyboard hints on touch
    for name in TABS:
        open_tab(stream, name)
        no_sideways_scroll(stream, name)
    stream.locator("#play").tap()
    expect(stream.locator("#play")).to_have_text("Pause")
    for name in TABS:
        open_tab(stream, name)
        no_sideways_scroll(stream, f"{name}, playing")
    stream.locator("#finish").tap()
    wait_tick(stream, N, timeout=120_000)
    for name in TABS:
        open_tab(stream, name)
        no_sideways_scroll(stream, f"{name}, finished")


def test_phone_play_bar_is_small_and_sticks(stream: Page) -> None:
    stream.locator("#info-close").tap()
    stream.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    bar = stream.locator("#controls")
    expect(bar).to_be_in_viewport()
    box = bar.bounding_box()
    assert box is not None and box["y"] <= 1 and box["height"] <= 0.15 * HEIGHT, box
    stream.locator("#step").tap()
    wait_tick(stream, 1)


def test_phone_highlight_names_and_thresholds_are_whole(stream: Page) -> None:
    stream.locator("#info-close").tap()
    open_tab(stream, "visualized")
    for _ in range(3):
        stream.locator("#step").tap()
    wait_tick(stream, 3)
    for canvas in stream.locator("#piles .pile canvas").all():
        assert_ring_whole(canvas)
    open_tab(stream, "strategies")
    cut = stream.evaluate("""() => [...document.querySelectorAll(
            ".setup-row .toggle, .rank-head strong, .pile figcaption strong, .stream-tabs button")]
        .filter((el) => el.offsetParent && el.scrollWidth > el.clientWidth + 1)
        .map((el) => el.textContent)""")
    assert cut == []
    for box in stream.locator("#setup-list .threshold-number").all():
        value = box.input_value()
        assert re.fullmatch(r"-?\d+(\.\d+)?(e[+-]?\d+)?", value), value
        digits = re.sub(r"e.*|[^0-9]", "", value).lstrip("0")
        assert len(digits) <= 5, value
        fits = box.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
        assert fits, value
