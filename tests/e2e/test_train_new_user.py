"""Issue 14, the train page as a new user meets it: the layer limit, a latent layer wider than
the hidden ones, settings changed mid-run, divergence advice that works, the loss chart's
penalty, and browser-trained models in the ECG lab (replay, one training time, shared links)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from served_site import BOOT_TIMEOUT_MS, READY
from test_train import wait_config_checked, wait_status

from anomascope.training.config import MAX_LAYERS


def set_value(page, selector: str, value: str) -> None:  # type: ignore[no-untyped-def]
    page.fill(selector, value)
    page.dispatch_event(selector, "change")
    wait_config_checked(page)


def test_add_layer_is_disabled_at_the_layer_limit(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html")
    add = page.locator("#add-layer")
    layers = page.locator("#encoder-layers .layer")
    expect(page.locator("#layer-limit")).to_be_hidden()
    while layers.count() < MAX_LAYERS:
        expect(add).to_be_enabled()
        add.click()
    expect(layers).to_have_count(MAX_LAYERS)
    expect(add).to_be_disabled()
    expect(page.locator("#layer-limit")).to_be_visible()
    expect(page.locator("#layer-limit")).to_have_text(
        f"A network may have at most {MAX_LAYERS} encoder layers."
    )
    wait_config_checked(page)
    expect(page.locator("#config-status")).to_have_text("The configuration is valid.")
    expect(page.locator("#train")).to_be_enabled()
    page.get_by_role("button", name="Remove encoder layer 1").click()
    expect(add).to_be_enabled()
    expect(page.locator("#layer-limit")).to_be_hidden()


def test_a_latent_layer_wider_than_a_hidden_layer_is_warned_about(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html")
    warnings = page.locator("#config-warnings")
    expect(warnings).to_be_hidden()
    set_value(page, "#latent-size", "64")
    expect(warnings).to_be_visible()
    expect(warnings).to_contain_text(
        "latent layer (64 units) is wider than the narrowest hidden layer (16 units)"
    )
    expect(page.locator("#train")).to_be_enabled()  # a warning, not an error
    set_value(page, "#latent-size", "16")
    expect(warnings).to_be_hidden()


def test_changing_settings_mid_run_says_what_happens(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html#ep=2000&n=500&nv=200&nt=400&bs=50")
    page.click("#train")
    expect(page.locator("#progress")).to_have_attribute("data-epoch", re.compile(r"^[1-9]\d*$"))
    set_value(page, "#seed", "3")
    stale = page.locator("#stale")
    expect(stale).to_be_visible()
    # while the run goes on, Train and Step are disabled: the banner names Pause, which is not
    expect(page.locator("#train")).to_be_disabled()
    expect(page.locator("#pause")).to_be_enabled()
    expect(stale).to_contain_text("this run goes on with its old settings")
    expect(stale).to_contain_text("Press Pause")
    expect(stale).not_to_contain_text("Press Train")
    page.click("#pause")
    wait_status(page, "paused")
    expect(page.locator("#train")).to_be_enabled()
    expect(stale).to_contain_text("Press Train or Step one epoch to start over")


def test_following_the_divergence_advice_trains(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html#lr=10&ep=3&opt=adam")
    page.click("#train")
    wait_status(page, "diverged")
    message = page.locator("#run-message")
    expect(message).to_contain_text("Lower the learning rate to")
    text = message.inner_text()
    assert "Adam" not in text, text  # Adam is already in use and diverges at this rate too
    advised = re.search(r"Lower the learning rate to ([0-9.e-]+) \(it is 10\)", text)
    assert advised, text
    set_value(page, "#lr", advised.group(1))
    page.click("#train")
    wait_status(page, "done")
    expect(message).to_be_hidden()
    expect(page.locator("#progress-text")).to_contain_text("Finished: 3 epochs")


def test_the_loss_chart_says_the_penalty_is_in_the_training_loss(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html#ep=2&reg=l2&rr=0.001")
    page.click("#train")
    wait_status(page, "done")
    legend = page.locator("#loss-train-label")
    expect(legend).to_have_text("training loss: mean squared error + l2 penalty (rate 0.001)")
    page.select_option("#regularizer", "none")
    page.click("#train")
    wait_status(page, "done")
    expect(legend).to_have_text("training loss: mean squared error")


def train_and_use(page, name: str) -> str:  # type: ignore[no-untyped-def]
    """Train the open page to the end, use the model in the lab; returns the page's time text."""
    page.click("#train")
    wait_status(page, "done")
    finished = page.locator("#progress-text").inner_text()
    seconds = re.search(r"in (\d+(?:\.\d)? (?:s|min))", finished)
    assert seconds, finished
    page.fill("#model-name", name)
    page.click("#use")
    page.wait_for_url(re.compile(r"index\.html#model="))
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    return seconds.group(1)


def test_compare_models_shows_the_training_time_the_train_page_showed(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html#ep=4&n=600&nv=300&nt=600")
    seconds = train_and_use(page, "timed_here")
    page.locator("#tab-models").click()
    row = page.locator('#cost-rows tr[data-model="timed_here"]')
    expect(row.locator("td").nth(6)).to_have_text(seconds)


def test_a_browser_trained_model_replays_its_training_in_the_lab(open_page) -> None:  # type: ignore[no-untyped-def]
    """The replay comes from the history the model's manifest carries."""
    page = open_page("train.html#ep=4&n=600&nv=300&nt=600")
    train_and_use(page, "replayed_here")
    page.locator("#tab-replay").click()
    expect(page.locator("#replay-body")).to_be_visible()
    expect(page.locator("#replay-note")).to_have_text("")
    scrubber = page.locator("#replay-epoch")
    scrubber.focus()
    scrubber.press("End")
    expect(page.locator("#replay-readout")).to_contain_text("epoch 4 of 4")


def test_a_shared_link_to_a_browser_trained_model_says_how_to_upload_it(  # type: ignore[no-untyped-def]
    browser, guard, site_url: str
) -> None:
    """Opened in another browser (a fresh context without the stored model)."""
    fresh = browser.new_context()
    fresh.route("**/*", guard.route)  # the network stays cut, as for the default context
    try:
        page = fresh.new_page()
        page.goto(site_url + "index.html#model=trained_elsewhere")
        page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
        notice = page.locator("#notice")
        expect(notice).to_contain_text("model “trained_elsewhere” is not in this build")
        expect(notice).to_contain_text("upload its .json and .npz files on the Train page")
    finally:
        fresh.close()
