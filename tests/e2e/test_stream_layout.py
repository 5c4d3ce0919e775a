"""The network stream's desktop layout (issue 14): at 1400x900, Connections, Strategies and
Visualized, with the per-type table (issue 13), are on screen together while the stream plays,
under a slim sticky bar."""

from __future__ import annotations

import pytest
from pile_pixels import PIXELS_JS, assert_ring_whole
from playwright.sync_api import Page, expect
from test_stream import stream, tick

__all__ = ["stream"]  # the fixture, used by name

SECTIONS = ("#connections", "#strategies", "#visualized", "#types")


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.mark.parametrize("scrolled", [False, True])
def test_the_three_sections_are_on_screen_together_while_playing(
    stream: Page, scrolled: bool
) -> None:
    stream.click("#info-close")
    stream.evaluate("document.activeElement.blur()")
    if scrolled:  # the grid wholly inside the window, but its top behind the sticky bar
        stream.evaluate("""() => {
            const grid = document.getElementById("stream-grid").getBoundingClientRect();
            window.scrollBy(0, grid.top - 40);
        }""")
        bar = stream.locator("#controls").bounding_box()
        grid = stream.locator("#stream-grid").bounding_box()
        assert bar and grid and grid["y"] < bar["y"] + bar["height"] and grid["y"] >= 0
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


def play_briefly(stream: Page) -> None:
    """Close the intro, play by keyboard until the first tick, and pause."""
    stream.click("#info-close")
    stream.evaluate("document.activeElement.blur()")
    stream.keyboard.press("Space")
    expect(stream.locator("html")).not_to_have_attribute("data-tick", "0", timeout=60_000)
    stream.keyboard.press("Space")
    expect(stream.locator("#play")).not_to_have_text("Pause")


def test_the_feed_keeps_its_table_and_its_columns_while_playing(stream: Page) -> None:
    """The feed's rows are laid out as grids (frame time): still a table to assistive tech,
    one row per connection, every cell under its own column header."""
    play_briefly(stream)
    feed = stream.get_by_role("table", name="The connections of the stream, newest first")
    heads = feed.get_by_role("columnheader")
    expect(heads.first).to_have_text("#")
    rows = feed.locator("tbody").get_by_role("row")
    shown = min(tick(stream), 5)
    assert rows.count() >= shown
    head_boxes = stream.locator("#feed-head").evaluate(
        "(tr) => [...tr.cells].map((th) => th.getBoundingClientRect().toJSON())"
    )
    for i in range(shown):
        cells = rows.nth(i).get_by_role("cell")
        expect(cells).to_have_count(len(head_boxes))
        expect(cells.first).to_have_text(str(tick(stream) - i))
        boxes = rows.nth(i).evaluate(
            "(tr) => [...tr.cells].map((td) => td.getBoundingClientRect().toJSON())"
        )
        for head, box in zip(head_boxes, boxes, strict=True):
            assert abs(box["left"] - head["left"]) < 0.5 and abs(box["right"] - head["right"]) < 0.5
            assert box["height"] > 10


def test_the_sections_stay_under_the_bar_when_it_grows(stream: Page) -> None:
    """The bar's counters widen as the stream plays; when its buttons wrap, the sections move
    down with it instead of sliding under it."""
    play_briefly(stream)
    before = stream.locator("#controls").bounding_box()
    # A counter as wide as the widest it gets, and then some; measured two frames later.
    after = stream.evaluate("""async () => {
        document.getElementById("truth-counter").style.minWidth = "40em";
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return document.getElementById("controls").getBoundingClientRect().toJSON();
    }""")
    assert before is not None and after["height"] > before["height"] + 10, (before, after)
    for selector in SECTIONS:
        box = stream.locator(selector).bounding_box()
        assert box is not None and box["y"] >= after["bottom"] - 1, (selector, box, after)
        assert box["y"] + box["height"] <= 900, (selector, box)


def test_the_piles_drawn_frame_by_frame_equal_the_piles_drawn_at_once(stream: Page) -> None:
    """Playing fast, each pile draws only its new squares and moves the newest square's ring
    (rubbing out the last one): what it shows then equals a pile drawn whole, and the ring is
    whole, inside the canvas."""
    stream.click("#info-close")
    stream.evaluate("document.activeElement.blur()")
    for _ in range(8):
        stream.keyboard.press("ArrowUp")
    expect(stream.locator("#speed-label")).to_contain_text("max")
    stream.keyboard.press("Space")
    stream.evaluate("""() => new Promise((done) => {
        const wait = () => (Number(document.documentElement.dataset.tick) >= 1500
            ? done() : requestAnimationFrame(wait));
        wait();
    })""")
    stream.keyboard.press("Space")
    expect(stream.locator("#play")).not_to_have_text("Pause")
    canvases = stream.locator("#piles .pile canvas").all()
    assert len(canvases) == 6
    played = [canvas.evaluate(PIXELS_JS) for canvas in canvases]
    for canvas in canvases:
        assert_ring_whole(canvas)
        canvas.evaluate("(c) => c.getContext('2d').clearRect(0, 0, c.width, c.height)")
    blanks = [canvas.evaluate(PIXELS_JS) for canvas in canvases]
    stream.evaluate("window.dispatchEvent(new Event('resize'))")  # the piles are drawn anew
    stream.evaluate("""(blanks) => new Promise((done) => {
        const drawn = () => [...document.querySelectorAll("#piles canvas")]
            .every((c, i) => c.toDataURL() !== blanks[i]);
        const wait = () => (drawn() ? done() : requestAnimationFrame(wait));
        wait();
    })""", blanks)
    assert [canvas.evaluate(PIXELS_JS) for canvas in canvases] == played
