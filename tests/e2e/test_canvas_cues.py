"""Every chart shows its meaning by something besides colour: dashes, hatching, shapes, sizes
or words. A canvas has no DOM to query, so an init script records what each canvas draws (by
wrapping the 2D context's methods), and each test drives a page to the state where a view
draws and checks the recorded cues against the page's own palette (app.css).

The recorder keys a canvas by its id, or by the ``data-name`` of its nearest ancestor (the
stream's piles); the colour-science side of the palette is in tests/unit/test_palette.py.
"""

from __future__ import annotations

import re

import pytest
from lab_page import click_beat_cell
from playwright.sync_api import Page, expect

RECORDER = """
(() => {
  const P = CanvasRenderingContext2D.prototype;
  const cues = {};
  const style = (s) => (typeof s === "string" ? s.toLowerCase() : "pattern");
  const entry = (ctx) => {
    const c = ctx.canvas;
    const key = c.id || (c.closest && c.closest("[data-name]")?.dataset.name);
    if (!key) return null;
    return (cues[key] ??= { strokes: [], fills: {}, rects: {}, texts: [], arcs: 0, closed: 0 });
  };
  const remember = (list, item) => { if (!list.includes(item)) list.push(item); };
  const wrap = (name, record) => {
    const original = P[name];
    P[name] = function (...args) {
      const e = entry(this);
      if (e) record(e, this, args);
      return original.apply(this, args);
    };
  };
  // A stroke: its colour and dash pattern, e.g. "#d55e00 6,4" (solid: "#000000 ").
  const stroke = (e, ctx) => {
    remember(e.strokes, `${style(ctx.strokeStyle)} ${ctx.getLineDash().join(",")}`);
  };
  wrap("stroke", stroke);
  wrap("strokeRect", stroke);
  wrap("fill", (e, ctx) => { const s = style(ctx.fillStyle); e.fills[s] = (e.fills[s] ?? 0) + 1; });
  wrap("fillRect", (e, ctx, [, , w, h]) => {
    const s = style(ctx.fillStyle);
    e.fills[s] = (e.fills[s] ?? 0) + 1;
    remember(e.rects[s] ??= [], Math.round(Math.max(w, h) * 10) / 10);
  });
  wrap("fillText", (e, ctx, [text]) => {
    if (e.texts.length < 500) remember(e.texts, String(text));
  });
  wrap("arc", (e) => { e.arcs += 1; });
  wrap("closePath", (e) => { e.closed += 1; });
  window.canvasCues = cues;
})();
"""

Cues = dict[str, dict]


def palette(page: Page) -> dict[str, str]:
    """The page's colours, as the canvas reports them back (lowercase #rrggbb)."""
    return page.evaluate(
        """() => {
          const s = getComputedStyle(document.documentElement);
          const out = {};
          for (const name of ["--ink", "--recon", "--normal", "--abnormal", "--normal-light"]) {
            out[name] = s.getPropertyValue(name).trim().toLowerCase();
          }
          return out;
        }"""
    )


def cues(page: Page, key: str) -> dict:
    recorded = page.evaluate("(key) => window.canvasCues[key] ?? null", key)
    assert recorded is not None, f"nothing was drawn on {key}"
    return recorded


def dashes(recorded: dict, colour: str) -> set[str]:
    """The dash patterns that lines of ``colour`` were stroked with ("" = solid)."""
    return {s.split(" ", 1)[1] for s in recorded["strokes"] if s.split(" ", 1)[0] == colour}


@pytest.fixture
def opened(page: Page, open_page):  # type: ignore[no-untyped-def]
    """``open_page`` with the recorder installed before any script of the page runs."""
    page.add_init_script(RECORDER)
    return open_page


def test_ecg_lab_beats_and_reconstructions(opened) -> None:  # type: ignore[no-untyped-def]
    page = opened("")
    colours = palette(page)
    number = page.locator("#threshold-number")
    number.fill("0")  # every beat is flagged
    number.press("Enter")
    expect(page.locator("#readout-verdict")).to_contain_text("Anomaly")
    grid = cues(page, "beat-grid")
    # flagged beats: a ▲ and a dashed frame in the abnormal colour
    assert "▲" in grid["texts"]
    assert dashes(grid, colours["--abnormal"]) - {""}, grid["strokes"]
    # the true class is written in each cell, not only coloured
    assert any(t.endswith(" · normal") for t in grid["texts"]), grid["texts"][:20]
    page.locator("#class-filter").select_option("2")
    expect(page.locator("#readout-class")).to_contain_text("class 2")
    grid = cues(page, "beat-grid")
    assert any(t.endswith(" · abnormal") for t in grid["texts"]), grid["texts"][-20:]
    # the selected beat against its reconstruction: the beat solid, the reconstruction dashed
    first = page.locator("#readout-index").inner_text()
    click_beat_cell(page, 1)
    expect(page.locator("#readout-index")).not_to_have_text(first)
    chart = cues(page, "beat-chart")
    assert dashes(chart, colours["--ink"]) == {""}, chart["strokes"]
    assert "" not in dashes(chart, colours["--recon"]), chart["strokes"]
    assert dashes(chart, colours["--recon"]), chart["strokes"]


