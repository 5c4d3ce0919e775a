"""ECG5000 parsing and validation, including malformed and partial files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.data import ecg


def ucr_text(rows: int = 3, width: int = 140, label: float = 1.0) -> str:
    rng = np.random.default_rng(0)
    lines = [
        " ".join([f"{label:.7e}"] + [f"{v:.7e}" for v in rng.normal(size=width)])
        for _ in range(rows)
    ]
    return "\n".join(lines) + "\n"


def test_parse_ucr_reads_labels_and_values() -> None:
    X, y = ecg.parse_ucr(ucr_text(4, label=2.0), "t.txt")
    assert X.shape == (4, 140) and X.dtype == np.float32
    assert y.tolist() == [2, 2, 2, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        (ucr_text(2, width=139), "expected 141 columns"),
        (ucr_text(2).replace("e", "x", 3), "not a UCR text file"),
        (ucr_text(2, label=7.0), "labels must be 1..5"),
        (ucr_text(1) + ucr_text(1).replace(ucr_text(1).split()[5], "nan"), "NaN"),
    ],
)
def test_parse_ucr_rejects_malformed_text(text: str, message: str) -> None:
    with pytest.raises(AnomascopeError, match=message):
        ecg.parse_ucr(text, "bad.txt")


def test_parse_ucr_rejects_binary() -> None:
    with pytest.raises(AnomascopeError):
        ecg.parse_ucr(b"\xff\xfe\x00binary", "bin.txt")


def test_load_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AnomascopeError, match="ECG5000_TRAIN.txt: file missing"):
        ecg.load_ecg5000(tmp_path)


def test_load_rejects_a_partial_file(tmp_path: Path) -> None:
    (tmp_path / "ECG5000").mkdir()
    (tmp_path / "ECG5000" / "ECG5000_TRAIN.txt").write_text(ucr_text(10))
    with pytest.raises(AnomascopeError, match=r"ECG5000_TRAIN.txt: expected 500 rows"):
        ecg.load_ecg5000(tmp_path)


def test_protocol_split_keeps_anomalies_out_of_fitting() -> None:
    y = np.array([1] * 50 + [2] * 20 + [4] * 5, dtype=np.int8)
    fit, val = ecg.protocol_split(y, np.random.default_rng(1), validation_fraction=0.4)
    assert set(np.unique(y[fit])) == {1}
    assert not set(fit) & set(val)
    assert {2, 4} <= set(np.unique(y[val]))
    again, _ = ecg.protocol_split(y, np.random.default_rng(1), validation_fraction=0.4)
    assert np.array_equal(fit, again)


def test_real_files_validate(data_dir: Path) -> None:
    data = ecg.load_ecg5000(data_dir)
    assert ecg.class_counts(data.test_y) == (2627, 1590, 86, 175, 22)
    assert data.train_X.shape == (500, 140)
