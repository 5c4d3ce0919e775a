"""The command line reads the same files as the browser and prints scores / metrics."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from anomascope.__main__ import main
from anomascope.data import ecg, kdd
from anomascope.detectors.pca import PCADetector
from anomascope.metrics import roc_auc
from anomascope.weights import load_model_files, save_model
from tests.unit.cli_helpers import KDD_MODEL, kdd_lines, parse_output


@pytest.fixture(scope="module")
def ecg_data(data_dir: Path) -> ecg.ECG5000:
    return ecg.load_ecg5000(data_dir)


@pytest.fixture
def ecg_model(tmp_path: Path, ecg_data: ecg.ECG5000) -> Path:
    detector = PCADetector(6).fit(ecg_data.train_X[ecg_data.train_y == 1])
    detector.threshold_ = 0.05
    save_model(tmp_path, "ecg_test_pca", detector, {"dataset": "ecg5000"})
    return tmp_path / "ecg_test_pca"


def test_score_prints_one_row_per_beat(
    ecg_model: Path, ecg_data: ecg.ECG5000, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beats = tmp_path / "beats.csv"
    np.savetxt(beats, ecg_data.test_X[:3], delimiter=",")
    assert main(["score", "--model", str(ecg_model), str(beats)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "row\tscore\tlabel" and len(lines) == 4
    for line in lines[1:]:
        _, score, label = line.split("\t")
        assert label == ("anomaly" if float(score) > 0.05 else "normal")


def test_score_reports_a_bad_file(
    ecg_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n")
    assert main(["score", "--model", str(ecg_model), str(bad)]) == 2
    assert "has 3 values" in capsys.readouterr().err
    assert main(["score", "--model", str(tmp_path / "nothing"), str(bad)]) == 2
    assert "error:" in capsys.readouterr().err


def test_evaluate_reports_test_metrics(
    ecg_model: Path, ecg_data: ecg.ECG5000, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--model", str(ecg_model), "--data", str(data_dir)]) == 0
    summary = json.loads(capsys.readouterr().out)
    detector = PCADetector(6).fit(ecg_data.train_X[ecg_data.train_y == 1])
    expected = roc_auc(detector.score_samples(ecg_data.test_X), ecg_data.test_y != 1)
    assert summary["n"] == 4500
    assert summary["auc"] == pytest.approx(expected, abs=1e-6)
    assert summary["tp"] + summary["fp"] + summary["tn"] + summary["fn"] == 4500


def test_evaluate_prints_an_undefined_metric_as_null(
    ecg_model: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--model", str(ecg_model), "--data", str(data_dir)]
    assert main([*args, "--threshold", "1e30"]) == 0  # nothing flagged
    summary = json.loads(capsys.readouterr().out)  # strict JSON: no NaN
    assert summary["tp"] == summary["fp"] == 0
    assert summary["precision"] is None and summary["recall"] == 0.0


def test_evaluate_kdd_uses_the_stream(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrected = kdd.load_kdd_file(data_dir / kdd.TEST_FILE)
    validation = kdd.build_validation(corrected)
    detector = PCADetector(5).fit(validation.X[~validation.anomaly])
    detector.threshold_ = float(np.median(detector.score_samples(validation.X)))
    save_model(tmp_path, "kdd_test_pca", detector, {"dataset": "kddcup99"})
    assert (
        main(["evaluate", "--model", str(tmp_path / "kdd_test_pca"), "--data", str(data_dir)]) == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["n"] == 10_000 and summary["n_anomalies"] == 2000


def test_score_beats_full_precision_and_no_warning_on_z_normalised(
    ecg_model: Path, ecg_data: ecg.ECG5000, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beats = tmp_path / "beats.csv"
    np.savetxt(beats, ecg_data.test_X[:50], delimiter=",", fmt="%.9g")
    assert main(["score", "--model", str(ecg_model), str(beats)]) == 0
    captured = capsys.readouterr()
    scores, _ = parse_output(captured.out)
    model = load_model_files(ecg_model.parent, ecg_model.name)
    expected = model.score(np.loadtxt(beats, delimiter=",", dtype=np.float32))
    assert scores.tolist() == np.asarray(expected, dtype=np.float64).tolist()
    assert "warning" not in captured.err


def test_score_warns_about_min_max_scaled_beats(
    ecg_model: Path, ecg_data: ecg.ECG5000, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X = ecg_data.test_X[:20].astype(np.float64)
    X[5:] = (X[5:] - X[5:].min(axis=1, keepdims=True)) / np.ptp(X[5:], axis=1, keepdims=True)
    beats = tmp_path / "minmax.csv"
    np.savetxt(beats, X, delimiter=",")
    assert main(["score", "--model", str(ecg_model), str(beats)]) == 0
    err = capsys.readouterr().err
    warning = next(line for line in err.splitlines() if line.startswith("warning:"))
    assert "15 of 20 beats are not z-normalised (beats 6, 7, 8, 9, 10, ...)" in warning
    assert "row means" in warning and "tolerance 0.01" in warning


def test_evaluate_a_labelled_beats_file(
    ecg_model: Path, ecg_data: ecg.ECG5000, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick = np.random.default_rng(0).choice(len(ecg_data.test_y), 400, replace=False)
    y = ecg_data.test_y[pick]
    beats = tmp_path / "labelled.txt"
    np.savetxt(beats, np.column_stack([y, ecg_data.test_X[pick]]), fmt="%.9g")
    assert main(["evaluate", "--model", str(ecg_model), "--file", str(beats)]) == 0
    summary = json.loads(capsys.readouterr().out)
    model = load_model_files(ecg_model.parent, ecg_model.name)
    scores = model.score(np.loadtxt(beats, dtype=np.float32)[:, 1:])
    assert summary["n"] == 400 and summary["n_anomalies"] == int((y != 1).sum()) > 0
    assert summary["auc"] == pytest.approx(roc_auc(scores, y != 1))


def test_evaluate_a_labelled_kdd_file_and_refuse_unlabelled(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = kdd_lines(data_dir, 500)
    path = tmp_path / "mine.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    assert main(["evaluate", "--model", str(KDD_MODEL), "--file", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    attacks = sum(not line.endswith(",normal.") for line in lines)
    assert summary["n"] == 500 and summary["n_anomalies"] == attacks
    bare = tmp_path / "bare.csv"
    bare.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    assert main(["evaluate", "--model", str(KDD_MODEL), "--file", str(bare)]) == 2
    assert "has no label column" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(KDD_MODEL)]) == 2
    assert "either --data" in capsys.readouterr().err
