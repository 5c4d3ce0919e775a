"""Shared pieces of the command-line tests: real models, real rows, running the command."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
KDD_MODEL = MODELS / "kdd_pca"
ECG_MODEL = MODELS / "ecg_pca"


def kdd_lines(data_dir: Path, n: int = 300) -> list[str]:
    """The first ``n`` labelled connections of ``corrected.gz`` (normal and attacks)."""
    with gzip.open(data_dir / "kddcup99" / "corrected.gz", "rt") as f:
        return [next(f).rstrip("\n") for _ in range(n)]


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None):
    """``python -m anomascope ARGS`` in a subprocess; returns the CompletedProcess (bytes)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "pysrc")}
    return subprocess.run(
        [sys.executable, "-m", "anomascope", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def parse_output(text: str) -> tuple[np.ndarray, list[str]]:
    """Scores (float64, exactly as printed) and labels of ``row score label`` output."""
    lines = text.strip("\n").split("\n")
    assert lines[0] == "row\tscore\tlabel"
    rows = [line.split("\t") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(len(rows)))  # input order
    return np.array([float(r[1]) for r in rows]), [r[2] for r in rows]
