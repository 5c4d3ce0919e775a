"""The drawing pad as a user meets it: strokes dragged outside the pad stay in its visible
range, Ctrl+Z undoes, Undo is disabled with nothing to undo, and a drawing that covers every
time step is not said to have been filled in."""

from __future__ import annotations

import re

from lab_page import PadScale
from playwright.sync_api import Page, expect


def open_pad(app: Page) -> PadScale:
    app.locator("#tab-draw").click()
    expect(app.locator("#draw-pad")).to_be_visible()
    return PadScale(app)


def drag(app: Page, points: list[tuple[float, float]]) -> None:
    app.mouse.move(*points[0])
    app.mouse.down()
    for p in points[1:]:
        app.mouse.move(*p, steps=4)
    app.mouse.up()


def settled(app: Page) -> None:
    expect(app.locator("#draw-message")).to_have_attribute("data-settled", "true")
    expect(app.locator("#draw-message")).to_contain_text("Scored")


def test_strokes_outside_the_pad_are_clamped_to_its_range(app: Page) -> None:
    at = open_pad(app)
    box = at.box
    high_x, _ = at(70, 0)
    drag(app, [at(10, 0), (high_x, box["y"] - 150), at(130, 0)])
    settled(app)
    pad = app.locator("#draw-pad")
    pad.focus()
    pad.press("Home")
    for _ in range(7):
        pad.press("Shift+ArrowRight")
    label = app.locator("#draw-cursor")
    expect(label).to_contain_text("time step 70")
    value = float(re.search(r"value (-?[\d.]+)", label.inner_text()).group(1))  # type: ignore[union-attr]
    assert value <= at.plot["hi"], f"a stroke outside the pad reached {value}"


def test_undo_button_state_and_ctrl_z(app: Page) -> None:
    at = open_pad(app)
    undo = app.locator("#draw-undo")
    expect(undo).to_be_disabled()
    drag(app, [at(10, 0), at(60, 2), at(120, -1)])
    settled(app)
    expect(undo).to_be_enabled()
    app.keyboard.press("Control+z")
    expect(undo).to_be_disabled()
    expect(app.locator("#draw-message")).to_have_text("Draw a beat on the pad to score it.")


def test_a_full_drawing_is_not_said_to_be_filled(app: Page) -> None:
    at = open_pad(app)
    drag(app, [at(-3, 0), at(70, 1.5), at(142, 0)])  # from just left of the pad to just right
    settled(app)
    message = app.locator("#draw-message")
    expect(message).not_to_contain_text("the rest were filled")
    expect(message).to_contain_text("all 140 time steps")
