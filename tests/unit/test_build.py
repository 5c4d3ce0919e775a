"""The build's own checks: file verification, the data-folder rule, the offline message, the
trimmed lock, the inputs digest, and the reuse of an up-to-date dist/."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import urllib.request
import zipfile
from pathlib import Path

import pytest
from test_first_beats import write_lab_data

import build
from sitebuild import bootstrap, datasets, digest, pages, runtime
from sitebuild.common import DIGEST_FILE, BuildError, sha256_file

LOCK = {
    "packages": {
        "numpy": {"depends": [], "file_name": "numpy-2.0.2.whl", "sha256": "a" * 64},
        "micropip": {"depends": ["packaging"], "file_name": "micropip.whl", "sha256": "b" * 64},
        "packaging": {"depends": [], "file_name": "packaging.whl", "sha256": "c" * 64},
        "scipy": {"depends": ["numpy"], "file_name": "scipy.whl", "sha256": "d" * 64},
    }
}


def test_verify_refuses_a_mismatch(tmp_path: Path) -> None:
    f = tmp_path / "numpy.whl"
    f.write_bytes(b"tampered")
    with pytest.raises(BuildError, match="does not match the official"):
        runtime.verify(f, hashlib.sha256(b"original").hexdigest())
    runtime.verify(f, hashlib.sha256(b"tampered").hexdigest())


def test_data_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ANOMASCOPE_DATA", str(tmp_path / "env"))
    assert bootstrap.data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert bootstrap.data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("ANOMASCOPE_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert bootstrap.data_dir(None) == tmp_path / "cache" / "anomascope" / "datasets"


def test_offline_with_files_missing_names_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(BuildError) as info:
        datasets.ensure_data(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    for rel in datasets.DATA_URLS:
        assert rel in message


def test_trimmed_lock_lists_only_shipped_packages() -> None:
    assert runtime.with_dependencies(LOCK, ["scipy"]) == ["numpy", "scipy"]
    assert runtime.with_dependencies(LOCK, ["numpy"]) == ["numpy"]
    shipped = runtime.shipped_files(LOCK)
    assert shipped["numpy-2.0.2.whl"] == "a" * 64
    assert "micropip.whl" not in shipped and "scipy.whl" not in shipped


# --- the inputs digest ---------------------------------------------------------------------
@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A small repository (every kind of source) and a data folder with every dataset file."""
    root, data = tmp_path / "repo", tmp_path / "data"
    for rel in ["web/templates/index.html", "web/static/js/app.js", "models/pca.json",
                "pysrc/anomascope/__init__.py", "sitebuild/pages.py", "build.py",
                "pyproject.toml", "README.md"]:  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"contents of {rel}\n")
    for path in datasets.data_files(data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("1,2,3\n")
    return root, data


def input_digest(data: Path, lock: dict, root: Path) -> str:
    return digest.digest_of(digest.input_record(data, lock, root))


def test_digest_changes_with_a_source_file_and_only_then(inputs: tuple[Path, Path]) -> None:
    root, data = inputs
    first = input_digest(data, LOCK, root)
    assert input_digest(data, LOCK, root) == first
    cache = root / "pysrc" / "anomascope" / "__pycache__"
    cache.mkdir()
    (cache / "__init__.cpython-311.pyc").write_bytes(b"byte code")
    assert input_digest(data, LOCK, root) == first  # byte code is not an input
    js = root / "web" / "static" / "js" / "app.js"
    js.write_text("changed\n")
    assert input_digest(data, LOCK, root) != first
    js.write_text("contents of web/static/js/app.js\n")
    assert input_digest(data, LOCK, root) == first
    (root / "web" / "static" / "js" / "new.js").write_text("")
    assert input_digest(data, LOCK, root) != first


def test_digest_changes_with_data_and_runtime(inputs: tuple[Path, Path]) -> None:
    root, data = inputs
    first = input_digest(data, LOCK, root)
    ecg = datasets.data_files(data)[0]
    stat = ecg.stat()
    os.utime(ecg, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    touched = input_digest(data, LOCK, root)
    assert touched != first
    other = {"packages": {**LOCK["packages"], "numpy": {**LOCK["packages"]["numpy"]}}}
    other["packages"]["numpy"]["sha256"] = "e" * 64
    assert input_digest(data, other, root) != touched


def _site(folder: Path, text: str) -> None:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    pages.write_service_worker(folder, pages.write_manifest(folder))


def test_a_site_is_current_only_with_its_digest_and_intact(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _site(site, "<p>one</p>")
    one, two = {"sources": {"web/a.js": "1"}}, {"sources": {"web/a.js": "2"}}
    assert not digest.is_current(site, one)  # no stamp yet
    assert digest.why_stale(site, one) == "no record of its inputs"
    digest.write_stamp(site, one)
    assert digest.is_current(site, one)
    assert not digest.is_current(site, two)
    assert digest.why_stale(site, two) == "changed: sources/web/a.js"
    assert DIGEST_FILE not in pages.write_manifest(site)["files"]  # never precached
    (site / "index.html").write_text("<p>edited</p>")
    assert not digest.is_current(site, one)
    assert "asset manifest" in digest.why_stale(site, one)


# --- build.py: reuse a current dist/, rebuild a stale one -----------------------------------
class FakeSteps:
    """Stands in for the slow steps; the page it renders says which inputs it was built from."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.inputs = "v1"
        self.builds = 0
        self.fail = False
        monkeypatch.setattr(build, "ROOT", tmp_path)
        monkeypatch.setattr(build, "DIST", tmp_path / "dist")
        monkeypatch.setattr(datasets, "ensure_data", lambda folder: None)
        monkeypatch.setattr(runtime, "fetch_runtime", lambda: (tmp_path, LOCK))
        monkeypatch.setattr(bootstrap, "pyodide_build", lambda: None)
        monkeypatch.setattr(digest, "input_record", lambda folder, lock: {"page": self.inputs})
        monkeypatch.setattr(runtime, "build_wheel", lambda out: out / "anomascope.whl")
        monkeypatch.setattr(runtime, "write_runtime", lambda *a: None)
        monkeypatch.setattr(datasets, "write_data_assets", lambda folder, out: None)
        monkeypatch.setattr(build.examples, "write_examples", lambda folder, out: None)
        monkeypatch.setattr(pages, "write_models", lambda out: None)
        monkeypatch.setattr(pages, "render_pages", self.render)

    def render(self, out: Path) -> None:
        if self.fail:
            raise BuildError("template error")
        self.builds += 1
        (out / "index.html").write_text(f"<p>{self.inputs}</p>")


def test_build_reuses_a_current_dist_and_rebuilds_a_stale_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    steps = FakeSteps(monkeypatch, tmp_path)
    args = argparse.Namespace(data=str(tmp_path / "data"))
    page = tmp_path / "dist" / "index.html"
    build.build(args, reuse=True)
    assert (steps.builds, page.read_text()) == (1, "<p>v1</p>")
    build.build(args, reuse=True)
    assert steps.builds == 1  # same inputs: reused
    steps.inputs = "v2"
    build.build(args, reuse=True)
    assert (steps.builds, page.read_text()) == (2, "<p>v2</p>")
    page.write_text("<p>edited by hand</p>")
    build.build(args, reuse=True)
    assert (steps.builds, page.read_text()) == (3, "<p>v2</p>")
    build.build(args)  # the build command always builds
    assert steps.builds == 4


def test_a_failed_build_keeps_the_old_dist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    steps = FakeSteps(monkeypatch, tmp_path)
    args = argparse.Namespace(data=str(tmp_path / "data"))
    build.build(args)
    steps.inputs, steps.fail = "v2", True
    with pytest.raises(BuildError):
        build.build(args, reuse=True)
    assert (tmp_path / "dist" / "index.html").read_text() == "<p>v1</p>"
    assert not list(tmp_path.glob("dist-*"))  # no staging folder left behind


# --- the shipped runtime: bytecode with Python 3.12, sources without ------------------------
def python_files(archive: Path) -> tuple[int, int]:
    """How many ``.py`` and ``.pyc`` files a zip or wheel holds."""
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
    return sum(n.endswith(".py") for n in names), sum(n.endswith(".pyc") for n in names)


def shipped_archives(site: Path) -> dict[str, Path]:
    lock = json.loads((site / "pyodide-lock.json").read_text())
    files = {name: site / entry["file_name"] for name, entry in lock["packages"].items()}
    return {"stdlib": site / "python_stdlib.zip", **files}


def assert_lock_matches_files(site: Path) -> None:
    lock = json.loads((site / "pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        assert sha256_file(site / entry["file_name"]) == entry["sha256"], entry["file_name"]
    listed = {entry["file_name"] for entry in lock["packages"].values()}
    assert {p.name for p in site.glob("*.whl")} == listed  # no stray or renamed-away wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return runtime.build_wheel(tmp_path_factory.mktemp("wheel"))


def write_site_runtime(wheel: Path, out: Path, cli: Path | None) -> Path:
    cache, lock = runtime.fetch_runtime()  # offline once .cache/ holds the verified files
    out.mkdir()
    runtime.write_runtime(cache, lock, shutil.copy2(wheel, out / wheel.name), out, cli)
    return out


def test_with_python_312_the_stdlib_numpy_and_our_wheel_ship_as_bytecode(
    wheel: Path, tmp_path: Path
) -> None:
    cli = bootstrap.pyodide_build()
    assert cli is not None, "the build needs Python 3.12 (pyenv install 3.12) for pyodide-build"
    site = write_site_runtime(wheel, tmp_path / "pyodide", cli)
    archives = shipped_archives(site)
    assert sorted(archives) == ["anomascope", "numpy", "stdlib"]
    for name, archive in archives.items():
        py, pyc = python_files(archive)
        assert (py, pyc > 0) == (0, True), f"{name}: {py} .py, {pyc} .pyc"
    with zipfile.ZipFile(archives["anomascope"]) as zf:
        assert "anomascope/api/__init__.pyc" in zf.namelist()
    assert archives["anomascope"].name.endswith("-cp312-none-any.whl")
    assert_lock_matches_files(site)


def test_without_python_312_the_build_says_so_and_ships_sources(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], wheel: Path,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(bootstrap, "python_for_pyodide", lambda: None)
    assert bootstrap.pyodide_build() is None
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "no Python 3.12" in lines[0] and "sources" in lines[0]
    site = write_site_runtime(wheel, tmp_path / "pyodide", None)
    for name, archive in shipped_archives(site).items():
        assert python_files(archive)[0] > 0, f"{name} should ship its .py sources"
    assert sha256_file(site / "python_stdlib.zip") == runtime.CORE_SHA256["python_stdlib.zip"]
    assert_lock_matches_files(site)


def test_python_312_is_found_under_pyenv_without_a_fixed_patch_number(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for version in ["3.11.9", "3.12.1", "3.12.10", "3.13.0", "3.12-dev"]:
        python = tmp_path / "versions" / version / "bin" / "python"
        python.parent.mkdir(parents=True)
        python.touch()
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: None)
    assert bootstrap.python_for_pyodide() == tmp_path / "versions" / "3.12.10" / "bin" / "python"
    shutil.rmtree(tmp_path / "versions")
    assert bootstrap.python_for_pyodide() is None


def test_the_site_ships_no_tfjs_file(tmp_path: Path) -> None:
    """TF.js is the benchmark's peer only (bench/package.json, installed under .cache/): the
    site's pages, static files, models and manifest carry none of it, nor the peer's pages."""
    from bench.site import NODE_MODULES, PAGES

    pages.write_models(tmp_path / "models")
    write_lab_data(tmp_path / pages.FIRST_BEATS_FILE)  # the lab's page carries its first beats
    pages.render_pages(tmp_path)
    listed = pages.write_manifest(tmp_path)["files"]
    names = [p.relative_to(tmp_path).as_posix().lower() for p in tmp_path.rglob("*")]
    assert listed and names
    for marker in ("tfjs", "tensorflow", "tf.min.js", "peer", "node_modules"):
        assert not [n for n in names if marker in n], marker
        assert not [n for n in listed if marker in n.lower()], marker
    assert not [p for p in PAGES.iterdir() if (tmp_path / "static" / p.name).exists()]
    assert build.ROOT / ".cache" in NODE_MODULES.parents
    assert not NODE_MODULES.is_relative_to(build.ROOT / "web")
