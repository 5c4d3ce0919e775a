"""Step 0, before anything else: the virtual environment and the data folder.

``build.py`` runs first under any Python 3.11+; :func:`ensure_venv` creates ``.venv`` with the
``pyproject.toml`` dependency groups that the command needs and re-runs ``build.py`` inside it.
This module imports only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from sitebuild.common import ROOT, log

VENV = ROOT / ".venv"
SCRIPT = ROOT / "build.py"

# Which dependency groups (pyproject optional-dependencies) each command needs.
GROUPS = {
    "build": ["site"],
    "serve": ["site"],
    "test": ["site", "test", "train", "dev"],
    "bench": ["site", "test"],
}


def requirements(command: str) -> list[str]:
    """The requirement strings of the project plus the groups that ``command`` needs."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    optional = pyproject["project"]["optional-dependencies"]
    out = list(pyproject["project"]["dependencies"])
    for group in GROUPS[command]:
        out += optional[group]
    return out


def ensure_venv(command: str) -> None:
    """Create ``.venv`` with the groups ``command`` needs and re-run build.py inside it.

    A stamp file per group set records the hash of the requirements last installed, so the
    install runs again only when ``pyproject.toml`` changes them.
    """
    python = VENV / "bin" / "python"
    wanted = requirements(command)
    stamp = VENV / f".anomascope-{'-'.join(GROUPS[command])}"
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    if not python.exists():
        log("venv", f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != digest:
        log("venv", f"installing groups {', '.join(GROUPS[command])}")
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, *wanted], check=True)
        # The package itself, editable (a .pth to pysrc/), so `python -m anomascope` works.
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
        stamp.write_text(digest)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), str(SCRIPT), *sys.argv[1:]])


def data_dir(flag: str | None) -> Path:
    """The data folder: ``--data``, else ``$ANOMASCOPE_DATA``, else a per-user cache folder."""
    if flag:
        return Path(flag).expanduser().resolve()
    if os.environ.get("ANOMASCOPE_DATA"):
        return Path(os.environ["ANOMASCOPE_DATA"]).expanduser().resolve()
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return (base / "anomascope" / "datasets").resolve()
