"""Time-series mode: cut an ordered series into windows (each window one detector row) and map
flagged windows back to spans of series rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anomascope import AnomascopeError

MIN_WINDOW = 8  # shortest suggested window (rows)
MAX_WINDOW = 512  # longest suggested window (rows)
MIN_PERIOD_ACF = 0.3  # an autocorrelation peak below this is no period
FRACTION = 0.05  # without a period: this share of the series
NEAR_PEAK = 0.9  # peaks within this share of the highest one count as the same period


def _as_2d(series: np.ndarray) -> np.ndarray:
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise AnomascopeError(
            f"a series must be 1-D or (rows, columns), got shape {x.shape}", field="window"
        )
    return x


def autocorrelation(x: np.ndarray) -> np.ndarray:
    """Biased autocorrelation of a 1-D float64 series (NaN filled with the mean), lags 0..n-1."""
    x = np.where(np.isfinite(x), x, np.nanmean(x) if np.isfinite(x).any() else 0.0)
    d = x - x.mean()
    n = d.size
    size = 1 << int(2 * n - 1).bit_length()
    f = np.fft.rfft(d, size)
    acf = np.fft.irfft(f * np.conj(f), size)[:n]
    return acf / acf[0] if acf[0] > 0 else np.zeros(n)


def dominant_period(series: np.ndarray) -> tuple[int, float] | None:
    """(lag, autocorrelation) of the period: the first autocorrelation peak (lags 2 .. n // 3,
    averaged over columns) at least 0.9 times the highest; None when no peak reaches 0.3."""
    x = _as_2d(series)
    n = x.shape[0]
    if n < 12:
        return None
    acf = np.mean([autocorrelation(x[:, j]) for j in range(x.shape[1])], axis=0)
    hi = n // 3
    lags = np.arange(2, hi)
    if lags.size == 0:
        return None
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1])]
    if peaks.size == 0:
        return None
    top = float(acf[peaks].max())
    if top < MIN_PERIOD_ACF:
        return None
    # the fundamental: the shortest lag whose peak is nearly as high as the highest one
    # (multiples of the period peak about as high and may edge it out by noise)
    best = int(peaks[np.flatnonzero(acf[peaks] >= NEAR_PEAK * top)[0]])
    return best, float(acf[best])


def suggest_window(series: np.ndarray) -> dict[str, Any]:
    """A default window for ``series`` (n,) or (n, c).

    The dominant period (autocorrelation peak) clipped to [8, 512] rows and to half the
    series; without a period, 5% of the series (at least 8 rows, at most 512 and half the
    series). The stride is a quarter of the length (at least 1).

    Returns
    -------
    dict
        ``{"length": int, "stride": int, "reason": str}``
    """
    x = _as_2d(series)
    n = x.shape[0]
    if n < 2:
        raise AnomascopeError(
            f"the series has {n} row(s); windows need at least 2 rows", field="window"
        )
    top = max(min(MAX_WINDOW, n // 2), 1)
    found = dominant_period(x)
    if found is not None:
        lag, r = found
        length = int(np.clip(lag, min(MIN_WINDOW, top), top))
        reason = (
            f"the series repeats about every {lag} rows (autocorrelation {r:.2f}), "
            f"so a window of {length} rows covers one cycle"
        )
    else:
        length = int(np.clip(round(FRACTION * n), min(MIN_WINDOW, top), top))
        reason = f"no clear period; a window of {length} rows is about 5% of the series"
    return {"length": length, "stride": max(1, length // 4), "reason": reason}


def window_starts(n: int, length: int, stride: int) -> np.ndarray:
    """Start rows (int64) of windows of ``length`` rows every ``stride`` rows over ``n`` rows.

    A last window ending at the final row is added when the stride does not land there, so
    every row is in at least one window.

    Raises
    ------
    AnomascopeError
        ``field="window"`` when length or stride is below 1 or the window is longer than the
        series.
    """
    n, length, stride = int(n), int(length), int(stride)
    if length < 1 or stride < 1:
        raise AnomascopeError(
            f"window length and stride must be at least 1 (got {length} and {stride})",
            field="window",
        )
    if length > n:
        raise AnomascopeError(
            f"the window length {length} is longer than the series ({n} rows); choose at most {n}",
            field="window",
        )
    starts = np.arange(0, n - length + 1, stride, dtype=np.int64)
    if starts[-1] != n - length:
        starts = np.append(starts, np.int64(n - length))
    return starts


def make_windows(series: np.ndarray, length: int, stride: int) -> np.ndarray:
    """Windows of ``series`` (n,) or (n, c): float64 ``(n_windows, length * c)``.

    Window ``w`` is rows ``starts[w] .. starts[w] + length - 1`` (see :func:`window_starts`),
    flattened row by row (the c values of a row stay together).
    """
    x = _as_2d(series)
    starts = window_starts(x.shape[0], length, stride)
    view = np.lib.stride_tricks.sliding_window_view(x, int(length), axis=0)  # (n-L+1, c, L)
    return np.ascontiguousarray(view[starts].transpose(0, 2, 1)).reshape(starts.size, -1)


def flagged_spans(flags: np.ndarray, starts: np.ndarray, length: int) -> list[list[int]]:
    """Merged ``[start, end)`` series-row spans covered by flagged windows.

    ``flags`` bool (n_windows,), ``starts`` int (n_windows,); overlapping or touching windows
    merge into one span.
    """
    f = np.asarray(flags, dtype=bool).reshape(-1)
    s = np.asarray(starts, dtype=np.int64).reshape(-1)
    if f.shape != s.shape:
        raise AnomascopeError(f"{f.size} window flags for {s.size} windows", field="window")
    chosen = np.sort(s[f])
    spans: list[list[int]] = []
    for a in chosen.tolist():
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], a + int(length))
        else:
            spans.append([a, a + int(length)])
    return spans
