"""Windows over a series: suggested length, starts, windows, spans; a spike is found."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.tables import flagged_spans, make_windows, suggest_window, window_starts


def test_windows_of_a_known_array() -> None:
    x = np.arange(10.0)
    np.testing.assert_array_equal(window_starts(10, 4, 3), [0, 3, 6])
    np.testing.assert_array_equal(make_windows(x, 4, 3), [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    # the stride does not land on the end: a last window ending at the final row is added
    np.testing.assert_array_equal(window_starts(10, 4, 4), [0, 4, 6])
    two = np.arange(12.0).reshape(6, 2)
    np.testing.assert_array_equal(
        make_windows(two, 3, 2), [[0, 1, 2, 3, 4, 5], [4, 5, 6, 7, 8, 9], [6, 7, 8, 9, 10, 11]]
    )
    assert make_windows(x, 10, 1).shape == (1, 10)


def test_window_longer_than_series_is_refused() -> None:
    with pytest.raises(
        AnomascopeError, match=r"window length 50 is longer than the series \(20 rows\)"
    ) as e:
        make_windows(np.zeros(20), 50, 5)
    assert e.value.field == "window"
    with pytest.raises(AnomascopeError, match="at least 1"):
        window_starts(20, 5, 0)


def test_spans_merge_overlapping_windows() -> None:
    starts = np.array([0, 2, 4, 6, 8, 10, 12])
    flags = np.array([1, 1, 0, 1, 0, 0, 1], dtype=bool)
    assert flagged_spans(flags, starts, 3) == [[0, 5], [6, 9], [12, 15]]
    assert flagged_spans(np.zeros(7, bool), starts, 3) == []
    assert flagged_spans(np.array([0, 1, 1], bool), np.array([0, 5, 10]), 5) == [[5, 15]]


def test_suggest_window_finds_the_period() -> None:
    t = np.arange(3000)
    x = np.sin(2 * np.pi * t / 60) + 0.1 * np.random.default_rng(0).normal(size=t.size)
    s = suggest_window(x)
    assert s["length"] == 60 and s["stride"] == 15 and "60 rows" in s["reason"]
    # repeated but varying cycles: the multiples of the period peak as high; the period wins
    rng = np.random.default_rng(4)
    beats = [np.sin(np.linspace(0, np.pi, 30)) * rng.uniform(0.5, 1.5) for _ in range(100)]
    assert suggest_window(np.concatenate(beats))["length"] == 30
    two = np.stack([x, np.cos(2 * np.pi * t / 60)], axis=1)
    assert suggest_window(two)["length"] == 60


def test_suggest_window_without_period_and_clipping() -> None:
    noise = np.random.default_rng(1).normal(size=2000)
    s = suggest_window(noise)
    assert s["length"] == 100 and s["stride"] == 25 and "no clear period" in s["reason"]
    short = suggest_window(np.random.default_rng(2).normal(size=10))
    assert 1 <= short["length"] <= 5 and short["stride"] >= 1
    slow = np.sin(2 * np.pi * np.arange(6000) / 2000)  # period 2000 > the 512-row cap
    assert suggest_window(slow)["length"] <= 512
    with pytest.raises(AnomascopeError, match="at least 2 rows"):
        suggest_window(np.zeros(1))


def test_spike_window_has_the_highest_pca_error() -> None:
    t = np.arange(2400)
    x = np.sin(2 * np.pi * t / 40) + 0.05 * np.random.default_rng(3).normal(size=t.size)
    x[1700] += 4.0
    s = suggest_window(x)
    starts = window_starts(x.size, s["length"], s["stride"])
    W = make_windows(x, s["length"], s["stride"])
    mu = W.mean(axis=0)
    _, _, vt = np.linalg.svd(W - mu, full_matrices=False)
    P = vt[:2]
    recon = (W - mu) @ P.T @ P + mu
    err = ((W - recon) ** 2).sum(axis=1)
    best = int(np.argmax(err))
    assert starts[best] <= 1700 < starts[best] + s["length"]
    spans = flagged_spans(err >= np.sort(err)[-1], starts, s["length"])
    assert len(spans) == 1 and spans[0][0] <= 1700 < spans[0][1]
