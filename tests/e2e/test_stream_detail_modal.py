"""The stream's drill-down stays modal although it opens with ``show()`` (issue 13: the page
is not made inert, which costs a restyle of every element on opening and closing): focus goes
round the dialog's controls, a press outside it closes it and reaches nothing on the page, and
the page under it is dimmed by the dialog, which sits over the sticky play bar."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

INSIDE = "document.activeElement && document.activeElement.closest('#detail') !== null"


@pytest.fixture
def opened(open_page: Callable[[str], Page]) -> Page:
    """The stream at tick 3 with the feed's second row opened from the keyboard."""
    page = open_page("stream.html#at=3")
    page.evaluate("localStorage.setItem('anomascope.stream.info-dismissed', '1')")
    expect(page.locator("html")).to_have_attribute("data-tick", "3", timeout=120_000)
    page.focus(".feed-wrap")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#detail")).to_have_attribute("data-state", "ready", timeout=60_000)
    return page


def test_tab_and_shift_tab_stay_in_the_open_dialog(opened: Page) -> None:
    page = opened
    assert page.evaluate(INSIDE)
    expect(page.locator("#detail .detail-close")).to_be_focused()
    stops = page.locator(
        "#detail button, #detail summary, #detail a[href], #detail [tabindex='0']"
    ).count()
    assert stops >= 2  # Close and the fields' summary at least
    for key in ["Tab"] * (stops + 2) + ["Shift+Tab"] * (stops + 2):
        page.keyboard.press(key)
        assert page.evaluate(INSIDE), f"focus left the dialog after {key}"
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).not_to_be_visible()
    expect(page.locator("#feed-body tr").nth(1)).to_be_focused()


def test_a_press_outside_closes_it_and_does_not_reach_the_page(opened: Page) -> None:
    page = opened
    play = page.locator("#play")
    expect(play).to_have_text("Play")
    box = play.bounding_box()
    dialog = page.locator("#detail").bounding_box()
    assert box is not None and dialog is not None
    # the play button is outside the dialog's box, under its shade
    assert box["y"] + box["height"] < dialog["y"] or box["x"] + box["width"] < dialog["x"]
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#detail")).not_to_be_visible()
    expect(play).to_have_text("Play")  # the click closed the dialog and did not play
    expect(page.locator("html")).to_have_attribute("data-tick", "3")
    expect(page.locator("#feed-body tr").nth(1)).to_be_focused()


def test_the_dialog_is_modal_to_assistive_technology_and_above_the_play_bar(opened: Page) -> None:
    page = opened
    dialog = page.locator("#detail")
    expect(dialog).to_have_attribute("aria-modal", "true")
    box = dialog.bounding_box()
    assert box is not None
    # the element drawn at the dialog's centre and at its title is the dialog's own
    for x, y in (
        (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2),
        (box["x"] + 20, box["y"] + 20),
    ):
        assert page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('#detail') !== null", [x, y]
        )
    # the page around it is dimmed by the dialog's shade
    shade = page.evaluate("getComputedStyle(document.getElementById('detail')).boxShadow")
    assert "rgba(17, 23, 34, 0.45)" in shade
