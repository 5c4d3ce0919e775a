"""Training in the browser, numpy side: config validation, splits, chunks, divergence, export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from anomascope import AnomascopeError, api
from anomascope.training import (
    DEFAULTS,
    MAX_PARAMETERS,
    TrainingSession,
    count_parameters,
    validate_config,
)
from anomascope.weights import load_model

SMALL = {"train_size": 200, "validation_size": 100, "test_size": 150, "batch_size": 50}


@pytest.fixture(scope="module")
def pool() -> tuple[np.ndarray, np.ndarray]:
    """A synthetic stand-in for pooled ECG5000: 600 beats, classes 1..5 (1 = normal)."""
    rng = np.random.default_rng(0)
    t = np.linspace(0, 2 * np.pi, 140, dtype=np.float32)
    y = np.where(rng.random(600) < 0.55, 1, rng.integers(2, 6, 600)).astype(np.int8)
    base = np.where((y == 1)[:, None], np.sin(t), np.cos(3 * t)).astype(np.float32)
    X = base + 0.1 * rng.standard_normal((600, 140)).astype(np.float32)
    return X, y


def run(session: TrainingSession) -> None:
    while session.status not in ("done", "diverged"):
        session.step(5.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch_size": 300}, "larger than the training set"),
        ({"encoder_units": [32, 0]}, "layer 2 must have from 1 to 2048 units"),
        ({"latent_dim": 0}, "latent size"),
        ({"epochs": -1}, "epochs"),
        ({"learning_rate": 0}, "learning rate"),
        ({"learning_rate": float("nan")}, "learning rate"),
        ({"abnormal_percent": 71}, "abnormal percentage"),
        ({"seed": 2**40}, "seed"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"regularizer": "dropout"}, "regularizer"),
        ({"activation": "linear"}, "activation"),
        ({"encoder_units": [2048, 2048]}, "parameters; the limit"),
        ({"mirrored": False, "decoder_units": "16"}, "decoder"),
        ({"test_size": 400}, "add up to"),
        ({"train_size": 400, "abnormal_percent": 0}, "normal and"),
        ({"batch": 3}, "unknown training settings: batch"),
        ({"epochs": True}, "epochs"),
    ],
)
def test_config_errors(pool, change, message) -> None:
    X, y = pool
    with pytest.raises(AnomascopeError, match=message):
        TrainingSession({**SMALL, **change}, X, y)


def test_defaults_and_parameter_count() -> None:
    cfg = validate_config({})
    assert cfg["decoder_units"] == cfg["encoder_units"][::-1]
    # 140-32-16-4-16-32-140: weights + biases
    dims = [140, 32, 16, 4, 16, 32, 140]
    assert count_parameters(cfg) == sum(a * b + b for a, b in zip(dims, dims[1:], strict=False))
    explicit = validate_config({"mirrored": False, "decoder_units": [8]})
    assert explicit["decoder_units"] == [8]
    assert count_parameters(validate_config({"encoder_units": [1000, 100]})) < MAX_PARAMETERS
    assert set(DEFAULTS) == set(cfg)


def test_splits_are_disjoint_and_composed(pool) -> None:
    X, y = pool
    s = TrainingSession({**SMALL, "abnormal_percent": 20}, X, y)
    idx = {k: set(v[0].tolist()) for k, v in s.splits.items()}
    assert not idx["train"] & idx["validation"]
    assert not idx["train"] & idx["test"]
    assert not idx["validation"] & idx["test"]
    assert [len(idx[k]) for k in ("train", "validation", "test")] == [200, 100, 150]
    assert int(s.splits["train"][1].sum()) == 40
    for k in ("validation", "test"):
        assert 0 < s.splits[k][1].sum() < len(s.splits[k][1])


def test_seeded_runs_are_identical_and_seeds_differ(pool) -> None:
    X, y = pool
    cfg = {**SMALL, "epochs": 3}
    a, b = TrainingSession(cfg, X, y), TrainingSession(cfg, X, y)
    a.step(5.0, max_batches=5)  # different chunking, same result
    run(a)
    for _ in range(12):
        b.step(5.0, max_batches=1)
    run(b)
    np.testing.assert_array_equal(a.model.params, b.model.params)
    assert [r["train_loss"] for r in a.history] == [r["train_loss"] for r in b.history]
    c = TrainingSession({**cfg, "seed": 1}, X, y)
    assert not np.array_equal(c.splits["test"][0], a.splits["test"][0])


def test_training_learns_and_records(pool) -> None:
    X, y = pool
    s = TrainingSession({**SMALL, "epochs": 8}, X, y)
    run(s)
    assert s.status == "done" and len(s.history) == 8
    first, last = s.history[0], s.history[-1]
    assert last["train_loss"] < first["train_loss"]
    assert last["val_loss"] < first["val_loss"]
    assert last["auc"] > 0.9
    assert last["test"]["n"] == 150
    views = s.views()
    assert views is not None
    assert views["latent"]["xy"].shape == (150, 2)
    assert views["roc"]["fpr"][0] == 0 and views["roc"]["tpr"][-1] == 1
    h = views["histogram"]
    assert h["normal"].sum() + h["abnormal"].sum() == 150


class BatchClock:
    """A fake clock on which every training batch takes ``per_batch`` seconds."""

    def __init__(self, per_batch: float) -> None:
        self.per_batch = per_batch
        self.session: TrainingSession | None = None

    def __call__(self) -> float:
        return 0.0 if self.session is None else self.session.trainer.step * self.per_batch


def test_chunk_bound_is_respected(pool) -> None:
    X, y = pool
    clock = BatchClock(2.0**-7)  # exact in binary, so the budget arithmetic is exact
    s = TrainingSession({**SMALL, "epochs": 50, "batch_size": 10}, X, y, clock=clock)
    clock.session = s
    reply = s.step(5.0, max_batches=7)
    assert reply["step"] == 7 and reply["records"] == []
    # a budget of 5 batches' time: 5 batches, part-way through the 20-batch epoch
    reply = s.step(5 * clock.per_batch)
    assert reply["step"] == 7 + 5 and reply["records"] == [] and reply["status"] == "training"
    assert reply["seconds"] == pytest.approx(12 * clock.per_batch, abs=5e-4)
    assert reply["epoch"] == 0
    one = s.step(5.0, stop_at_epoch=True)
    assert len(one["records"]) == 1 and one["step"] % s.steps_per_epoch == 0


def test_divergence_keeps_the_last_good_model(pool) -> None:
    X, y = pool
    s = TrainingSession({**SMALL, "epochs": 2, "optimizer": "sgd", "learning_rate": 0.01}, X, y)
    run(s)
    good = s.model.params.copy()
    # the same model, now with a learning rate that blows up
    s.config["epochs"] = 10
    s.trainer.optimizer.lr = 100.0
    s.config["learning_rate"] = 100.0
    s.status = "training"
    run(s)
    assert s.status == "diverged"
    assert "diverged" in s.message and "learning rate" in s.message
    np.testing.assert_array_equal(s.model.params, good)
    assert len(s.history) == 2
    with pytest.raises(AnomascopeError, match="Reset"):
        s.step(1.0)
    manifest, weights = s.export("after_divergence")
    loaded = load_model(weights, manifest)
    assert np.isfinite(loaded.score(X[:5])).all()


def test_divergence_on_the_first_epoch(pool) -> None:
    X, y = pool
    s = TrainingSession({**SMALL, "learning_rate": 10.0}, X, y)
    initial = s.model.params.copy()
    run(s)
    assert s.status == "diverged" and "untrained model" in s.message
    np.testing.assert_array_equal(s.model.params, initial)
    with pytest.raises(AnomascopeError, match="at least one epoch"):
        s.export("nothing")


def test_export_round_trips(pool) -> None:
    X, y = pool
    s = TrainingSession({**SMALL, "epochs": 2}, X, y)
    run(s)
    text, weights = s.export("mine", "My model")
    manifest = json.loads(text)
    assert manifest["kind"] == "autoencoder" and manifest["dataset"] == "ecg5000"
    assert manifest["threshold"]["rule"] == "best_f1_validation"
    assert manifest["training"]["where"] == "browser"
    rows = manifest["training"]["rows"]
    assert rows["train"] == s.splits["train"][0].tolist() and len(rows["test"]) == 150
    loaded = load_model(weights, manifest)
    assert loaded.detector.threshold_ == pytest.approx(s.history[-1]["threshold"])
    np.testing.assert_allclose(
        loaded.score(s.X_test), s.detector().score_samples(s.X_test), rtol=1e-6
    )


def test_api_handlers(pool, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = pool
    session = api.State(
        datasets={
            "ecg5000": {
                "train_X": X[:100],
                "train_y": y[:100],
                "test_X": X[100:],
                "test_y": y[100:],
            }
        }
    )
    monkeypatch.setattr(api.core, "STATE", session)
    bad = api.dispatch("train_check", {"config": {**SMALL, "batch_size": 999}})
    assert not bad["ok"] and "larger than the training set" in bad["error"]["message"]
    assert api.dispatch("train_start", {"config": {**SMALL, "epochs": 2}})["ok"]
    reply = api.dispatch("train_step", {"max_ms": 2000})
    assert reply["ok"] and reply["result"]["epoch"] == 2
    files = api.dispatch("train_activate", {"name": "mine"})["result"]
    assert "mine" in session.models and files["summary"]["kind"] == "autoencoder"
    up = api.dispatch("train_upload", {"manifest": files["manifest"], "weights": files["weights"]})
    assert up["ok"] and up["result"]["test"]["n"] == 150
    broken = api.dispatch("train_upload", {"manifest": files["manifest"], "weights": b"nope"})
    assert not broken["ok"] and "not a readable .npz" in broken["error"]["message"]
    session.models["builtin"] = session.models["mine"].__class__(
        manifest={"kind": "autoencoder"}, detector=session.models["mine"].detector
    )
    clash = api.dispatch("train_export", {"name": "builtin"})
    assert not clash["ok"] and "not trained here" in clash["error"]["message"]
    kdd = Path(__file__).resolve().parents[2] / "models"
    other = api.dispatch(
        "train_upload",
        {
            "manifest": (kdd / "kdd_autoencoder.json").read_text(),
            "weights": (kdd / "kdd_autoencoder.npz").read_bytes(),
        },
    )
    assert not other["ok"] and "ECG5000 models" in other["error"]["message"]
    assert api.dispatch("train_reset", {})["ok"]
    assert not api.dispatch("train_step", {"max_ms": 10})["ok"]


def test_rows_seen_in_training_reads_train_and_validation_rows() -> None:
    from anomascope.training import rows_seen_in_training

    rows = {"train": [7, 3, 600], "validation": [3, 900], "test": [1000]}
    seen = rows_seen_in_training({"dataset": "ecg5000", "training": {"rows": rows}})
    assert seen.tolist() == [3, 7, 600, 900]
    assert rows_seen_in_training({"dataset": "ecg5000", "training": {"epochs": 3}}).size == 0
    assert rows_seen_in_training({}).size == 0
    # another dataset's manifest may use the name for something else (a row count)
    assert rows_seen_in_training({"dataset": "kddcup99", "training": {"rows": 3000}}).size == 0
    for bad in ([1, -2], [1.5], ["3"], [True], "0,1", [10**6]):
        with pytest.raises(AnomascopeError, match="training.rows.train"):
            rows_seen_in_training({"dataset": "ecg5000", "training": {"rows": {"train": bad}}})


def test_ecg_lab_leaves_out_the_test_beats_a_model_was_trained_on(
    pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = pool
    n_train = 100
    split = {"train_X": X[:n_train], "train_y": y[:n_train], "test_X": X[n_train:]}
    session = api.State(datasets={"ecg5000": {**split, "test_y": y[n_train:]}})
    monkeypatch.setattr(api.core, "STATE", session)
    assert api.dispatch("train_start", {"config": {**SMALL, "epochs": 1}})["ok"]
    assert api.dispatch("train_step", {"max_ms": 2000})["ok"]
    files = api.dispatch("train_activate", {"name": "mine"})["result"]
    rows = json.loads(files["manifest"])["training"]["rows"]
    used = {i - n_train for i in rows["train"] + rows["validation"] if i >= n_train}
    assert used, "the pool split should draw some training beats from UCR TEST"
    reply = api.dispatch("explorer", {"model": "mine"})["result"]
    assert reply["n_left_out"] == len(used)
    assert reply["n_test"] == len(X) - n_train - len(used)
    labels = y[n_train:] != 1
    keep = np.ones(len(labels), bool)
    keep[sorted(used)] = False
    assert reply["n_anomalies"] == int(labels[keep].sum())

    tampered = json.loads(files["manifest"])
    tampered["training"]["rows"]["validation"] = ["<b>1</b>"]
    refused = api.dispatch(
        "load_model",
        {"name": "tampered", "manifest": json.dumps(tampered), "weights": files["weights"]},
    )
    assert not refused["ok"] and "training.rows.validation" in refused["error"]["message"]


def test_a_latent_layer_wider_than_a_hidden_layer_is_warned_about(
    pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anomascope.training import config_warnings

    assert config_warnings(validate_config({})) == []
    assert config_warnings(validate_config({"latent_dim": 16})) == []  # as wide, still narrowest
    (warning,) = config_warnings(validate_config({"latent_dim": 64}))
    assert warning["field"] == "latent_dim"
    assert "64 units" in warning["message"]
    assert "narrowest hidden layer (16 units)" in warning["message"]
    X, y = pool
    monkeypatch.setattr(
        api.core,
        "STATE",
        api.State(datasets={"ecg5000": {"train_X": X, "train_y": y, "test_X": X, "test_y": y}}),
    )
    reply = api.dispatch("train_check", {"config": {**SMALL, "latent_dim": 40}})["result"]
    assert [w["field"] for w in reply["warnings"]] == ["latent_dim"]
    assert api.dispatch("train_check", {"config": SMALL})["result"]["warnings"] == []


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam", "adamax"])
def test_following_the_divergence_advice_trains(pool, optimizer: str) -> None:
    """The message names a lower learning rate, and that rate trains the same configuration."""
    X, y = pool
    config = {**SMALL, "epochs": 3, "optimizer": optimizer, "learning_rate": 100.0}
    s = TrainingSession(config, X, y)
    run(s)
    assert s.status == "diverged"
    advice = s.progress()["advice"]
    lower = advice["learning_rate"]
    assert lower < 100.0 and f"Lower the learning rate to {lower:g}" in s.message
    assert "Adam" not in s.message  # no advice that does not follow from the run
    again = TrainingSession({**config, "learning_rate": lower}, X, y)
    run(again)
    assert again.status == "done" and len(again.history) == 3


def test_training_time_is_one_number_including_evaluation(pool) -> None:
    """The replies' ``seconds`` and the manifest's ``training.seconds`` are the same, and include
    each epoch's evaluation (the fake clock moves only while scoring)."""
    X, y = pool
    ticks = iter(np.arange(0, 10_000, 0.25))
    s = TrainingSession({**SMALL, "epochs": 2}, X, y, clock=lambda: float(next(ticks)))
    replies = [s.step(30.0, max_batches=1) for _ in range(2 * s.steps_per_epoch)]
    assert s.status == "done"
    manifest = json.loads(s.export("timed")[0])
    assert manifest["training"]["seconds"] == replies[-1]["seconds"] == s.history[-1]["seconds"]
    # each clock read is 0.25 s apart: per batch step 0.25 s, per epoch evaluation 0.25 s
    assert replies[-1]["seconds"] == pytest.approx(0.25 * (2 * s.steps_per_epoch + 2))


def test_exported_history_is_a_replay_the_lab_reads(pool) -> None:
    from anomascope import lab

    X, y = pool
    s = TrainingSession({**SMALL, "epochs": 3}, X, y)
    run(s)
    history = json.loads(s.export("replayed")[0])["history"]
    replay = lab.parse_replay(history, "replayed")
    assert replay["epoch"].tolist() == [1, 2, 3] and replay["log"]
    assert (replay["normal"].sum(axis=1) + replay["abnormal"].sum(axis=1)).tolist() == [150] * 3
    np.testing.assert_allclose(replay["auc"], [r["auc"] for r in s.history])
    assert history["train_loss"] == [r["train_loss"] for r in s.history]


def test_train_loss_label_names_the_penalty(pool) -> None:
    X, y = pool
    plain = TrainingSession(SMALL, X, y).summary()["train_loss_label"]
    assert "penalty" not in plain
    l2 = {**SMALL, "regularizer": "l2", "regularization_rate": 0.001}
    assert "l2 penalty" in TrainingSession(l2, X, y).summary()["train_loss_label"]
