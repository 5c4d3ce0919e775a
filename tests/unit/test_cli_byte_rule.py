"""`anomascope score` applies the bundled KDD model's byte rule: a connection whose src_bytes is
far above every normal connection of its service in training is called an anomaly, with the
score the rule gives, recomputed here in numpy from the manifest's rule block."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from anomascope.cli import main
from anomascope.data import kdd
from anomascope.weights import load_model_files
from tests.unit.cli_helpers import KDD_MODEL, kdd_lines, parse_output

SVC, SRC, DST = (kdd.FEATURE_NAMES.index(f) for f in ("service", "src_bytes", "dst_bytes"))


def test_score_flags_a_connection_above_its_services_bytes(
    tmp_path: Path, capsys, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    lines = [line for line in kdd_lines(data_dir, 300) if line.endswith(",normal.")][:20]
    fields = lines[0].split(",")
    fields[SRC] = str(10**7)  # far beyond any normal connection of this service
    lines.append(",".join(fields))
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n")
    assert main(["score", "--model", str(KDD_MODEL), str(path)]) in (0, None)
    got, labels = parse_output(capsys.readouterr().out)
    # independent numpy: the detector's own score, then the rule from the manifest's block
    model = load_model_files(KDD_MODEL.parent, KDD_MODEL.name)
    block = json.loads(KDD_MODEL.with_suffix(".json").read_text())["rule"]
    X = kdd.parse_kdd(path.read_bytes(), "in").X
    own = model.detector.score_samples(model.preprocess(X)).astype(np.float64)
    upper = np.asarray(block["upper"])[X[:, SVC].astype(int)]
    excess = np.maximum(np.log1p(X[:, [SRC, DST]].astype(np.float64)) - upper, 0).max(axis=1)
    t = model.manifest["threshold"]["value"]
    want = np.where(excess > 0, np.maximum(own, t) + 1 + excess, own)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert excess[-1] > 0 and own[-1] <= t < got[-1] and labels[-1] == "anomaly"
