"""Steps 4 and 5: what the browser loads besides the runtime and the data.

:func:`write_models` copies the exported models with an index, :func:`render_pages` renders
``web/templates/`` (with the Content Security Policy in a meta tag, and the ECG lab's first
beats from :func:`first_beats`) and copies ``web/static/``, :func:`write_manifest` lists every
file with its sha256, and :func:`write_service_worker` renders ``web/sw.js`` to precache
exactly those files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

from sitebuild.common import DIGEST_FILE, MODELS, WEB, BuildError, log, sha256_file
from sitebuild.runtime import PYODIDE_VERSION

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

#: How many test beats the ECG lab draws before Python is ready (its "first paint"), and the
#: data file they come from (the one the worker loads, in dist/).
FIRST_BEATS = 12
FIRST_BEATS_FILE = Path("data") / "ecg5000.npz"

MANIFEST = "asset-manifest.json"
# Files of dist/ that are not part of the site: never listed, never precached.
NOT_ASSETS = {MANIFEST, DIGEST_FILE}


def write_models(out: Path) -> None:
    """Copy the exported models (weights + manifests) and write an index of them."""
    out.mkdir(parents=True, exist_ok=True)
    if not any(MODELS.glob("*.npz")):
        raise BuildError(f"no exported models in {MODELS}: run the training scripts in train/")
    index = []
    for manifest_path in sorted(MODELS.glob("*.json")):
        if not manifest_path.with_suffix(".npz").exists():
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


def first_beats(data_file: Path, count: int = FIRST_BEATS) -> dict:
    """The first ``count`` test beats of the lab's data file, small enough to sit in the page.

    Returns ``{"source", "shape": [n, steps], "X", "y"}``: ``X`` is the base64 of the beats'
    bytes exactly as stored (little-endian float32, C order, shape ``(n, steps)``) and ``y``
    their class labels (list of int), so the page draws the very numbers the worker loads
    without fetching and unzipping the whole file first (``web/static/js/lab/first_paint.js``).
    """
    import numpy as np

    with np.load(data_file) as data:
        beats = np.ascontiguousarray(data["test_X"][:count], dtype="<f4")
        labels = data["test_y"][:count]
    return {
        "source": f"{FIRST_BEATS_FILE.as_posix()} test_X[:{len(beats)}]",
        "shape": list(beats.shape),
        "X": base64.b64encode(beats.tobytes()).decode("ascii"),
        "y": [int(v) for v in labels],
    }


def render_pages(out: Path) -> None:
    """Render every page template (not the ``_partials``) and copy the static files. The data
    assets must be in ``out`` already: the ECG lab carries its first beats (``first_beats``)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    shutil.copytree(WEB / "static", out / "static", dirs_exist_ok=True)
    pages = [p.name for p in (WEB / "templates").glob("*.html") if not p.name.startswith("_")]
    beats = first_beats(out / FIRST_BEATS_FILE)
    for page in pages:
        html = env.get_template(page).render(
            pyodide_version=PYODIDE_VERSION, page=page, csp=CSP, first_beats=beats
        )
        (out / page).write_text(html)
    log("pages", f"rendered {', '.join(sorted(pages))}")


def write_manifest(out: Path) -> dict:
    """Write ``asset-manifest.json``: every file of the site with its sha256, and a version
    derived from them (the service worker's cache name)."""
    files = {
        str(p.relative_to(out)): sha256_file(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in NOT_ASSETS
    }
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    manifest = {"version": version, "files": files}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    log("manifest", f"{len(files)} files, version {version}")
    return manifest


def write_service_worker(out: Path, manifest: dict) -> None:
    """Render web/sw.js with this build's version and file list (see its header)."""
    import jinja2

    template = jinja2.Template((WEB / "sw.js").read_text(), undefined=jinja2.StrictUndefined)
    files = sorted(manifest["files"])
    (out / "sw.js").write_text(template.render(version=manifest["version"], files=files))
    log("offline", f"sw.js precaches {len(files)} files")


def matches_manifest(site: Path) -> bool:
    """True when ``site`` has its manifest, its service worker and every listed file with
    the listed sha256 (nothing edited or lost since the build)."""
    try:
        files = json.loads((site / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError):
        return False
    if not (site / "sw.js").is_file():
        return False
    return all((site / rel).is_file() and sha256_file(site / rel) == h for rel, h in files.items())
