"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The dataset folder ($ANOMASCOPE_DATA; ``python build.py test`` always sets it)."""
    folder = os.environ.get("ANOMASCOPE_DATA")
    if not folder:
        pytest.fail(
            "set ANOMASCOPE_DATA to the dataset folder (python build.py test does)", pytrace=False
        )
    return Path(folder)
