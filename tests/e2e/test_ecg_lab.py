"""The ECG lab driven like a user: threshold explorer, your own beats, drawing, model costs,
and links that carry state."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from lab_page import PadScale
from playwright.sync_api import Page, expect

DIST = Path(__file__).resolve().parents[2] / "dist"
READY = 'html[data-app-ready="true"]'


def counts(page: Page) -> dict[str, int]:
    return {k: int(page.locator(f"#cm-{k}").inner_text()) for k in ("tp", "fp", "tn", "fn")}


def rate(page: Page, name: str) -> float:
    return float(page.locator(f"#m-{name}").inner_text())


def metrics_settled(page: Page) -> None:
    """Wait until the metrics shown were computed for the threshold in the number box."""
    page.wait_for_function(
        """() => {
          const m = document.getElementById('metrics').dataset.threshold;
          const t = document.getElementById('threshold-number').value;
          const gap = Math.abs(Number(m) - Number(t));
          return m !== undefined && gap <= 1e-3 * Math.abs(Number(t)) + 1e-12;
        }"""
    )


def set_threshold(page: Page, value: float, settle: bool = True) -> None:
    box = page.locator("#threshold-number")
    box.fill(repr(value))
    box.press("Enter")
    if settle:
        metrics_settled(page)


def check_consistent(page: Page, total: int) -> dict[str, int]:
    c = counts(page)
    assert sum(c.values()) == total
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]

    def close(name: str, num: int, den: int) -> None:
        assert rate(page, name) == pytest.approx(num / den if den else 0.0, abs=6e-4), name

    close("accuracy", tp + tn, total)
    close("precision", tp, tp + fp)
    close("recall", tp, tp + fn)
    close("tpr", tp, tp + fn)
    close("fnr", fn, tp + fn)
    close("fpr", fp, fp + tn)
    close("tnr", tn, fp + tn)
    close("f1", 2 * tp, 2 * tp + fp + fn)
    return c


def test_threshold_explorer_metrics_presets_and_verdict(app: Page) -> None:
    app.locator("#tab-explorer").click()
    expect(app.locator("#explorer")).to_be_visible()
    expect(app.locator("#explorer-basis")).to_contain_text("test split (4,500 beats")
    metrics_settled(app)
    start = check_consistent(app, 4500)
    assert re.search(r"AUC 0\.\d{3}", app.locator("#roc-auc").inner_text())
    # raise the threshold: fewer flags, so TP + FP cannot grow and FN cannot shrink
    value = float(app.locator("#threshold-number").input_value())
    set_threshold(app, value * 3)
    higher = check_consistent(app, 4500)
    assert higher["tp"] + higher["fp"] <= start["tp"] + start["fp"]
    assert higher["fn"] >= start["fn"]
    set_threshold(app, 1e6)
    assert counts(app)["tp"] == 0 and counts(app)["fp"] == 0 and rate(app, "recall") == 0
    # the slider, by keyboard
    slider = app.locator("#threshold-range")
    slider.focus()
    slider.press("Home")
    metrics_settled(app)
    low = check_consistent(app, 4500)
    assert low["tp"] + low["fp"] > 0
    # presets explain themselves and move the threshold
    expect(app.locator("#explain-mean_k_std")).to_contain_text("normal beats")
    app.locator("#param-mean_k_std").fill("2")
    app.locator("#param-mean_k_std").press("Enter")
    expect(app.locator("#explain-mean_k_std")).to_contain_text("plus 2 ×")
    app.locator("#preset-mean_k_std").click()
    shown = app.locator("#explain-mean_k_std").inner_text().split(":")[0]
    expect(app.locator("#threshold-number")).to_have_value(shown)
    metrics_settled(app)
    check_consistent(app, 4500)
    expect(app.locator("#explain-contamination")).to_contain_text("UCR TRAIN")
    app.locator("#preset-contamination").click()
    shown = app.locator("#explain-contamination").inner_text().split(":")[0]
    expect(app.locator("#threshold-number")).to_have_value(shown)
    app.locator("#preset-model").click()
    shown = app.locator("#explain-model").inner_text().split(":")[0]
    expect(app.locator("#threshold-number")).to_have_value(shown)
    assert "section=explorer" in app.url
    # the beat viewer's verdict follows the same threshold
    app.locator("#tab-viewer").click()
    score = float(app.locator("#readout-score").inner_text())
    set_threshold(app, score * 0.5, settle=False)
    expect(app.locator("#readout-verdict")).to_contain_text("Anomaly")
    set_threshold(app, score * 2, settle=False)
    expect(app.locator("#readout-verdict")).to_contain_text("Normal")


def beat_rows(n: int, label: int | None, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 140)
    lines = []
    for _ in range(n):
        values = np.sin(t) + rng.normal(scale=0.1, size=140)
        lines.append(",".join(([str(label)] if label else []) + [f"{v:.4f}" for v in values]))
    return ("\n".join(lines) + "\n").encode()


def test_upload_good_and_bad_files(app: Page) -> None:
    upload = app.locator("#upload-input")
    upload.set_input_files(
        {"name": "<b>wide</b>.csv", "mimeType": "text/csv", "buffer": b"1,2,3\n4,5,6\n"}
    )
    error = app.locator("#upload-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("<b>wide</b>.csv")  # shown as text, not HTML
    expect(error).to_contain_text("140 values")
    upload.set_input_files(
        {"name": "nan.csv", "mimeType": "text/csv", "buffer": b"nan," * 139 + b"1\n"}
    )
    expect(error).to_contain_text("NaN or infinity")
    upload.set_input_files({"name": "empty.csv", "mimeType": "text/csv", "buffer": b""})
    expect(error).to_contain_text("empty")
    # a good labelled file: 3 abnormal-labelled beats
    upload.set_input_files({"name": "mine.csv", "mimeType": "text/csv", "buffer": beat_rows(3, 2)})
    expect(error).to_be_hidden()
    expect(app.locator("#upload-status")).to_contain_text("Read 3 beats from mine.csv, with labels")
    expect(app.locator("#class-filter")).to_have_value("user")
    expect(app.locator("#readout-index")).to_have_text("your beat u0")
    expect(app.locator("#readout-class")).to_contain_text("class 2")
    assert float(app.locator("#readout-score").inner_text()) > 0
    assert "beat=u0" in app.url
    app.locator("#beat-grid").focus()
    app.keyboard.press("ArrowRight")
    expect(app.locator("#readout-index")).to_have_text("your beat u1")
    app.locator("#tab-explorer").click()
    expect(app.locator("#explorer-basis")).to_contain_text("+ 3 labelled beats of yours")
    metrics_settled(app)
    check_consistent(app, 4503)
    # an unlabelled file replaces it and leaves the metrics to the test split
    upload.set_input_files(
        {
            "name": "plain.tsv",
            "mimeType": "text/plain",
            "buffer": beat_rows(2, None).replace(b",", b"\t"),
        }
    )
    expect(app.locator("#upload-status")).to_contain_text(
        "Read 2 beats from plain.tsv, without labels"
    )
    expect(app.locator("#explorer-basis")).not_to_contain_text("yours")
    metrics_settled(app)
    check_consistent(app, 4500)
    app.locator("#tab-viewer").click()
    expect(app.locator("#readout-class")).to_have_text("no label (your beat)")


def trace(page: Page, values: np.ndarray, start: int = 0) -> None:
    """Draw ``values`` (one per time step from ``start``) on the pad with the mouse, in one
    stroke."""
    at = PadScale(page)
    page.mouse.move(*at(start, float(values[0])))
    page.mouse.down()
    for i in range(1, len(values)):
        page.mouse.move(*at(start + i, float(values[i])))
    page.mouse.up()


def drawn_score(page: Page) -> float:
    """The score once the last change of the drawing has been scored."""
    page.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    expect(page.locator("#draw-message")).to_contain_text("Scored")
    return float(page.locator("#draw-score").inner_text())


def test_draw_flat_line_scores_worse_than_a_normal_beat(app: Page) -> None:
    with np.load(DIST / "data" / "ecg5000.npz") as data:
        normal = data["test_X"][data["test_y"] == 1][0]
    app.locator("#tab-draw").click()
    expect(app.locator("#draw-message")).to_have_text("Draw a beat on the pad to score it.")
    # one click is a single point: a friendly message, no error
    box = app.locator("#draw-pad").bounding_box()
    assert box is not None
    app.mouse.click(box["x"] + 200, box["y"] + 100)
    expect(app.locator("#draw-message")).to_contain_text("single point")
    app.locator("#draw-clear").click()
    # A flat line off the zero level: beats are z-normalised (mean 0), and the autoencoder
    # reconstructs the all-zero line about as well as a normal beat (both far below threshold).
    trace(app, np.full(140, 1.0))
    flat = drawn_score(app)
    app.locator("#draw-clear").click()
    expect(app.locator("#draw-score")).to_have_text("–")
    trace(app, normal)
    beat = drawn_score(app)
    assert beat < flat, (beat, flat)
    # a later stroke overwrites: a spike over part of the beat raises the score; undo restores
    trace(app, np.concatenate([normal[40:60], np.full(20, 4.5)]), start=40)
    assert drawn_score(app) > beat
    app.locator("#draw-undo").click()
    assert drawn_score(app) == beat
    # a finger or a pen sends pointer events of another type: they draw the same way
    app.locator("#draw-clear").click()
    app.evaluate(
        """() => {
          const pad = document.getElementById('draw-pad');
          const r = pad.getBoundingClientRect();
          const fire = (type, i) => pad.dispatchEvent(new PointerEvent(type, {
            pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true, button: 0,
            clientX: r.left + 60 + i * 5, clientY: r.top + r.height / 2 + 20 * Math.sin(i / 5) }));
          fire('pointerdown', 0);
          for (let i = 1; i < 100; i++) fire('pointermove', i);
          fire('pointerup', 100);
        }"""
    )
    assert drawn_score(app) > 0
    # start from a real beat: the viewer's beat #0, scored like the viewer scores it
    app.locator("#draw-real").click()
    app.locator("#tab-viewer").click()
    viewer_score = app.locator("#readout-score").inner_text()
    app.locator("#tab-draw").click()
    expect(app.locator("#draw-score")).to_have_text(viewer_score)
    expect(app.locator("#draw-message")).to_contain_text("you drew all 140 time steps")


def test_links_carry_state_and_bad_values_fall_back(page: Page, guard, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))
    page.goto(site_url + "#section=models&model=nope&beat=99999&threshold=abc")
    page.wait_for_selector(READY, state="attached", timeout=180_000)
    notice = page.locator("#notice")
    expect(notice).to_contain_text("model “nope” is not in this build")
    expect(notice).to_contain_text("beat “99999”")
    expect(notice).to_contain_text("threshold “abc”")
    expect(page.locator("#models")).to_be_visible()
    rows = page.locator("#cost-rows tr")
    expect(rows).to_have_count(page.locator("#model-picker option").count())
    expect(rows.first.locator("td").nth(7)).to_have_text(re.compile(r"^\d+(\.\d)? ms$"))
    assert re.match(r"^\d[\d,]*$", rows.first.locator("td").nth(4).inner_text())
    page.goto(site_url + "#section=explorer&beat=12&threshold=0.1")
    page.reload()
    page.wait_for_selector(READY, state="attached", timeout=180_000)
    expect(page.locator("#explorer")).to_be_visible()
    expect(page.locator("#notice")).to_be_hidden()
    assert float(page.locator("#threshold-number").input_value()) == 0.1
    metrics_settled(page)
    check_consistent(page, 4500)
    page.locator("#tab-viewer").click()
    expect(page.locator("#readout-index")).to_have_text("#12")
    assert not guard.errors, guard.errors


def test_training_replay_scrubs_and_plays(page: Page, guard, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))
    with_history = [
        p.stem
        for p in (DIST / "models").glob("ecg_*.json")
        if isinstance(json.loads(p.read_text()).get("history"), dict)
    ]
    page.goto(site_url + "#section=replay")
    page.wait_for_selector(READY, state="attached", timeout=180_000)
    expect(page.locator("#replay")).to_be_visible()
    names = [o.get_attribute("value") for o in page.locator("#model-picker option").all()]
    has = [n for n in names if n in with_history]
    assert has, "the committed ECG autoencoder exports its training history; none was found"
    page.locator("#model-picker").select_option(has[0])
    readout = page.locator("#replay-readout")
    expect(readout).to_contain_text(re.compile(r"^epoch 1 of \d+ · test AUC 0\.\d{3}"))
    scrubber = page.locator("#replay-epoch")
    scrubber.focus()
    scrubber.press("End")
    last = re.search(r"of (\d+)", readout.inner_text()).group(1)  # type: ignore[union-attr]
    expect(readout).to_contain_text(f"epoch {last} of {last}")
    scrubber.press("Home")
    expect(readout).to_contain_text("epoch 1 of")
    page.locator("#replay-play").click()
    expect(page.locator("#replay-play")).to_have_attribute("aria-pressed", "true")
    expect(readout).not_to_contain_text("epoch 1 of")
    page.locator("#replay-play").click()
    expect(page.locator("#replay-play")).to_have_attribute("aria-pressed", "false")
    without = [n for n in names if n not in with_history]
    if without:
        page.locator("#model-picker").select_option(without[0])
        expect(page.locator("#replay-note")).to_contain_text("No training history")
    assert not guard.errors, guard.errors


def test_explainer_uses_the_active_model(app: Page) -> None:
    app.locator("#tab-about").click()
    expect(app.locator("#about")).to_be_visible()
    layers = app.locator("#about-layers-text")
    expect(layers).to_contain_text("140 input")
    expect(layers).to_contain_text("parameters")
    expect(app.locator("#about-tendency-text")).to_contain_text(
        re.compile(r"\d+% of the 1873 abnormal")
    )
    expect(app.locator("#about-accuracy")).to_contain_text("58.4%")
    app.get_by_label("as the model sees them").check()
    expect(app.locator("#about-steps")).to_contain_text("preprocessing")
    assert "section=about" in app.url
    names = [o.get_attribute("value") for o in app.locator("#model-picker option").all()]
    if len(names) > 1:
        before = layers.inner_text()
        app.locator("#model-picker").select_option(names[-1])
        expect(layers).not_to_have_text(before)
    app.locator("#about [data-goto=explorer]").click()
    expect(app.locator("#explorer")).to_be_visible()
