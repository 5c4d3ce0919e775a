"""The stream's per-frame metrics (web/static/js/common/metrics.js) follow the rules of
``anomascope.metrics.rates_from_counts``: the same values on shared confusion-count vectors,
including the 0/0 cases, where Python's NaN is JavaScript's null (undefined); and the
formatter shows each as Python's ``format(value, ".3f")`` does, an undefined one as "–"."""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from anomascope.metrics import rates_from_counts

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "web" / "static" / "js" / "common" / "metrics.js"
METRICS = ("accuracy", "precision", "recall", "f1")


def count_vectors() -> list[dict[str, int]]:
    """Every combination of a few small counts (all zero, no positives, nothing flagged, no
    negatives, ratios such as 9/16 that end in an exact half at the fourth decimal, ...) plus
    a few large, uneven ones."""
    small = [
        dict(zip(("tp", "fp", "tn", "fn"), combo, strict=True))
        for combo in itertools.product((0, 1, 3, 7, 9, 16), repeat=4)
    ]
    large = [
        {"tp": 1843, "fp": 312, "tn": 7688, "fn": 157},
        {"tp": 0, "fp": 0, "tn": 8000, "fn": 2000},
        {"tp": 2000, "fp": 8000, "tn": 0, "fn": 0},
        {"tp": 3, "fp": 999_997, "tn": 0, "fn": 1},
    ]
    return small + large


def javascript_rates(vectors: list[dict[str, int]]) -> list[dict[str, dict[str, Any]]]:
    """Per vector and metric: the ``value`` (None when undefined) and the ``text`` shown."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the JavaScript metrics check (apt-get install nodejs)")
    script = (
        f"import {{ formatMetric, ratesFromCounts }} from {json.dumps(MODULE.as_uri())};\n"
        "const vectors = JSON.parse(process.argv[1]);\n"
        "const out = vectors.map((v) => Object.fromEntries(Object.entries(ratesFromCounts(v))\n"
        "  .map(([k, value]) => [k, { value, text: formatMetric(value) }])));\n"
        "console.log(JSON.stringify(out));\n"
    )
    proc = subprocess.run(
        [node, "--input-type=module", "-e", script, json.dumps(vectors)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_javascript_metrics_match_python_on_shared_vectors() -> None:
    vectors = count_vectors()
    for counts, js in zip(vectors, javascript_rates(vectors), strict=True):
        python = rates_from_counts(**counts)
        for name in METRICS:
            want = float(python[name])
            got = js[name]["value"]
            if got is None:  # undefined in JavaScript: Python must call it undefined too
                assert math.isnan(want), (counts, name, want)
                assert js[name]["text"] == "–", (counts, name)
            else:
                assert not math.isnan(want), (counts, name, got)
                assert got == pytest.approx(want, rel=1e-12, abs=0), (counts, name)
                assert js[name]["text"] == format(want, ".3f"), (counts, name, want)


def test_the_vectors_cover_every_undefined_case() -> None:
    """All-zero counts, no positives (recall), nothing flagged (precision): each occurs."""
    vectors = count_vectors()
    js = javascript_rates(vectors)
    for name in METRICS:
        assert any(r[name]["value"] is None for r in js), name
        assert any(r[name]["value"] is not None for r in js), name
    assert any(r["precision"]["value"] == 9 / 16 for r in js), "no exact half at the 4th decimal"
