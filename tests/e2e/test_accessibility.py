"""Accessibility of the ECG lab: axe-core finds no serious or critical problem in any section,
every control is reachable and usable with the keyboard alone and shows where the focus is,
and truth and verdicts are never told by colour alone. The train and stream pages are in
test_accessibility_pages.py, the shared checks in a11y_checks.py.

The keyboard tests press keys only (Tab, Shift+Tab, Enter, Space, arrows, Home / End): no mouse.
"""

from __future__ import annotations

import re

from a11y_checks import (
    assert_axe_clean,
    assert_still,
    focused,
    press,
    tab_to,
    walk_focus,
)
from lab_page import grid_columns
from playwright.sync_api import Page, expect

SECTIONS = ["viewer", "explorer", "draw", "models", "replay", "about"]


def show_section(page: Page, name: str) -> None:
    """Switch the ECG lab's tab with the arrow keys, from wherever the focus is."""
    tab_to(page, '[role=tab][aria-selected="true"]')
    current = page.evaluate("document.activeElement.dataset.section")
    step = SECTIONS.index(name) - SECTIONS.index(current)
    press(page, "ArrowRight" if step > 0 else "ArrowLeft", abs(step))
    expect(page.locator(f"#tab-{name}")).to_have_attribute("aria-selected", "true")
    assert focused(page, f"#tab-{name}")
    expect(page.locator(f"#{name}")).to_be_visible()


# ---- ECG lab ------------------------------------------------------------------------------
SECTION_READY = {
    "viewer": ("#readout-score", re.compile(r"\d")),
    "explorer": ("#cm-tp", re.compile(r"\d")),
    "draw": ("#draw-message", re.compile("Draw a beat")),
    "models": ("#cost-rows tr:first-child td:first-child", re.compile(r"\w")),
    "replay": ("#replay-readout", re.compile(r"^epoch \d+ of")),
    "about": ("#about-steps", re.compile(r"\w")),
}


def test_ecg_lab_every_tab_passes_axe_and_shows_focus(app: Page) -> None:
    counts = {}
    for name in SECTIONS:
        show_section(app, name)
        selector, text = SECTION_READY[name]
        expect(app.locator(selector)).to_have_text(text)
        assert_axe_clean(app, f"ECG lab, {name} tab")
        counts[name] = walk_focus(app, f"ECG lab, {name} tab")
    # the interactive canvases are Tab stops with a role, a name and a description of their keys
    for canvas in ("#beat-grid", "#draw-pad"):
        el = app.locator(canvas)
        expect(el).to_have_attribute("tabindex", "0")
        expect(el).to_have_attribute("role", "application")
        expect(el).to_have_attribute("aria-label", re.compile(r"\w"))
        keys = "arrow keys" if canvas == "#beat-grid" else "← / →"
        expect(app.locator(f"#{el.get_attribute('aria-describedby')}")).to_contain_text(keys)
    # the other canvases are pictures with a name
    for canvas in app.locator("canvas:not([tabindex])").all():
        expect(canvas).to_have_attribute("role", "img")
        expect(canvas).to_have_attribute("aria-label", re.compile(r"\w"))
    assert counts["draw"] > counts["viewer"] - 3, counts  # the pad and its buttons are stops


