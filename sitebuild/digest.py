"""Reusing an up-to-date ``dist/``: one sha256 over every input of the build.

The inputs are the files of ``web/``, ``models/``, ``pysrc/``, this package, ``build.py``,
``pyproject.toml`` and ``README.md`` (the wheel's metadata carries it), by path and content;
the verified runtime files by name and pinned sha256; the dataset files by name, size and
modification time; the Pyodide version, the Content Security Policy, and the versions of the
tools whose output lands in ``dist/`` (numpy, jinja2, hatchling).

A build writes the digest, and the inputs it covers, into ``dist/.build-digest`` (not listed
in the asset manifest, so never precached). ``dist/`` is current when that file holds the
digest of today's inputs and every file still matches ``asset-manifest.json``; otherwise the
log says which inputs changed. The digest is taken before the build starts,
so a file edited during a build makes the next run rebuild rather than trust a stale stamp.

Policy (see ``build.py``): ``test``, ``serve`` and ``bench`` reuse a current ``dist/``; the
``build`` command always builds afresh.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from sitebuild.common import DIGEST_FILE, ROOT, sha256_file
from sitebuild.datasets import data_files
from sitebuild.pages import CSP, matches_manifest
from sitebuild.runtime import PYODIDE_VERSION, shipped_files

# Relative to the repository: folders (every file in them) and single files.
SOURCES = ["web", "models", "pysrc", "sitebuild", "build.py", "pyproject.toml", "README.md"]
TOOLS = ["numpy", "jinja2", "hatchling"]


def _is_cache(rel: Path) -> bool:
    """Python's byte code and packaging metadata: produced by tools, never build inputs."""
    return rel.suffix == ".pyc" or any(
        part == "__pycache__" or part.endswith(".egg-info") for part in rel.parts
    )


def source_files(root: Path) -> list[Path]:
    """Every source file of the build under ``root``, sorted (missing entries are skipped)."""
    out: list[Path] = []
    for name in SOURCES:
        path = root / name
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            files = (p for p in path.rglob("*") if p.is_file())
            out += (p for p in files if not _is_cache(p.relative_to(root)))
    return sorted(out)


def _tool_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def input_record(data_folder: Path, lock: dict, root: Path = ROOT) -> dict:
    """Everything the build reads, as a JSON-able record (the digest hashes this)."""
    data = {}
    for path in data_files(data_folder):
        stat = path.stat()
        data[path.relative_to(data_folder).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return {
        "sources": {p.relative_to(root).as_posix(): sha256_file(p) for p in source_files(root)},
        "runtime": shipped_files(lock),
        "data": data,
        "pyodide": PYODIDE_VERSION,
        "csp": CSP,
        "tools": {name: _tool_version(name) for name in TOOLS},
    }


def _flat(record: dict) -> dict[str, object]:
    """One level: ``{"sources/web/x.js": hash, "pyodide": version, ...}``."""
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update({f"{key}/{name}": item for name, item in value.items()})
        else:
            out[key] = value
    return out


def digest_of(record: dict) -> str:
    """The sha256 of an :func:`input_record`."""
    return hashlib.sha256(json.dumps(_flat(record), sort_keys=True).encode()).hexdigest()


def write_stamp(site: Path, record: dict) -> None:
    """Record in ``site`` the digest of the inputs it was built from, and the inputs (so a
    later run can say which of them changed)."""
    stamp = {"digest": digest_of(record), "inputs": _flat(record)}
    (site / DIGEST_FILE).write_text(json.dumps(stamp, indent=0, sort_keys=True))


def _read_stamp(site: Path) -> dict:
    try:
        stamp = json.loads((site / DIGEST_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def is_current(site: Path, record: dict) -> bool:
    """True when ``site`` was built from inputs with this record's digest and is intact."""
    return _read_stamp(site).get("digest") == digest_of(record) and matches_manifest(site)


def why_stale(site: Path, record: dict, shown: int = 4) -> str:
    """Why ``site`` is not current, in a few words for the build log."""
    old = _read_stamp(site).get("inputs")
    if not isinstance(old, dict):
        return "no record of its inputs"
    new = _flat(record)
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if not changed:
        return "its files differ from its asset manifest"
    more = f" and {len(changed) - shown} more" if len(changed) > shown else ""
    return f"changed: {', '.join(changed[:shown])}{more}"
