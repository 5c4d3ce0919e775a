"""ECG lab figures: a drawing stroke's round trip and scoring 4,500 test beats, per model."""

from __future__ import annotations

import math
import statistics
from typing import Any

from bench import percentile

READY = 'html[data-app-ready="true"]'
STROKE_MOVES = 300


def stroke_round_trips(page: Any) -> list[float]:
    """Draw one stroke of :data:`STROKE_MOVES` mouse moves; return each request's round trip
    (strokes sent -> score and reconstruction drawn), in ms, as the page records them."""
    box = page.locator("#draw-pad").bounding_box()
    left, top, width, height = box["x"] + 50, box["y"] + 20, box["width"] - 70, box["height"] - 60
    page.mouse.move(left, top + height / 2)
    page.mouse.down()
    for i in range(1, STROKE_MOVES + 1):
        x = left + width * i / STROKE_MOVES
        y = top + height / 2 - height / 3 * math.sin(i / STROKE_MOVES * 6 * math.pi)
        page.mouse.move(x, y)
    page.mouse.up()
    page.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    raw = page.locator("#draw-pad").get_attribute("data-round-trips") or ""
    return [float(v) for v in raw.split()]


def measure_ecg(browser: Any, base_url: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    page = context.new_page()
    page.goto(base_url + "index.html#section=draw")
    page.wait_for_selector(READY, state="attached", timeout=180_000)
    models = page.eval_on_selector_all("#model-picker option", "os => os.map(o => o.value)")
    figures: dict[str, Any] = {"stroke_round_trip_ms": {}, "score_4500_beats_ms": {}}
    for name in models:
        page.goto(base_url + f"index.html#section=draw&model={name}")
        page.reload()
        page.wait_for_selector(READY, state="attached", timeout=180_000)
        trips = stroke_round_trips(page)
        figures["stroke_round_trip_ms"][name] = {
            "requests": len(trips),
            "p50": round(statistics.median(trips), 2),
            "p95": round(percentile(trips, 95), 2),
        }
    page.goto(base_url + "index.html#section=models")
    page.reload()
    page.wait_for_selector(READY, state="attached", timeout=180_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#cost-rows tr')].every("
        "r => r.lastElementChild && r.lastElementChild.textContent.endsWith(' ms'))",
        timeout=120_000,
    )
    for row in page.locator("#cost-rows tr").all():
        name = row.get_attribute("data-model")
        figures["score_4500_beats_ms"][name] = float(row.locator("td").last.inner_text().split()[0])
    context.close()
    return figures


if __name__ == "__main__":  # python -m bench.ecg: measure the built dist/ once
    from bench.site import print_figures

    print_figures(measure_ecg)
