"""``anomascope fit`` and ``score`` / ``evaluate`` of table models: the same numbers as the
data page's requests, full precision on stdout, and bad input named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from api_calls import ok
from cli_helpers import run_cli
from test_api_tables import sine_csv, table_csv

from anomascope.api import core
from anomascope.api.state import State
from anomascope.api.tables_output import table_upload_model
from anomascope.metrics import average_precision, roc_auc


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "STATE", State())


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tables")
    data, y = table_csv()
    (root / "rows.csv").write_bytes(data)
    np.save(root / "labels.npy", y)
    return {"root": root, "csv": root / "rows.csv", "labels": root / "labels.npy"}


def fit_model(files: dict[str, Path], kind: str, *extra: str) -> Path:
    """Fit with the CLI; on the numeric features (the default here) the detector must find
    the anomalies (the random colour column is noise to PCA)."""
    out = files["root"] / f"model_{kind}"
    numeric = "--features" not in extra
    if numeric:
        extra = ("--features", "a,b,c,d", *extra)
    done = run_cli("fit", "--detector", kind, "--label-column", "status", "--anomaly-values",
                   "bad", "--out", str(out), *extra, str(files["csv"]))
    assert done.returncode == 0, done.stderr.decode()
    assert out.with_suffix(".json").is_file() and out.with_suffix(".npz").is_file()
    summary = json.loads(done.stderr.decode())
    assert summary["unit"] == "rows" and summary["test_rows"] == 120
    assert summary["test"]["auc"] > (0.85 if numeric else 0.5)
    return out


def printed_scores(stdout: bytes) -> np.ndarray:
    lines = stdout.decode().splitlines()
    return np.array([float(line) for line in lines])


@pytest.mark.parametrize("kind", ["pca", "iforest"])
def test_cli_scores_equal_the_api_scores_of_the_same_model(files, kind: str) -> None:
    model = fit_model(files, kind, "--features", "a,b,c,d,colour")  # one-hot too
    done = run_cli("score", "--model", str(model), str(files["csv"]))
    assert done.returncode == 0, done.stderr.decode()
    scores = printed_scores(done.stdout)
    assert scores.size == 400  # one line per input row and nothing else
    lines = done.stdout.decode().splitlines()
    assert all(repr(float(s)) == line for s, line in zip(scores, lines, strict=True))
    ok("table_load", {"bytes": files["csv"].read_bytes(), "name": "rows.csv"})
    manifest = model.with_suffix(".json").read_text()
    npz = model.with_suffix(".npz").read_bytes()
    uploaded = ok("table_upload_model", {"manifest": manifest, "npz": npz})
    assert uploaded["scores"]["shape"] == [400]
    # the handler's own float64 scores (the bridge sends them to the page as float32)
    api_scores = table_upload_model(core.STATE, {"manifest": manifest, "npz": npz})["scores"]
    np.testing.assert_allclose(scores, api_scores, rtol=1e-6, atol=0)


def test_cli_fit_repeats_the_page_fit(files) -> None:
    """The CLI's fit and the page's fit of the same plan give the same scores."""
    model = fit_model(files, "ecod", "--features", "a,b,c,d,colour", "--seed", "3")
    cli_scores = printed_scores(run_cli("score", "--model", str(model), str(files["csv"])).stdout)
    ok("table_load", {"bytes": files["csv"].read_bytes(), "name": "rows.csv"})
    ok("table_fit_start", {
        "features": ["a", "b", "c", "d", "colour"], "label_column": "status",
        "anomaly_values": ["bad"], "mode": "table", "seed": 3,
        "detectors": [{"kind": "ecod", "params": {}}], "threshold_rule": {"rule": "best_f1"},
    })
    while not ok("table_fit_step", {})["done"]:
        pass
    np.testing.assert_allclose(cli_scores, core.STATE.table_fit.file_scores("ecod"), rtol=1e-6)


def test_score_out_writes_the_scored_csv(files) -> None:
    model = fit_model(files, "pca")
    out = files["root"] / "scored.csv"
    done = run_cli("score", "--model", str(model), "--out", str(out), str(files["csv"]))
    assert done.returncode == 0 and done.stdout == b""
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["a", "b", "c", "d", "colour", "status", "t", "pca_score", "pca_anomaly"]
    original = list(csv.reader(io.StringIO(files["csv"].read_text())))
    assert [r[:7] for r in rows[1:]] == original[1:]
    printed = printed_scores(run_cli("score", "--model", str(model), str(files["csv"])).stdout)
    assert [float(r[7]) for r in rows[1:]] == printed.tolist()


def test_evaluate_reports_auc_ap_and_the_rows_it_used(files) -> None:
    model = fit_model(files, "pca")
    done = run_cli("evaluate", "--model", str(model), "--label-column", "status",
                   "--anomaly-values", "bad", str(files["csv"]))
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    scores = printed_scores(run_cli("score", "--model", str(model), str(files["csv"])).stdout)
    y = np.load(files["labels"])
    assert report["auc"] == pytest.approx(roc_auc(scores, y))
    assert report["ap"] == pytest.approx(average_precision(scores, y))
    assert {"f1", "precision", "recall", "threshold"} <= set(report)
    assert report["n"] == 400 and "all 400 rows" in report["rows"]


def test_series_model_scores_every_row(files) -> None:
    path = files["root"] / "sine.csv"
    path.write_bytes(sine_csv())
    out = files["root"] / "sine_pca"
    done = run_cli("fit", "--detector", "pca", "--mode", "series", "--features", "value",
                   "--order-column", "t", "--window", "50", "--stride", "10",
                   "--threshold-rule", "mean_std:3", "--out", str(out), str(path))
    assert done.returncode == 0, done.stderr.decode()
    scores = printed_scores(run_cli("score", "--model", str(out), str(path)).stdout)
    assert scores.size == 1200
    t = np.array([int(r[0]) for r in csv.reader(io.StringIO(path.read_text()))
                  if r[0] != "t"])
    by_time = np.empty(1200)
    by_time[t] = scores
    assert np.all(by_time[700:705] == by_time.max())  # every window on the spike is the top
    far = np.r_[0:600, 800:1200]
    assert by_time[far].max() < by_time.max()


def test_a_missing_feature_column_is_named(files) -> None:
    model = fit_model(files, "pca", "--features", "a,b,c")
    path = files["root"] / "no_c.csv"
    path.write_text("a,b,x\n1,2,3\n")
    done = run_cli("score", "--model", str(model), str(path))
    assert done.returncode == 2 and done.stdout == b""
    assert "'c'" in done.stderr.decode()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--detector", "svm"], "unknown detector kind 'svm'"),
        (["--detector", "pca", "--label-column", "status", "--anomaly-values", "worse"],
         "'worse' is not in label column"),
        (["--detector", "pca", "--features", "a,zz"], "'zz' is not in the table"),
        (["--detector", "pca", "--mode", "series", "--features", "a"], "--window"),
        (["--detector", "iforest", "--param", "n_trees=0"], "n_trees"),
    ],
)
def test_fit_refuses_bad_input_with_a_message(files, args: list[str], words: str) -> None:
    done = run_cli("fit", *args, "--out", str(files["root"] / "x"), str(files["csv"]))
    assert done.returncode == 2 and words in done.stderr.decode(), done.stderr.decode()
