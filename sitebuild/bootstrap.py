"""Step 0, before anything else: the virtual environment and the data folder.

``build.py`` runs first under any Python 3.11+; :func:`ensure_venv` creates ``.venv`` with the
``pyproject.toml`` dependency groups that the command needs and re-runs ``build.py`` inside it.
This module imports only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from sitebuild.common import CACHE, ROOT, BuildError, log, run_quiet

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


# pyodide-build compiles the shipped Python to bytecode (see runtime.py). Its release line 0.27
# matches Pyodide 0.27.7; it needs the same Python minor version as Pyodide's (3.12), because
# bytecode is specific to it. wheel is pinned because auditwheel-emscripten, which
# pyodide-build loads, imports `wheel.cli`, which newer wheel releases dropped.
PYODIDE_BUILD_PINS = ["pyodide-build==0.27.3", "wheel==0.44.0"]
PYODIDE_PYTHON = "3.12"
PYODIDE_BUILD_VENV = CACHE / "pyodide-build-venv"


def _version_key(path: Path) -> tuple[int, ...]:
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", str(path))
    return tuple(int(g) for g in match.groups()) if match else (0,)


def python_for_pyodide() -> Path | None:
    """A Python 3.12 interpreter (Pyodide 0.27's version): the newest 3.12.* under pyenv, else
    ``python3.12`` on the PATH; None when there is none."""
    roots = [Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))]
    if shutil.which("pyenv"):
        proc = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip():
            roots.insert(0, Path(proc.stdout.strip()))
    found = [p for root in roots for p in root.glob(f"versions/{PYODIDE_PYTHON}.*/bin/python")]
    found = [p for p in found if re.fullmatch(r"\d+\.\d+\.\d+", p.parents[1].name)]
    if found:
        return max(found, key=_version_key)
    on_path = shutil.which(f"python{PYODIDE_PYTHON}")
    return Path(on_path) if on_path else None


def pyodide_build() -> Path | None:
    """The ``pyodide`` command of pyodide-build, in its own venv under ``.cache/`` (created on
    first use, from PyPI; later builds need no network), or None with one log line saying why.
    """
    python = python_for_pyodide()
    if python is None:
        log("bytecode", f"no Python {PYODIDE_PYTHON} found (pyenv or PATH): shipping .py sources")
        return None
    cli = PYODIDE_BUILD_VENV / "bin" / "pyodide"
    stamp = PYODIDE_BUILD_VENV / ".anomascope-pins"
    wanted = "\n".join([str(python), *PYODIDE_BUILD_PINS])
    if cli.exists() and stamp.exists() and stamp.read_text() == wanted:
        return cli
    log("bytecode", f"installing {', '.join(PYODIDE_BUILD_PINS)} under {python}")
    shutil.rmtree(PYODIDE_BUILD_VENV, ignore_errors=True)
    try:
        run_quiet([str(python), "-m", "venv", str(PYODIDE_BUILD_VENV)], "creating its venv")
        pip = [str(PYODIDE_BUILD_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        run_quiet([*pip, "--disable-pip-version-check", *PYODIDE_BUILD_PINS], "pip install")
    except (OSError, BuildError) as exc:
        shutil.rmtree(PYODIDE_BUILD_VENV, ignore_errors=True)
        log("bytecode", f"pyodide-build could not be installed ({exc}): shipping .py sources")
        return None
    stamp.write_text(wanted)
    return cli


def data_dir(flag: str | None) -> Path:
    """The data folder: ``--data``, else ``$ANOMASCOPE_DATA``, else a per-user cache folder."""
    if flag:
        return Path(flag).expanduser().resolve()
    if os.environ.get("ANOMASCOPE_DATA"):
        return Path(os.environ["ANOMASCOPE_DATA"]).expanduser().resolve()
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return (base / "anomascope" / "datasets").resolve()
