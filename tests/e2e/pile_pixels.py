"""The pixels of the stream's pile canvases, read in the page: the newest square's ring (the
only pixels in the ink colour) and a fingerprint of a whole canvas."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator

# The ring's ink pixels: their bounding box and count, and the device pixel ratio.
RING_JS = """(canvas) => {
  const hex = getComputedStyle(document.documentElement).getPropertyValue("--ink").trim();
  const ink = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const { width, height } = canvas;
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let count = 0, x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let i = 0; i < data.length; i += 4) {
    const same = data[i] === ink[0] && data[i + 1] === ink[1] && data[i + 2] === ink[2];
    if (!same || data[i + 3] !== 255) continue;
    const x = (i / 4) % width, y = Math.floor(i / 4 / width);
    count++; x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { count, x0, y0, x1, y1, width, height, dpr: devicePixelRatio };
}"""

# Every pixel of the canvas, as a data URL.
PIXELS_JS = "(canvas) => canvas.toDataURL()"


def assert_ring_whole(canvas: Locator) -> None:
    """The canvas shows one whole ring: a square outline of ink bands 2 CSS px wide, inside
    the canvas (none of it cut off at an edge)."""
    ring: dict[str, Any] = canvas.evaluate(RING_JS)
    side = ring["x1"] - ring["x0"] + 1
    band = round(2 * ring["dpr"])
    assert ring["count"] > 0, ring
    assert ring["y1"] - ring["y0"] + 1 == side, ring
    assert ring["count"] == side * side - (side - 2 * band) ** 2, ring
    assert ring["x0"] > 0 and ring["y0"] > 0, ring
    assert ring["x1"] < ring["width"] - 1 and ring["y1"] < ring["height"] - 1, ring
