"""The "Train a model" page: compose, train, pause/resume, diverge and recover, download and
re-upload, and hand the trained model to the ECG lab's beat viewer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect
from served_site import BOOT_TIMEOUT_MS, DIST, READY

from anomascope.training import count_parameters
from anomascope.weights import load_model, load_model_files

TRAIN_TIMEOUT_MS = 60_000


@pytest.fixture
def train_page(page, guard, site_url: str):  # type: ignore[no-untyped-def]
    """Open train.html with a hash; fails on console errors at teardown (like ``app``)."""
    page.on("console", lambda msg: guard.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))

    def open_page(hash_: str = ""):  # type: ignore[no-untyped-def]
        page.goto(f"{site_url}train.html{hash_}")
        page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
        return page

    yield open_page
    assert not guard.errors, f"console errors: {guard.errors}"


def wait_status(page, status: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"body[data-train-status={status}]", timeout=TRAIN_TIMEOUT_MS)


def wait_config_checked(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Python has answered the check of the latest configuration."""
    page.wait_for_selector("#config[data-check=settled]", state="attached")


def losses(page) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    return json.loads(page.locator("#loss-chart").get_attribute("data-losses") or "{}")


def test_compose_train_pause_and_resume(train_page) -> None:  # type: ignore[no-untyped-def]
    page = train_page("#ep=400&n=500&nv=200&nt=400&bs=50")
    expect(page.locator("#config-status")).to_have_text("The configuration is valid.")
    default = {"encoder_units": [32, 16], "latent_dim": 4, "decoder_units": [16, 32]}
    expect(page.locator("#param-count")).to_have_text(f"{count_parameters(default):,} parameters")
    page.click("#add-layer")
    page.locator("#encoder-layers input").nth(2).fill("6")
    page.locator("#encoder-layers input").nth(2).dispatch_event("change")
    page.fill("#latent-size", "2")
    page.dispatch_event("#latent-size", "change")
    expect(page.locator("#shape-text")).to_have_text("140 → 32 → 16 → 6 → 2 → 6 → 16 → 32 → 140")
    composed = {"encoder_units": [32, 16, 6], "latent_dim": 2, "decoder_units": [6, 16, 32]}
    expect(page.locator("#param-count")).to_have_text(f"{count_parameters(composed):,} parameters")
    expect(page).to_have_url(re.compile(r"enc=32%2C16%2C6&lat=2"))
    page.fill("#batch", "5000")
    page.dispatch_event("#batch", "change")
    expect(page.locator("#config-status")).to_contain_text("larger than the training set")
    expect(page.locator("#batch")).to_have_attribute("aria-invalid", "true")  # Python named it
    expect(page.locator("#train")).to_be_disabled()
    page.fill("#batch", "50")
    page.dispatch_event("#batch", "change")
    expect(page.locator("#train")).to_be_enabled()

    page.click("#train")
    expect(page.locator("#progress")).to_have_attribute(
        "data-epoch", re.compile(r"^([3-9]|\d\d+)$")
    )
    # training is foreground work: the offline copy's install waits for it to stop
    expect(page.locator("html")).to_have_attribute("data-busy", "training")
    page.click("#pause")
    wait_status(page, "paused")
    expect(page.locator("html[data-busy]")).to_have_count(0)
    paused_at = int(page.locator("#progress").get_attribute("data-epoch") or 0)
    expect(page.locator("#progress-text")).to_contain_text(f"Paused at epoch {paused_at} of 400")
    # Paused means no chunk is in flight or sent: two round trips to the worker later (the
    # checks of a changed seed and of the seed put back), the epoch has not moved.
    for seed in ("1", "0"):
        page.fill("#seed", seed)
        page.dispatch_event("#seed", "change")
        wait_config_checked(page)
    expect(page.locator("#stale")).to_be_hidden()
    assert int(page.locator("#progress").get_attribute("data-epoch") or 0) == paused_at
    expect(page.locator("#train")).to_have_text("Resume")
    page.click("#train")
    expect(page.locator("#progress")).to_have_attribute(
        "data-epoch", re.compile(rf"^(?!({'|'.join(str(i) for i in range(paused_at + 3))})$)\d+$")
    )
    page.click("#pause")
    wait_status(page, "paused")
    epoch = int(page.locator("#progress").get_attribute("data-epoch") or 0)
    page.click("#step")
    expect(page.locator("#progress")).to_have_attribute("data-epoch", str(epoch + 1))
    wait_status(page, "paused")

    history = losses(page)
    assert history["train"][-1] < history["train"][0]
    assert history["val"][-1] < history["val"][0]
    auc = float(page.locator("#roc-auc").get_attribute("data-auc") or 0)
    assert auc > 0.6
    assert float(page.locator(".gauge[data-metric=auc]").get_attribute("data-value") or 0) == auc


