"""Accessibility of the train and stream pages: axe-core finds no serious or critical problem
in any state we can reach, every control is usable with the keyboard alone and shows where the
focus is, truth and verdicts are never told by colour alone, and reduced motion is respected.

The keyboard tests press keys only (Tab, Shift+Tab, Enter, Space, arrows, Home / End): no mouse.
"""

from __future__ import annotations

import re

from a11y_checks import (
    assert_axe_clean,
    assert_still,
    tab_to,
    walk_focus,
)
from playwright.sync_api import expect

TRAIN_TIMEOUT_MS = 60_000


# ---- train page ---------------------------------------------------------------------------
def test_train_page_by_keyboard_before_and_after_training(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html#ep=3&n=200&nv=100&nt=200&bs=50")
    assert_axe_clean(page, "train page, before training")
    walk_focus(page, "train page, before training")
    tab_to(page, "#epochs")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Tab")  # the change is read when the field is left
    expect(page).to_have_url(re.compile(r"ep=4"))
    expect(page.locator("#config-status")).to_have_text("The configuration is valid.")
    tab_to(page, "#train")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-train-status=done]", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#progress-text")).to_contain_text("Finished: 4 epochs")
    expect(page.locator("#use")).to_be_enabled()
    assert_axe_clean(page, "train page, after training")
    walk_focus(page, "train page, after training")
    # the two series and the two classes are told apart by shape and words, not colour only
    expect(page.locator("#loss-chart + .legend")).to_contain_text("solid, ●")
    expect(page.locator("#loss-chart + .legend")).to_contain_text("dashed, ■")
    expect(page.locator("#latent + .legend")).to_contain_text("normal (●)")
    expect(page.locator("#latent + .legend")).to_contain_text("abnormal (▲)")
    # Step and Reset by keyboard
    tab_to(page, "#reset", back=True)
    page.keyboard.press("Space")
    expect(page.locator("#progress-text")).to_have_text("Not started")
    tab_to(page, "#step", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#progress")).to_have_attribute("data-epoch", "1")


# ---- stream page --------------------------------------------------------------------------
def test_stream_by_keyboard_with_axe_while_running_and_reduced_motion(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("stream.html")
    html, play = page.locator("html"), page.locator("#play")
    expect(page.locator("#info-panel")).to_be_visible()
    assert_axe_clean(page, "stream, first visit")
    walk_focus(page, "stream, first visit")
    tab_to(page, "#info-close")
    page.keyboard.press("Enter")
    expect(page.locator("#info-panel")).to_be_hidden()
    # the focus goes back to the page, so the shortcuts work at once (issue 14)
    assert page.evaluate("document.activeElement === document.body")
    # play and pause with Enter on the Play button
    tab_to(page, "#play", back=True)
    page.keyboard.press("Enter")
    expect(play).to_have_text("Pause")
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(html).not_to_have_attribute("data-tick", "0")
    assert_axe_clean(page, "stream, running")
    page.keyboard.press("Enter")
    expect(play).to_have_text("Play")
    paused = int(html.get_attribute("data-tick") or 0)
    # the page's shortcuts work from the focused button: → steps one connection
    page.keyboard.press("ArrowRight")
    expect(html).to_have_attribute("data-tick", str(paused + 1))
    expect(page.locator("#tick-counter")).to_have_text(f"{paused + 1:,} / 10,000")
    # speed: ↑ / ↓ are its shortcuts on the slider too (→ steps there, issue 14)
    label = page.locator("#speed-label")
    expect(label).to_have_text("80 ms per connection")
    tab_to(page, "#speed")
    page.keyboard.press("ArrowUp")
    expect(label).to_have_text("40 ms per connection")
    tab_to(page, "#play", back=True)
    page.keyboard.press("ArrowDown")
    expect(label).to_have_text("80 ms per connection")
    # the feed is a scrollable region the keyboard can reach; it tells the truth in symbols
    tab_to(page, ".feed-wrap")
    rows = page.locator("#feed-body tr")
    expect(rows.first).to_have_attribute("data-position", str(paused + 1))
    for row in rows.all()[:8]:
        attack = "attack" in (row.get_attribute("class") or "")
        expect(row.locator("td.truth")).to_have_text(re.compile("^▲ " if attack else "^● "))
        for call in row.locator("td.call").all():
            flagged = "attack" in (call.get_attribute("class") or "")
            wrong = flagged != attack
            expect(call).to_have_text(("▲" if flagged else "●") + ("✗" if wrong else ""))
            expect(call).to_have_attribute("title", re.compile("wrong" if wrong else "right"))
    # the shortcuts work in the feed too (issue 14); Page Up / Down scroll it
    page.keyboard.press("Space")
    expect(play).to_have_text("Pause")
    page.keyboard.press("Space")
    expect(play).to_have_text(re.compile("^Play"))
    # reduced motion: the ranking reorders at once, and nothing on the page moves by itself
    page.emulate_media(reduced_motion="reduce")
    tab_to(page, "#finish", back=True)
    page.keyboard.press("Enter")
    expect(html).to_have_attribute("data-tick", "10000", timeout=120_000)
    expect(page.locator("#summary")).to_be_visible()
    tab_to(page, "#rank-by")
    for metric in ("accuracy", "precision", "recall"):
        page.keyboard.press("ArrowDown")
        expect(page.locator("#ranking")).to_have_attribute("data-ranked-by", metric)
        expect(page.locator("#ranking")).to_have_attribute("data-reorder", "instant")
        assert_still(page)
    assert_axe_clean(page, "stream, finished")
