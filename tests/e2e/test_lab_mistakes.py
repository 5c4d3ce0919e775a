"""Where the ECG model fails, as a user finds it: a confusion-matrix count lists exactly the
beats numpy counts there and opens one in the viewer; recall per abnormal class; the peak step
error; and the drawing pad's "unlike any training beat" check on a flat line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from anomascope.data import ecg
from anomascope.weights import load_model_files

MODELS = Path(__file__).resolve().parents[2] / "models"
MODEL = "ecg_autoencoder"


@pytest.fixture(scope="module")
def truth(data_dir: Path) -> dict:
    data = ecg.load_ecg5000(data_dir)
    model = load_model_files(MODELS, MODEL)
    scores = model.score(data.test_X)
    return {"scores": scores, "y": data.test_y, "threshold": model.threshold}


def explorer(app: Page) -> None:
    app.locator("#model-picker").select_option(MODEL)
    app.locator("#tab-explorer").click()
    expect(app.locator("#cm-fn")).not_to_have_text("–")


def test_a_confusion_count_lists_its_beats_and_opens_one(app: Page, truth: dict) -> None:
    explorer(app)
    flagged = truth["scores"] > truth["threshold"]
    missed = np.flatnonzero((truth["y"] != 1) & ~flagged)
    expect(app.locator("#cm-fn")).to_have_text(str(missed.size))
    app.locator("#cm-fn").click()
    title = app.locator("#cell-list-title")
    expect(title).to_have_text(re.compile(rf"^{missed.size} false negatives"))
    expect(title).to_be_focused()
    items = app.locator("#cell-beats button")
    expect(items).to_have_count(missed.size)
    listed = {int(re.match(r"#(\d+)", t).group(1)) for t in items.all_inner_texts()}  # type: ignore[union-attr]
    assert listed == set(missed.tolist())
    first = int(re.match(r"#(\d+)", items.first.inner_text()).group(1))  # type: ignore[union-attr]
    assert first == missed[np.argmin(truth["scores"][missed])]  # lowest score first
    items.first.click()
    expect(app.locator("#viewer")).to_be_visible()
    expect(app.locator("#readout-index")).to_have_text(f"#{first}")
    expect(app.locator("#readout-verdict")).to_contain_text("Normal")
    expect(app.locator("#readout-peak")).to_contain_text("threshold")


def test_recall_per_abnormal_class_matches_numpy(app: Page, truth: dict) -> None:
    explorer(app)
    rows = app.locator("#per-class-rows tr")
    expect(rows).to_have_count(4)
    flagged = truth["scores"] > truth["threshold"]
    for row, cls in zip(rows.all(), (2, 3, 4, 5), strict=True):
        cells = row.locator("td").all_inner_texts()
        members = truth["y"] == cls
        assert cells[0].startswith(f"{cls} · ")
        assert int(cells[1].replace(",", "")) == int(members.sum())
        assert int(cells[2].replace(",", "")) == int((flagged & members).sum())


def test_a_flat_line_is_called_unlike_any_training_beat(app: Page) -> None:
    app.locator("#model-picker").select_option(MODEL)
    app.locator("#tab-draw").click()
    pad = app.locator("#draw-pad")
    pad.focus()
    pad.press("Home")
    pad.press("ArrowUp")  # the first key edit starts a flat line through every time step
    pad.press("ArrowDown")
    expect(app.locator("#draw-message")).to_have_attribute("data-settled", "true")
    expect(app.locator("#draw-verdict")).to_contain_text("Normal")
    expect(app.locator("#draw-nearest")).to_contain_text("unlike any training beat")
    expect(app.locator("#draw-peak")).to_contain_text("normal")


def test_the_explainer_shows_both_scores_on_the_flat_line_and_the_spike(app: Page) -> None:
    app.locator("#model-picker").select_option(MODEL)
    app.locator("#tab-about").click()
    rows = app.locator("#edge-case-rows tr")
    expect(rows).to_have_count(2)
    flat, spike = (r.locator("th, td").all_inner_texts() for r in rows.all())
    assert flat[0] == "flat line" and "normal" in flat[1] and "unlike" in flat[3]
    assert spike[0] == "one-step spike" and "normal" in spike[1] and "anomaly" in spike[2]
