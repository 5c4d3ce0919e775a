"""The ECG lab on a 390x844 phone: no section scrolls sideways, the sticky bar stays small,
a tapped beat's verdict is in view, and names and numbers in the bar are not cut off."""

from __future__ import annotations

import pytest
from lab_page import click_beat_cell
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
SECTIONS = ["viewer", "explorer", "draw", "models", "replay", "about"]


@pytest.fixture
def phone(page: Page, open_page) -> Page:  # type: ignore[no-untyped-def]
    """The ECG lab at phone size, ready; fails on console errors (conftest's open_page)."""
    page.set_viewport_size(PHONE)
    return open_page()


def page_width(page: Page) -> dict[str, int]:
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )


def test_no_lab_section_scrolls_sideways_on_a_phone(phone: Page) -> None:
    for name in SECTIONS:
        phone.click(f"#tab-{name}")
        expect(phone.locator(f"#{name}")).to_be_visible()
        if name == "models":
            expect(phone.locator("#cost-rows tr").first).to_be_visible()
        w = page_width(phone)
        assert w["scroll"] <= w["inner"], f"section {name}: page is {w['scroll']} px wide"


def test_sticky_bar_is_small_and_shows_whole_values_on_a_phone(phone: Page) -> None:
    bar = phone.locator("#labbar").bounding_box()
    assert bar is not None and bar["height"] <= 0.15 * PHONE["height"], bar
    number = phone.locator("#threshold-number")
    fits = number.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    assert fits, f"threshold value {number.input_value()!r} is cut off"
    assert len(number.input_value().replace("0.", "").lstrip("0")) <= 4
    picker = phone.locator("#model-picker")
    name_fits = picker.evaluate(
        """(el) => {
          const c = document.createElement('canvas').getContext('2d');
          c.font = getComputedStyle(el).font;
          const text = el.options[el.selectedIndex].text;
          return c.measureText(text).width + 30 <= el.clientWidth;
        }"""
    )
    assert name_fits, "the model's name is cut off in the picker"


def test_tapped_beat_shows_its_verdict_without_scrolling(phone: Page) -> None:
    click_beat_cell(phone, 3)
    expect(phone.locator("#readout-index")).to_have_text("#3")
    phone.wait_for_function(
        """() => {
          const r = document.getElementById('readout-verdict').getBoundingClientRect();
          const c = document.getElementById('beat-chart').getBoundingClientRect();
          return c.top >= 0 && r.bottom <= window.innerHeight;
        }""",
        timeout=5000,
    )
