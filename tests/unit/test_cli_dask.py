"""Scoring on a Dask LocalCluster of two worker processes equals single-process scoring."""

from __future__ import annotations

import gzip
from pathlib import Path

# Dask, distributed and pandas are in the `test` group (the `dask` extra): a missing one is an
# install error the run must show, not a skip.
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

from anomascope import AnomascopeError
from anomascope.cli import main
from anomascope.cli.dask_scoring import frame_rows, score_dataframe
from anomascope.data import kdd
from anomascope.weights import load_model_files
from tests.unit.cli_helpers import KDD_MODEL, kdd_lines


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_cli_scores_files_on_the_cluster_like_one_process(
    client, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = kdd_lines(data_dir, 3000)
    logs = tmp_path / "logs"
    logs.mkdir()
    for i in range(3):  # three files, three partitions, labelled and not, gzip and not
        part = lines[i * 1000 : (i + 1) * 1000]
        if i == 1:
            part = [line.rsplit(",", 1)[0] for line in part]
        data = ("\n".join(part) + "\n").encode()
        (logs / f"conn{i}.csv.gz").write_bytes(gzip.compress(data) if i != 2 else data)
    out = tmp_path / "scored"
    pattern = str(logs / "conn*.csv.gz")
    args = ["score", "--model", str(KDD_MODEL), "--dask", client.scheduler.address, pattern]
    assert main([*args, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "scored 3,000 rows in 3 files" in captured.err
    for i in range(3):
        single = tmp_path / f"single{i}.tsv"
        assert main(["score", "--model", str(KDD_MODEL), str(logs / f"conn{i}.csv.gz")]) == 0
        single.write_text(capsys.readouterr().out)
        scored = out / f"conn{i}.scores.tsv"
        assert scored.read_text() == single.read_text()  # row for row, digit for digit
        assert scored.read_text().count("\n") == 1001
    assert len(client.scheduler_info()["workers"]) == 2


def test_cli_dask_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["score", "--model", str(KDD_MODEL), "--dask", "local:2"]
    assert main([*args, str(tmp_path / "*.gz"), "--out", str(tmp_path)]) == 2
    assert "no file matches" in capsys.readouterr().err
    assert main([*args, str(tmp_path / "*.gz")]) == 2
    assert "--dask needs --out" in capsys.readouterr().err


def test_dataframe_scores_equal_single_process_scores(client, data_dir: Path) -> None:
    model = load_model_files(KDD_MODEL.parent, KDD_MODEL.name)
    table = kdd.parse_kdd(("\n".join(kdd_lines(data_dir, 2000)) + "\n").encode(), "x")
    frame = pd.DataFrame(table.X.astype(np.float64), columns=list(kdd.FEATURE_NAMES))
    for name, vocab in kdd.CATEGORICAL.items():  # symbolic columns as strings
        frame[name] = [vocab[int(c)] for c in frame[name]]
    ddf = dd.from_pandas(frame, npartitions=5)
    scores = score_dataframe(ddf, model)
    on_cluster = scores.compute()
    assert list(on_cluster.index) == list(range(2000))
    assert ddf.npartitions == 5
    parts = [ddf.partitions[i].compute(scheduler="sync") for i in range(5)]
    single = [model.score(frame_rows(part, model)) for part in parts]  # in this process
    assert on_cluster.to_numpy().tolist() == np.concatenate(single).astype(np.float64).tolist()
    np.testing.assert_allclose(on_cluster.to_numpy(), model.score(table.X), rtol=1e-5)


def test_dataframe_errors_name_the_column() -> None:
    model = load_model_files(KDD_MODEL.parent, KDD_MODEL.name)
    frame = pd.DataFrame({"duration": [0], "nope": [1]})
    with pytest.raises(AnomascopeError, match=r"unknown: \['nope'\]"):
        frame_rows(frame, model)
    full = pd.DataFrame({c: [0] for c in kdd.FEATURE_NAMES})
    full["service"] = ["gopherx"]
    with pytest.raises(AnomascopeError, match="column service: unknown value 'gopherx'"):
        frame_rows(full, model)
