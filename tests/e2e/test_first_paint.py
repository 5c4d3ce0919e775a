"""First paint: the ECG lab draws real beats from its data file before Python is ready, while
its controls wait behind the loading panel."""

from __future__ import annotations

import base64

import numpy as np
from served_site import BOOT_TIMEOUT_MS, DIST, READY

# Records, in order, each start-up attribute as it appears on <html>, and what the page shows
# at that moment.
ORDER = """(() => {
  const seen = (window.__order = []);
  new MutationObserver(() => {
    const root = document.documentElement;
    for (const key of ["firstPaint", "appReady"]) {
      if (root.dataset[key] && !seen.some((s) => s.key === key)) {
        const shown = (id) => getComputedStyle(document.getElementById(id)).display !== "none";
        seen.push({ key, appShown: shown("app"), loadingShown: shown("loading") });
      }
    }
  }).observe(document, { subtree: true, attributeFilter: ["data-first-paint", "data-app-ready"] });
})();"""


def test_beats_from_the_data_file_are_drawn_before_python_is_ready(  # type: ignore[no-untyped-def]
    page, guard, site_url
) -> None:
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(ORDER)
    page.goto(site_url)
    page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
    order = page.evaluate("window.__order")
    assert [o["key"] for o in order] == ["firstPaint", "appReady"]
    # At first paint the controls were still waiting, visibly, behind the loading panel.
    assert (order[0]["appShown"], order[0]["loadingShown"]) == (False, True)
    assert (order[1]["appShown"], order[1]["loadingShown"]) == (True, False)
    canvas = page.locator("#first-paint")
    with np.load(DIST / "data" / "ecg5000.npz") as data:
        test_X, test_y = data["test_X"][:12], data["test_y"][:12]
    assert canvas.get_attribute("data-beats") == "12"
    assert page.evaluate("JSON.parse(document.getElementById('first-paint').dataset.firstBeat)") \
        == test_X[0, :8].astype(float).tolist()
    # The beats the page carries are the data file's, bit for bit, with their labels.
    beats = page.evaluate("JSON.parse(document.getElementById('first-beats').textContent)")
    carried = np.frombuffer(base64.b64decode(beats["X"]), dtype="<f4").reshape(beats["shape"])
    assert carried.tobytes() == test_X.astype("<f4").tobytes()
    assert beats["y"] == test_y.tolist()
    drawn = page.evaluate(
        """() => {
          const c = document.getElementById("first-paint");
          const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let inked = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked += 1;
          return inked / (c.width * c.height);
        }"""
    )
    assert drawn > 0.01  # the beats' lines, not an empty canvas
    assert not guard.errors, guard.errors
