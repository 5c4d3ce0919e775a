"""The ``schema`` request, the ``field`` of input errors, and the state's cache invalidation."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_api import synthetic_ecg

from anomascope import AnomascopeError, api
from anomascope.detectors import KINDS
from anomascope.detectors.pca import PCADetector
from anomascope.metrics import RATE_NAMES
from anomascope.training import DEFAULTS, validate_config
from anomascope.weights import save_model

SCHEMA = api.dispatch("schema", {})["result"]
FIELDS = SCHEMA["training"]["fields"]


def refused_field(config: dict) -> str | None:
    with pytest.raises(AnomascopeError) as info:
        validate_config(config)
    return info.value.field


def with_room(key: str, value: object) -> dict:
    """A config setting ``key`` to ``value`` that no other bound gets in the way of."""
    config = {key: value}
    if key != "batch_size":
        config["batch_size"] = 1
    else:
        config["train_size"] = 5000
    return config


def test_schema_publishes_the_defaults_and_every_setting() -> None:
    training = SCHEMA["training"]
    assert training["defaults"] == DEFAULTS == validate_config({})
    assert set(FIELDS) == set(DEFAULTS)
    assert training["max_parameters"] == 500_000 and training["max_step_ms"] == 5000
    assert all(isinstance(f["label"], str) and f["label"] for f in FIELDS.values())


@pytest.mark.parametrize("key", [k for k, f in FIELDS.items() if f["kind"] == "int"])
def test_int_bounds_are_the_validators(key: str) -> None:
    lo, hi = FIELDS[key]["min"], FIELDS[key]["max"]
    assert validate_config(with_room(key, lo))[key] == lo
    assert validate_config(with_room(key, hi))[key] == hi
    assert refused_field(with_room(key, lo - 1)) == key
    assert refused_field(with_room(key, hi + 1)) == key
    assert refused_field(with_room(key, lo + 0.5)) == key


@pytest.mark.parametrize("key", [k for k, f in FIELDS.items() if f["kind"] == "number"])
def test_number_bounds_are_the_validators(key: str) -> None:
    field = FIELDS[key]
    lo, hi = field["min"], field["max"]
    assert validate_config(with_room(key, hi))[key] == hi
    assert refused_field(with_room(key, hi * 1.000001 + 1e-9)) == key
    just_above = np.nextafter(float(lo), np.inf)
    assert validate_config(with_room(key, just_above))[key] == just_above
    if field["min_exclusive"]:
        assert refused_field(with_room(key, lo)) == key
    else:
        assert validate_config(with_room(key, lo))[key] == lo
    assert refused_field(with_room(key, float("nan"))) == key


@pytest.mark.parametrize("key", [k for k, f in FIELDS.items() if f["kind"] == "choice"])
def test_choices_are_the_validators(key: str) -> None:
    for choice in FIELDS[key]["choices"]:
        assert validate_config(with_room(key, choice))[key] == choice
    assert refused_field(with_room(key, "no-such-choice")) == key


def test_units_bounds_are_the_validators() -> None:
    units = FIELDS["decoder_units"]
    most, widest = units["max_layers"], units["max_units"]
    own = {"mirrored": False}
    assert validate_config({**own, "decoder_units": [1] * most})["decoder_units"] == [1] * most
    assert validate_config({**own, "decoder_units": [widest]})["decoder_units"] == [widest]
    for bad in ([1] * (most + 1), [widest + 1], [0], "16"):
        assert refused_field({**own, "decoder_units": bad}) == "decoder_units"
    assert validate_config({"encoder_units": [1] * most})["encoder_units"] == [1] * most
    assert refused_field({"encoder_units": [1] * (most + 1)}) == "encoder_units"
    assert FIELDS["mirrored"]["kind"] == "bool"
    assert refused_field({"mirrored": "yes"}) == "mirrored"


def test_model_name_rule_is_one_regex_for_python_and_javascript() -> None:
    rule = SCHEMA["model_name"]
    pattern = re.compile(rule["pattern"])
    for good in ("mine", "ecg_ae.v2", "A-1"):
        assert pattern.fullmatch(good)
    for bad in ("", "_x", "a b", "a/b", "x\n"):
        assert not pattern.fullmatch(bad)
    assert rule["max_length"] == 60 and "letters" in rule["message"]
    node = shutil.which("node")
    assert node, "Node.js is needed to check the pattern in JavaScript (apt-get install nodejs)"
    script = (
        "const r = new RegExp(process.argv[1], 'u');"
        "process.stdout.write(['mine', 'ecg_ae.v2', '_x', 'a b'].map(s => r.test(s)).join())"
    )
    out = subprocess.run([node, "-e", script, rule["pattern"]], capture_output=True, text=True)
    assert out.stdout == "true,true,false,false", out.stderr


def test_kind_labels_and_metric_definitions() -> None:
    kinds = SCHEMA["kinds"]
    assert set(kinds["order"]) == set(KINDS) == set(kinds["labels"])
    assert kinds["labels"]["vae"] == {"title": "Variational autoencoder", "short": "VAE"}
    metrics = SCHEMA["metrics"]
    assert metrics["order"] == ["accuracy", "precision", "recall", "f1"]
    assert set(metrics["order"]) <= set(RATE_NAMES)
    assert set(metrics["definitions"]) == {
        *metrics["order"], "fpr", "fnr", "tpr", "tnr", "auc", "ap"
    }
    assert metrics["definitions"]["precision"]["undefined_when"] == "nothing is flagged"


def test_every_published_formula_is_what_the_rates_compute() -> None:
    """The formula text the pages show, evaluated on counts, equals ``rates_from_counts``."""
    import re

    from anomascope.metrics import rates_from_counts

    definitions = SCHEMA["metrics"]["definitions"]
    for tp, fp, tn, fn in [(3, 1, 5, 2), (7, 0, 2, 9), (1, 4, 4, 1)]:
        rates = rates_from_counts(tp, fp, tn, fn)
        counts = {"TP": tp, "FP": fp, "TN": tn, "FN": fn}
        for name, d in definitions.items():
            if name in ("auc", "ap"):  # curve areas, not rates of counts
                continue
            expr = re.sub(r"(\d)(TP|FP|TN|FN)", r"\1*\2", d["formula"])
            value = eval(expr, {}, counts)  # noqa: S307 - our own formula text
            assert float(rates[name]) == pytest.approx(value), (name, d["formula"])


# -- field in the error envelope ---------------------------------------------------------------
@pytest.fixture
def ecg_state(monkeypatch: pytest.MonkeyPatch) -> api.State:
    state = api.State()
    monkeypatch.setattr(api.core, "STATE", state)
    buf = io.BytesIO()
    np.savez(buf, **synthetic_ecg(np.random.default_rng(0)))
    assert api.dispatch("load_dataset", {"name": "ecg5000", "data": buf.getvalue()})["ok"]
    return state


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"train_size": 5}, "train_size"),
        ({"train_size": 100, "validation_size": 50, "test_size": 100}, "test_size"),
        ({"encoder_units": [2048, 2048]}, "encoder_units"),
        ({"batch_size": 2000, "train_size": 50}, "batch_size"),
        ({"batch": 3}, "batch"),
    ],
)
def test_config_errors_name_their_field(ecg_state: api.State, config: dict, field: str) -> None:
    reply = api.dispatch("train_check", {"config": config})
    assert not reply["ok"] and reply["error"]["kind"] == "input"
    assert reply["error"]["field"] == field, reply["error"]


def test_request_errors_name_their_field(ecg_state: api.State) -> None:
    def field_of(request: str, payload: dict) -> str | None:
        reply = api.dispatch(request, payload)
        assert not reply["ok"], reply
        return reply["error"]["field"]

    assert field_of("train_export", {"name": "no spaces allowed"}) == "name"
    assert field_of("explorer", {}) == "model"
    assert field_of("explorer", {"model": "nothing-loaded"}) == "model"
    assert field_of("load_dataset", {"name": "mnist"}) == "name"
    assert field_of("no_such_request", {}) is None
    assert field_of("train_check", {"config": "not an object"}) == "config"


def test_internal_errors_have_no_field(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(state: api.State, payload: dict) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setitem(api.HANDLERS, "broken", broken)
    reply = api.dispatch("broken", {})
    assert reply["error"]["kind"] == "internal" and reply["error"]["field"] is None


# -- invalidate --------------------------------------------------------------------------------
def filled_state() -> api.State:
    state = api.State()
    for model in ("a", "b"):
        for split in ("train", "test", "user"):
            state.scores[(model, "ecg5000", split)] = np.zeros(1)
        state.scores[(model, "kdd_stream", "all")] = np.zeros(1)
        state.explorers[model] = object()  # type: ignore[assignment]
        state.explainers[model] = {}
    return state


def test_invalidate_a_model_drops_only_what_it_computed() -> None:
    state = filled_state()
    state.invalidate(model="a")
    assert {k[0] for k in state.scores} == {"b"} and len(state.scores) == 4
    assert set(state.explorers) == set(state.explainers) == {"b"}


def test_invalidate_a_split_drops_what_depends_on_it() -> None:
    state = filled_state()
    state.invalidate(dataset="ecg5000", split="user")
    assert not [k for k in state.scores if k[2] == "user"] and len(state.scores) == 6
    assert not state.explorers  # the explorers include the visitor's beats
    assert set(state.explainers) == {"a", "b"}  # the explainer reads train and test only
    state.invalidate(dataset="ecg5000")
    assert set(state.scores) == {("a", "kdd_stream", "all"), ("b", "kdd_stream", "all")}
    assert not state.explainers
    state.invalidate(dataset="kdd_stream")
    assert not state.scores


def test_reloading_the_dataset_rescores(ecg_state: api.State, tmp_path: Path) -> None:
    det = PCADetector(n_components=3).fit(synthetic_ecg(np.random.default_rng(0))["train_X"])
    npz, manifest = save_model(tmp_path, "m", det, {"dataset": "ecg5000"})
    files = {"name": "m", "manifest": manifest.read_text(), "weights": npz.read_bytes()}
    assert api.dispatch("load_model", files)["ok"]
    first = api.dispatch("score_split", {"model": "m", "dataset": "ecg5000", "split": "test"})
    data = synthetic_ecg(np.random.default_rng(1))
    buf = io.BytesIO()
    np.savez(buf, **data)
    assert api.dispatch("load_dataset", {"name": "ecg5000", "data": buf.getvalue()})["ok"]
    again = api.dispatch("score_split", {"model": "m", "dataset": "ecg5000", "split": "test"})
    assert first["result"]["scores"]["data"] != again["result"]["scores"]["data"]
    expected = ecg_state.models["m"].score(data["test_X"]).astype(np.float32)
    assert again["result"]["scores"]["data"] == expected.tobytes()
