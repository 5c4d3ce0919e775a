"""Benchmarks behind ``python build.py bench``."""

from __future__ import annotations

import statistics
import time
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values`` by nearest rank; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def spread(values: list[float], digits: int) -> dict[str, float]:
    """Median, min and max of ``values`` (a figure's repeated runs), rounded to ``digits``."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def wait_until(page: Any, expression: str, timeout_s: float) -> None:
    """Poll ``expression`` (evaluated in the page) until truthy; the pages' CSP forbids the
    string-eval that Playwright's ``wait_for_function`` needs."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench: timed out waiting for {expression}")
        page.wait_for_timeout(50)