def test_ecg_lab_viewer_and_explorer_by_keyboard(app: Page) -> None:
    readout, status = app.locator("#readout-index"), app.locator("#beat-grid-status")
    # pick a model: the closed select takes the arrow keys
    tab_to(app, "#model-picker")
    first = app.locator("#model-picker").input_value()
    score = app.locator("#readout-score").inner_text()
    app.keyboard.press("ArrowDown")
    expect(app.locator("#model-picker")).not_to_have_value(first)
    expect(app.locator("#readout-score")).not_to_have_text(score)
    app.keyboard.press("ArrowUp")
    expect(app.locator("#model-picker")).to_have_value(first)
    expect(app.locator("#readout-score")).to_have_text(score)
    # the threshold slider: Home = lowest threshold (beat flagged), End = highest (not flagged)
    app.keyboard.press("Tab")
    assert focused(app, "#threshold-range")
    number = app.locator("#threshold-number")
    app.keyboard.press("Home")
    low = float(number.input_value())
    expect(app.locator("#readout-verdict")).to_have_text(re.compile("^Anomaly"))
    app.keyboard.press("End")
    expect(app.locator("#readout-verdict")).to_have_text(re.compile("^Normal"))
    assert float(number.input_value()) > low
    app.keyboard.press("ArrowLeft")
    assert float(number.input_value()) > low
    # verdicts carry a symbol and words, not colour only
    symbol = app.evaluate(
        "getComputedStyle(document.getElementById('readout-verdict'), '::before').content"
    )
    assert symbol == '"● "', symbol
    # the beat grid: arrow keys select, and the selection is announced in words
    tab_to(app, "#beat-grid")
    app.keyboard.press("ArrowRight")
    expect(readout).to_have_text("#1")
    expect(status).to_have_text(re.compile(r"^Beat #1: .+ \(class \d\); anomaly score [\d.e-]+; "))
    cols = grid_columns(app)
    app.keyboard.press("ArrowDown")
    expect(readout).to_have_text(f"#{1 + cols}")
    expect(status).to_contain_text(f"Beat #{1 + cols}:")
    app.keyboard.press("Home")
    expect(readout).to_have_text("#0")
    app.keyboard.press("End")
    expect(readout).not_to_have_text("#0")
    last = int(readout.inner_text()[1:])
    assert last >= 2 * cols - 1
    # next page with the pager button, then the grid selects on the new page
    tab_to(app, "#page-next", back=True)
    app.keyboard.press("Enter")
    expect(app.locator("#page-label")).to_contain_text("page 2 of")
    tab_to(app, "#beat-grid")
    app.keyboard.press("ArrowRight")
    expect(readout).to_have_text(f"#{last + 1}")
    assert "beat=" + str(last + 1) in app.url
    # tabs: arrows wrap, Home / End jump
    tab_to(app, "#tab-viewer", back=True)
    app.keyboard.press("ArrowLeft")
    expect(app.locator("#about")).to_be_visible()
    app.keyboard.press("Home")
    expect(app.locator("#viewer")).to_be_visible()
    app.keyboard.press("End")
    expect(app.locator("#tab-about")).to_have_attribute("aria-selected", "true")
    # explorer: presets by keyboard
    show_section(app, "explorer")
    tab_to(app, "#preset-model")
    app.keyboard.press("Enter")
    model_value = app.locator("#explain-model").inner_text().split(":")[0]
    expect(number).to_have_value(model_value)
    expect(app.locator("#metrics")).to_have_attribute("data-threshold", re.compile(r"\d"))
    tab_to(app, "#param-mean_k_std")
    app.keyboard.press("Control+A")
    app.keyboard.type("1")
    tab_to(app, "#preset-mean_k_std", back=True)
    expect(app.locator("#explain-mean_k_std")).to_contain_text("plus 1 ×")
    app.keyboard.press("Space")
    expect(number).to_have_value(app.locator("#explain-mean_k_std").inner_text().split(":")[0])
    assert number.input_value() != model_value
    # the confusion matrix counts say what they are in words, and open their list by keyboard
    for cell, words in (("tp", "true positives"), ("fn", "false negatives")):
        label = app.evaluate(
            f"getComputedStyle(document.getElementById('cm-{cell}').parentElement, '::after')"
            ".content"
        )
        assert label == f'"{words}"', label
        expect(app.locator(f"#cm-{cell}")).to_have_accessible_name(re.compile(words))
    tab_to(app, "#cm-fn")
    app.keyboard.press("Enter")
    expect(app.locator("#cell-list-title")).to_be_focused()
    expect(app.locator("#cell-list-title")).to_contain_text("false negatives")


