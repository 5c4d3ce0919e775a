"""`pip install` of the wheel gives a working `anomascope` command outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np

from tests.unit.cli_helpers import KDD_MODEL, ROOT, kdd_lines, run_cli


def test_installed_command_scores_outside_the_repository(data_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(wheels)],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    wheel = next(wheels.glob("anomascope-*.whl"))
    fresh = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(fresh)
    python = fresh / "bin" / "python"
    # numpy only (not the repository's venv): a folder holding links to it, on a .pth line
    import numpy

    numpy_only = tmp_path / "numpy_only"
    numpy_only.mkdir()
    site = Path(numpy.__file__).parents[1]
    for name in ("numpy", "numpy.libs", f"numpy-{numpy.__version__}.dist-info"):
        if (site / name).exists():
            (numpy_only / name).symlink_to(site / name)
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "numpy_only.pth").write_text(f"{numpy_only}\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    conn = tmp_path / "elsewhere" / "conn.csv"
    conn.parent.mkdir()
    conn.write_text("\n".join(line.rsplit(",", 1)[0] for line in kdd_lines(data_dir, 50)) + "\n")
    done = subprocess.run(
        [fresh / "bin" / "anomascope", "score", "--model", str(KDD_MODEL), str(conn)],
        cwd=conn.parent, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    where = subprocess.run(
        [python, "-c", "import anomascope; print(anomascope.__file__)"],
        cwd=conn.parent, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(fresh)) and str(ROOT / "pysrc") not in where
    in_repo = run_cli("score", "--model", str(KDD_MODEL), str(conn))
    assert done.stdout == in_repo.stdout and done.stdout.count(b"\n") == 51
    assert np.isfinite([float(line.split(b"\t")[1]) for line in done.stdout.splitlines()[1:]]).all()
