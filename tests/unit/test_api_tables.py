"""The data page's requests (contract C): load, fit in steps, results, explorer, top rows,
series, scored CSV, model export and upload; and every bad input naming its field."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from api_calls import ok

from anomascope import api
from anomascope.api import core
from anomascope.api.state import State
from anomascope.detectors.fitting import TABLE_KINDS, TABLE_PARAMS
from anomascope.evaluation import stratified_split
from anomascope.metrics import average_precision, roc_auc
from anomascope.tables import parse_table
from anomascope.weights import load_model

N = 400


def table_csv(n: int = N, seed: int = 0) -> tuple[bytes, np.ndarray]:
    """Rows of 4 numeric features, a text feature with awkward cells and a label column;
    anomalies (label "bad") are shifted. Returns the CSV bytes and the labels."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=bool)
    y[rng.choice(n, n // 10, replace=False)] = True
    # normal rows lie near a plane; anomalies are far off it and spread wide
    mix = np.array([[1.0, 0.5, -0.5, 1.0], [0.0, 1.0, 1.0, -0.5]])
    X = rng.normal(size=(n, 2)) @ mix + 0.1 * rng.normal(size=(n, 4))
    X[y] = 3.0 * rng.normal(size=(int(y.sum()), 4))
    colour = rng.choice(['red', 'blue, dark', 'say "hi"'], size=n)
    lines = ["a,b,c,d,colour,status,t"]
    for i in range(n):
        cell = '"' + colour[i].replace('"', '""') + '"'
        nums = ",".join(f"{v:.6f}" for v in X[i])
        lines.append(f"{nums},{cell},{'bad' if y[i] else 'ok'},{n - i}")
    return ("\n".join(lines) + "\n").encode(), y


FEATURES = ["a", "b", "c", "d", "colour"]


def decode(value: dict) -> np.ndarray:
    """An array as the bridge sends it (``encode``: float64 travels as float32)."""
    return np.frombuffer(value["data"], dtype=value["__ndarray__"]).reshape(value["shape"])


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "STATE", State())


def load(data: bytes | None = None, name: str = "rows.csv") -> dict:
    return ok("table_load", {"bytes": data if data is not None else table_csv()[0], "name": name})


def plan(**changes) -> dict:
    payload = {
        "features": FEATURES,
        "label_column": "status",
        "anomaly_values": ["bad"],
        "order_column": None,
        "mode": "table",
        "window": None,
        "detectors": [{"kind": "pca", "params": {}}, {"kind": "ecod", "params": {}}],
        "supervision": "unsupervised",
        "threshold_rule": {"rule": "best_f1"},
        "seed": 3,
    }
    payload.update(changes)
    return payload


def fit(**changes) -> dict:
    reply = ok("table_fit_start", plan(**changes))
    for _ in range(10_000):
        step = ok("table_fit_step", {})
        assert 0.0 <= step["progress"] <= 1.0
        if step["done"]:
            break
    assert step["done"] and step["progress"] == 1.0
    return reply


def field_of(type_: str, payload: dict) -> str | None:
    reply = api.dispatch(type_, payload)
    assert not reply["ok"] and reply["error"]["kind"] == "input", reply
    return reply["error"]["field"]


def test_load_profiles_and_previews_the_file() -> None:
    reply = load()
    assert reply["n_rows"] == N and reply["n_columns"] == 7 and reply["has_header"]
    assert [c["name"] for c in reply["columns"]] == ["a", "b", "c", "d", "colour", "status", "t"]
    assert len(reply["preview"]) == 20 and reply["preview"][0][4] == parse_table(
        table_csv()[0]).rows_as_text(np.array([0]))[0][4]
    assert dict(map(tuple, reply["label_values"]["status"])) == {"ok": 360, "bad": 40}
    assert "a" not in reply["label_values"]  # 400 distinct values
    assert reply["suggested_window"]["length"] >= 1


def test_label_columns_are_offered_up_to_the_schema_limit() -> None:
    """KDD's corrected file has 38 labels: such a column is offered with every value, most
    frequent first; one value over the limit and the column is not offered."""
    limit = api.dispatch("schema", {})["result"]["tables"]["limits"]["max_label_values"]
    assert limit >= 38

    def csv_with(kinds: int) -> bytes:  # "normal" on odd rows, `kinds` attack types on even
        rows = [f"{i},{'normal' if i % 2 else f'type{i % (2 * kinds) // 2:02d}'}"
                for i in range(4 * limit)]
        return ("x,label\n" + "\n".join(rows) + "\n").encode()

    reply = load(csv_with(limit - 1))
    values = reply["label_values"]["label"]
    assert len(values) == limit and values[0] == ["normal", 2 * limit]
    reply = load(csv_with(limit))
    assert "label" not in reply["label_values"]


def test_fit_in_steps_then_results_come_from_the_test_rows() -> None:
    data, y = table_csv()
    load(data)
    reply = fit(features=["a", "b", "c", "d"])
    rows = reply["plan"]["rows"]
    split = stratified_split(y, 3)
    assert rows == {k: int(v.size) for k, v in split.items()}
    assert reply["plan"]["labelled"] and reply["steps"] == 2
    results = ok("table_results", {})
    assert results["labelled"] and f"{split['test'].size} test rows" in results["split_note"]
    assert [d["kind"] for d in results["detectors"]] == ["pca", "ecod"]
    test = split["test"]
    for row in results["detectors"]:
        exported = ok("table_export_model", {"kind": row["kind"], "name": f"m_{row['kind']}"})
        model = load_model(exported["npz"], exported["manifest"])
        from anomascope.api.tables_model import score_table

        scores = score_table(model, parse_table(data))
        assert row["auc"] == pytest.approx(roc_auc(scores[test], y[test]), abs=1e-9)
        assert row["ap"] == pytest.approx(average_precision(scores[test], y[test]), abs=1e-9)
        assert row["auc"] > 0.9
        assert row["fit_seconds"] > 0 and row["score_seconds"] > 0
        assert row["parameters"] > 0 and row["bytes"] == len(exported["npz"])
        flagged = scores[test] > row["threshold"]
        assert row["flagged"] == int(flagged.sum())
        tp = int((flagged & y[test]).sum())
        assert row["recall"] == pytest.approx(tp / y[test].sum())


def test_explorer_is_on_the_test_split_and_moves_with_the_threshold() -> None:
    load()
    fit()
    chosen = ok("table_explorer", {"kind": "pca", "threshold": None})
    assert chosen["split"] == "test"
    counts = chosen["confusion"]
    assert sum(counts.values()) == ok("table_results", {})["detectors"][0]["flagged"] + (
        counts["tn"] + counts["fn"])
    low = ok("table_explorer", {"kind": "pca", "threshold": -1e9})
    assert low["confusion"]["tn"] == 0 and low["metrics"]["recall"] == 1.0
    assert chosen["roc"]["auc"] == low["roc"]["auc"] and 0 < chosen["pr"]["ap"] <= 1
    hist = chosen["histogram"]
    assert sum(hist["normal"]) + sum(hist["abnormal"]) == sum(counts.values())


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_every_detector_fits_and_round_trips_through_export(kind: str) -> None:
    load()
    fit(detectors=[{"kind": kind, "params": {}}], supervision="semi_supervised")
    exported = ok("table_export_model", {"kind": kind, "name": f"my_{kind}"})
    assert exported["filename"] == f"my_{kind}"
    uploaded = ok("table_upload_model", {"manifest": exported["manifest"], "npz": exported["npz"]})
    fitted = core.STATE.table_fit.file_scores(kind)
    np.testing.assert_allclose(decode(uploaded["scores"]), fitted.astype(np.float32), rtol=1e-6)
    assert uploaded["compared"]["identical"] and uploaded["kind"] == kind


def test_unlabelled_fit_has_no_metrics_and_flags_by_the_rule() -> None:
    load()
    reply = fit(label_column=None, anomaly_values=[],
                threshold_rule={"rule": "contamination", "value": 10.0})
    assert not reply["plan"]["labelled"] and reply["plan"]["rows"]["fit"] == N
    results = ok("table_results", {})
    row = results["detectors"][0]
    assert row["auc"] is None and row["f1"] is None
    assert row["flagged"] == pytest.approx(N * 0.1, abs=2)
    assert "10% of all rows" in results["rule_note"]
    explorer = ok("table_explorer", {"kind": "ecod"})
    assert explorer["roc"] is None and explorer["split"] == "all"


def test_top_rows_have_scores_flags_and_named_contributions() -> None:
    data, y = table_csv()
    load(data)
    fit()
    top = ok("table_top", {"kind": "ecod", "limit": 5})
    assert top["columns"] == ["a", "b", "c", "d", "colour", "status", "t"]
    scores = [r["scores"]["ecod"] for r in top["rows"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    text = parse_table(data).rows_as_text(np.arange(N))
    for r in top["rows"]:
        assert r["values"] == text[r["row"] - 2]  # file line = data row + header + 1
        assert set(r["scores"]) == set(r["flags"]) == {"pca", "ecod"}
        assert 1 <= len(r["contributions"]) <= 3
        assert all(c[0] in FEATURES for c in r["contributions"])
        assert r["split"] in ("fit", "validation", "test")
    assert isinstance(top["method"], str) and top["method"]


def test_scored_csv_keeps_the_rows_and_adds_score_and_verdict() -> None:
    data, _ = table_csv()
    load(data)
    fit()
    reply = ok("table_export_csv", {})
    assert reply["filename"] == "rows_scored.csv"
    assert b"\r\n" in reply["bytes"]
    rows = list(csv.reader(io.StringIO(reply["bytes"].decode())))
    assert rows[0][-4:] == ["pca_score", "pca_anomaly", "ecod_score", "ecod_anomaly"]
    original = list(csv.reader(io.StringIO(data.decode())))
    assert [r[:7] for r in rows] == [r[:7] for r in original[:1]] + original[1:]
    run = core.STATE.table_fit
    scores = np.array([float(r[-2]) for r in rows[1:]])
    assert np.array_equal(scores, run.file_scores("ecod"))
    t = run.fitted["ecod"].threshold.value
    assert [r[-1] for r in rows[1:]] == [str(int(s > t)) for s in scores]


def sine_csv(n: int = 1200, spike: int = 700) -> bytes:
    t = np.arange(n)
    v = np.sin(2 * np.pi * t / 50)
    v[spike : spike + 5] += 6.0
    order = np.random.default_rng(1).permutation(n)  # shuffled rows, ordered by column t
    lines = ["t,value"] + [f"{t[i]},{v[i]:.6f}" for i in order]
    return ("\n".join(lines) + "\n").encode()


def test_series_mode_finds_an_injected_spike() -> None:
    load(sine_csv())
    reply = fit(features=["value"], label_column=None, anomaly_values=[], order_column="t",
                mode="series", window={"length": 50, "stride": 10},
                detectors=[{"kind": "pca", "params": {}}],
                threshold_rule={"rule": "mean_std", "k": 3.0})
    assert reply["plan"]["windows"] == (1200 - 50) // 10 + 1
    series = ok("table_series", {})
    values = decode(series["values"])
    assert values.shape == (1200, 1) and series["names"] == ["value"]
    assert np.allclose(values[:50, 0], np.sin(2 * np.pi * np.arange(50) / 50), atol=1e-5)
    spans = series["spans"]["pca"]
    assert spans and all(start <= 704 and end >= 700 for start, end in spans)
    top = ok("table_top", {"kind": "pca", "limit": 1})
    assert 650 <= int(top["rows"][0]["values"][0]) <= 704
    rows = list(csv.reader(io.StringIO(ok("table_export_csv", {})["bytes"].decode())))
    flagged = {int(r[0]) for r in rows[1:] if r[-1] == "1"}
    assert set(range(700, 705)) <= flagged


def test_cancel_keeps_the_fitted_detectors() -> None:
    load()
    ok("table_fit_start", plan(detectors=[{"kind": "ecod", "params": {}},
                                          {"kind": "autoencoder", "params": {}}]))
    for _ in range(10_000):
        step = ok("table_fit_step", {})
        if step["kind"] == "autoencoder" or step["done"]:
            break
    assert step["kind"] == "autoencoder" and not step["done"]  # mid-fit
    assert core.STATE.table_fit.running is not None
    assert ok("table_fit_cancel", {}) == {"kept": ["ecod"]}
    assert [d["kind"] for d in ok("table_results", {})["detectors"]] == ["ecod"]
    assert ok("table_fit_step", {})["done"]


def test_a_new_table_forgets_the_fit() -> None:
    load()
    fit()
    load()
    assert "press Fit" in api.dispatch("table_results", {})["error"]["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"features": ["a", "nope"]}, "features"),
        ({"features": []}, "features"),
        ({"features": ["a", "a"]}, "features"),
        ({"features": ["a", "status"]}, "features"),
        ({"label_column": "nope"}, "label_column"),
        ({"label_column": "t", "anomaly_values": ["0"], "features": ["a"]}, "anomaly_values"),
        ({"anomaly_values": ["Bad"]}, "anomaly_values"),
        ({"anomaly_values": []}, "anomaly_values"),
        ({"order_column": "colour"}, "order_column"),
        ({"mode": "graph"}, "mode"),
        ({"mode": "series", "features": ["a"], "window": {"length": N + 1, "stride": 1}},
         "window"),
        ({"mode": "series", "features": ["a"], "window": None}, "window"),
        ({"mode": "series", "features": ["colour"], "window": {"length": 5, "stride": 1}},
         "series_columns"),
        ({"detectors": [{"kind": "svm", "params": {}}]}, "detectors"),
        ({"detectors": []}, "detectors"),
        ({"detectors": [{"kind": "pca"}, {"kind": "pca"}]}, "detectors"),
        ({"detectors": [{"kind": "pca", "params": {"bogus": 1}}]}, "bogus"),
        ({"supervision": "semi_supervised", "label_column": None}, "supervision"),
        ({"supervision": "self"}, "supervision"),
        ({"threshold_rule": {"rule": "best_f1"}, "label_column": None}, "threshold_rule"),
        ({"threshold_rule": {"rule": "magic"}}, "threshold_rule"),
        ({"threshold_rule": {"rule": "recall", "value": 1.5}}, "threshold_rule"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_bad_fit_requests_name_their_field(changes: dict, field: str) -> None:
    load()
    assert field_of("table_fit_start", plan(**changes)) == field


SETTINGS = [(kind, name) for kind in TABLE_KINDS for name in TABLE_PARAMS[kind]]


@pytest.mark.parametrize(("kind", "name"), SETTINGS)
def test_out_of_bounds_detector_settings_name_the_setting(kind: str, name: str) -> None:
    load()
    spec = TABLE_PARAMS[kind][name]
    for value in (spec["min"] - 1, spec["max"] + 1, "many"):
        payload = plan(detectors=[{"kind": kind, "params": {name: value}}])
        assert field_of("table_fit_start", payload) == name


def test_one_class_label_and_requests_on_nothing() -> None:
    assert "no table" in api.dispatch("table_fit_start", plan())["error"]["message"]
    assert "press Fit" in api.dispatch("table_fit_step", {})["error"]["message"]
    data = b"a,b,y\n" + b"".join(f"{i},{i % 7},1\n".encode() for i in range(50))
    load(data)
    assert field_of("table_fit_start", plan(features=["a", "b"], label_column="y",
                                            anomaly_values=["1"])) == "label_column"


def test_bad_output_requests_name_their_field() -> None:
    load()
    fit()
    assert field_of("table_explorer", {"kind": "knn"}) == "kind"
    assert field_of("table_explorer", {"kind": "pca", "threshold": "high"}) == "threshold"
    assert field_of("table_top", {"kind": "pca", "limit": 0}) == "limit"
    assert field_of("table_export_model", {"kind": "pca", "name": "bad name!"}) == "name"
    assert field_of("table_series", {}) == "mode"
    exported = ok("table_export_model", {"kind": "pca", "name": "m"})
    load(b"x,y\n1,2\n3,4\n")
    assert field_of("table_upload_model", {"manifest": exported["manifest"],
                                           "npz": exported["npz"]}) == "manifest"


@pytest.mark.parametrize(
    ("data", "changes", "field"),
    [
        (b"a,b\n1,2\n", {"features": ["a", "b"]}, "rows"),  # a single row
        (b"a,b\n" + b"5,7\n" * 30, {"features": ["a", "b"]}, "features"),  # all constant
        (b"a,b\n" + b"".join(f"{i},{i % 3}\n".encode() for i in range(30)),
         {"features": ["a"], "order_column": "b", "mode": "series",
          "window": {"length": 31, "stride": 1}}, "window"),
    ],
)
def test_tables_that_cannot_be_fitted_name_the_field(data: bytes, changes: dict,
                                                     field: str) -> None:
    load(data)
    payload = plan(label_column=None, anomaly_values=[],
                   threshold_rule={"rule": "contamination", "value": 5.0}, **changes)
    assert field_of("table_fit_start", payload) == field


def test_a_bad_file_keeps_the_table_and_the_fit() -> None:
    load()
    fit()
    assert field_of("table_load", {"bytes": b"\x00\x01binary", "name": "x.bin"}) == "file"
    assert field_of("table_load", {"bytes": "text", "name": "x.csv"}) == "bytes"
    assert len(ok("table_results", {})["detectors"]) == 2
    assert ok("table_top", {"kind": "pca", "limit": 1})["rows"]


def test_the_breast_cancer_example_fits_with_its_published_settings() -> None:
    """The schema's example settings are a valid plan for the example's own file."""
    from pathlib import Path

    from anomascope.api.schema import schema

    example = next(e for e in schema()["tables"]["examples"] if e["id"] == "breast_cancer")
    root = Path(__file__).resolve().parents[2]
    load((root / "web" / example["file"]).read_bytes(), "breast_cancer.csv")
    settings = example["settings"]
    fit(**{k: settings[k] for k in ("features", "label_column", "anomaly_values", "mode")},
        detectors=[{"kind": "ecod", "params": {}}], supervision="semi_supervised")
    row = ok("table_results", {})["detectors"][0]
    assert row["auc"] > 0.9 and 0 < row["recall"] <= 1
