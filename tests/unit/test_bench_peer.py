"""The TF.js peer of ``build.py bench``: pinned with integrity hashes, installed once, and its
figures reduced to ours / TF.js ratios against TF.js's best form."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench import peer

BENCH = Path(peer.__file__).resolve().parent


def test_the_lockfile_pins_tfjs_4_22_with_an_integrity_hash_for_every_package() -> None:
    lock = json.loads((BENCH / "package-lock.json").read_text())
    wanted = json.loads((BENCH / "package.json").read_text())["dependencies"]
    assert wanted == {
        "@tensorflow/tfjs": peer.TFJS_VERSION,
        "@tensorflow/tfjs-backend-wasm": peer.TFJS_VERSION,
    }
    packages = {k: v for k, v in lock["packages"].items() if k}
    for name in wanted:
        assert packages[f"node_modules/{name}"]["version"] == peer.TFJS_VERSION
    assert packages["node_modules/@tensorflow/tfjs-core"]["version"] == peer.TFJS_VERSION
    for name, entry in packages.items():
        assert entry["integrity"].startswith("sha512-"), name


def test_an_installed_cache_is_reused_and_a_changed_lockfile_reinstalls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bench.site

    modules = tmp_path / "bench-node" / "node_modules"
    monkeypatch.setattr(bench.site, "NODE_MODULES", modules)
    calls: list[list[str]] = []

    def fake_npm(cmd: list[str], cwd: Path, check: bool, stdout: object) -> None:
        calls.append(cmd)
        wasm = modules / "@tensorflow" / "tfjs-backend-wasm" / "dist" / "tf-backend-wasm.min.js"
        wasm.parent.mkdir(parents=True)
        wasm.write_text("")

    monkeypatch.setattr(peer.subprocess, "run", fake_npm)
    monkeypatch.setattr(peer.shutil, "which", lambda name: "/usr/bin/npm")
    assert peer.node_modules() == modules
    assert len(calls) == 1 and calls[0][1] == "ci"  # npm ci checks the lockfile's hashes
    assert (modules.parent / "package-lock.json").read_bytes() == (
        BENCH / "package-lock.json"
    ).read_bytes()
    assert peer.node_modules() == modules
    assert len(calls) == 1  # reused
    (modules.parent / ".lock-sha256").write_text("an older lockfile")
    with pytest.raises(FileExistsError):  # would install again (the fake refuses to twice)
        peer.node_modules()
    assert len(calls) == 2


def _run(per: str, n: int, seconds: float, **extra: float) -> dict[str, float]:
    return {per: n, "seconds": seconds, **extra}


def test_ratios_are_ours_as_the_page_sees_it_over_the_best_tfjs_form() -> None:
    ours = [
        {"epochs": 30, "wall_s": w, "train_s": w * 0.9, "requests": 12, "parameters": 2176}
        for w in (0.5, 0.6, 0.4, 0.6, 0.5)
    ]
    runs = {
        "ours": ours,  # 60 epochs/s median as the page sees it
        "tfjs_minimize": [_run("epochs", 30, s) for s in (1.0, 0.9, 1.1, 1.0, 1.0)],  # 30/s
        "tfjs_fit": [_run("epochs", 30, s) for s in (2.0, 2.0, 1.5, 3.0, 2.0)],  # 15/s
    }
    fig = peer._training_figures("anomagram", runs)
    assert fig["ours_as_page_sees_it"] == {"median": 60.0, "min": 50.0, "max": 75.0, "runs": 5}
    assert fig["tfjs_minimize"]["median"] == 30.0
    assert fig["ratio"] == 2.0 and fig["ratio_vs_tfjs_fit"] == 4.0
    assert fig["met"] is True
    runs["tfjs_minimize"] = [_run("epochs", 30, 0.6) for _ in range(5)]  # 50/s: 1.2x only
    assert peer._training_figures("anomagram", runs)["met"] is False
    assert "NOT met" not in peer.table({"anomagram": fig})


def test_scoring_ratio_is_tfjs_time_over_ours_with_the_round_trip() -> None:
    expected = np.linspace(0.5, 1.0, 50)
    ours = {"ms": [8.0, 9.0, 10.0], "wall_ms": [10.0, 12.0, 11.0], "rows": 4500,
            "scores": list(expected * (1 + 1e-6))}
    tfjs = {"apply": [4.0, 5.5, 6.0], "predict": [190.0, 200.0, 210.0], "scores": list(expected)}
    fig = peer._scoring_figures(ours, tfjs, expected, 4500)
    assert fig["ours_as_page_sees_it"] == {"median": 11.0, "min": 10.0, "max": 12.0, "runs": 3}
    assert fig["ratio"] == 0.5 and fig["met"] is True  # 5.5 ms / 11 ms, not / 9 ms in the worker
    assert "ours 11.0 [10.0-12.0]" in peer.table({"score_4500": fig})
    with pytest.raises(RuntimeError, match="the worker's scores disagree"):
        peer._scoring_figures({**ours, "scores": list(expected * 1.01)}, tfjs, expected, 4500)
    with pytest.raises(RuntimeError, match="scored 45 beats"):
        peer._scoring_figures({**ours, "rows": 45}, tfjs, expected, 4500)
