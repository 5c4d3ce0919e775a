"""The stream drill-down of a model with a byte rule: the model's own score beside the final
one, the rule's reason in words, and the flagged byte field first in the explanation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from api_calls import ok
from test_api_stream import SPEC, npz_bytes
from test_api_stream_mixes import N_NORMAL, N, table

from anomascope import api
from anomascope.data import kdd
from anomascope.detectors.category_tail import CategoryTailRule
from anomascope.detectors.pca import PCADetector
from anomascope.preprocessing import apply_preprocessing
from anomascope.weights import save_model

SVC, SRC, DST = (kdd.FEATURE_NAMES.index(f) for f in ("service", "src_bytes", "dst_bytes"))
HTTP, SMTP = kdd.SERVICES.index("http"), kdd.SERVICES.index("smtp")
THRESHOLD = 0.4


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    a = table()
    rng = np.random.default_rng(5)
    X = a["features"]
    X[:, SVC] = np.where(rng.random(len(X)) < 0.5, HTTP, SMTP)
    X[:, SRC] = np.round(rng.lognormal(5, 0.4, len(X)))
    X[:, DST] = np.round(rng.lognormal(7, 0.4, len(X)))
    return a


def _flagged_row(arrays: dict[str, np.ndarray]) -> int:
    """An attack row made an http connection with 20 times the largest normal http src_bytes."""
    X, normal = arrays["features"], arrays["label"] == 0
    row = int(np.flatnonzero(arrays["label"][:N] == 4)[0])
    X[row, SVC] = HTTP
    X[row, SRC] = 20 * X[normal & (X[:, SVC] == HTTP), SRC].max()
    return row


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrays) -> api.State:  # type: ignore[no-untyped-def]
    row = _flagged_row(arrays)
    fresh = api.State()
    monkeypatch.setattr(api.core, "STATE", fresh)
    ok("load_dataset", {"name": "kdd_stream", "data": npz_bytes(arrays)})
    normals = arrays["features"][:N][arrays["label"][:N] == 0]
    assert len(normals) == N_NORMAL and row < N
    rule = CategoryTailRule.fit(
        normals,
        fields=("src_bytes", "dst_bytes"),
        columns=(SRC, DST),
        category_field="service",
        category_column=SVC,
        categories=kdd.SERVICES,
    )
    det = PCADetector(n_components=3).fit(apply_preprocessing(SPEC, normals))
    for name, extra in (("kdd_ruled", {"rule": rule.to_manifest()}), ("kdd_plain", {})):
        fields = {
            "dataset": "kddcup99",
            "preprocessing": SPEC,
            "threshold": {"value": THRESHOLD},
            **extra,
        }
        npz, manifest = save_model(tmp_path, name, det, fields)
        reply = {"name": name, "manifest": manifest.read_text(), "weights": npz.read_bytes()}
        ok("load_model", reply)
    return fresh


def test_a_rule_flagged_connection_says_why_in_words(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    row = int(np.flatnonzero(arrays["label"][:N] == 4)[0])
    x = arrays["features"][row]
    reply = ok("stream_connection", {"row": row})
    model = session.models["kdd_ruled"]
    own = float(model.detector.score_samples(apply_preprocessing(SPEC, x[None, :]))[0])
    normal_http = arrays["features"][:N][(arrays["label"][:N] == 0)]
    normal_http = normal_http[normal_http[:, SVC] == HTTP]
    top = float(normal_http[:, SRC].max())
    excess = np.log1p(float(x[SRC])) - np.log1p(top)
    assert reply["model_scores"]["kdd_ruled"] == pytest.approx(own, rel=1e-6)
    assert reply["model_scores"]["kdd_plain"] == pytest.approx(own, rel=1e-6)
    # the final score is the stream's: max(own, threshold) + 1 + excess for the ruled model
    assert reply["scores"]["kdd_ruled"] == pytest.approx(max(own, THRESHOLD) + 1 + excess)
    assert reply["scores"]["kdd_plain"] == pytest.approx(own, rel=1e-6)
    verdict = reply["rules"]["kdd_ruled"]
    assert "kdd_plain" not in reply["rules"]
    assert verdict["flagged"] and verdict["fields"] == ["src_bytes"]
    assert verdict["reasons"] == [
        f"src_bytes {x[SRC]:,.0f} is above every normal http connection in training "
        f"(max {top:,.0f}): flagged by the byte rule"
    ]
    explained = reply["explanations"]["kdd_ruled"]
    assert explained["features"][0][0] == "src_bytes" and explained["rule_fields"] == ["src_bytes"]
    assert len(explained["features"]) == 5
    plain = reply["explanations"]["kdd_plain"]
    assert plain["rule_fields"] == []
    values = [v for _, v in plain["features"]]
    assert values == sorted(values, reverse=True)


def test_an_unflagged_connection_keeps_its_own_score(session: api.State, arrays) -> None:  # type: ignore[no-untyped-def]
    row = int(np.flatnonzero(arrays["label"][:N] == 0)[0])
    reply = ok("stream_connection", {"row": row})
    verdict = reply["rules"]["kdd_ruled"]
    assert not verdict["flagged"] and verdict["reasons"] == [] and verdict["fields"] == []
    assert reply["scores"]["kdd_ruled"] == pytest.approx(reply["model_scores"]["kdd_ruled"])
