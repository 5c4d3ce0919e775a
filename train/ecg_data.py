"""ECG5000 for offline training: the UCR TRAIN file alone for fitting and selection, the TEST
file read afterwards (see the protocol in :mod:`train.ecg`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anomascope import AnomascopeError
from anomascope.data.ecg import (
    EXPECTED_COUNTS,
    FILES,
    TEST_FILE,
    TRAIN_FILE,
    class_counts,
    is_anomaly,
    parse_ucr,
    protocol_split,
)
from train import common


@dataclass(frozen=True)
class DevSplit:
    """What fitting, selection and thresholds may see: float32 beats ``(n, 140)`` of UCR TRAIN,
    bool anomaly labels ``(n,)``."""

    fit_X: np.ndarray
    val_X: np.ndarray
    val_anomaly: np.ndarray


@dataclass(frozen=True)
class ECGSplit(DevSplit):
    """The protocol's three sets (``DevSplit`` plus the UCR TEST file and the data hash)."""

    test_X: np.ndarray
    test_anomaly: np.ndarray
    data_sha256: str


def read_ucr_file(data_dir: str | Path, rel: str) -> tuple[np.ndarray, np.ndarray]:
    """Read and validate one ECG5000 file (``TRAIN_FILE`` or ``TEST_FILE``): float32 ``(n, 140)``
    beats and int8 labels; raises ``AnomascopeError`` naming the file if missing or partial."""
    path = Path(data_dir) / rel
    if not path.is_file():
        raise AnomascopeError(f"{path}: file missing")
    X, y = parse_ucr(path.read_bytes(), str(path))
    if class_counts(y) != EXPECTED_COUNTS[rel]:
        raise AnomascopeError(
            f"{path}: expected class counts {EXPECTED_COUNTS[rel]}, found {class_counts(y)}"
        )
    return X, y


def make_dev_split(data_dir: str | Path, seed: int, validation_fraction: float) -> DevSplit:
    """Read UCR TRAIN only and split it into fit (normal only) and validation rows."""
    X, y = read_ucr_file(data_dir, TRAIN_FILE)
    fit_idx, val_idx = protocol_split(y, np.random.default_rng(seed), validation_fraction)
    return DevSplit(fit_X=X[fit_idx], val_X=X[val_idx], val_anomaly=is_anomaly(y[val_idx]))


def attach_test(dev: DevSplit, data_dir: str | Path) -> ECGSplit:
    """Read UCR TEST (the only place it is read) and return the full split."""
    X, y = read_ucr_file(data_dir, TEST_FILE)
    return ECGSplit(
        fit_X=dev.fit_X,
        val_X=dev.val_X,
        val_anomaly=dev.val_anomaly,
        test_X=X,
        test_anomaly=is_anomaly(y),
        data_sha256=common.sha256_files(*(Path(data_dir) / f for f in FILES)),
    )


def make_split(data_dir: str | Path, seed: int, validation_fraction: float) -> ECGSplit:
    """Both files: :func:`make_dev_split` then :func:`attach_test`."""
    return attach_test(make_dev_split(data_dir, seed, validation_fraction), data_dir)
