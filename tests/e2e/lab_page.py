"""Pointing at the ECG lab's canvases where the page itself says things are: the beat grid
reports its layout (``data-cols``, ``data-cell-width``, ``data-cell-height``) and the drawing
pad its scale (``data-plot``), so the tests copy no layout constant."""

from __future__ import annotations

import json

from playwright.sync_api import Page


def click_beat_cell(page: Page, k: int) -> None:
    """Click the middle of the beat grid's cell ``k`` (0 = top left, filled row by row)."""
    grid = page.locator("#beat-grid")
    layout = grid.evaluate(
        "(g) => ({cols: +g.dataset.cols, w: +g.dataset.cellWidth, h: +g.dataset.cellHeight})"
    )
    assert layout["cols"] >= 1 and layout["w"] > 0 and layout["h"] > 0, layout
    row, col = divmod(k, layout["cols"])
    grid.click(position={"x": (col + 0.5) * layout["w"], "y": (row + 0.5) * layout["h"]})


def grid_columns(page: Page) -> int:
    """How many beats one row of the grid holds."""
    return int(page.locator("#beat-grid").get_attribute("data-cols") or 0)


class PadScale:
    """The drawing pad's own map from (time step, value) to page coordinates."""

    def __init__(self, page: Page) -> None:
        pad = page.locator("#draw-pad")
        box = pad.bounding_box()
        assert box is not None
        self.box = box
        self.plot = json.loads(pad.get_attribute("data-plot") or "{}")
        assert self.plot, "the drawing pad has not reported its scale"

    def __call__(self, step: float, value: float) -> tuple[float, float]:
        p = self.plot
        x = p["left"] + step / (p["steps"] - 1) * (p["right"] - p["left"])
        y = p["bottom"] + (value - p["lo"]) / (p["hi"] - p["lo"]) * (p["top"] - p["bottom"])
        return self.box["x"] + x, self.box["y"] + y
