"""The stream page's mixes, attack-type rules, score cache and drill-down request
(``anomascope.data.kdd_mixes``, ``stream_order`` with a mix, ``stream_connection``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from api_calls import err, ok
from test_api_stream import SPEC, as_array, npz_bytes

from anomascope import api
from anomascope.data import kdd
from anomascope.data import kdd_mixes as mixes
from anomascope.detectors.pca import PCADetector
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import save_model

NAMES = np.array(["normal", "smurf", "neptune", "guess_passwd", "snmpgetattack", "mailbomb"])
N, N_NORMAL = 400, 320


def table(seed: int = 0) -> dict[str, np.ndarray]:
    """A stream of N rows (N_NORMAL normal, mostly smurf attacks) and a pool of 200 attacks."""
    rng = np.random.default_rng(seed)
    X = rng.random((N, kdd.N_FEATURES)).astype(np.float32)
    X[:, 1] = rng.integers(0, 3, N)
    label = np.zeros(N, dtype=np.uint8)
    label[N_NORMAL:] = [1] * 60 + [2] * 12 + [3] * 4 + [4] * 3 + [5] * 1
    perm = rng.permutation(N)
    X, label = X[perm], label[perm]
    pool_label = np.repeat(np.arange(1, 6, dtype=np.uint8), 40)
    pool = rng.random((len(pool_label), kdd.N_FEATURES)).astype(np.float32)
    pool[:, 1] = 2
    return {
        "features": X,
        "anomaly": (label != 0).astype(np.uint8),
        "label": label,
        "label_names": NAMES,
        "feature_names": np.array(kdd.FEATURE_NAMES),
        "index": np.arange(N, dtype=np.int32),
        "pool_features": pool,
        "pool_label": pool_label,
        "pool_index": np.arange(N, N + len(pool_label), dtype=np.int32),
    }


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    return table()


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrays) -> api.State:  # type: ignore[no-untyped-def]
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    reply = ok("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    assert reply["n"] == N and reply["rows"] == N + 200
    for name, threshold in (("kdd_a", 0.4), ("kdd_b", 0.6)):
        X = apply_preprocessing(SPEC, arrays["features"][arrays["anomaly"] == 0])
        det = PCADetector(n_components=3).fit(X)
        det.threshold_ = threshold
        npz, manifest = save_model(
            tmp_path,
            name,
            det,
            {"dataset": "kddcup99", "preprocessing": SPEC, "threshold": {"value": threshold}},
        )
        ok(
            "load_model",
            {"name": name, "manifest": manifest.read_text(), "weights": npz.read_bytes()},
        )
    return fresh


def test_categories_and_novel_types_follow_the_training_file() -> None:
    assert mixes.category_of("smurf") == "dos" and mixes.category_of("satan") == "probe"
    assert mixes.category_of("guess_passwd") == "r2l" and mixes.category_of("rootkit") == "u2r"
    assert mixes.category_of("normal") == "normal" and mixes.category_of("zzz") == "unknown"
    # Every attack type of the vocabulary has exactly one category.
    for name in kdd.LABELS[1:]:
        assert sum(name in types for types in mixes.CATEGORY_TYPES.values()) == 1, name
    assert not mixes.is_novel("neptune") and mixes.is_novel("snmpgetattack")
    info = mixes.label_info(["normal", "smurf", "mailbomb"])
    assert info == {"category": ["normal", "dos", "dos"], "novel": [False, False, True]}


def test_training_labels_are_exactly_those_of_the_training_file() -> None:
    import os

    folder = Path(os.environ["ANOMASCOPE_DATA"])
    train = kdd.load_kdd_file(folder / kdd.TRAIN_FILE)
    seen = {train.label_names[c] for c in np.unique(train.label)}
    assert seen == set(mixes.TRAINING_LABELS)


def test_balanced_caps_fill_up_to_the_total() -> None:
    np.testing.assert_array_equal(mixes.balanced_caps(np.array([100, 5, 50]), 60), [28, 5, 27])
    np.testing.assert_array_equal(mixes.balanced_caps(np.array([3, 4]), 60), [3, 4])
    assert mixes.balanced_caps(np.array([1000, 900, 7, 2]), 500).sum() == 500


def test_mixes_keep_the_normals_and_draw_their_attacks(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    label = np.concatenate([arrays["label"], arrays["pool_label"]])
    normals = np.flatnonzero(arrays["label"] == 0)
    novel = ok("stream_order", {"seed": 3, "mix": "novel"})
    order = as_array(novel["order"])
    assert len(order) == N and len(np.unique(order)) == N and novel["mix"] == "novel"
    np.testing.assert_array_equal(np.sort(order[label[order] == 0]), normals)
    assert set(NAMES[label[order][label[order] != 0]]) == {"snmpgetattack", "mailbomb"}
    assert dict(novel["composition"]) == {
        "normal": N_NORMAL,
        **{
            str(k): int(v)
            for k, v in zip(*np.unique(NAMES[label[order]], return_counts=True), strict=True)
            if k != "normal"
        },
    }
    assert novel["composition"][0] == ["normal", N_NORMAL]
    # Seeded: the same seed draws the same mix, another seed another.
    np.testing.assert_array_equal(
        as_array(ok("stream_order", {"seed": 3, "mix": "novel"})["order"]), order
    )
    assert not np.array_equal(
        as_array(ok("stream_order", {"seed": 4, "mix": "novel"})["order"]), order
    )
    balanced = ok("stream_order", {"seed": None, "mix": "balanced"})
    counts = dict(balanced["composition"])
    assert balanced["seed"] is None and counts.pop("normal") == N_NORMAL
    assert sum(counts.values()) == N - N_NORMAL and max(counts.values()) - min(counts.values()) <= 1
    drawn = ok("stream_order", {"seed": 5, "mix": "drawn"})
    np.testing.assert_array_equal(as_array(drawn["order"]), kdd.reshuffle(N, 5))


def test_scores_of_a_mix_are_the_rows_scores(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    model = session.models["kdd_a"]
    X = np.concatenate([arrays["features"], arrays["pool_features"]])
    by_row = model.detector.score_samples(model.preprocess(X)).astype(np.float64)
    order = as_array(ok("stream_order", {"seed": 9, "mix": "balanced"})["order"])
    got = as_array(
        ok("score_stream", {"model": "kdd_a", "start": 0, "stop": N, "seed": 9, "mix": "balanced"})[
            "scores"
        ]
    )
    np.testing.assert_allclose(got, by_row[order], rtol=1e-6)
    assert "order changed" in err(
        "score_stream", {"model": "kdd_a", "start": 0, "stop": 5, "seed": 9, "mix": "novel"}
    )


def test_bad_mixes_are_refused(session: api.State) -> None:
    assert "unknown stream mix 'all'" in err("stream_order", {"seed": 1, "mix": "all"})
    with pytest.raises(Exception, match="needs 80 attacks of novel types"):
        small = table()
        label = np.concatenate([small["label"], small["pool_label"][:30]])
        mixes.mix_rows(label, list(NAMES), N, "novel", 0)


def test_a_connection_has_its_fields_truth_and_scores(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    row = int(np.flatnonzero(arrays["label"] == 4)[0])  # an snmpgetattack of the stream
    reply = ok("stream_connection", {"row": row})
    assert reply["label"] == "snmpgetattack" and reply["attack"] and reply["novel"]
    assert reply["category"] == "r2l" and reply["category_title"].startswith("remote to local")
    assert [f[0] for f in reply["fields"]] == list(kdd.FEATURE_NAMES)
    x = arrays["features"][row]
    assert reply["fields"][1][1] == kdd.PROTOCOLS[int(x[1])]
    assert reply["fields"][0][2] == pytest.approx(float(x[0]))
    for name in ("kdd_a", "kdd_b"):
        model = session.models[name]
        expected = model.detector.score_samples(model.preprocess(x[None, :]))[0]
        assert reply["scores"][name] == pytest.approx(float(expected), rel=1e-6)
    pool_row = N + 45  # a pool row (neptune) is reachable too
    assert ok("stream_connection", {"row": pool_row})["label"] == "neptune"
    assert "row must be a connection from 0 to" in err("stream_connection", {"row": N + 200})
    assert "wrong type" in err("stream_connection", {"row": "3"})


def test_a_connection_has_each_strategys_top_contributions(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    from anomascope.explain import explain_rows

    row = 7
    reply = ok("stream_connection", {"row": row})
    for name in ("kdd_a", "kdd_b"):
        shown = reply["explanations"][name]
        full = explain_rows(session.models[name], arrays["features"][row : row + 1])
        values = dict(zip(full["features"], full["contributions"][0].tolist(), strict=True))
        assert len(shown["features"]) == 5 and shown["method"] == full["method"]
        got = [v for _, v in shown["features"]]
        assert got == sorted(got, reverse=True) and got[0] == max(values.values())
        for feature, value in shown["features"]:
            assert value == pytest.approx(values[feature])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda a: a.pop("pool_label"), "pool's features and labels do not match"),
        (lambda a: a.update(pool_label=a["pool_label"][:-1]), "do not match"),
        (lambda a: a["pool_label"].__setitem__(0, 0), "not an attack's"),
        (lambda a: a["pool_features"].__setitem__((1, 1), np.inf), "not an attack's"),
    ],
)
def test_a_damaged_pool_is_refused(monkeypatch: pytest.MonkeyPatch, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(api.core, "STATE", api.State())
    arrays = table()
    damage(arrays)
    text = err("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    assert text.startswith("kdd_stream: the stream is damaged") and message in text


def test_a_stream_without_a_pool_plays_as_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.core, "STATE", api.State())
    arrays = {k: v for k, v in table().items() if not k.startswith("pool_")}
    reply = ok("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    assert reply["rows"] == N
    assert "needs 80 attacks of novel types; the table has 4" in err(
        "stream_order", {"seed": 1, "mix": "novel"}
    )
