"""A crashed Python worker is replaced; the page says so and keeps the model and settings."""

from __future__ import annotations

from lab_page import click_beat_cell
from playwright.sync_api import expect


def crash_worker(page) -> None:  # type: ignore[no-untyped-def]
    """An uncaught error inside the worker, as a wasm trap or a bug would raise."""
    assert page.workers, "the page has no worker"
    page.workers[0].evaluate("setTimeout(() => { throw new Error('simulated crash'); }, 0)")


def test_ecg_lab_restarts_a_crashed_worker(app, guard) -> None:  # type: ignore[no-untyped-def]
    model = app.locator("#model-picker").input_value()
    number = app.locator("#threshold-number")
    number.fill("0.5")
    number.press("Enter")
    click_beat_cell(app, 3)
    expect(app.locator("#readout-index")).to_have_text("#3")
    crash_worker(app)
    expect(app.locator("#notice")).to_contain_text("was restarted", timeout=120_000)
    expect(app.locator("#notice")).to_contain_text("simulated crash")
    assert app.locator("#model-picker").input_value() == model
    assert float(number.input_value()) == 0.5
    # The new worker answers: selecting another beat scores it.
    click_beat_cell(app, 4)
    expect(app.locator("#readout-index")).to_have_text("#4")
    guard.errors[:] = [e for e in guard.errors if "simulated crash" not in e]


def test_ecg_lab_restarts_a_terminated_worker(app, guard) -> None:  # type: ignore[no-untyped-def]
    """A worker that ends without any error event (closed, or killed by the browser)."""
    model = app.locator("#model-picker").input_value()
    click_beat_cell(app, 2)
    expect(app.locator("#readout-index")).to_have_text("#2")
    app.workers[0].evaluate("close()")
    expect(app.locator("#notice")).to_contain_text("was restarted", timeout=120_000)
    expect(app.locator("#notice")).to_contain_text("terminated")
    assert app.locator("#model-picker").input_value() == model
    click_beat_cell(app, 4)
    expect(app.locator("#readout-index")).to_have_text("#4")
