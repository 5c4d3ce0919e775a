"""The train page on a 390x844 phone: in every state (before training, during, paused, after,
diverged, with a warning and at the layer limit) no part of the page scrolls sideways."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_train import wait_status

PHONE = {"width": 390, "height": 844}


def assert_fits(page: Page, state: str) -> None:
    """Neither the page nor any element in it is wider than the screen."""
    wide = page.evaluate(
        """() => {
          const inner = window.innerWidth;
          const right = (el) => el.getBoundingClientRect().right;
          const out = [...document.querySelectorAll("main *")]
            .filter((el) => el.offsetParent !== null && right(el) > inner + 0.5)
            .map((el) => `${el.tagName.toLowerCase()}#${el.id} ${Math.round(right(el))}`);
          return { scroll: document.documentElement.scrollWidth, inner, out: out.slice(0, 5) };
        }"""
    )
    assert wide["scroll"] <= wide["inner"], f"{state}: the page is {wide['scroll']} px wide"
    assert not wide["out"], f"{state}: wider than the screen: {wide['out']}"


def test_the_train_page_never_scrolls_sideways_on_a_phone(open_page, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    page = open_page("train.html#ep=400&n=500&nv=200&nt=400&bs=50")
    assert_fits(page, "before training")
    page.fill("#latent-size", "64")
    page.dispatch_event("#latent-size", "change")
    expect(page.locator("#config-warnings")).to_be_visible()
    while page.locator("#encoder-layers .layer").count() < 6:
        page.click("#add-layer")
    expect(page.locator("#layer-limit")).to_be_visible()
    assert_fits(page, "with a warning and at the layer limit")
    page.click("#defaults")
    page.fill("#epochs", "400")
    page.dispatch_event("#epochs", "change")
    page.click("#train")
    expect(page.locator("#progress")).to_have_attribute("data-epoch", re.compile(r"^[1-9]\d*$"))
    page.fill("#seed", "2")
    page.dispatch_event("#seed", "change")
    expect(page.locator("#stale")).to_be_visible()
    assert_fits(page, "during training, settings changed")
    page.click("#pause")
    wait_status(page, "paused")
    assert_fits(page, "paused")
    page.fill("#epochs", "2")
    page.dispatch_event("#epochs", "change")
    page.click("#train")
    wait_status(page, "done")
    expect(page.locator("#roc-auc")).not_to_have_text("")
    assert_fits(page, "after training")
    page.select_option("#lr-preset", "10")
    page.click("#train")
    wait_status(page, "diverged")
    expect(page.locator("#run-message")).to_be_visible()
    assert_fits(page, "diverged")
