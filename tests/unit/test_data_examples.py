"""The example tables of the "Your data" page (anomascope.tables.examples, sitebuild/examples.py):
the committed breast cancer file is scikit-learn's copy, the built ones are deterministic, and
every example's settings name columns and values its file has."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets
from api_calls import ok

from anomascope import AnomascopeError
from anomascope.api import core
from anomascope.api.state import State
from anomascope.tables import examples
from sitebuild.examples import write_examples

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every example's bytes: the two the build writes, and the committed one."""
    out = tmp_path_factory.mktemp("examples")
    write_examples(data_dir, out)
    files = {p.stem: p.read_bytes() for p in out.glob("*.csv")}
    files["breast_cancer"] = (ROOT / "web" / examples.example("breast_cancer")["file"]).read_bytes()
    return files


def _rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return rows[0], rows[1:]


def test_committed_breast_cancer_is_scikit_learns_copy() -> None:
    source = Path(sklearn.datasets.__file__).parent / "data" / "breast_cancer.csv"
    committed = ROOT / "web" / "static" / "examples" / "breast_cancer.csv"
    assert committed.read_bytes() == examples.breast_cancer_csv(source.read_bytes())
    bunch = sklearn.datasets.load_breast_cancer()
    header, rows = _rows(committed.read_bytes())
    assert header[:-1] == [str(n) for n in bunch.feature_names]
    X = np.array([r[:-1] for r in rows], dtype=float)
    np.testing.assert_array_equal(X, bunch.data)
    assert [r[-1] for r in rows] == [str(bunch.target_names[t]) for t in bunch.target]


def test_every_example_has_its_file_and_its_settings_fit_it(built: dict[str, bytes]) -> None:
    assert sorted(built) == sorted(e["id"] for e in examples.EXAMPLES)
    for entry in examples.EXAMPLES:
        header, rows = _rows(built[entry["id"]])
        assert len(set(len(r) for r in rows)) == 1 and len(rows[0]) == len(header)
        settings = entry["settings"]
        for column in (settings["features"] or []) + [settings["label_column"]]:
            assert column in header, (entry["id"], column)
        if settings["order_column"]:
            assert settings["order_column"] in header
        labels = {r[header.index(settings["label_column"])] for r in rows}
        assert set(settings["anomaly_values"]) <= labels, entry["id"]
        assert labels - set(settings["anomaly_values"]), f"{entry['id']} has no normal rows"


def test_kdd_example_keeps_every_attack_type_and_file_order(built: dict[str, bytes]) -> None:
    header, rows = _rows(built["kdd_connections"])
    assert len(rows) == examples.KDD_ROWS and header[-1] == "label"
    labels = [r[-1] for r in rows]
    counts = {label: labels.count(label) for label in set(labels)}
    assert set(counts) == {"normal", *examples.KDD_ATTACKS}
    assert all(1 <= counts[a] <= examples.KDD_PER_ATTACK for a in examples.KDD_ATTACKS)
    assert {r[1] for r in rows} == {"tcp", "udp", "icmp"}


def test_every_label_column_is_offered_by_the_page(
    built: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """table_load offers each example's label column with every value its file has."""
    monkeypatch.setattr(core, "STATE", State())
    for entry in examples.EXAMPLES:
        header, rows = _rows(built[entry["id"]])
        column = entry["settings"]["label_column"]
        reply = ok("table_load", {"bytes": built[entry["id"]], "name": f"{entry['id']}.csv"})
        offered = {value for value, _ in reply["label_values"][column]}
        assert offered == {r[header.index(column)] for r in rows}, entry["id"]
        assert set(entry["settings"]["anomaly_values"]) <= offered, entry["id"]


def test_ecg_example_is_whole_beats_with_their_class(built: dict[str, bytes]) -> None:
    header, rows = _rows(built["ecg_series"])
    assert header == ["time", "ecg", "beat_class"]
    assert len(rows) == examples.ECG_BEATS * 140
    assert [int(r[0]) for r in rows] == list(range(len(rows)))
    classes = [r[2] for r in rows]
    beats = [classes[i : i + 140] for i in range(0, len(classes), 140)]
    assert all(len(set(beat)) == 1 for beat in beats)
    abnormal = sum(beat[0] != "Normal" for beat in beats)
    assert abnormal == examples.ECG_N_ABNORMAL


def test_builds_are_deterministic(data_dir: Path, tmp_path: Path, built: dict[str, bytes]) -> None:
    write_examples(data_dir, tmp_path)
    for path in tmp_path.glob("*.csv"):
        assert path.read_bytes() == built[path.stem]


def test_unknown_example_is_named() -> None:
    with pytest.raises(AnomascopeError, match="no example “nope”") as info:
        examples.example("nope")
    assert info.value.field == "example"
