"""build.py's own checks: file verification, the data-folder rule, the offline message."""

from __future__ import annotations

import hashlib
import urllib.request
from pathlib import Path

import pytest

import build


def test_verify_refuses_a_mismatch(tmp_path: Path) -> None:
    f = tmp_path / "numpy.whl"
    f.write_bytes(b"tampered")
    with pytest.raises(build.BuildError, match="does not match the official"):
        build._verify(f, hashlib.sha256(b"original").hexdigest())
    build._verify(f, hashlib.sha256(b"tampered").hexdigest())


def test_data_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ANOMASCOPE_DATA", str(tmp_path / "env"))
    assert build.data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert build.data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("ANOMASCOPE_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert build.data_dir(None) == tmp_path / "cache" / "anomascope" / "datasets"


def test_offline_with_files_missing_names_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(build.BuildError) as info:
        build.ensure_data(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    for rel in build.DATA_URLS:
        assert rel in message


def test_trimmed_lock_lists_only_shipped_packages() -> None:
    lock = {
        "packages": {
            "numpy": {"depends": []},
            "micropip": {"depends": ["packaging"]},
            "packaging": {"depends": []},
            "scipy": {"depends": ["numpy"]},
        }
    }
    assert build._with_dependencies(lock, ["scipy"]) == ["numpy", "scipy"]
    assert build._with_dependencies(lock, ["numpy"]) == ["numpy"]
