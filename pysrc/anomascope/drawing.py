"""The ECG lab's drawing pad rule (numpy only): pointer strokes in data units become one beat.

:mod:`anomascope.api.ecg_lab` validates the page's strokes and scores the beat; this module only
computes.
"""

from __future__ import annotations

import numpy as np

from anomascope import AnomascopeError

MAX_DRAW_POINTS = 20_000


def strokes_to_beat(strokes: list[np.ndarray], length: int = 140) -> tuple[np.ndarray, np.ndarray]:
    """Turn pointer strokes (in data units) into one beat of ``length`` values.

    The rule (the page shows it next to the pad):

    1. Each stroke is a polyline of points ``(x, y)``, ``x`` = time step (0..length-1),
       ``y`` = value. A point sets the time step nearest to it; a segment between two points
       sets every whole time step it crosses, by linear interpolation along the segment.
    2. Later input wins: a later stroke overwrites an earlier one at the same time step, and
       within a stroke a later segment overwrites an earlier one (drawing back over a part
       redraws it).
    3. Time steps that no stroke set are filled by linear interpolation between the nearest
       set steps on each side; before the first and after the last set step the value is held
       flat.

    Parameters
    ----------
    strokes : list of ndarray, each shape (m, 2), float
    length : int

    Returns
    -------
    beat : ndarray, shape (length,), float32
    drawn : ndarray, shape (length,), bool
        Which time steps a stroke set directly (the rest were interpolated or held).

    Raises
    ------
    AnomascopeError
        With a friendly message when the drawing covers fewer than two time steps.
    """
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for pts in strokes:
        p = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        if p.shape[0] == 0:
            continue
        c, v = _stroke_steps(np.clip(p[:, 0], 0.0, length - 1.0), p[:, 1])
        cols.append(c)
        vals.append(v)
    if not cols:
        raise AnomascopeError("Draw a line across the pad first: the drawing is empty.")
    c = np.concatenate(cols)
    v = np.concatenate(vals)
    # later wins: first occurrence in the reversed sequence
    uniq, first_rev = np.unique(c[::-1], return_index=True)
    values = v[::-1][first_rev]
    if uniq.size < 2:
        raise AnomascopeError(
            "That is a single point. Drag across the pad to draw a line over several time steps."
        )
    beat = np.interp(np.arange(length), uniq, values).astype(np.float32)
    drawn = np.zeros(length, dtype=bool)
    drawn[uniq] = True
    return beat, drawn


def _stroke_steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time steps and values one stroke sets, in drawing order (see :func:`strokes_to_beat`):
    each point, then the whole steps of the segment that follows it."""
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
    lo = np.ceil(np.minimum(x0, x1)).astype(np.intp)
    hi = np.floor(np.maximum(x0, x1)).astype(np.intp)
    count = np.maximum(hi - lo + 1, 0)
    seg = np.repeat(np.arange(x0.size), count)
    start = np.repeat(np.cumsum(count) - count, count)
    step = lo[seg] + (np.arange(seg.size) - start)
    dx = x1[seg] - x0[seg]
    t = np.divide(step - x0[seg], dx, out=np.zeros(seg.size), where=dx != 0)
    seg_vals = y0[seg] + t * (y1[seg] - y0[seg])
    # order: point k, then segment k; merge by a sort key (2k for points, 2k+1 for segments)
    point_cols = np.rint(x).astype(np.intp)
    key = np.concatenate([2 * np.arange(x.size), 2 * seg + 1])
    order = np.argsort(key, kind="stable")
    return np.concatenate([point_cols, step])[order], np.concatenate([y, seg_vals])[order]