def test_ecg_lab_draw_replay_and_about_by_keyboard(app: Page) -> None:
    app.emulate_media(reduced_motion="reduce")
    show_section(app, "draw")
    # the pad is the panel's first Tab stop; the keyboard cursor starts mid-beat
    app.keyboard.press("Tab")
    assert focused(app, "#draw-pad")
    cursor, message = app.locator("#draw-cursor"), app.locator("#draw-message")
    score = app.locator("#draw-score")
    expect(cursor).to_have_text("Keyboard cursor: time step 70, value not drawn yet")
    app.keyboard.press("Home")
    app.keyboard.press("ArrowUp")  # the first edit: a flat line with 0.1 at time step 0
    expect(cursor).to_have_text("Keyboard cursor: time step 0, value 0.10")
    expect(message).to_contain_text("you drew all 140 time steps")
    app.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    flat = float(score.inner_text())
    press(app, "Shift+ArrowRight", 6)
    press(app, "ArrowRight", 2)
    press(app, "Shift+ArrowUp", 4)  # a spike of 4 at time step 62
    app.keyboard.press("PageDown")
    expect(cursor).to_have_text("Keyboard cursor: time step 62, value 3.00")
    app.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    expect(score).not_to_have_text(str(flat))
    assert float(score.inner_text()) > flat
    # the run of key edits is one stroke: Undo removes it
    tab_to(app, "#draw-undo")
    app.keyboard.press("Enter")
    expect(message).to_have_text("Draw a beat on the pad to score it.")
    expect(score).to_have_text("–")
    # start from a real beat, then edit it from the keyboard: the edit starts from that beat
    tab_to(app, "#draw-real")
    app.keyboard.press("Enter")
    expect(message).to_contain_text("you drew all 140 time steps")
    tab_to(app, "#draw-pad", back=True)
    app.keyboard.press("End")
    expect(cursor).to_have_text(re.compile(r"time step 139, value -?\d+\.\d\d$"))
    before = float(cursor.inner_text().rsplit(" ", 1)[1])
    app.keyboard.press("ArrowDown")
    expect(cursor).to_have_text(re.compile(rf"value {before - 0.1:.2f}$".replace("-0.00", "0.00")))

    # training replay: play / pause with Enter, scrub with the keys; reduced motion steps calmly
    show_section(app, "replay")
    readout = app.locator("#replay-readout")
    tab_to(app, "#replay-play")
    app.keyboard.press("Enter")
    play = app.locator("#replay-play")
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(play).to_have_attribute("data-frame-ms", "1000")
    expect(readout).not_to_contain_text("epoch 1 of", timeout=5_000)
    app.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "false")
    assert_still(app)
    app.keyboard.press("Tab")
    assert focused(app, "#replay-epoch")
    app.keyboard.press("End")
    last = re.search(r"of (\d+)", readout.inner_text()).group(1)  # type: ignore[union-attr]
    expect(readout).to_contain_text(f"epoch {last} of {last}")
    app.emulate_media(reduced_motion="no-preference")
    tab_to(app, "#replay-play", back=True)
    app.keyboard.press("Enter")  # from the end, Play starts again at epoch 1
    expect(play).to_have_attribute("data-frame-ms", "70")
    expect(readout).to_contain_text(re.compile(r"^epoch ([2-9]|\d\d+) of"))
    app.keyboard.press("Enter")
    expect(play).to_have_attribute("aria-pressed", "false")

    # about: the radio group takes the arrow keys; the inline button goes to the explorer
    show_section(app, "about")
    tab_to(app, 'input[name="about-scale"]')
    app.keyboard.press("ArrowRight")
    expect(app.locator('input[value="model"]')).to_be_checked()
    expect(app.locator("#about-steps")).to_contain_text("preprocessing")
    tab_to(app, "#about [data-goto=explorer]")
    app.keyboard.press("Enter")
    expect(app.locator("#explorer")).to_be_visible()
    expect(app.locator("#tab-explorer")).to_have_attribute("aria-selected", "true")
