"""The drill-down asks Python ahead for a feed row that is pressed or focused (issue 13): the
dialog then shows the connection that was opened, whichever row was asked for first, and a
row reached with the arrow keys opens with Enter as before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from test_stream_history import stream_table

from anomascope.data import kdd


@pytest.fixture(scope="module")
def table() -> dict:
    """The page's table (stream then pool) and its label names."""
    return stream_table()


@pytest.fixture
def at_five(open_page: Callable[[str], Page]) -> Page:
    page = open_page("stream.html#at=5")
    page.evaluate("localStorage.setItem('anomascope.stream.info-dismissed', '1')")
    expect(page.locator("html")).to_have_attribute("data-tick", "5", timeout=120_000)
    return page


def shows(page: Page, table: dict, row: int) -> None:
    """The open dialog shows table ``row`` (the built order plays row p at position p)."""
    dialog = page.locator("#detail")
    expect(dialog).to_have_attribute("data-state", "ready", timeout=60_000)
    expect(dialog).to_have_attribute("data-row", str(row))
    expect(dialog.locator(".detail-title")).to_have_text(f"Connection #{row + 1}")
    name = table["names"][table["label"][row]]
    expect(dialog.locator(".detail-truth")).to_have_attribute("data-label", name)
    j = kdd.FEATURE_NAMES.index("src_bytes")
    text = dialog.locator('.detail-fields [data-field="src_bytes"] dd').inner_text()
    assert float(text) == pytest.approx(float(table["X"][row, j]), rel=1e-6)


def test_a_focused_row_then_a_clicked_other_row_opens_the_clicked_one(at_five, table) -> None:  # type: ignore[no-untyped-def]
    page = at_five
    page.focus(".feed-wrap")
    page.keyboard.press("Tab")  # focus on the newest row (position 5): asked ahead
    rows = page.locator("#feed-body tr")
    expect(rows.first).to_be_focused()
    expect(rows.nth(2)).to_have_attribute("data-position", "3")
    rows.nth(2).click()  # a press and a click on another row
    shows(page, table, 2)
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).not_to_be_visible()


def test_a_pressed_row_and_an_arrowed_row_open_with_their_own_connection(at_five, table) -> None:  # type: ignore[no-untyped-def]
    page = at_five
    rows = page.locator("#feed-body tr")
    rows.nth(1).scroll_into_view_if_needed()
    box = rows.nth(1).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()  # asked ahead here
    page.mouse.up()  # opened here
    shows(page, table, 3)
    page.keyboard.press("Escape")
    expect(rows.nth(1)).to_be_focused()
    # the dialog's close event, a task after close(), has given focus back by the next frame
    page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")
    page.keyboard.press("ArrowDown")  # position 3, asked ahead
    page.keyboard.press("ArrowDown")  # position 2: the previous ask may still run
    expect(rows.nth(3)).to_be_focused()
    page.keyboard.press("Enter")
    shows(page, table, 1)
