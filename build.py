#!/usr/bin/env python3
"""Anomascope's one entry point: build the static site, serve it, test it, benchmark it.

    python build.py [build]   build the site into dist/ (always afresh)
    python build.py serve     build if needed, then serve dist/ on http://127.0.0.1:8000
    python build.py test      install the test tools into .venv, build if needed, run every test
    python build.py bench     build if needed, then print one JSON object of measured figures

"If needed": ``serve``, ``test`` and ``bench`` reuse a dist/ whose recorded inputs digest
matches today's inputs (see sitebuild/digest.py). The steps live in the ``sitebuild`` package.
Only the standard library is imported at the top: the first run creates ``.venv`` with the
dependency groups of ``pyproject.toml`` that the command needs, then re-runs itself inside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sitebuild import bootstrap, datasets, digest, examples, pages, runtime, server
from sitebuild.common import DIST, ROOT, BuildError, log


def build(args: argparse.Namespace, reuse: bool = False) -> None:
    """Build dist/ in a staging folder and swap it in whole; with ``reuse``, keep a current
    dist/ instead."""
    start = time.perf_counter()
    folder = bootstrap.data_dir(args.data)
    datasets.ensure_data(folder)
    cache, lock = runtime.fetch_runtime()
    pyodide_cli = bootstrap.pyodide_build()
    inputs = digest.input_record(folder, lock)
    inputs["bytecode"] = " ".join(bootstrap.PYODIDE_BUILD_PINS) if pyodide_cli else "none"
    if reuse and digest.is_current(DIST, inputs):
        log("build", f"dist/ is up to date (inputs digest {digest.digest_of(inputs)[:12]}): reused")
        return
    if reuse and DIST.exists():
        log("build", f"rebuilding dist/: {digest.why_stale(DIST, inputs)}")
    staging = Path(tempfile.mkdtemp(prefix="dist-", dir=ROOT))
    try:
        wheel = runtime.build_wheel(staging / "pyodide")
        runtime.write_runtime(cache, lock, wheel, staging / "pyodide", pyodide_cli)
        datasets.write_data_assets(folder, staging / "data")
        examples.write_examples(folder, staging / "data" / "examples")
        pages.write_models(staging / "models")
        pages.render_pages(staging)
        pages.write_service_worker(staging, pages.write_manifest(staging))
        digest.write_stamp(staging, inputs)
        if DIST.exists():
            shutil.rmtree(DIST)
        staging.rename(DIST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log("build", f"dist/ ready in {time.perf_counter() - start:.1f} s")


def serve(args: argparse.Namespace) -> None:
    """Serve dist/ until Ctrl+C; ``--kiosk`` adds the security headers, on loopback only."""
    if args.kiosk and args.host not in server.LOOPBACK:
        raise BuildError("--kiosk serves on loopback only; drop --host")
    build(args, reuse=True)
    headers = server.KIOSK_HEADERS if args.kiosk else {}
    httpd = server.start_server(args.host, args.port, extra_headers=headers)
    url = f"http://{args.host}:{httpd.server_address[1]}/"
    print(f"Serving Anomascope at {url}  (Ctrl+C stops)", flush=True)
    if args.kiosk:
        print(f"Kiosk: security headers on. Open it full screen with: chromium --kiosk {url}")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


def test(args: argparse.Namespace) -> None:
    """Run pytest with the given arguments; with none, lint and type-check first."""
    build(args, reuse=True)
    env = {**os.environ, "ANOMASCOPE_DATA": str(bootstrap.data_dir(args.data))}
    if server.chromium_path() is None:
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
    """Print the benchmark's figures as one JSON object."""
    # Native figures use one BLAS thread: threaded OpenBLAS collapses when the browser under
    # test shares this 2-core machine. Set before numpy is first imported (by the build).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    build(args, reuse=True)
    from bench.run import run_benchmarks

    print(json.dumps(run_benchmarks(DIST, bootstrap.data_dir(args.data)), indent=1))


COMMANDS = {"build": build, "serve": serve, "test": test, "bench": bench}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("command", nargs="?", default="build", choices=sorted(COMMANDS))
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
    bootstrap.ensure_venv(args.command)
    try:
        COMMANDS[args.command](args)
    except BuildError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
