"""The ECG lab's first beats, which the build writes into the page so that they are drawn before
Python is ready: the very numbers of the data file the worker loads."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np

from sitebuild import pages


def write_lab_data(path: Path, beats: int = 20, steps: int = 140) -> dict[str, np.ndarray]:
    """An ecg5000.npz like the build's (float32 beats, int8 labels), with distinct values."""
    rng = np.random.default_rng(7)
    arrays = {
        "train_X": rng.normal(size=(3, steps)).astype(np.float32),
        "train_y": np.ones(3, dtype=np.int8),
        "test_X": rng.normal(size=(beats, steps)).astype(np.float32),
        "test_y": rng.integers(1, 6, size=beats).astype(np.int8),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


def decode(beats: dict) -> np.ndarray:
    """The page's beats as first_paint.js reads them: base64 of little-endian float32."""
    raw = np.frombuffer(base64.b64decode(beats["X"]), dtype="<f4")
    return raw.reshape(beats["shape"])


def test_first_beats_are_the_files_first_test_beats_bit_for_bit(tmp_path: Path) -> None:
    arrays = write_lab_data(tmp_path / "ecg5000.npz")
    beats = pages.first_beats(tmp_path / "ecg5000.npz")
    assert beats["shape"] == [pages.FIRST_BEATS, 140]
    np.testing.assert_array_equal(decode(beats), arrays["test_X"][: pages.FIRST_BEATS])
    assert decode(beats).tobytes() == arrays["test_X"][: pages.FIRST_BEATS].tobytes()
    assert beats["y"] == arrays["test_y"][: pages.FIRST_BEATS].tolist()
    assert beats["source"] == f"data/ecg5000.npz test_X[:{pages.FIRST_BEATS}]"


def test_a_file_with_fewer_beats_gives_them_all(tmp_path: Path) -> None:
    arrays = write_lab_data(tmp_path / "ecg5000.npz", beats=5)
    beats = pages.first_beats(tmp_path / "ecg5000.npz")
    assert beats["shape"] == [5, 140]
    np.testing.assert_array_equal(decode(beats), arrays["test_X"])


def test_the_lab_page_carries_them_and_starts_its_worker_before_any_stylesheet(
    tmp_path: Path,
) -> None:
    arrays = write_lab_data(tmp_path / pages.FIRST_BEATS_FILE)
    pages.render_pages(tmp_path)
    html = (tmp_path / "index.html").read_text()
    block = re.search(r'<script type="application/json" id="first-beats">(.*?)</script>', html)
    assert block, "index.html has no first beats"
    beats = json.loads(block.group(1))
    np.testing.assert_array_equal(decode(beats), arrays["test_X"][: pages.FIRST_BEATS])
    head = html.split("</head>")[0]
    # A classic script ahead of the stylesheets runs as soon as it arrives; behind one, it
    # would wait for that stylesheet to load.
    assert head.index('<script src="static/js/lab/first_paint.js">') < head.index("stylesheet")
    for other in ("train.html", "stream.html", "data.html"):
        assert "first-beats" not in (tmp_path / other).read_text()