def test_divergence_stops_with_a_message_and_recovers(train_page) -> None:  # type: ignore[no-untyped-def]
    page = train_page("#lr=10&ep=4&opt=sgd")
    page.click("#train")
    wait_status(page, "diverged")
    message = page.locator("#run-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("diverged")
    expect(message).to_contain_text("Lower the learning rate")
    expect(page.locator("#use")).to_be_disabled()  # nothing trained yet: nothing to use
    page.select_option("#lr-preset", "0.01")
    page.select_option("#optimizer", "adam")
    expect(page.locator("#stale")).to_be_visible()
    expect(page.locator("#config")).to_have_class(re.compile("is-stale"))
    page.click("#train")
    wait_status(page, "done")
    expect(page.locator("#run-message")).to_be_hidden()
    expect(page.locator("#stale")).to_be_hidden()
    assert float(page.locator("#roc-auc").get_attribute("data-auc") or 0) > 0.9


def download(page, button: str, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.click(button)
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def train_and_download(  # type: ignore[no-untyped-def]
    train_page, hash_: str, name: str, folder: Path
) -> tuple:
    """Open the train page with ``hash_``, train to the end, name the model and download its
    files; returns (page, weights .npz path, manifest .json path)."""
    page = train_page(hash_)
    page.click("#train")
    wait_status(page, "done")
    page.fill("#model-name", name)
    npz = download(page, "#download-weights", folder)
    return page, npz, download(page, "#download-manifest", folder)


def test_download_and_upload(train_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, npz, manifest = train_and_download(train_page, "#ep=3", "round_trip", tmp_path)
    assert (npz.name, manifest.name) == ("round_trip.npz", "round_trip.json")
    model = load_model_files(tmp_path, "round_trip")
    assert model.manifest["kind"] == "autoencoder" and model.manifest["dataset"] == "ecg5000"
    assert len(model.manifest["history"]["train_loss"]) == 3

    page.set_input_files("#upload", [manifest])
    expect(page.locator("#upload-status")).to_contain_text("exactly two files")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "round_trip.json").write_text(manifest.read_text())
    (broken / "round_trip.npz").write_bytes(npz.read_bytes()[:-40])
    page.set_input_files("#upload", [broken / "round_trip.json", broken / "round_trip.npz"])
    expect(page.locator("#upload-status")).to_contain_text("cannot be used")
    expect(page.locator("#upload-status")).to_have_class(re.compile("problem"))

    page.set_input_files("#upload", [manifest, npz])
    expect(page.locator("#upload-status")).to_contain_text("Loaded “round_trip”")
    expect(page.locator("#upload-status")).to_contain_text("AUC")
    expect(page.locator("#stored")).to_contain_text("round_trip")


def test_trained_model_becomes_the_viewers_model(train_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, npz, manifest = train_and_download(train_page, "#ep=5&seed=3", "e2e_model", tmp_path)
    trained = load_model(npz, json.loads(manifest.read_text()))
    builtin = load_model_files(DIST / "models", "ecg_autoencoder")
    with np.load(DIST / "data" / "ecg5000.npz") as data:
        beat = data["test_X"][:1]
    expected = float(trained.score(beat)[0])
    assert f"{expected:.4g}" != f"{float(builtin.score(beat)[0]):.4g}"

    page.click("#use")
    page.wait_for_url(re.compile(r"index\.html#.*model=e2e_model"))
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#model-picker")).to_have_value("e2e_model")
    expect(page.locator("#readout-index")).to_have_text("#0")
    shown = page.locator("#readout-score").inner_text()
    assert float(shown) == pytest.approx(expected, rel=2e-3)
    # The explorer leaves out the UCR TEST beats the model was trained or thresholded on.
    rows = json.loads(manifest.read_text())["training"]["rows"]
    seen = {i for i in rows["train"] + rows["validation"] if i >= 500}
    page.click("#tab-explorer")
    basis = page.locator("#explorer-basis")
    expect(basis).to_contain_text(f"{4500 - len(seen):,} beats, leaving out the {len(seen):,}")
    page.select_option("#model-picker", "ecg_autoencoder")
    expect(basis).to_contain_text("4,500 beats;")
    page.click("#tab-viewer")
    expect(page.locator("#readout-score")).not_to_have_text(shown)


def test_a_link_reproduces_the_experiment(train_page) -> None:  # type: ignore[no-untyped-def]
    page = train_page("#ep=2&seed=5&n=600&lat=3&lr=0.003&bs=oops")
    expect(page.locator("#notice")).to_contain_text("“bs=oops” is not usable")
    expect(page.locator("#batch")).to_have_value("64")
    page.click("#train")
    wait_status(page, "done")
    first = (losses(page), page.locator("#roc-auc").get_attribute("data-auc"))
    link = page.url
    assert "seed=5" in link and "lat=3" in link and "bs=64" in link
    page.goto("about:blank")
    page.goto(link)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#latent-size")).to_have_value("3")
    expect(page.locator("#notice")).to_be_hidden()
    page.click("#train")
    wait_status(page, "done")
    assert (losses(page), page.locator("#roc-auc").get_attribute("data-auc")) == first


def test_a_crashed_worker_is_restarted_and_training_starts_again(train_page, guard) -> None:  # type: ignore[no-untyped-def]
    page = train_page("#ep=3")
    page.click("#train")
    wait_status(page, "done")
    assert page.workers, "the page has no worker"
    page.workers[0].evaluate("setTimeout(() => { throw new Error('simulated crash'); }, 0)")
    expect(page.locator("#run-message")).to_contain_text("was restarted", timeout=120_000)
    expect(page.locator("#progress-text")).to_have_text("Not started")
    page.click("#train")
    wait_status(page, "done")
    expect(page.locator("#run-message")).to_be_hidden()
    guard.errors[:] = [e for e in guard.errors if "simulated crash" not in e]


MARKUP = '<img src="x" onerror="window.__xss = 1">'


def test_markup_in_an_uploaded_model_is_shown_as_text(  # type: ignore[no-untyped-def]
    train_page, site_url: str, tmp_path: Path
) -> None:
    """A manifest's title is the user's text: the train page and the ECG lab show it literally."""
    page, npz, manifest_path = train_and_download(train_page, "#ep=2", "markup", tmp_path)
    manifest = json.loads(manifest_path.read_text())
    manifest["title"] = MARKUP
    manifest_path.write_text(json.dumps(manifest))
    bad_name = tmp_path / "bad_name"
    bad_name.mkdir()
    (bad_name / "markup.json").write_text(json.dumps({**manifest, "name": MARKUP}))
    page.set_input_files("#upload", [bad_name / "markup.json", npz])
    expect(page.locator("#upload-status")).to_contain_text("a model name uses letters")
    page.set_input_files("#upload", [manifest_path, npz])
    expect(page.locator("#upload-status")).to_contain_text("Loaded “markup”")

    page.goto(site_url)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    page.locator("#model-picker").select_option("markup")
    expect(page.locator("#model-picker option:checked")).to_have_text(MARKUP)
    page.locator("#tab-models").click()
    expect(page.locator("#cost-table")).to_contain_text(MARKUP)
    assert page.locator("main img").count() == 0
    assert page.evaluate("window.__xss") is None