def test_ecg_lab_histogram_hatches_abnormal_bars(opened) -> None:  # type: ignore[no-untyped-def]
    page = opened("#section=explorer")
    expect(page.locator("#cm-tp")).to_have_text(re.compile(r"\d"))
    histogram = cues(page, "score-histogram")
    # abnormal bars are filled with a hatch pattern, normal bars with a plain colour
    assert histogram["fills"].get("pattern", 0) > 0, histogram["fills"]
    assert any(s.startswith("rgba(") for s in histogram["fills"]), histogram["fills"]


def test_ecg_lab_explainer_dashes_and_names(opened) -> None:  # type: ignore[no-untyped-def]
    page = opened("#section=about")
    expect(page.locator("#about-steps")).to_have_text(re.compile(r"\w"))
    colours = palette(page)
    classes = cues(page, "about-classes")
    # the normal class's mean beat solid, the four abnormal classes' dashed; each class named
    assert dashes(classes, colours["--normal"]) == {""}, classes["strokes"]
    assert dashes(classes, colours["--abnormal"]) - {""}, classes["strokes"]
    assert sum(bool(re.match(r"[1-5] · \w", t)) for t in classes["texts"]) == 5, classes["texts"]
    # the abnormal beat solid, its reconstruction and the mean normal beat in two other dashes
    tendency = cues(page, "about-tendency")
    beat, recon, mean = (dashes(tendency, colours[c]) for c in ("--ink", "--recon", "--normal"))
    assert beat == {""}, tendency["strokes"]
    assert len(recon) == len(mean) == 1 and "" not in recon | mean, tendency["strokes"]
    assert recon != mean, tendency["strokes"]


def test_train_page_latent_shapes_and_loss_styles(opened) -> None:  # type: ignore[no-untyped-def]
    page = opened("train.html#ep=3")
    page.click("#train")
    page.wait_for_selector("body[data-train-status=done]", timeout=60_000)
    colours = palette(page)
    # latent space: normal beats as dots (arcs), abnormal beats as triangles (closed paths)
    latent = cues(page, "latent")
    assert latent["arcs"] > 0 and latent["closed"] > 0, latent
    assert latent["fills"].get(colours["--normal"]) and latent["fills"].get(colours["--abnormal"])
    # loss: training solid with dots, validation dashed with squares
    loss = cues(page, "loss-chart")
    assert dashes(loss, colours["--normal"]) == {""}, loss["strokes"]
    assert dashes(loss, colours["--abnormal"]) - {""}, loss["strokes"]
    assert loss["arcs"] > 0
    assert loss["rects"].get(colours["--abnormal"]), loss["rects"]


def test_stream_piles_and_feed_shapes(opened) -> None:  # type: ignore[no-untyped-def]
    page = opened("stream.html")
    page.evaluate("localStorage.setItem('anomascope.stream.info-dismissed', '1')")
    if page.locator("#info-close").is_visible():
        page.click("#info-close")
    page.click("#finish")
    expect(page.locator("html")).to_have_attribute("data-tick", "10000", timeout=120_000)
    colours = palette(page)
    names = [el.get_attribute("data-name") for el in page.locator("#piles .pile").all()]
    assert names
    for name in names:
        # attacks are large squares, normal connections small ones
        rects = cues(page, str(name))["rects"]
        attack, normal = rects.get(colours["--abnormal"]), rects.get(colours["--normal-light"])
        assert attack and normal, (name, rects)
        assert min(attack) > max(normal), (name, rects)
    # the feed (a table) says truth and verdicts with ▲ / ● and wrong calls with ✗
    feed = page.locator("#feed-body")
    expect(feed.locator("td.truth").first).to_have_text(re.compile(r"^[▲●] \S"))
    calls = feed.locator("td.call")
    assert calls.count() > 0
    for text in calls.all_inner_texts():
        assert re.fullmatch(r"[▲●]✗?", text), text
